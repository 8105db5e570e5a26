// Durations of the source configs. Prometheus writes its own format
// (`1y2w3d4h5m6s7ms`, units in that order, integers only, "0" alone); promtail's
// settings are Go durations. Both become milliseconds, written back as Go
// durations, the only form Alloy accepts.
import { formatDuration, parseDuration } from '../syntax/duration.js';

const PROM_DURATION = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
const PROM_UNITS_MS = [365 * 86_400_000, 7 * 86_400_000, 86_400_000, 3_600_000, 60_000, 1000, 1];

export function parsePromDuration(s: string): number {
  if (s === '0') return 0;
  const m = PROM_DURATION.exec(s);
  if (s === '' || !m) throw new Error(`not a valid duration string: ${JSON.stringify(s)}`);
  return PROM_UNITS_MS.reduce((sum, unit, i) => sum + (m[i + 1] ? Number(m[i + 1]) * unit : 0), 0);
}

/** Go's time.ParseDuration (no days or weeks: Go has none). */
export function parseGoDuration(s: string): number {
  if (/[dwy]/.test(s)) throw new Error(`not a valid Go duration: ${JSON.stringify(s)}`);
  try {
    return parseDuration(s);
  } catch {
    throw new Error(`not a valid Go duration: ${JSON.stringify(s)}`);
  }
}

/** Milliseconds as an Alloy duration string ("1m30s"). */
export function goDuration(ms: number): string {
  return formatDuration(ms);
}
