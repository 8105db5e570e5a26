// Verdicts of ServiceMonitors and PodMonitors from the monitor component's
// per-CR status: accepted when every endpoint became a job, rejected (with
// the endpoints' reasons) otherwise; monitors still waiting for Secrets or
// a first discovery list get no verdict yet.
import type { CrVerdict } from './condition.js';

interface MonitorLike {
  name: string;
  /** pending: a Secret it needs is still loading (no verdict yet). */
  state: 'ok' | 'error' | 'partial' | 'pending';
  error?: string;
  endpoints: { state: 'ok' | 'error' | 'pending'; targets_discovered: number }[];
}

type KubeObj = { metadata?: { namespace?: string; name?: string; generation?: number }; status?: unknown };

export function monitorVerdicts(kind: string, objects: readonly unknown[], statuses: readonly MonitorLike[]): CrVerdict[] {
  const byName = new Map<string, KubeObj>();
  for (const o of objects as KubeObj[]) byName.set(`${kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`, o);
  const out: CrVerdict[] = [];
  for (const s of statuses) {
    const obj = byName.get(s.name);
    if (!obj?.metadata?.name) continue;
    const base = { namespace: obj.metadata.namespace ?? '', name: obj.metadata.name, generation: obj.metadata.generation, current: obj.status };
    if (s.state === 'pending') continue;
    if (s.state !== 'ok') out.push({ ...base, accepted: false, message: s.error ?? 'rejected' });
    else if (s.endpoints.some((e) => e.state === 'pending')) continue;
    else out.push({ ...base, accepted: true, targets: s.endpoints.reduce((n, e) => n + e.targets_discovered, 0) });
  }
  return out;
}

/** Verdicts of PrometheusRules from the rules component's per-CR status (no target count: rules have none). */
export function ruleVerdicts(objects: readonly unknown[], statuses: readonly { name: string; state: 'ok' | 'error'; error?: string }[]): CrVerdict[] {
  const byName = new Map<string, KubeObj>();
  for (const o of objects as KubeObj[]) byName.set(`PrometheusRule/${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`, o);
  const out: CrVerdict[] = [];
  for (const s of statuses) {
    const obj = byName.get(s.name);
    if (!obj?.metadata?.name) continue;
    out.push({ namespace: obj.metadata.namespace ?? '', name: obj.metadata.name, generation: obj.metadata.generation, current: obj.status, accepted: s.state === 'ok', message: s.state === 'ok' ? undefined : (s.error ?? 'rejected') });
  }
  return out;
}
