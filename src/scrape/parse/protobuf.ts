// The Prometheus protobuf exposition format: a body of varint-length-delimited
// io.prometheus.client.MetricFamily messages (client_model metrics.proto),
// read the way Prometheus's protobuf parser reads them. Series come out as
// for the text formats: counters and gauges as one sample, summaries as
// quantile/_sum/_count series, classic histograms as _bucket (cumulative,
// +Inf added when missing)/_count/_sum; a histogram with a native part
// (spans, a zero threshold or a zero count) is a native histogram when the
// caller asks for them, and its classic series are then only exposed on
// request (scrape_classic_histograms). The series text handed to the
// visitor is a JSON array of the label pairs, which labels() reads back.
import protobuf from 'protobufjs/minimal.js';
import type { BucketSpan, NativeHistogram } from '../../pipeline/metrics.js';
import { formatOpenMetricsFloat, ParseError } from './float.js';
import type { ExpositionFormat, ParseExtras, SampleVisitor } from './types.js';

const { Reader } = protobuf;
type PbReader = protobuf.Reader;

// client_model MetricType
const COUNTER = 0;
const GAUGE = 1;
const SUMMARY = 2;
const UNTYPED = 3;
const HISTOGRAM = 4;
const GAUGE_HISTOGRAM = 5;

const TYPE_NAMES: Record<number, string> = { 0: 'counter', 1: 'gauge', 2: 'summary', 3: 'unknown', 4: 'histogram', 5: 'gaugehistogram' };

interface PbExemplar {
  labels: string[];
  value: number;
  /** ms, NaN when absent. */
  ts: number;
}

interface PbBucket {
  count: number;
  countFloat: number;
  upper: number;
  exemplar?: PbExemplar;
}

interface PbHistogram {
  count: number;
  countFloat: number;
  sum: number;
  buckets: PbBucket[];
  schema: number;
  zeroThreshold: number;
  zeroCount: number;
  zeroCountFloat: number;
  negSpans: BucketSpan[];
  negDeltas: number[];
  negCounts: number[];
  posSpans: BucketSpan[];
  posDeltas: number[];
  posCounts: number[];
  exemplars: PbExemplar[];
  created: number;
}

interface PbMetric {
  labels: string[];
  value: number;
  exemplar?: PbExemplar;
  quantiles: [number, number][];
  count: number;
  sum: number;
  histogram?: PbHistogram;
  ts: number;
  /** created_timestamp of a counter or summary (ms), NaN when absent. */
  created: number;
}

function num(v: number | { low: number; high: number; unsigned?: boolean; toNumber?: () => number }): number {
  if (typeof v === 'number') return v;
  if (typeof v.toNumber === 'function') return v.toNumber();
  return v.high * 4294967296 + (v.low >>> 0);
}

function truncated(what: string): never {
  throw new ParseError(`invalid protobuf ${what}: message truncated`);
}

/** Calls `field(fieldNumber, wireType)` for each field up to `end`; the callback must consume the value or return false to skip it. */
function fields(r: PbReader, end: number, what: string, field: (f: number, wt: number) => boolean): void {
  while (r.pos < end) {
    const tag = r.uint32();
    const f = tag >>> 3;
    const wt = tag & 7;
    if (f === 0) throw new ParseError(`invalid protobuf ${what}: field number 0`);
    if (!field(f, wt)) r.skipType(wt);
  }
  if (r.pos > end) truncated(what);
}

function sub(r: PbReader): number {
  const len = r.uint32();
  const end = r.pos + len;
  if (end > r.len) truncated('message');
  return end;
}

/** Repeated scalar, packed (wire type 2) or not. */
function repeated(r: PbReader, wt: number, out: number[], read: () => number): void {
  if (wt === 2) {
    const end = sub(r);
    while (r.pos < end) out.push(read());
  } else out.push(read());
}

function labelPair(r: PbReader, out: string[]): void {
  const end = sub(r);
  let name = '';
  let value = '';
  fields(r, end, 'LabelPair', (f, wt) => {
    if (f === 1 && wt === 2) name = r.string();
    else if (f === 2 && wt === 2) value = r.string();
    else return false;
    return true;
  });
  out.push(name, value);
}

function timestampMs(r: PbReader): number {
  const end = sub(r);
  let sec = 0;
  let nanos = 0;
  fields(r, end, 'Timestamp', (f, wt) => {
    if (f === 1 && wt === 0) sec = num(r.int64());
    else if (f === 2 && wt === 0) nanos = r.int32();
    else return false;
    return true;
  });
  return sec * 1000 + Math.trunc(nanos / 1e6);
}

function exemplar(r: PbReader): PbExemplar {
  const end = sub(r);
  const ex: PbExemplar = { labels: [], value: 0, ts: NaN };
  fields(r, end, 'Exemplar', (f, wt) => {
    if (f === 1 && wt === 2) labelPair(r, ex.labels);
    else if (f === 2 && wt === 1) ex.value = r.double();
    else if (f === 3 && wt === 2) ex.ts = timestampMs(r);
    else return false;
    return true;
  });
  return ex;
}

function span(r: PbReader): BucketSpan {
  const end = sub(r);
  const s: BucketSpan = { offset: 0, length: 0 };
  fields(r, end, 'BucketSpan', (f, wt) => {
    if (f === 1 && wt === 0) s.offset = r.sint32();
    else if (f === 2 && wt === 0) s.length = r.uint32();
    else return false;
    return true;
  });
  return s;
}

/** A message with a single double `value = 1` (Gauge, Untyped) or Counter (value 1, exemplar 2, created_timestamp 3). */
function valueMessage(r: PbReader, m: PbMetric): void {
  const end = sub(r);
  fields(r, end, 'Metric value', (f, wt) => {
    if (f === 1 && wt === 1) m.value = r.double();
    else if (f === 2 && wt === 2) m.exemplar = exemplar(r);
    else if (f === 3 && wt === 2) m.created = timestampMs(r);
    else return false;
    return true;
  });
}

function summary(r: PbReader, m: PbMetric): void {
  const end = sub(r);
  fields(r, end, 'Summary', (f, wt) => {
    if (f === 1 && wt === 0) m.count = num(r.uint64());
    else if (f === 2 && wt === 1) m.sum = r.double();
    else if (f === 3 && wt === 2) {
      const qend = sub(r);
      let q = 0;
      let v = 0;
      fields(r, qend, 'Quantile', (qf, qwt) => {
        if (qf === 1 && qwt === 1) q = r.double();
        else if (qf === 2 && qwt === 1) v = r.double();
        else return false;
        return true;
      });
      m.quantiles.push([q, v]);
    } else if (f === 4 && wt === 2) m.created = timestampMs(r);
    else return false;
    return true;
  });
}

function bucket(r: PbReader): PbBucket {
  const end = sub(r);
  const b: PbBucket = { count: 0, countFloat: 0, upper: 0 };
  fields(r, end, 'Bucket', (f, wt) => {
    if (f === 1 && wt === 0) b.count = num(r.uint64());
    else if (f === 4 && wt === 1) b.countFloat = r.double();
    else if (f === 2 && wt === 1) b.upper = r.double();
    else if (f === 3 && wt === 2) b.exemplar = exemplar(r);
    else return false;
    return true;
  });
  return b;
}

function histogram(r: PbReader): PbHistogram {
  const end = sub(r);
  const h: PbHistogram = {
    count: 0, countFloat: 0, sum: 0, buckets: [], schema: 0, zeroThreshold: 0, zeroCount: 0, zeroCountFloat: 0,
    negSpans: [], negDeltas: [], negCounts: [], posSpans: [], posDeltas: [], posCounts: [], exemplars: [], created: NaN,
  };
  const sint64 = () => num(r.sint64());
  const dbl = () => r.double();
  fields(r, end, 'Histogram', (f, wt) => {
    switch (f) {
      case 1: h.count = num(r.uint64()); return true;
      case 2: h.sum = r.double(); return true;
      case 3: h.buckets.push(bucket(r)); return true;
      case 4: h.countFloat = r.double(); return true;
      case 5: h.schema = r.sint32(); return true;
      case 6: h.zeroThreshold = r.double(); return true;
      case 7: h.zeroCount = num(r.uint64()); return true;
      case 8: h.zeroCountFloat = r.double(); return true;
      case 9: h.negSpans.push(span(r)); return true;
      case 10: repeated(r, wt, h.negDeltas, sint64); return true;
      case 11: repeated(r, wt, h.negCounts, dbl); return true;
      case 12: h.posSpans.push(span(r)); return true;
      case 13: repeated(r, wt, h.posDeltas, sint64); return true;
      case 14: repeated(r, wt, h.posCounts, dbl); return true;
      case 15: if (wt !== 2) return false; h.created = timestampMs(r); return true;
      case 16: if (wt !== 2) return false; h.exemplars.push(exemplar(r)); return true;
      default: return false;
    }
  });
  return h;
}

function metric(r: PbReader): PbMetric {
  const end = sub(r);
  const m: PbMetric = { labels: [], value: 0, quantiles: [], count: 0, sum: 0, ts: NaN, created: NaN };
  fields(r, end, 'Metric', (f, wt) => {
    if (wt !== 2 && f !== 6) return false;
    switch (f) {
      case 1: labelPair(r, m.labels); return true;
      case 2: case 3: case 5: valueMessage(r, m); return true;
      case 4: summary(r, m); return true;
      case 7: m.histogram = histogram(r); return true;
      case 6: if (wt !== 0) return false; m.ts = num(r.int64()); return true;
      default: return false;
    }
  });
  return m;
}

/** Prometheus's isNativeHistogram: any span, a zero threshold or a zero count. */
function isNative(h: PbHistogram): boolean {
  return h.posSpans.length > 0 || h.negSpans.length > 0 || h.zeroThreshold > 0 || h.zeroCount > 0 || h.zeroCountFloat > 0;
}

function nativeOf(h: PbHistogram, gauge: boolean): NativeHistogram {
  // A float histogram when any count comes as a float (as Prometheus decides).
  const isFloat = h.countFloat > 0 || h.zeroCountFloat > 0 || h.posCounts.length > 0 || h.negCounts.length > 0;
  return {
    float: isFloat,
    count: isFloat ? (h.countFloat > 0 ? h.countFloat : h.count) : h.count,
    sum: h.sum,
    schema: h.schema,
    zeroThreshold: h.zeroThreshold,
    zeroCount: isFloat ? (h.zeroCountFloat > 0 ? h.zeroCountFloat : h.zeroCount) : h.zeroCount,
    negativeSpans: h.negSpans,
    negativeBuckets: isFloat ? (h.negCounts.length > 0 ? h.negCounts : deltasToCounts(h.negDeltas)) : h.negDeltas,
    positiveSpans: h.posSpans,
    positiveBuckets: isFloat ? (h.posCounts.length > 0 ? h.posCounts : deltasToCounts(h.posDeltas)) : h.posDeltas,
    resetHint: gauge ? 3 : 0,
  };
}

function deltasToCounts(d: number[]): number[] {
  let c = 0;
  return d.map((x) => (c += x));
}

function key(name: string, labels: string[], extraName?: string, extraValue?: string): string {
  const pairs = ['__name__', name, ...labels];
  if (extraName !== undefined) pairs.push(extraName, extraValue!);
  return JSON.stringify(pairs);
}

function emitExemplar(ex: PbExemplar | undefined, extras: ParseExtras | undefined): void {
  if (ex && extras?.exemplar) extras.exemplar(ex.labels, ex.value, ex.ts);
}

function family(r: PbReader, end: number, visit: SampleVisitor, extras: ParseExtras | undefined): void {
  let name = '';
  let type = UNTYPED;
  let help: string | undefined;
  let unit: string | undefined;
  const metrics: PbMetric[] = [];
  fields(r, end, 'MetricFamily', (f, wt) => {
    if (f === 1 && wt === 2) name = r.string();
    else if (f === 2 && wt === 2) help = r.string();
    else if (f === 3 && wt === 0) type = r.int32();
    else if (f === 4 && wt === 2) metrics.push(metric(r));
    else if (f === 5 && wt === 2) unit = r.string();
    else return false;
    return true;
  });
  if (name === '') throw new ParseError('invalid protobuf MetricFamily: empty metric family name');
  if (!(type in TYPE_NAMES)) throw new ParseError(`invalid protobuf MetricFamily ${name}: unknown metric type ${type}`);
  if (extras?.metadata) {
    extras.metadata(name, 'type', TYPE_NAMES[type]!);
    if (help !== undefined) extras.metadata(name, 'help', help);
    if (unit !== undefined) extras.metadata(name, 'unit', unit);
  }
  for (const m of metrics) {
    const ts = m.ts;
    // The start (created) timestamp applies to every series of the metric (start_timestamp_zero_ingestion).
    extras?.created?.(type === HISTOGRAM || type === GAUGE_HISTOGRAM ? (m.histogram?.created ?? NaN) : type === GAUGE || type === UNTYPED ? NaN : m.created);
    switch (type) {
      case COUNTER:
      case GAUGE:
      case UNTYPED:
        visit(key(name, m.labels), m.value, ts);
        if (type === COUNTER) emitExemplar(m.exemplar, extras);
        break;
      case SUMMARY:
        for (const [q, v] of m.quantiles) visit(key(name, m.labels, 'quantile', formatOpenMetricsFloat(q)), v, ts);
        visit(key(`${name}_sum`, m.labels), m.sum, ts);
        visit(key(`${name}_count`, m.labels), m.count, ts);
        break;
      case HISTOGRAM:
      case GAUGE_HISTOGRAM: {
        const h = m.histogram;
        if (!h) throw new ParseError(`invalid protobuf MetricFamily ${name}: histogram metric without a histogram`);
        const native = extras?.histogram !== undefined && isNative(h);
        if (native) {
          extras!.histogram!(key(name, m.labels), nativeOf(h, type === GAUGE_HISTOGRAM), ts);
          // Native histogram exemplars need a timestamp (as in Prometheus): the histogram's own list, else the buckets'.
          const exs = h.exemplars.length > 0 ? h.exemplars : h.buckets.map((b) => b.exemplar).filter((e): e is PbExemplar => e !== undefined);
          for (const ex of exs) if (ex.ts === ex.ts) emitExemplar(ex, extras);
          if (!extras!.classicHistograms) break;
        }
        classic(name, m.labels, h, ts, visit, extras, native);
        break;
      }
    }
  }
}

function classic(name: string, labels: string[], h: PbHistogram, ts: number, visit: SampleVisitor, extras: ParseExtras | undefined, nativeDone: boolean): void {
  // Prometheus's order: _count, _sum, then the buckets.
  const count = h.countFloat > 0 ? h.countFloat : h.count;
  visit(key(`${name}_count`, labels), count, ts);
  visit(key(`${name}_sum`, labels), h.sum, ts);
  let sawInf = false;
  for (const b of h.buckets) {
    if (b.upper === Infinity) sawInf = true;
    visit(key(`${name}_bucket`, labels, 'le', formatOpenMetricsFloat(b.upper)), b.countFloat > 0 ? b.countFloat : b.count, ts);
    if (!nativeDone) emitExemplar(b.exemplar, extras);
  }
  if (!sawInf) visit(key(`${name}_bucket`, labels, 'le', '+Inf'), count, ts);
}

function parse(body: string | Uint8Array, visit: SampleVisitor, extras?: ParseExtras): void {
  if (typeof body === 'string') throw new ParseError('protobuf exposition needs the raw body');
  const r = Reader.create(body);
  while (r.pos < r.len) {
    let end: number;
    try {
      end = sub(r);
    } catch (e) {
      if (e instanceof ParseError) throw e;
      throw new ParseError(`invalid protobuf length prefix: ${(e as Error).message}`);
    }
    try {
      family(r, end, visit, extras);
    } catch (e) {
      if (e instanceof ParseError) throw e;
      throw new ParseError(`invalid protobuf MetricFamily: ${(e as Error).message}`);
    }
    r.pos = end;
  }
}

function labels(series: string): string[] {
  return JSON.parse(series) as string[];
}

export const prometheusProto: ExpositionFormat = { name: 'prometheus-proto', binary: true, parse, labels };
