// Turns a discovered target (a label object) into a scrape target the way
// Prometheus's PopulateLabels does (minus target relabeling, which Alloy does
// in discovery.relabel): fill in job/scheme/path/interval/timeout/params
// defaults, validate address and durations, drop __meta_*, default
// `instance` to `__address__`, and keep every label not starting with "__"
// as the final target labels. Like Prometheus 3 / Alloy, no default port is
// appended to a port-less address.
import type { LabelPairs } from '../pipeline/metrics.js';
import { formatDuration, parseDuration } from '../syntax/duration.js';

export interface TargetDefaults {
  jobName: string;
  scheme: string;
  metricsPath: string;
  intervalMs: number;
  timeoutMs: number;
  params: Record<string, string[]>;
}

export interface ScrapeTarget {
  /** Final labels attached to every sample: sorted pairs without "__" names. */
  labels: LabelPairs;
  /** The discovered labels as given (for debug info and cluster keys). */
  discovered: Record<string, string>;
  url: string;
  intervalMs: number;
  timeoutMs: number;
}

export type PopulateResult = { target: ScrapeTarget } | { error: string };

export const ADDRESS = '__address__';
export const SCHEME = '__scheme__';
export const METRICS_PATH = '__metrics_path__';
export const SCRAPE_INTERVAL = '__scrape_interval__';
export const SCRAPE_TIMEOUT = '__scrape_timeout__';
export const PARAM_PREFIX = '__param_';

/** Sorted flat pairs of an object, skipping empty values (an empty label is an absent one). */
export function toSortedPairs(obj: Record<string, string>, keep: (name: string) => boolean = () => true): LabelPairs {
  const names = Object.keys(obj).filter((n) => obj[n] !== '' && keep(n)).sort();
  const out: string[] = [];
  for (const n of names) out.push(n, obj[n]);
  return out;
}

/**
 * Prometheus's labels of a target before relabeling: job, interval, timeout,
 * path, scheme and the first value of each param, where the target has none
 * (an empty value counts as none). Sets them on `lb` and returns it.
 */
export function setTargetDefaults(lb: Record<string, string>, d: TargetDefaults): Record<string, string> {
  const setDefault = (k: string, v: string) => {
    if (!lb[k]) lb[k] = v;
  };
  setDefault('job', d.jobName);
  setDefault(SCRAPE_INTERVAL, formatDuration(d.intervalMs));
  setDefault(SCRAPE_TIMEOUT, formatDuration(d.timeoutMs));
  setDefault(METRICS_PATH, d.metricsPath);
  setDefault(SCHEME, d.scheme);
  for (const [k, vs] of Object.entries(d.params)) if (vs.length > 0) setDefault(PARAM_PREFIX + k, vs[0]);
  return lb;
}

export function populateTarget(discovered: Record<string, string>, d: TargetDefaults): PopulateResult {
  const lb: Record<string, string> = Object.create(null);
  for (const [k, v] of Object.entries(discovered)) if (typeof v === 'string' && v !== '') lb[k] = v;
  setTargetDefaults(lb, d);

  const addr = lb[ADDRESS];
  if (!addr) return { error: 'no address' };
  if (addr.includes('/')) return { error: `${JSON.stringify(addr)} is not a valid hostname` };
  const scheme = lb[SCHEME];
  if (scheme !== 'http' && scheme !== 'https') return { error: `invalid scheme ${JSON.stringify(scheme)}` };

  let intervalMs: number;
  let timeoutMs: number;
  try {
    intervalMs = parseDuration(lb[SCRAPE_INTERVAL]);
  } catch (e) {
    return { error: `error parsing scrape interval: ${(e as Error).message}` };
  }
  if (!(intervalMs > 0)) return { error: 'scrape interval cannot be 0' };
  try {
    timeoutMs = parseDuration(lb[SCRAPE_TIMEOUT]);
  } catch (e) {
    return { error: `error parsing scrape timeout: ${(e as Error).message}` };
  }
  if (!(timeoutMs > 0)) return { error: 'scrape timeout cannot be 0' };
  if (timeoutMs > intervalMs) {
    return {
      error: `scrape timeout cannot be greater than scrape interval (${JSON.stringify(lb[SCRAPE_TIMEOUT])} > ${JSON.stringify(lb[SCRAPE_INTERVAL])})`,
    };
  }
  for (const k of Object.keys(lb)) if (k.startsWith('__meta_')) delete lb[k];
  if (!lb.instance) lb.instance = addr;

  let url: URL;
  try {
    url = new URL(`${scheme}://${addr}`);
  } catch {
    return { error: `${JSON.stringify(addr)} is not a valid hostname` };
  }
  url.pathname = lb[METRICS_PATH] ?? '';
  // Config params, then __param_* labels override the first value (url.Values, sorted by key).
  const params = new Map<string, string[]>();
  for (const [k, vs] of Object.entries(d.params)) params.set(k, [...vs]);
  for (const [k, v] of Object.entries(lb)) {
    if (!k.startsWith(PARAM_PREFIX)) continue;
    const name = k.slice(PARAM_PREFIX.length);
    const cur = params.get(name);
    if (cur && cur.length > 0) cur[0] = v;
    else params.set(name, [v]);
  }
  const q = new URLSearchParams();
  for (const k of [...params.keys()].sort()) for (const v of params.get(k)!) q.append(k, v);
  url.search = q.toString();

  return {
    target: {
      labels: toSortedPairs(lb, (n) => !n.startsWith('__')),
      discovered,
      url: url.toString(),
      intervalMs,
      timeoutMs,
    },
  };
}
