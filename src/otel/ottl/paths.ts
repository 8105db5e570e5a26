// OTTL contexts and their paths: what `name`, `attributes["k"]`,
// `resource.attributes["k"]`, `metric.type` ... read and write in each
// context, on the in-memory OTLP shapes of src/pipeline/otel.ts. Paths may
// carry their context's prefix (`span.name` in the span context) or name a
// parent (`resource.`, `instrumentation_scope.`/`scope.`, `span.` from a span
// event, `metric.` from a data point).
import type { KeyValue, LogRecord, Metric, Resource, Scope, Span } from '../../pipeline/otel.js';
import { fromAny, MapRef, toAny, typeName, type Val } from './values.js';

export type ContextName = 'resource' | 'scope' | 'span' | 'spanevent' | 'metric' | 'datapoint' | 'log';
export const CONTEXTS: readonly ContextName[] = ['resource', 'scope', 'span', 'spanevent', 'metric', 'datapoint', 'log'];

type Obj = Record<string, any>;

/** One item under evaluation with its parents. */
export interface TCtx {
  resource: Resource;
  scope: Scope;
  span?: Span;
  spanevent?: Obj;
  metric?: Metric;
  datapoint?: Obj;
  log?: LogRecord;
  cache: KeyValue[];
}

export class OttlEvalError extends Error {}

/** A compiled value expression, and a settable path (what editors change). */
export type Getter = (tc: TCtx) => Val;
export interface Target {
  get: Getter;
  set: (tc: TCtx, v: Val) => void;
  text: string;
}

export interface Accessor {
  get(tc: TCtx): Val;
  /** Absent for read-only paths. */
  set?(tc: TCtx, v: Val): void;
}

type Entity = 'resource' | 'scope' | 'span' | 'spanevent' | 'metric' | 'datapoint' | 'log';
type Field = (o: Obj) => Accessor1;
interface Accessor1 {
  get(): Val;
  set?(v: Val): void;
}

function need<T extends Val>(v: Val, want: string, check: (v: Val) => boolean, field: string): T {
  if (!check(v)) throw new OttlEvalError(`${field}: want ${want}, got ${typeName(v)}`);
  return v as T;
}
const isInt = (v: Val) => typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v));
const isStr = (v: Val) => typeof v === 'string';

const attrs: Field = (o) => ({
  get: () => new MapRef((o.attributes ??= [])),
  set: (v) => new MapRef((o.attributes ??= [])).replaceWith(need<MapRef>(v, 'a map', (x) => x instanceof MapRef, 'attributes')),
});
const str = (key: string, field: string): Field => (o) => ({ get: () => (o[key] as string | undefined) ?? '', set: (v) => void (o[key] = need<string>(v, 'a string', isStr, field)) });
const int = (key: string, field: string): Field => (o) => ({ get: () => BigInt(o[key] ?? 0), set: (v) => void (o[key] = Number(need(v, 'an int', isInt, field))) });
/** fixed64 nanoseconds (decimal strings in the model). */
const nanos = (key: string, field: string): Field => (o) => ({ get: () => BigInt((o[key] as string | undefined) ?? 0), set: (v) => void (o[key] = BigInt(need(v, 'an int', isInt, field) as bigint).toString()) });
const bytes = (key: string): Field => (o) => ({ get: () => (o[key] as Uint8Array | undefined) ?? new Uint8Array(0) });
const hex = (key: string): Field => (o) => ({ get: () => Buffer.from((o[key] as Uint8Array | undefined) ?? []).toString('hex') });

/** The one-of of a metric that carries data points, and OTTL's METRIC_DATA_TYPE numbers. */
export const METRIC_TYPES = [['gauge', 1], ['sum', 2], ['histogram', 3], ['exponentialHistogram', 4], ['summary', 5]] as const;
const metricData = (m: Obj): Obj | undefined => METRIC_TYPES.map(([k]) => m[k]).find((x) => x);

const FIELDS: Record<Entity, Record<string, Field>> = {
  resource: { attributes: attrs, dropped_attributes_count: int('droppedAttributesCount', 'dropped_attributes_count') },
  scope: { name: str('name', 'name'), version: str('version', 'version'), attributes: attrs, dropped_attributes_count: int('droppedAttributesCount', 'dropped_attributes_count') },
  span: {
    name: str('name', 'name'),
    kind: int('kind', 'kind'),
    attributes: attrs,
    trace_id: bytes('traceId'),
    'trace_id.string': hex('traceId'),
    span_id: bytes('spanId'),
    'span_id.string': hex('spanId'),
    parent_span_id: bytes('parentSpanId'),
    'parent_span_id.string': hex('parentSpanId'),
    trace_state: str('traceState', 'trace_state'),
    start_time_unix_nano: nanos('startTimeUnixNano', 'start_time_unix_nano'),
    end_time_unix_nano: nanos('endTimeUnixNano', 'end_time_unix_nano'),
    dropped_attributes_count: int('droppedAttributesCount', 'dropped_attributes_count'),
    'status.code': (o) => int('code', 'status.code')((o.status ??= {})),
    'status.message': (o) => str('message', 'status.message')((o.status ??= {})),
  },
  spanevent: {
    name: str('name', 'name'),
    attributes: attrs,
    time_unix_nano: nanos('timeUnixNano', 'time_unix_nano'),
    dropped_attributes_count: int('droppedAttributesCount', 'dropped_attributes_count'),
  },
  metric: {
    name: str('name', 'name'),
    description: str('description', 'description'),
    unit: str('unit', 'unit'),
    type: (m) => ({ get: () => BigInt(METRIC_TYPES.find(([k]) => m[k])?.[1] ?? 0) }),
    aggregation_temporality: (m) => ({
      get: () => BigInt(metricData(m)?.aggregationTemporality ?? 0),
      set: (v) => {
        const d = metricData(m);
        if (d && 'aggregationTemporality' in d) d.aggregationTemporality = Number(need(v, 'an int', isInt, 'aggregation_temporality'));
      },
    }),
    is_monotonic: (m) => ({ get: () => Boolean(m.sum?.isMonotonic), set: (v) => void (m.sum && (m.sum.isMonotonic = need(v, 'a bool', (x) => typeof x === 'boolean', 'is_monotonic'))) }),
  },
  datapoint: {
    attributes: attrs,
    start_time_unix_nano: nanos('startTimeUnixNano', 'start_time_unix_nano'),
    time_unix_nano: nanos('timeUnixNano', 'time_unix_nano'),
    value_double: (d) => ({ get: () => Number(d.asDouble ?? 0), set: (v) => void ((d.asDouble = Number(need(v, 'a number', (x) => typeof x === 'number' || typeof x === 'bigint', 'value_double'))), delete d.asInt) }),
    value_int: (d) => ({ get: () => BigInt(d.asInt ?? 0), set: (v) => void ((d.asInt = String(need(v, 'an int', isInt, 'value_int'))), delete d.asDouble) }),
    count: (d) => ({ get: () => BigInt(d.count ?? 0) }),
    sum: (d) => ({ get: () => Number(d.sum ?? 0) }),
    flags: int('flags', 'flags'),
  },
  log: {
    body: (l) => ({ get: () => fromAny(l.body), set: (v) => void (l.body = toAny(v)) }),
    attributes: attrs,
    severity_number: int('severityNumber', 'severity_number'),
    severity_text: str('severityText', 'severity_text'),
    time_unix_nano: nanos('timeUnixNano', 'time_unix_nano'),
    observed_time_unix_nano: nanos('observedTimeUnixNano', 'observed_time_unix_nano'),
    trace_id: bytes('traceId'),
    'trace_id.string': hex('traceId'),
    span_id: bytes('spanId'),
    'span_id.string': hex('spanId'),
    flags: int('flags', 'flags'),
    event_name: str('eventName', 'event_name'),
    dropped_attributes_count: int('droppedAttributesCount', 'dropped_attributes_count'),
  },
};

/** Which entity a leading path segment names in each context (the context's own name included). */
const PREFIXES: Record<ContextName, Record<string, Entity>> = {
  resource: { resource: 'resource' },
  scope: { scope: 'scope', instrumentation_scope: 'scope', resource: 'resource' },
  span: { span: 'span', scope: 'scope', instrumentation_scope: 'scope', resource: 'resource' },
  spanevent: { spanevent: 'spanevent', span: 'span', scope: 'scope', instrumentation_scope: 'scope', resource: 'resource' },
  metric: { metric: 'metric', scope: 'scope', instrumentation_scope: 'scope', resource: 'resource' },
  datapoint: { datapoint: 'datapoint', metric: 'metric', scope: 'scope', instrumentation_scope: 'scope', resource: 'resource' },
  log: { log: 'log', scope: 'scope', instrumentation_scope: 'scope', resource: 'resource' },
};

function entityOf(tc: TCtx, e: Entity): Obj {
  const o = tc[e];
  if (!o) throw new OttlEvalError(`no ${e} in this context`);
  return o as Obj;
}

/** The accessor for a path's segments in a context, or a message saying why there is none. */
export function resolvePath(ctx: ContextName, segs: string[]): Accessor | string {
  if (segs.length === 1 && segs[0] === 'cache') {
    return { get: (tc) => new MapRef(tc.cache), set: (tc, v) => new MapRef(tc.cache).replaceWith(v as MapRef) };
  }
  let entity: Entity = ctx;
  let rest = segs;
  const prefixed = PREFIXES[ctx][segs[0]];
  if (prefixed && segs.length > 1) {
    entity = prefixed;
    rest = segs.slice(1);
  }
  const field = FIELDS[entity][rest.join('.')];
  if (!field) {
    const known = Object.keys(FIELDS[entity]).join(', ');
    return `path ${JSON.stringify(segs.join('.'))} is not supported in the ${ctx} context (${entity} fields: ${known})`;
  }
  const probe = field({});
  return {
    get: (tc) => field(entityOf(tc, entity)).get(),
    set: probe.set ? (tc, v) => field(entityOf(tc, entity)).set!(v) : undefined,
  };
}

/** OTTL enums (SPAN_KIND_*, STATUS_CODE_*, METRIC_DATA_TYPE_*, AGGREGATION_TEMPORALITY_*, SEVERITY_NUMBER_*). */
export const ENUMS: Record<string, bigint> = (() => {
  const e: Record<string, bigint> = {};
  ['UNSPECIFIED', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'].forEach((n, i) => (e[`SPAN_KIND_${n}`] = BigInt(i)));
  ['UNSET', 'OK', 'ERROR'].forEach((n, i) => (e[`STATUS_CODE_${n}`] = BigInt(i)));
  ['NONE', 'GAUGE', 'SUM', 'HISTOGRAM', 'EXPONENTIAL_HISTOGRAM', 'SUMMARY'].forEach((n, i) => (e[`METRIC_DATA_TYPE_${n}`] = BigInt(i)));
  ['UNSPECIFIED', 'DELTA', 'CUMULATIVE'].forEach((n, i) => (e[`AGGREGATION_TEMPORALITY_${n}`] = BigInt(i)));
  e.SEVERITY_NUMBER_UNSPECIFIED = 0n;
  ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'].forEach((n, i) => {
    e[`SEVERITY_NUMBER_${n}`] = BigInt(i * 4 + 1);
    for (let j = 2; j <= 4; j++) e[`SEVERITY_NUMBER_${n}${j}`] = BigInt(i * 4 + j);
  });
  return e;
})();
