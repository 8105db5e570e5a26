// What the scrape manager knows now about a CR's job, in the shape the
// operator components' debug info and UI show per CR (monitors, probes and
// scrape configs alike): counts, each active target's URL, health and final
// labels.
import type { TargetDebug } from '../scrape/scheduler.js';

export interface LiveTarget {
  url: string;
  health: string;
  labels: Record<string, string>;
  last_scrape?: string;
  last_error?: string;
}

export function liveTargets(active: readonly TargetDebug[]): { targets_active: number; up: number; down: number; targets: LiveTarget[] } {
  return {
    targets_active: active.length,
    up: active.filter((t) => t.health === 'up').length,
    down: active.filter((t) => t.health === 'down').length,
    targets: active.map((t) => ({
      url: t.url,
      health: t.health,
      labels: t.labels,
      ...(t.last_scrape ? { last_scrape: t.last_scrape } : {}),
      ...(t.last_error ? { last_error: t.last_error } : {}),
    })),
  };
}
