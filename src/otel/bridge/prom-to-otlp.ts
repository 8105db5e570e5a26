// Prometheus samples to OTLP metrics, after the Collector's prometheusreceiver
// transaction that Alloy's otelcol.receiver.prometheus forks: one resource per
// job/instance (service.name, service.instance.id, server.address, ...), the
// family's type from the metadata the scraper sent (counters become cumulative
// monotonic sums, histograms and summaries are rebuilt from their series,
// unknown types become gauges), `target_info` adds resource attributes,
// otel_scope_name/otel_scope_version choose the scope, native histograms
// become exponential histograms. Staleness markers become points flagged
// "no recorded value".
import type { ExemplarSample, HistogramSample, MetricMetadata, MetricTypeName, NativeHistogram, Sample } from '../../pipeline/metrics.js';
import type { KeyValue, Metric, Metrics, ResourceMetrics, ScopeMetrics } from '../../pipeline/otel.js';
import { isStaleNaN } from '../../pipeline/staleness.js';
import { VERSION } from '../../version.js';

const RECEIVER_SCOPE = 'otelcol/prometheusreceiver';
const NO_RECORDED_VALUE = 1;
const CUMULATIVE = 2;
/** Series the scrape loop writes itself: always gauges. */
const INTERNAL = new Set(['up', 'scrape_duration_seconds', 'scrape_samples_scraped', 'scrape_samples_post_metric_relabeling', 'scrape_series_added']);
const TRIMMABLE = ['_bucket', '_count', '_sum', '_total', '_info', '_created'];
const NOT_USEFUL = new Set(['__name__', 'instance', 'job', '__scheme__', '__metrics_path__', 'otel_scope_name', 'otel_scope_version', 'otel_scope_schema_url']);

interface Meta {
  type: MetricTypeName;
  help: string;
  unit: string;
}

type Kind = 'gauge' | 'sum' | 'histogram' | 'summary' | 'exponential';

interface Group {
  attrs: [string, string][];
  t: number;
  value?: number;
  sum?: number;
  count?: number;
  created?: number;
  points: { bound: number; value: number }[];
  native?: NativeHistogram;
  exemplars?: OtlpExemplar[];
}

interface OtlpExemplar {
  timeUnixNano: string;
  asDouble: number;
  traceId?: Uint8Array;
  spanId?: Uint8Array;
  filteredAttributes: KeyValue[];
}

/** A Prometheus exemplar as OTLP: trace_id/span_id (hex) become the ids, other labels filtered attributes. */
function toOtlpExemplar(e: ExemplarSample): OtlpExemplar {
  const out: OtlpExemplar = { timeUnixNano: nanos(e.t), asDouble: e.value, filteredAttributes: [] };
  for (const [k, v] of labelMap(e.exemplarLabels)) {
    const key = k.toLowerCase();
    const want = key === 'trace_id' ? 16 : key === 'span_id' ? 8 : 0;
    if (want && new RegExp(`^[0-9a-fA-F]{${want * 2}}$`).test(v)) {
      if (want === 16) out.traceId = Buffer.from(v, 'hex');
      else out.spanId = Buffer.from(v, 'hex');
    } else out.filteredAttributes.push({ key: k, value: { stringValue: v } });
  }
  return out;
}

interface Family {
  name: string;
  kind: Kind;
  monotonic: boolean;
  meta?: Meta;
  groups: Map<string, Group>;
}

interface ResourceState {
  job: string;
  instance: string;
  extraAttrs: [string, string][];
  scopes: Map<string, { name: string; version: string; attrs: [string, string][]; families: Map<string, Family> }>;
}

export interface PromBatchResult {
  metrics: Metrics;
  /** OTLP data points built. */
  points: number;
  /** Samples that could not be placed (no metric name, no job/instance, bad le/quantile), with reasons. */
  rejected: number;
  errors: string[];
}

function labelMap(labels: readonly string[]): Map<string, string> {
  const m = new Map<string, string>();
  for (let i = 0; i + 1 < labels.length; i += 2) m.set(labels[i], labels[i + 1]);
  return m;
}

function normalizeName(name: string): string {
  for (const s of TRIMMABLE) if (name.endsWith(s) && name !== s) return name.slice(0, -s.length);
  return name;
}

function kindOf(type: MetricTypeName | undefined, native: boolean): { kind: Kind; monotonic: boolean } {
  switch (type) {
    case 'counter':
      return { kind: 'sum', monotonic: true };
    case 'histogram':
    case 'gaugehistogram':
      return { kind: native ? 'exponential' : 'histogram', monotonic: true };
    case 'summary':
      return { kind: 'summary', monotonic: true };
    case 'info':
    case 'stateset':
      return { kind: 'sum', monotonic: false };
    default:
      return { kind: 'gauge', monotonic: false };
  }
}

const kvs = (pairs: [string, string][]): KeyValue[] => pairs.map(([k, v]) => ({ key: k, value: { stringValue: v } }));
const nanos = (ms: number): string => (BigInt(Math.round(ms)) * 1_000_000n).toString();

function hostPort(instance: string): { host: string; port: string } {
  const m = /^\[(.*)\]:(\d*)$/.exec(instance) ?? /^([^:]*):(\d*)$/.exec(instance);
  return m ? { host: m[1], port: m[2] } : { host: instance, port: '' };
}

/** Loopback and unspecified addresses and "localhost" name no host worth recording. */
function discernible(host: string): boolean {
  if (host === 'localhost') return false;
  if (/^127\./.test(host) || host === '::1' || host === '0.0.0.0' || host === '::') return false;
  return true;
}

/** The resource of a scrape target, with the Collector's attribute names. */
export function targetResource(job: string, instance: string, scheme = ''): [string, string][] {
  const { host, port } = hostPort(instance);
  const out: [string, string][] = [['service.name', job]];
  if (discernible(host)) {
    out.push(['net.host.name', host]);
    out.push(['server.address', host]);
  }
  out.push(['service.instance.id', instance], ['net.host.port', port], ['http.scheme', scheme], ['server.port', port], ['url.scheme', scheme]);
  return out;
}

/** Absolute bucket counts of a native histogram, dense from the first bucket: [OTel offset, counts]. */
function denseBuckets(spans: { offset: number; length: number }[], buckets: number[], deltas: boolean): { offset: number; counts: number[] } {
  if (spans.length === 0) return { offset: 0, counts: [] };
  const counts: number[] = [];
  let idx = spans[0].offset;
  const start = idx;
  let bi = 0;
  let cur = 0;
  for (let s = 0; s < spans.length; s++) {
    if (s > 0) {
      for (let g = 0; g < spans[s].offset; g++) counts.push(0);
      idx += spans[s].offset;
    }
    for (let j = 0; j < spans[s].length; j++) {
      cur = deltas ? cur + (buckets[bi] ?? 0) : (buckets[bi] ?? 0);
      bi++;
      counts.push(cur);
      idx++;
    }
  }
  // Prometheus bucket i is OTel bucket i-1.
  return { offset: start - 1, counts };
}

export class PrometheusToOtlp {
  /** Metadata by job/instance/family, and by family alone as a fallback. */
  readonly #meta = new Map<string, Meta>();
  /** Exemplars handed in before their scrape's floats (the scraper sends extras first); used by the next batch. */
  #pendingExemplars: ExemplarSample[] = [];

  /** Keep exemplars for the next batch of samples, where they join their series' point (bounded). */
  addExemplars(ex: readonly ExemplarSample[]): void {
    this.#pendingExemplars = ex.slice(0, 10_000);
  }

  /** Remember family types and help (Prometheus's per-target metadata store). */
  addMetadata(md: readonly MetricMetadata[]): void {
    for (const m of md) {
      const l = labelMap(m.labels);
      const v = { type: m.type, help: m.help, unit: m.unit };
      this.#meta.set(`${l.get('job') ?? ''}\xff${l.get('instance') ?? ''}\xff${m.family}`, v);
      this.#meta.set(`\xff\xff${m.family}`, v);
    }
  }

  #lookup(job: string, instance: string, name: string): Meta | undefined {
    return this.#meta.get(`${job}\xff${instance}\xff${name}`) ?? this.#meta.get(`\xff\xff${name}`);
  }

  /** Family name and metadata of a series name, as metadataForMetric. */
  #family(job: string, instance: string, name: string): { family: string; meta?: Meta } {
    if (INTERNAL.has(name)) return { family: name, meta: { type: 'gauge', help: '', unit: '' } };
    const direct = this.#lookup(job, instance, name);
    if (direct) return { family: name, meta: direct };
    const norm = normalizeName(name);
    const m = this.#lookup(job, instance, norm);
    if (m) return { family: m.type === 'counter' ? name : norm, meta: m };
    return { family: name };
  }

  convert(samples: readonly Sample[], histograms: readonly HistogramSample[] = []): PromBatchResult {
    const resources = new Map<string, ResourceState>();
    const res: PromBatchResult = { metrics: { resourceMetrics: [] }, points: 0, rejected: 0, errors: [] };
    const reject = (why: string) => {
      res.rejected++;
      if (res.errors.length < 10) res.errors.push(why);
    };

    /** The group (data point) of each series key, for exemplars: family + attributes, whatever the timestamp. */
    const byAttrs = new Map<string, Group>();
    const place = (labels: readonly string[], t: number, v: number | undefined, h: NativeHistogram | undefined) => {
      const l = labelMap(labels);
      const name = l.get('__name__');
      if (!name) return reject('sample without a metric name');
      const job = l.get('job') ?? '';
      const instance = l.get('instance') ?? '';
      if (!job || !instance) return reject(`${name}: job or instance label missing`);
      const rkey = `${job}\xff${instance}`;
      let r = resources.get(rkey);
      if (!r) resources.set(rkey, (r = { job, instance, extraAttrs: [], scopes: new Map() }));
      if (name === 'target_info') {
        for (const [k, val] of l) if (!NOT_USEFUL.has(k) && val !== '') r.extraAttrs.push([k, val]);
        return;
      }
      const scopeName = l.get('otel_scope_name') ?? '';
      const scopeVersion = l.get('otel_scope_version') ?? '';
      const skey = `${scopeName}\xff${scopeVersion}`;
      let scope = r.scopes.get(skey);
      if (!scope) r.scopes.set(skey, (scope = { name: scopeName, version: scopeVersion, attrs: [], families: new Map() }));
      if (name === 'otel_scope_info') {
        for (const [k, val] of l) if (!NOT_USEFUL.has(k) && val !== '') scope.attrs.push([k, val]);
        return;
      }
      const { family, meta } = this.#family(job, instance, name);
      let fam = scope.families.get(family);
      if (!fam) {
        const k = kindOf(h ? 'histogram' : meta?.type, !!h);
        scope.families.set(family, (fam = { name: family, ...k, meta, groups: new Map() }));
      }
      const skip = new Set(NOT_USEFUL);
      if (fam.kind === 'histogram') skip.add('le');
      if (fam.kind === 'summary') skip.add('quantile');
      const attrs = [...l].filter(([k, val]) => !skip.has(k) && val !== '').sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
      const gkey = `${JSON.stringify(attrs)}@${t}`;
      let g = fam.groups.get(gkey);
      if (!g) fam.groups.set(gkey, (g = { attrs, t, points: [] }));
      byAttrs.set(`${rkey}\xff${skey}\xff${fam.name}\xff${JSON.stringify(attrs)}`, g);
      if (h) {
        g.native = h;
        return;
      }
      const value = v!;
      if (name === `${fam.name}_created` && fam.kind !== 'gauge') {
        g.created = value;
        return;
      }
      if (fam.kind === 'histogram' || fam.kind === 'summary') {
        if (name.endsWith('_sum')) g.sum = value;
        else if (name.endsWith('_count')) g.count = value;
        else {
          const b = l.get(fam.kind === 'histogram' ? 'le' : 'quantile');
          const bound = b === undefined || b === '' ? NaN : b === '+Inf' ? Infinity : Number(b);
          if (Number.isNaN(bound)) return reject(`${name}: ${fam.kind === 'histogram' ? 'le' : 'quantile'} label missing or not a number`);
          g.points.push({ bound, value });
        }
      } else g.value = value;
    };

    for (const s of samples) place(s.labels, s.t, s.v, undefined);
    for (const h of histograms) place(h.labels, h.t, undefined, h.h);
    if (samples.length > 0) this.#attachExemplars(byAttrs);

    for (const r of resources.values()) {
      const scopes: ScopeMetrics[] = [];
      for (const s of r.scopes.values()) {
        const metrics = [...s.families.values()].map((f) => this.#metric(f, res)).filter((m): m is Metric => m !== undefined);
        if (metrics.length === 0) continue;
        const scope = s.name ? { name: s.name, version: s.version, attributes: kvs(s.attrs) } : { name: RECEIVER_SCOPE, version: VERSION, attributes: [] };
        scopes.push({ scope, metrics });
      }
      if (scopes.length === 0) continue;
      const rm: ResourceMetrics = { resource: { attributes: kvs([...targetResource(r.job, r.instance), ...r.extraAttrs]) }, scopeMetrics: scopes };
      res.metrics.resourceMetrics.push(rm);
    }
    return res;
  }

  /** Pending exemplars onto the points of their series (bucket exemplars onto their histogram's point). */
  #attachExemplars(byAttrs: Map<string, Group>): void {
    const pending = this.#pendingExemplars;
    this.#pendingExemplars = [];
    for (const e of pending) {
      const l = labelMap(e.labels);
      const name = l.get('__name__');
      const job = l.get('job') ?? '';
      const instance = l.get('instance') ?? '';
      if (!name || !job || !instance) continue;
      const skey = `${l.get('otel_scope_name') ?? ''}\xff${l.get('otel_scope_version') ?? ''}`;
      const { family } = this.#family(job, instance, name);
      for (const drop of [[], ['le'], ['quantile']]) {
        const attrs = [...l].filter(([k, val]) => !NOT_USEFUL.has(k) && !drop.includes(k) && val !== '').sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
        const g = byAttrs.get(`${job}\xff${instance}\xff${skey}\xff${family}\xff${JSON.stringify(attrs)}`);
        if (g) {
          (g.exemplars ??= []).push(toOtlpExemplar(e));
          break;
        }
      }
    }
  }

  #metric(f: Family, res: PromBatchResult): Metric | undefined {
    const groups = [...f.groups.values()];
    const base = { name: f.name, description: f.meta?.help ?? '', unit: f.meta?.unit ?? '' };
    const common = (g: Group) => ({
      attributes: kvs(g.attrs),
      ...(g.exemplars ? { exemplars: g.exemplars } : {}),
      timeUnixNano: nanos(g.t),
      ...(g.created ? { startTimeUnixNano: nanos(g.created * 1000) } : {}),
    });
    res.points += groups.length;
    switch (f.kind) {
      case 'gauge':
      case 'sum': {
        const dataPoints = groups.map((g) => (g.value !== undefined && isStaleNaN(g.value) ? { ...common(g), flags: NO_RECORDED_VALUE } : { ...common(g), asDouble: g.value ?? 0 }));
        return f.kind === 'gauge' ? { ...base, gauge: { dataPoints } } : { ...base, sum: { dataPoints, aggregationTemporality: CUMULATIVE, isMonotonic: f.monotonic } };
      }
      case 'histogram': {
        const dataPoints = groups.map((g) => {
          const stale = isStaleNaN(g.sum ?? 0) || isStaleNaN(g.count ?? 0);
          const pts = [...g.points].sort((a, b) => a.bound - b.bound);
          const finite = pts.filter((p) => p.bound !== Infinity);
          const bucketCounts: string[] = [];
          let prev = 0;
          for (const p of finite) {
            bucketCounts.push(String(stale ? 0 : Math.max(0, p.value - prev)));
            prev = p.value;
          }
          const total = g.count ?? pts.find((p) => p.bound === Infinity)?.value ?? prev;
          bucketCounts.push(String(stale ? 0 : Math.max(0, total - prev)));
          return stale
            ? { ...common(g), flags: NO_RECORDED_VALUE, explicitBounds: finite.map((p) => p.bound), bucketCounts }
            : { ...common(g), count: String(total), ...(g.sum !== undefined ? { sum: g.sum } : {}), explicitBounds: finite.map((p) => p.bound), bucketCounts };
        });
        return { ...base, histogram: { dataPoints, aggregationTemporality: CUMULATIVE } };
      }
      case 'summary': {
        const dataPoints = groups.map((g) => {
          const stale = isStaleNaN(g.sum ?? 0) || isStaleNaN(g.count ?? 0);
          const quantileValues = [...g.points].sort((a, b) => a.bound - b.bound).map((p) => (stale ? { quantile: p.bound } : { quantile: p.bound, value: p.value }));
          return stale ? { ...common(g), flags: NO_RECORDED_VALUE, quantileValues } : { ...common(g), count: String(g.count ?? 0), sum: g.sum ?? 0, quantileValues };
        });
        return { ...base, summary: { dataPoints } };
      }
      case 'exponential': {
        const dataPoints = groups.flatMap((g) => {
          const h = g.native;
          if (!h) return [];
          if (h.schema === -53) return []; // custom buckets are not exponential; see below
          const pos = denseBuckets(h.positiveSpans, h.positiveBuckets, !h.float);
          const neg = denseBuckets(h.negativeSpans, h.negativeBuckets, !h.float);
          return [{
            ...common(g),
            scale: h.schema,
            count: String(Math.round(h.count)),
            sum: h.sum,
            zeroCount: String(Math.round(h.zeroCount)),
            zeroThreshold: h.zeroThreshold,
            positive: { offset: pos.offset, bucketCounts: pos.counts.map((c) => String(Math.round(c))) },
            negative: { offset: neg.offset, bucketCounts: neg.counts.map((c) => String(Math.round(c))) },
          }];
        });
        const nhcb = groups.filter((g) => g.native?.schema === -53);
        if (nhcb.length > 0) {
          // Native histograms with custom buckets are explicit-bucket histograms in OTLP.
          const hp = nhcb.map((g) => {
            const h = g.native!;
            const dense = denseBuckets(h.positiveSpans, h.positiveBuckets, !h.float);
            const bounds = h.customValues ?? [];
            const counts = new Array(bounds.length + 1).fill(0);
            dense.counts.forEach((c, i) => {
              const at = dense.offset + 1 + i;
              if (at >= 0 && at < counts.length) counts[at] = Math.round(c);
            });
            return { ...common(g), count: String(Math.round(h.count)), sum: h.sum, explicitBounds: bounds, bucketCounts: counts.map(String) };
          });
          return { ...base, histogram: { dataPoints: hp, aggregationTemporality: CUMULATIVE } };
        }
        if (dataPoints.length === 0) {
          res.points -= groups.length;
          return undefined;
        }
        return { ...base, exponentialHistogram: { dataPoints, aggregationTemporality: CUMULATIVE } };
      }
    }
  }
}
