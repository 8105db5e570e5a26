// stage.metrics: counters, gauges and histograms updated from extracted
// values, one series per stream label set, exported on /metrics under
// prefix + name (prefix default "loki_process_custom_") with the
// component's component_id. Series idle for max_idle_duration disappear.
// Metrics are registered when the pipeline starts and removed when it stops
// (a reload starts them again from zero, as Alloy documents).
import type { StageEnv } from './env.js';
import { ExpiringVec } from './metric-vec.js';
import type { Stage, StageEntry } from './types.js';
import { scalarFloat, scalarString } from './values.js';

interface CommonMetricArgs {
  name?: string;
  description?: string;
  source?: string;
  prefix?: string;
  max_idle_duration?: number; // ms
  value?: string;
}

export interface CounterArgs extends CommonMetricArgs {
  action?: string;
  match_all?: boolean;
  count_entry_bytes?: boolean;
}

export interface GaugeArgs extends CommonMetricArgs {
  action?: string;
}

export interface HistogramArgs extends CommonMetricArgs {
  buckets?: number[];
}

export interface MetricsArgs {
  _blocks?: { name: string; value: CounterArgs | GaugeArgs | HistogramArgs }[];
  'metric.counter'?: CounterArgs[];
  'metric.gauge'?: GaugeArgs[];
  'metric.histogram'?: HistogramArgs[];
}

export const DEFAULT_METRICS_PREFIX = 'loki_process_custom_';
const DEFAULT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const COUNTER_ACTIONS = ['inc', 'add'];
const GAUGE_ACTIONS = ['set', 'inc', 'dec', 'add', 'sub'];

interface Metric {
  vec: ExpiringVec;
  /** Updates the series of e's labels, or does nothing when the entry does not qualify. */
  record(e: StageEntry): void;
}

function common(kind: string, a: CommonMetricArgs) {
  if (!a.name) throw new Error(`${kind}: name is required`);
  const maxIdle = a.max_idle_duration ?? 5 * 60_000;
  if (maxIdle < 1000) throw new Error(`${kind} "${a.name}": max_idle_duration must be greater or equal than 1s`);
  const fullName = (a.prefix || DEFAULT_METRICS_PREFIX) + a.name;
  if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(fullName)) throw new Error(`${kind}: invalid metric name "${fullName}"`);
  return { fullName, help: a.description ?? '', maxIdleSec: Math.floor(maxIdle / 1000), source: a.source || a.name, value: a.value ?? '' };
}

/** The extracted value if `value` is unset or equal to its string form; undefined when the entry does not qualify. */
function matching(e: StageEntry, source: string, value: string): { v: unknown } | undefined {
  if (!(source in e.extracted)) return undefined;
  const v = e.extracted[source];
  if (value !== '' && scalarString(v) !== value) return undefined;
  return { v };
}

function counter(a: CounterArgs, now: () => number): Metric {
  const c = common('metric.counter', a);
  if (!COUNTER_ACTIONS.includes(a.action ?? '')) throw new Error(`metric.counter "${a.name}": the 'action' counter field must be either 'inc' or 'add'`);
  if (a.match_all && c.value !== '') throw new Error(`metric.counter "${a.name}": a 'counter' metric supports either 'match_all' or a 'value', but not both`);
  if (a.count_entry_bytes && (!a.match_all || a.action !== 'add')) {
    throw new Error(`metric.counter "${a.name}": the 'count_entry_bytes' counter field must be specified along with match_all set to true or action set to 'add'`);
  }
  const vec = new ExpiringVec(c.fullName, c.help, 'counter', c.maxIdleSec, now);
  const apply = (labels: Record<string, string>, v: unknown) => {
    if (a.action === 'inc') return vec.add(labels, 1);
    const f = scalarFloat(v);
    // A counter only goes up: a negative or non-numeric value is not counted.
    if (f !== undefined && f >= 0) vec.add(labels, f);
  };
  return {
    vec,
    record(e) {
      if (a.match_all) return apply(e.labels, a.count_entry_bytes ? Buffer.byteLength(e.line) : undefined);
      const m = matching(e, c.source, c.value);
      if (m) apply(e.labels, m.v);
    },
  };
}

function gauge(a: GaugeArgs, now: () => number): Metric {
  const c = common('metric.gauge', a);
  if (!GAUGE_ACTIONS.includes(a.action ?? '')) {
    throw new Error(`metric.gauge "${a.name}": the 'action' gauge field must be one of the following values: [set, inc, dec, add, sub]`);
  }
  const vec = new ExpiringVec(c.fullName, c.help, 'gauge', c.maxIdleSec, now);
  return {
    vec,
    record(e) {
      const m = matching(e, c.source, c.value);
      if (!m) return;
      if (a.action === 'inc') return vec.add(e.labels, 1);
      if (a.action === 'dec') return vec.add(e.labels, -1);
      const f = scalarFloat(m.v);
      if (f === undefined) return;
      if (a.action === 'set') vec.set(e.labels, f);
      else vec.add(e.labels, a.action === 'sub' ? -f : f);
    },
  };
}

function histogram(a: HistogramArgs, now: () => number): Metric {
  const c = common('metric.histogram', a);
  if (!Array.isArray(a.buckets)) throw new Error(`metric.histogram "${a.name}": buckets is required`);
  const buckets = a.buckets.length === 0 ? DEFAULT_BUCKETS : a.buckets.filter((b) => b !== Infinity);
  for (let i = 1; i < buckets.length; i++) {
    if (!(buckets[i] > buckets[i - 1])) throw new Error(`metric.histogram "${a.name}": histogram buckets must be in increasing order: ${buckets[i - 1]} >= ${buckets[i]}`);
  }
  const vec = new ExpiringVec(c.fullName, c.help, 'histogram', c.maxIdleSec, now, buckets);
  return {
    vec,
    record(e) {
      const m = matching(e, c.source, c.value);
      if (!m) return;
      const f = scalarFloat(m.v);
      if (f !== undefined) vec.observe(e.labels, f);
    },
  };
}

export function metricsStage(args: MetricsArgs, env: StageEnv = {}): Stage {
  const definedNames = env.metricNames ?? new Set<string>();
  const now = env.now ?? Date.now;
  const blocks = args._blocks ?? [
    ...(args['metric.counter'] ?? []).map((value) => ({ name: 'metric.counter', value })),
    ...(args['metric.gauge'] ?? []).map((value) => ({ name: 'metric.gauge', value })),
    ...(args['metric.histogram'] ?? []).map((value) => ({ name: 'metric.histogram', value })),
  ];
  const metrics = blocks.map((b) => {
    if (b.name === 'metric.counter') return counter(b.value as CounterArgs, now);
    if (b.name === 'metric.gauge') return gauge(b.value as GaugeArgs, now);
    if (b.name === 'metric.histogram') return histogram(b.value as HistogramArgs, now);
    throw new Error(`stage.metrics: unknown block "${b.name}"`);
  });
  for (const m of metrics) {
    // One exposition cannot hold two metrics of one name.
    if (definedNames.has(m.vec.name)) throw new Error(`stage.metrics: metric "${m.vec.name}" is defined more than once in this loki.process`);
    definedNames.add(m.vec.name);
  }
  const registry = env.registry;
  return {
    name: 'metrics',
    start() {
      if (registry) for (const m of metrics) m.vec.register(registry);
    },
    stop() {
      for (const m of metrics) {
        if (registry) m.vec.unregister(registry);
        m.vec.clear();
      }
    },
    process(e: StageEntry) {
      for (const m of metrics) m.record(e);
      return true;
    },
  };
}
