// Visiting the items of OTLP data at one OTTL context's level: every resource,
// scope, span, span event, metric, data point or log record, each with its
// parents and a fresh cache.
import type { Logs, Metric, Metrics, Resource, Scope, Signal, SignalData, Traces } from '../../pipeline/otel.js';
import { METRIC_TYPES, type ContextName, type TCtx } from './paths.js';

type Obj = Record<string, any>;

/** The contexts each signal's statements may use. */
export const SIGNAL_CONTEXTS: Record<Signal, readonly ContextName[]> = {
  traces: ['resource', 'scope', 'span', 'spanevent'],
  metrics: ['resource', 'scope', 'metric', 'datapoint'],
  logs: ['resource', 'scope', 'log'],
};

export function dataPointsOf(m: Metric): Obj[] {
  for (const [k] of METRIC_TYPES) if (m[k]) return ((m[k] as Obj).dataPoints ??= []);
  return [];
}

function res(r: Obj): Resource {
  return (r.resource ??= { attributes: [] });
}
function scope(s: Obj): Scope {
  return (s.scope ??= {});
}

export function forEachItem<S extends Signal>(signal: S, data: SignalData[S], ctx: ContextName, fn: (tc: TCtx) => void): void {
  const tc = (resource: Resource, sc: Scope, rest: Partial<TCtx> = {}): TCtx => ({ resource, scope: sc, cache: [], ...rest });
  if (signal === 'traces') {
    for (const rs of (data as Traces).resourceSpans ?? []) {
      if (ctx === 'resource') {
        fn(tc(res(rs), {}));
        continue;
      }
      for (const ss of rs.scopeSpans ?? []) {
        if (ctx === 'scope') {
          fn(tc(res(rs), scope(ss)));
          continue;
        }
        for (const span of ss.spans ?? []) {
          if (ctx === 'span') fn(tc(res(rs), scope(ss), { span }));
          else for (const ev of (span.events ??= []) as Obj[]) fn(tc(res(rs), scope(ss), { span, spanevent: ev }));
        }
      }
    }
  } else if (signal === 'metrics') {
    for (const rm of (data as Metrics).resourceMetrics ?? []) {
      if (ctx === 'resource') {
        fn(tc(res(rm), {}));
        continue;
      }
      for (const sm of rm.scopeMetrics ?? []) {
        if (ctx === 'scope') {
          fn(tc(res(rm), scope(sm)));
          continue;
        }
        for (const metric of sm.metrics ?? []) {
          if (ctx === 'metric') fn(tc(res(rm), scope(sm), { metric }));
          else for (const dp of dataPointsOf(metric)) fn(tc(res(rm), scope(sm), { metric, datapoint: dp }));
        }
      }
    }
  } else {
    for (const rl of (data as Logs).resourceLogs ?? []) {
      if (ctx === 'resource') {
        fn(tc(res(rl), {}));
        continue;
      }
      for (const sl of rl.scopeLogs ?? []) {
        if (ctx === 'scope') {
          fn(tc(res(rl), scope(sl)));
          continue;
        }
        for (const log of sl.logRecords ?? []) fn(tc(res(rl), scope(sl), { log }));
      }
    }
  }
}
