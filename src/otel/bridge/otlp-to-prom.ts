// OTLP metrics to Prometheus samples, following Alloy's otelcol.exporter.prometheus
// converter: resources become `target_info` (job from service.namespace/service.name,
// instance from service.instance.id), scopes `otel_scope_info` and the
// otel_scope_name/otel_scope_version labels, names get the Prometheus unit and
// type suffixes, sums and histograms must be cumulative (delta is dropped),
// exponential histograms become native histograms. Each series remembers its
// last timestamp so older points are skipped; gc() forgets series not seen lately.
import type { ExemplarSample, HistogramSample, LabelPairs, MetricMetadata, MetricTypeName, MetricsExtras, NativeHistogram, Sample } from '../../pipeline/metrics.js';
import type { KeyValue, Metric, Metrics, Resource, Scope } from '../../pipeline/otel.js';
import { STALE_NAN } from '../../pipeline/staleness.js';
import { explicitToCustomBuckets, exponentialToNative, zeroLike, type ExpHistogramPoint, type HistogramPoint } from './native-histogram.js';
import { buildCompliantName, formatFloat, normalizeLabel } from './prom-naming.js';
import { anyValueString, getAttr, hex, isEmptyId, nsToMs, num } from './otlp-values.js';

export interface PromConvertOptions {
  include_target_info: boolean;
  include_scope_info: boolean;
  include_scope_labels: boolean;
  add_metric_suffixes: boolean;
  resource_to_telemetry_conversion: boolean;
  honor_metadata: boolean;
  convert_classic_histograms_to_nhcb: boolean;
  keep_identifying_resource_attributes: boolean;
  start_timestamp_zero_ingestion: boolean;
}

export interface Converted {
  samples: Sample[];
  extras: MetricsExtras;
  /** OTLP data points turned into series. */
  convertedPoints: number;
  /** Data points dropped: delta temporality, or not convertible (the reasons are in `errors`). */
  droppedPoints: number;
  errors: string[];
}

interface SeriesState {
  lastTs: number;
  lastSeen: number;
  lastZeroStart: number;
  lastExemplarTs: number;
}

interface PointBase {
  attributes?: KeyValue[];
  timeUnixNano?: string;
  startTimeUnixNano?: string;
  flags?: number;
  exemplars?: Exemplar[];
}
interface NumberPoint extends PointBase {
  asDouble?: number;
  asInt?: string | number;
}
interface Exemplar {
  timeUnixNano?: string;
  asDouble?: number;
  asInt?: string | number;
  traceId?: Uint8Array;
  spanId?: Uint8Array;
}
interface SummaryPoint extends PointBase {
  count?: string | number;
  sum?: number;
  quantileValues?: { quantile?: number; value?: number }[];
}

const NO_RECORDED_VALUE = 1;
const CUMULATIVE = 2;
const DELTA = 1;
const SERVICE_NAME = 'service.name';
const SERVICE_NAMESPACE = 'service.namespace';
const SERVICE_INSTANCE_ID = 'service.instance.id';

/** Sorted label pairs without empty values (Prometheus drops a label set to ""). */
function toPairs(m: Map<string, string>): LabelPairs {
  const names = [...m.keys()].filter((k) => m.get(k) !== '').sort();
  const out: LabelPairs = [];
  for (const n of names) out.push(n, m.get(n)!);
  return out;
}

const numberValue = (p: NumberPoint): number => (p.asDouble !== undefined ? p.asDouble : p.asInt !== undefined ? num(p.asInt) : 0);
const exemplarValue = (e: Exemplar): number => (e.asDouble !== undefined ? e.asDouble : e.asInt !== undefined ? num(e.asInt) : 0);

export class OtlpToPrometheus {
  #opts: PromConvertOptions;
  readonly #series = new Map<string, SeriesState>();
  readonly #now: () => number;

  constructor(opts: PromConvertOptions, now: () => number = Date.now) {
    this.#opts = opts;
    this.#now = now;
  }

  setOptions(opts: PromConvertOptions): void {
    this.#opts = opts;
  }

  /** Series remembered (for out-of-order detection), for tests and debug info. */
  get seriesCount(): number {
    return this.#series.size;
  }

  /** Forget series not seen for `staleMs` (Alloy: five minutes, checked every gc_frequency). */
  gc(staleMs: number): number {
    const now = this.#now();
    let n = 0;
    for (const [k, s] of this.#series) {
      if (now - s.lastSeen > staleMs) {
        this.#series.delete(k);
        n++;
      }
    }
    return n;
  }

  convert(data: Metrics): Converted {
    const out: Converted = { samples: [], extras: { histograms: [], exemplars: [], metadata: [] }, convertedPoints: 0, droppedPoints: 0, errors: [] };
    const o = this.#opts;
    for (const rm of data.resourceMetrics ?? []) {
      const res = this.#resourceLabels(rm.resource);
      if (o.include_target_info) {
        this.#write(out, res.targetInfo, this.#now(), 1);
        if (o.honor_metadata) this.#metadata(out, res.base, 'target_info', 'gauge', 'Target metadata', '');
      }
      for (const sm of rm.scopeMetrics ?? []) {
        const scopeName = sm.scope?.name ?? '';
        const scopeVersion = sm.scope?.version ?? '';
        if (o.include_scope_info) {
          this.#write(out, this.#scopeInfoLabels(res.base, sm.scope), this.#now(), 1);
          if (o.honor_metadata) this.#metadata(out, res.base, 'otel_scope_info', 'gauge', '', '');
        }
        const base = new Map(res.base);
        for (const m of sm.metrics ?? []) {
          try {
            this.#metric(out, base, scopeName, scopeVersion, m, rm.resource?.attributes ?? []);
          } catch (e) {
            // A malformed metric (wrong field types) costs only its own points.
            out.errors.push(`metric ${JSON.stringify(m?.name)}: ${(e as Error).message}`);
            out.droppedPoints += pointsOf(m).length;
          }
        }
      }
    }
    return out;
  }

  #resourceLabels(r: Resource | undefined): { base: Map<string, string>; targetInfo: Map<string, string> } {
    const attrs = r?.attributes ?? [];
    const name = getAttr(attrs, SERVICE_NAME);
    const ns = getAttr(attrs, SERVICE_NAMESPACE);
    const inst = getAttr(attrs, SERVICE_INSTANCE_ID);
    const job = name ? (ns ? `${anyValueString(ns)}/${anyValueString(name)}` : anyValueString(name)) : '';
    const instance = inst ? anyValueString(inst) : '';
    const base = new Map([['job', job], ['instance', instance]]);
    const ti = new Map([['__name__', 'target_info'], ['job', job], ['instance', instance]]);
    for (const kv of attrs) {
      if (!this.#opts.keep_identifying_resource_attributes && (kv.key === SERVICE_NAME || kv.key === SERVICE_NAMESPACE || kv.key === SERVICE_INSTANCE_ID)) continue;
      ti.set(normalizeLabel(kv.key), anyValueString(kv.value));
    }
    return { base, targetInfo: ti };
  }

  #scopeInfoLabels(base: Map<string, string>, s: Scope | undefined): Map<string, string> {
    const l = new Map([['__name__', 'otel_scope_info'], ...base, ['otel_scope_name', s?.name ?? ''], ['otel_scope_version', s?.version ?? '']]);
    for (const kv of s?.attributes ?? []) l.set(normalizeLabel(kv.key), anyValueString(kv.value));
    return l;
  }

  #seriesLabels(base: Map<string, string>, scopeName: string, scopeVersion: string, name: string, attrs: KeyValue[], extra?: [string, string]): Map<string, string> {
    const l = new Map([['__name__', name], ...base]);
    if (extra) l.set(extra[0], extra[1]);
    if (this.#opts.include_scope_labels) {
      l.set('otel_scope_name', scopeName);
      l.set('otel_scope_version', scopeVersion);
    }
    for (const kv of attrs) l.set(normalizeLabel(kv.key), anyValueString(kv.value));
    return l;
  }

  #state(labels: LabelPairs): SeriesState {
    const key = labels.join('\xff');
    let s = this.#series.get(key);
    if (!s) {
      s = { lastTs: -Infinity, lastSeen: 0, lastZeroStart: 0, lastExemplarTs: -Infinity };
      this.#series.set(key, s);
    }
    s.lastSeen = this.#now();
    return s;
  }

  /** One float sample; points older than the series' last one are skipped (out of order). */
  #write(out: Converted, l: Map<string, string>, t: number, v: number): SeriesState | undefined {
    const labels = toPairs(l);
    const s = this.#state(labels);
    if (t < s.lastTs) return undefined;
    s.lastTs = t;
    out.samples.push({ labels, t, v });
    return s;
  }

  #writePoint(out: Converted, l: Map<string, string>, p: PointBase, v: number, cumulative: boolean): LabelPairs | undefined {
    const labels = toPairs(l);
    const s = this.#state(labels);
    const t = nsToMs(p.timeUnixNano);
    if (t < s.lastTs) return undefined;
    if (cumulative) this.#zeroAtStart(out, labels, s, p, t);
    s.lastTs = t;
    out.samples.push({ labels, t, v: (p.flags ?? 0) & NO_RECORDED_VALUE ? STALE_NAN : v });
    return labels;
  }

  /** start_timestamp_zero_ingestion: a 0 at the start time, once per start time, when it is older than the sample. */
  #zeroAtStart(out: Converted, labels: LabelPairs, s: SeriesState, p: PointBase, t: number, h?: NativeHistogram): void {
    if (!this.#opts.start_timestamp_zero_ingestion) return;
    const st = nsToMs(p.startTimeUnixNano);
    if (st === 0 || st >= t || st === s.lastZeroStart || st <= s.lastTs) return;
    s.lastZeroStart = st;
    if (h) out.extras.histograms.push({ labels, t: st, h: zeroLike(h) });
    else out.samples.push({ labels, t: st, v: 0 });
  }

  #exemplar(out: Converted, labels: LabelPairs, e: Exemplar): void {
    const s = this.#state(labels);
    const t = nsToMs(e.timeUnixNano);
    if (t < s.lastExemplarTs) return;
    s.lastExemplarTs = t;
    const el = new Map<string, string>();
    if (!isEmptyId(e.traceId)) el.set('trace_id', hex(e.traceId));
    if (!isEmptyId(e.spanId)) el.set('span_id', hex(e.spanId));
    const x: ExemplarSample = { labels, exemplarLabels: toPairs(el), value: exemplarValue(e), t };
    out.extras.exemplars.push(x);
  }

  #metadata(out: Converted, base: Map<string, string>, family: string, type: MetricTypeName, help: string, unit: string): void {
    const md: MetricMetadata = { labels: toPairs(new Map([...base, ['__name__', family]])), family, type, help, unit };
    out.extras.metadata.push(md);
  }

  #metric(out: Converted, base: Map<string, string>, scopeName: string, scopeVersion: string, m: Metric, resAttrs: KeyValue[]): void {
    const o = this.#opts;
    const name = buildCompliantName(m, o.add_metric_suffixes);
    const attrsOf = (p: PointBase): KeyValue[] => (o.resource_to_telemetry_conversion ? [...(p.attributes ?? []), ...resAttrs] : (p.attributes ?? []));
    const series = (p: PointBase, suffix = '', extra?: [string, string]) => this.#seriesLabels(base, scopeName, scopeVersion, name + suffix, attrsOf(p), extra);
    const meta = (type: MetricTypeName) => {
      if (o.honor_metadata) this.#metadata(out, base, name, type, m.description ?? '', m.unit ?? '');
    };

    if (m.gauge) {
      for (const p of m.gauge.dataPoints as NumberPoint[]) {
        this.#writePoint(out, series(p), p, numberValue(p), false);
        out.convertedPoints++;
      }
      meta('gauge');
    } else if (m.sum) {
      const points = m.sum.dataPoints as NumberPoint[];
      if (m.sum.aggregationTemporality !== CUMULATIVE) {
        // Prometheus has no delta sums; Alloy drops them (otelcol.processor.deltatocumulative converts first).
        out.droppedPoints += points.length;
        out.errors.push(`metric ${JSON.stringify(m.name)}: ${m.sum.aggregationTemporality === DELTA ? 'delta' : 'unspecified'} temporality sums are dropped`);
        return;
      }
      const counter = !!m.sum.isMonotonic;
      for (const p of points) {
        const labels = this.#writePoint(out, series(p), p, numberValue(p), counter);
        out.convertedPoints++;
        if (labels && counter) for (const e of p.exemplars ?? []) this.#exemplar(out, labels, e);
      }
      meta(counter ? 'counter' : 'gauge');
    } else if (m.histogram) {
      const points = m.histogram.dataPoints as (HistogramPoint & PointBase)[];
      if (m.histogram.aggregationTemporality !== CUMULATIVE) {
        out.droppedPoints += points.length;
        out.errors.push(`metric ${JSON.stringify(m.name)}: non-cumulative histograms are dropped`);
        return;
      }
      for (const p of points) {
        if (o.convert_classic_histograms_to_nhcb) this.#nativePoint(out, series(p), p, () => explicitToCustomBuckets(p), m.name);
        else {
          this.#classicHistogram(out, series, p);
          out.convertedPoints++;
        }
      }
      meta('histogram');
    } else if (m.exponentialHistogram) {
      const points = m.exponentialHistogram.dataPoints as (ExpHistogramPoint & PointBase)[];
      if (m.exponentialHistogram.aggregationTemporality !== CUMULATIVE) {
        out.droppedPoints += points.length;
        out.errors.push(`metric ${JSON.stringify(m.name)}: non-cumulative exponential histograms are dropped`);
        return;
      }
      for (const p of points) this.#nativePoint(out, series(p), p, () => exponentialToNative(p), m.name);
      meta('histogram');
    } else if (m.summary) {
      for (const p of m.summary.dataPoints as SummaryPoint[]) {
        this.#writePoint(out, series(p, '_sum'), p, p.sum ?? 0, true);
        this.#writePoint(out, series(p, '_count'), p, num(p.count), true);
        for (const q of p.quantileValues ?? []) this.#writePoint(out, series(p, '', ['quantile', formatFloat(q.quantile ?? 0)]), p, q.value ?? 0, false);
        out.convertedPoints++;
      }
      meta('summary');
    }
  }

  #classicHistogram(out: Converted, series: (p: PointBase, suffix?: string, extra?: [string, string]) => Map<string, string>, p: HistogramPoint & PointBase): void {
    if (p.sum !== undefined && p.sum !== null) this.#writePoint(out, series(p, '_sum'), p, p.sum, true);
    this.#writePoint(out, series(p, '_count'), p, num(p.count), true);
    const bounds = p.explicitBounds ?? [];
    const counts = (p.bucketCounts ?? []).map(num);
    const n = Math.min(bounds.length, counts.length);
    // Prometheus buckets are cumulative: each `le` counts everything at or below it.
    const byBound = new Map<number, number>();
    for (let i = 0; i < n; i++) byBound.set(bounds[i], counts[i]);
    let running = 0;
    for (const b of bounds.slice(0, n).sort((a, b) => a - b)) {
      running += byBound.get(b)!;
      byBound.set(b, running);
    }
    const exemplars = [...(p.exemplars ?? [])].sort((a, b) => exemplarValue(a) - exemplarValue(b));
    let ei = 0;
    for (let i = 0; i < n; i++) {
      const bound = bounds[i];
      const labels = this.#writePoint(out, series(p, '_bucket', ['le', formatFloat(bound)]), p, byBound.get(bound) ?? counts[i], true);
      for (; ei < exemplars.length && exemplarValue(exemplars[ei]) < bound; ei++) if (labels) this.#exemplar(out, labels, exemplars[ei]);
    }
    const inf = this.#writePoint(out, series(p, '_bucket', ['le', '+Inf']), p, num(p.count), true);
    for (; ei < exemplars.length; ei++) if (inf) this.#exemplar(out, inf, exemplars[ei]);
  }

  #nativePoint(out: Converted, l: Map<string, string>, p: PointBase, build: () => NativeHistogram, metricName: string): void {
    const labels = toPairs(l);
    const s = this.#state(labels);
    const t = nsToMs(p.timeUnixNano);
    if (t < s.lastTs) {
      out.convertedPoints++;
      return;
    }
    let h: NativeHistogram;
    try {
      h = build();
    } catch (e) {
      out.droppedPoints++;
      out.errors.push(`metric ${JSON.stringify(metricName)}: ${(e as Error).message}`);
      return;
    }
    this.#zeroAtStart(out, labels, s, p, t, h);
    s.lastTs = t;
    if ((p.flags ?? 0) & NO_RECORDED_VALUE) out.samples.push({ labels, t, v: STALE_NAN });
    else out.extras.histograms.push({ labels, t, h } satisfies HistogramSample);
    for (const e of p.exemplars ?? []) this.#exemplar(out, labels, e);
    out.convertedPoints++;
  }
}

function pointsOf(m: Metric | undefined): unknown[] {
  if (!m) return [];
  return (m.gauge ?? m.sum ?? m.histogram ?? m.exponentialHistogram ?? m.summary)?.dataPoints ?? [];
}
