// The text live debugging shows for what flows through a pipeline, in
// Prometheus's label set notation ({a="b", c="d"}, as labels.String()).
import type { LabelPairs, Sample } from './metrics.js';
import type { LogEntry } from './logs.js';

export function pairsText(p: LabelPairs | null | undefined): string {
  if (!p) return '{}';
  let out = '{';
  for (let i = 0; i + 1 < p.length; i += 2) {
    if (i > 0) out += ', ';
    out += `${p[i]}=${JSON.stringify(p[i + 1])}`;
  }
  return out + '}';
}

export function recordText(labels: Record<string, string>): string {
  const names = Object.keys(labels).sort();
  return `{${names.map((n) => `${n}=${JSON.stringify(labels[n])}`).join(', ')}}`;
}

/** One sample: labels, value and timestamp (ms). */
export function sampleText(s: Sample): string {
  return `${pairsText(s.labels)} ${s.v} ${s.t}`;
}

/** RFC 3339 with nanoseconds, from a nanosecond timestamp. */
function rfc3339Nano(ns: bigint): string {
  const ms = Number(ns / 1_000_000n);
  const frac = (ns % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '');
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, frac ? `.${frac}Z` : 'Z');
}

/** Alloy's loki.process form: "[IN|OUT]: timestamp: ..., entry: ..., labels: ..., structured_metadata: {...}". */
export function entryText(dir: 'IN' | 'OUT', e: LogEntry): string {
  return `[${dir}]: timestamp: ${rfc3339Nano(e.ts)}, entry: ${e.line}, labels: ${recordText(e.labels)}, structured_metadata: ${JSON.stringify(e.structuredMetadata ?? {})}`;
}
