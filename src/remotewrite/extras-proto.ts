// Remote write 1.0 encoding of native histograms, exemplars and metadata
// (prompb/types.proto, remote.proto), as ready-made field bytes the request
// encoder copies into a TimeSeries or WriteRequest:
//   TimeSeries   { ... repeated Exemplar exemplars = 3; repeated Histogram histograms = 4; }
//   WriteRequest { ... repeated MetricMetadata metadata = 3; }
//   Exemplar     { repeated Label labels = 1; double value = 2; int64 timestamp = 3; }
//   Histogram    { uint64 count_int = 1 | double count_float = 2; double sum = 3; sint32 schema = 4;
//                  double zero_threshold = 5; uint64 zero_count_int = 6 | double zero_count_float = 7;
//                  repeated BucketSpan negative_spans = 8; repeated sint64 negative_deltas = 9;
//                  repeated double negative_counts = 10; repeated BucketSpan positive_spans = 11;
//                  repeated sint64 positive_deltas = 12; repeated double positive_counts = 13;
//                  ResetHint reset_hint = 14; int64 timestamp = 15; repeated double custom_values = 16; }
//   BucketSpan   { sint32 offset = 1; uint32 length = 2; }
//   MetricMetadata { MetricType type = 1; string metric_family_name = 2; string help = 4; string unit = 5; }
// Also a decoder of all of it, for tests and tools.
import protobuf from 'protobufjs/minimal.js';
import type { BucketSpan, LabelPairs, MetricMetadata, MetricTypeName, NativeHistogram, ResetHint } from '../pipeline/metrics.js';

const { Writer, Reader } = protobuf;

const METRIC_TYPES: MetricTypeName[] = ['unknown', 'counter', 'gauge', 'histogram', 'gaugehistogram', 'summary', 'info', 'stateset'];

function labels(w: protobuf.Writer, field: number, pairs: LabelPairs): void {
  for (let i = 0; i + 1 < pairs.length; i += 2) {
    w.uint32((field << 3) | 2).fork();
    w.uint32((1 << 3) | 2).string(pairs[i]!);
    w.uint32((2 << 3) | 2).string(pairs[i + 1]!);
    w.ldelim();
  }
}

function spans(w: protobuf.Writer, field: number, ss: BucketSpan[]): void {
  for (const s of ss) {
    w.uint32((field << 3) | 2).fork();
    if (s.offset !== 0) w.uint32((1 << 3) | 0).sint32(s.offset);
    if (s.length !== 0) w.uint32((2 << 3) | 0).uint32(s.length);
    w.ldelim();
  }
}

function packed(w: protobuf.Writer, field: number, xs: number[], kind: 'sint64' | 'double'): void {
  if (xs.length === 0) return;
  w.uint32((field << 3) | 2).fork();
  for (const x of xs) {
    if (kind === 'double') w.double(x);
    else w.sint64(x);
  }
  w.ldelim();
}

/** TimeSeries field 4: one Histogram at `t` (ms). */
export function histogramField(h: NativeHistogram, t: number): Uint8Array {
  const w = Writer.create();
  w.uint32((4 << 3) | 2).fork();
  if (h.float) w.uint32((2 << 3) | 1).double(h.count);
  else w.uint32((1 << 3) | 0).uint64(h.count);
  w.uint32((3 << 3) | 1).double(h.sum);
  if (h.schema !== 0) w.uint32((4 << 3) | 0).sint32(h.schema);
  if (h.zeroThreshold !== 0) w.uint32((5 << 3) | 1).double(h.zeroThreshold);
  if (h.float) w.uint32((7 << 3) | 1).double(h.zeroCount);
  else w.uint32((6 << 3) | 0).uint64(h.zeroCount);
  spans(w, 8, h.negativeSpans);
  packed(w, h.float ? 10 : 9, h.negativeBuckets, h.float ? 'double' : 'sint64');
  spans(w, 11, h.positiveSpans);
  packed(w, h.float ? 13 : 12, h.positiveBuckets, h.float ? 'double' : 'sint64');
  if (h.resetHint !== 0) w.uint32((14 << 3) | 0).int32(h.resetHint);
  w.uint32((15 << 3) | 0).int64(t);
  if (h.customValues && h.customValues.length > 0) packed(w, 16, h.customValues, 'double');
  w.ldelim();
  return w.finish();
}

/** TimeSeries field 3: one Exemplar. */
export function exemplarField(exemplarLabels: LabelPairs, value: number, t: number): Uint8Array {
  const w = Writer.create();
  w.uint32((3 << 3) | 2).fork();
  labels(w, 1, exemplarLabels);
  w.uint32((2 << 3) | 1).double(value);
  w.uint32((3 << 3) | 0).int64(t);
  w.ldelim();
  return w.finish();
}


// --- decoding (tests, tools) --------------------------------------------------

export interface DecodedSeries {
  labels: LabelPairs;
  samples: { value: number; timestamp: number }[];
  exemplars: { labels: LabelPairs; value: number; timestamp: number }[];
  histograms: (NativeHistogram & { timestamp: number })[];
}

export interface DecodedWriteRequest {
  timeseries: DecodedSeries[];
  metadata: { type: MetricTypeName; family: string; help: string; unit: string }[];
}

type R = protobuf.Reader;

function num(v: number | { low: number; high: number; toNumber?: () => number }): number {
  if (typeof v === 'number') return v;
  if (typeof v.toNumber === 'function') return v.toNumber();
  return v.high * 4294967296 + (v.low >>> 0);
}

function msg(r: R, each: (field: number, wt: number) => boolean): void {
  const end = r.uint32() + r.pos;
  while (r.pos < end) {
    const tag = r.uint32();
    if (!each(tag >>> 3, tag & 7)) r.skipType(tag & 7);
  }
}

function rep(r: R, wt: number, out: number[], read: () => number): void {
  if (wt === 2) {
    const end = r.uint32() + r.pos;
    while (r.pos < end) out.push(read());
  } else out.push(read());
}

function label(r: R, out: string[]): void {
  let n = '';
  let v = '';
  msg(r, (f) => {
    if (f === 1) n = r.string();
    else if (f === 2) v = r.string();
    else return false;
    return true;
  });
  out.push(n, v);
}

function span(r: R): BucketSpan {
  const s = { offset: 0, length: 0 };
  msg(r, (f) => {
    if (f === 1) s.offset = r.sint32();
    else if (f === 2) s.length = r.uint32();
    else return false;
    return true;
  });
  return s;
}

function histogram(r: R): NativeHistogram & { timestamp: number } {
  const h: NativeHistogram & { timestamp: number } = {
    float: false, count: 0, sum: 0, schema: 0, zeroThreshold: 0, zeroCount: 0, negativeSpans: [], negativeBuckets: [],
    positiveSpans: [], positiveBuckets: [], resetHint: 0, timestamp: 0,
  };
  const custom: number[] = [];
  const sint64 = () => num(r.sint64());
  const dbl = () => r.double();
  msg(r, (f, wt) => {
    switch (f) {
      case 1: h.count = num(r.uint64()); return true;
      case 2: h.float = true; h.count = r.double(); return true;
      case 3: h.sum = r.double(); return true;
      case 4: h.schema = r.sint32(); return true;
      case 5: h.zeroThreshold = r.double(); return true;
      case 6: h.zeroCount = num(r.uint64()); return true;
      case 7: h.float = true; h.zeroCount = r.double(); return true;
      case 8: h.negativeSpans.push(span(r)); return true;
      case 9: rep(r, wt, h.negativeBuckets, sint64); return true;
      case 10: h.float = true; rep(r, wt, h.negativeBuckets, dbl); return true;
      case 11: h.positiveSpans.push(span(r)); return true;
      case 12: rep(r, wt, h.positiveBuckets, sint64); return true;
      case 13: h.float = true; rep(r, wt, h.positiveBuckets, dbl); return true;
      case 14: h.resetHint = r.int32() as ResetHint; return true;
      case 15: h.timestamp = num(r.int64()); return true;
      case 16: rep(r, wt, custom, dbl); return true;
      default: return false;
    }
  });
  if (custom.length > 0) h.customValues = custom;
  return h;
}

/** A whole (uncompressed) WriteRequest: samples, exemplars, histograms and metadata. */
export function decodeFullWriteRequest(buf: Uint8Array): DecodedWriteRequest {
  const r = Reader.create(buf);
  const out: DecodedWriteRequest = { timeseries: [], metadata: [] };
  while (r.pos < r.len) {
    const tag = r.uint32();
    const f = tag >>> 3;
    if (f === 1) {
      const s: DecodedSeries = { labels: [], samples: [], exemplars: [], histograms: [] };
      msg(r, (sf) => {
        if (sf === 1) label(r, s.labels);
        else if (sf === 2) {
          const smp = { value: 0, timestamp: 0 };
          msg(r, (k) => {
            if (k === 1) smp.value = r.double();
            else if (k === 2) smp.timestamp = num(r.int64());
            else return false;
            return true;
          });
          s.samples.push(smp);
        } else if (sf === 3) {
          const e = { labels: [] as string[], value: 0, timestamp: 0 };
          msg(r, (k) => {
            if (k === 1) label(r, e.labels);
            else if (k === 2) e.value = r.double();
            else if (k === 3) e.timestamp = num(r.int64());
            else return false;
            return true;
          });
          s.exemplars.push(e);
        } else if (sf === 4) s.histograms.push(histogram(r));
        else return false;
        return true;
      });
      out.timeseries.push(s);
    } else if (f === 3) {
      const m = { type: 'unknown' as MetricTypeName, family: '', help: '', unit: '' };
      msg(r, (k) => {
        if (k === 1) m.type = METRIC_TYPES[r.int32()] ?? 'unknown';
        else if (k === 2) m.family = r.string();
        else if (k === 4) m.help = r.string();
        else if (k === 5) m.unit = r.string();
        else return false;
        return true;
      });
      out.metadata.push(m);
    } else r.skipType(tag & 7);
  }
  return out;
}
