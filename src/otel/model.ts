// Counting, splitting and merging OTLP data (src/pipeline/otel.ts holds the
// types). The unit of every limit is OTel's: spans, metric data points, log
// records. Splitting keeps each item under a copy of its resource and scope.
import type { Metric, Signal, SignalData } from '../pipeline/otel.js';

export type { Signal, SignalData } from '../pipeline/otel.js';

/** Names of the three levels of each signal: resource list, scope list, item list. */
const LEVELS: Record<Signal, readonly [string, string, string]> = {
  traces: ['resourceSpans', 'scopeSpans', 'spans'],
  metrics: ['resourceMetrics', 'scopeMetrics', 'metrics'],
  logs: ['resourceLogs', 'scopeLogs', 'logRecords'],
};

/** The one-of of a metric that carries data points. */
const METRIC_DATA = ['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary'] as const;

type Obj = Record<string, any>;

export function dataPointCount(m: Metric): number {
  for (const k of METRIC_DATA) if (m[k]) return (m[k] as { dataPoints?: unknown[] }).dataPoints?.length ?? 0;
  return 0;
}

/** Weight of one leaf item: 1 for a span or log record, its data points for a metric. */
function weight(signal: Signal, item: Obj): number {
  return signal === 'metrics' ? dataPointCount(item as Metric) : 1;
}

/** Spans, metric data points or log records in the data. */
export function itemCount<S extends Signal>(signal: S, data: SignalData[S]): number {
  const [top, mid, leaf] = LEVELS[signal];
  let n = 0;
  for (const r of ((data as Obj)[top] ?? []) as Obj[]) for (const s of (r[mid] ?? []) as Obj[]) for (const i of (s[leaf] ?? []) as Obj[]) n += weight(signal, i);
  return n;
}

/** Several requests of one signal as one (resource lists concatenated; inputs untouched). */
export function mergeData<S extends Signal>(signal: S, parts: readonly SignalData[S][]): SignalData[S] {
  const top = LEVELS[signal][0];
  return { [top]: parts.flatMap((p) => ((p as Obj)[top] ?? []) as Obj[]) } as unknown as SignalData[S];
}

export function emptyData<S extends Signal>(signal: S): SignalData[S] {
  return { [LEVELS[signal][0]]: [] } as unknown as SignalData[S];
}

/** A metric with only the data points [from, to). */
function sliceMetric(m: Obj, from: number, to: number): Obj {
  for (const k of METRIC_DATA) if (m[k]) return { ...m, [k]: { ...m[k], dataPoints: m[k].dataPoints.slice(from, to) } };
  return m;
}

/**
 * Cut the data into requests of at most `max` items (max <= 0: no limit). The
 * inputs are not modified; resources and scopes are shallow-copied into each part.
 */
export function splitData<S extends Signal>(signal: S, data: SignalData[S], max: number): SignalData[S][] {
  if (max <= 0 || itemCount(signal, data) <= max) return [data];
  const [top, mid, leaf] = LEVELS[signal];
  const parts: Obj[] = [];
  let cur: Obj = { [top]: [] };
  let room = max;
  let curR: Obj | undefined;
  let curS: Obj | undefined;
  let srcR: Obj | undefined;
  let srcS: Obj | undefined;
  const flush = () => {
    parts.push(cur);
    cur = { [top]: [] };
    room = max;
    curR = curS = srcR = srcS = undefined;
  };
  const place = (r: Obj, s: Obj, item: Obj) => {
    if (srcR !== r) {
      curR = { ...r, [mid]: [] };
      cur[top].push(curR);
      srcR = r;
      srcS = undefined;
    }
    if (srcS !== s) {
      curS = { ...s, [leaf]: [] };
      curR![mid].push(curS);
      srcS = s;
    }
    curS![leaf].push(item);
  };
  for (const r of ((data as Obj)[top] ?? []) as Obj[]) {
    for (const s of (r[mid] ?? []) as Obj[]) {
      for (const item of (s[leaf] ?? []) as Obj[]) {
        const w = weight(signal, item);
        if (w <= room) {
          place(r, s, item);
          room -= w;
          if (room === 0) flush();
          continue;
        }
        // A metric with more points than the room left: its points go out in slices.
        let from = 0;
        while (from < w) {
          const take = Math.min(room, w - from);
          place(r, s, sliceMetric(item, from, from + take));
          from += take;
          room -= take;
          if (room === 0) flush();
        }
      }
    }
  }
  if (cur[top].length > 0) parts.push(cur);
  return parts as SignalData[S][];
}
