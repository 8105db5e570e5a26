// Remote write 2.0 request bodies (io.prometheus.write.v2.Request, from
// prompb/io/prometheus/write/v2/types.proto), uncompressed and snappy:
//   Request    { repeated string symbols = 4; repeated TimeSeries timeseries = 5; }
//   TimeSeries { repeated uint32 labels_refs = 1; repeated Sample samples = 2;
//                repeated Histogram histograms = 3; repeated Exemplar exemplars = 4;
//                Metadata metadata = 5; }
//   Sample     { double value = 1; int64 timestamp = 2; }
//   Exemplar   { repeated uint32 labels_refs = 1; double value = 2; int64 timestamp = 3; }
//   Metadata   { MetricType type = 1; uint32 help_ref = 3; uint32 unit_ref = 4; }
// Every string (label names and values, help, unit) is sent once in the
// symbols table and referenced by index; symbols[0] is always "". Label refs
// come in name/value pairs, in the series' sorted label order.
// Native histograms go in field 3 as pre-encoded Histogram messages
// (`histograms`), so the histogram encoder plugs in without touching this file.
import protobuf from 'protobufjs/minimal.js';
import type { LabelPairs } from '../../pipeline/metrics.js';
import { snappyCompress as compress } from '../../compress/snappy.js';
import type { QueueBatch, SeriesEntry } from '../write-request.js';

const { Writer } = protobuf;

/** Metadata.MetricType, by the lower-case names OpenMetrics (and the pipeline) use. */
export const METRIC_TYPE_V2: Record<string, number> = {
  unknown: 0,
  counter: 1,
  gauge: 2,
  histogram: 3,
  gaugehistogram: 4,
  summary: 5,
  info: 6,
  stateset: 7,
};

export interface V2Metadata {
  /** "counter", "gauge", ... (unknown names: METRIC_TYPE_UNSPECIFIED). */
  type: string;
  help: string;
  unit: string;
}

export interface V2Exemplar {
  /** Sorted pairs (e.g. trace_id). */
  labels: LabelPairs;
  value: number;
  /** ms since the epoch */
  t: number;
}

export interface V2Series {
  /** Sorted pairs, final (external labels and write relabeling applied). */
  labels: LabelPairs;
  timestamps: ArrayLike<number>;
  /** A Float64Array keeps the stale NaN's bits. */
  values: Float64Array;
  exemplars?: readonly V2Exemplar[];
  metadata?: V2Metadata;
  /** Encoded io.prometheus.write.v2.Histogram messages, one per histogram sample. */
  histograms?: readonly Uint8Array[];
}

/** Strings to indexes, with "" at 0 as the spec requires. */
export class SymbolTable {
  readonly symbols: string[] = [''];
  readonly #refs = new Map<string, number>([['', 0]]);

  ref(s: string): number {
    let r = this.#refs.get(s);
    if (r === undefined) {
      r = this.symbols.length;
      this.symbols.push(s);
      this.#refs.set(s, r);
    }
    return r;
  }
}

export interface V2Counts {
  samples: number;
  histograms: number;
  exemplars: number;
}

function packedRefs(w: protobuf.Writer, field: number, pairs: LabelPairs, st: SymbolTable): void {
  if (pairs.length === 0) return;
  w.uint32((field << 3) | 2).fork();
  for (const s of pairs) w.uint32(st.ref(s));
  w.ldelim();
}

/** The uncompressed Request and what it carries. */
export function encodeV2Request(series: readonly V2Series[]): { bytes: Uint8Array; counts: V2Counts } {
  const st = new SymbolTable();
  const counts: V2Counts = { samples: 0, histograms: 0, exemplars: 0 };
  // The series go in their own writer first: the symbols (field 4) are only complete afterwards.
  const body = Writer.create();
  for (const s of series) {
    body.uint32((5 << 3) | 2).fork();
    packedRefs(body, 1, s.labels, st);
    for (let i = 0; i < s.timestamps.length; i++) {
      body.uint32((2 << 3) | 2).fork();
      body.uint32((1 << 3) | 1).double(s.values[i]!);
      body.uint32((2 << 3) | 0).int64(s.timestamps[i]!);
      body.ldelim();
    }
    counts.samples += s.timestamps.length;
    for (const h of s.histograms ?? []) body.uint32((3 << 3) | 2).bytes(h);
    counts.histograms += s.histograms?.length ?? 0;
    for (const e of s.exemplars ?? []) {
      body.uint32((4 << 3) | 2).fork();
      packedRefs(body, 1, e.labels, st);
      body.uint32((2 << 3) | 1).double(e.value);
      body.uint32((3 << 3) | 0).int64(e.t);
      body.ldelim();
    }
    counts.exemplars += s.exemplars?.length ?? 0;
    const m = s.metadata;
    if (m) {
      body.uint32((5 << 3) | 2).fork();
      const type = METRIC_TYPE_V2[m.type] ?? 0;
      if (type) body.uint32((1 << 3) | 0).uint32(type);
      if (m.help) body.uint32((3 << 3) | 0).uint32(st.ref(m.help));
      if (m.unit) body.uint32((4 << 3) | 0).uint32(st.ref(m.unit));
      body.ldelim();
    }
    body.ldelim();
  }
  const seriesBytes = body.finish();
  const w = Writer.create();
  for (const sym of st.symbols) w.uint32((4 << 3) | 2).string(sym);
  const head = w.finish();
  const out = new Uint8Array(head.length + seriesBytes.length);
  out.set(head, 0);
  out.set(seriesBytes, head.length);
  return { bytes: out, counts };
}

/** Per-series extras a batch can carry besides float samples (metadata for now). */
export interface V2SeriesExtras {
  /** The metadata of a series (by its final labels). */
  metadata?(labels: LabelPairs): V2Metadata | undefined;
}

/**
 * Builds snappy-compressed 2.0 requests from queued batches (the queue's
 * encoder when protobuf_message is io.prometheus.write.v2.Request).
 */
export class V2RequestEncoder {
  /** Decoded labels per prepared series (the entry keeps only the 1.0 bytes). */
  readonly #labels = new WeakMap<SeriesEntry, LabelPairs>();
  lastCounts: V2Counts = { samples: 0, histograms: 0, exemplars: 0 };

  constructor(private readonly extras: V2SeriesExtras = {}) {}

  /** Samples grouped by series in first-seen order, as the 1.0 encoder does. */
  encode(b: QueueBatch): Buffer {
    const bySeries = new Map<SeriesEntry, { floats: number[]; histograms: Uint8Array[]; exemplars: V2Exemplar[] }>();
    const xs = b.x;
    for (let i = 0; i < b.length; i++) {
      const s = b.s[i]!;
      let g = bySeries.get(s);
      if (!g) bySeries.set(s, (g = { floats: [], histograms: [], exemplars: [] }));
      const x = xs?.[i];
      if (x === undefined) g.floats.push(i);
      else fromV1Field(x, g);
    }
    const series: V2Series[] = [];
    for (const [s, g] of bySeries) {
      let labels = this.#labels.get(s);
      if (!labels) this.#labels.set(s, (labels = s.labels));
      const values = new Float64Array(g.floats.length);
      const timestamps = new Array<number>(g.floats.length);
      g.floats.forEach((i, k) => {
        values[k] = b.v[i]!;
        timestamps[k] = b.t[i]!;
      });
      series.push({ labels, timestamps, values, histograms: g.histograms, exemplars: g.exemplars, metadata: this.extras.metadata?.(labels) });
    }
    const { bytes, counts } = encodeV2Request(series);
    this.lastCounts = counts;
    return Buffer.from(compress(bytes));
  }
}

/**
 * Queue items of histograms and exemplars carry their remote write 1.0
 * TimeSeries field (histograms = 4, exemplars = 3): a 1.0 Histogram message
 * is a 2.0 one (same fields), an exemplar's labels become symbol refs.
 */
function fromV1Field(field: Uint8Array, into: { histograms: Uint8Array[]; exemplars: V2Exemplar[] }): void {
  const r = protobuf.Reader.create(field);
  const tag = r.uint32();
  const inner = r.bytes();
  if (tag >>> 3 === 4) into.histograms.push(inner);
  else if (tag >>> 3 === 3) into.exemplars.push(decodeV1Exemplar(inner));
}

function decodeV1Exemplar(buf: Uint8Array): V2Exemplar {
  const r = protobuf.Reader.create(buf);
  const labels: string[] = [];
  let value = 0;
  let t = 0;
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag === ((1 << 3) | 2)) {
      const end = r.uint32() + r.pos;
      let name = '';
      let val = '';
      while (r.pos < end) {
        const lt = r.uint32();
        if (lt === ((1 << 3) | 2)) name = r.string();
        else if (lt === ((2 << 3) | 2)) val = r.string();
        else r.skipType(lt & 7);
      }
      labels.push(name, val);
    } else if (tag === ((2 << 3) | 1)) value = r.double();
    else if (tag === ((3 << 3) | 0)) t = Number(r.int64());
    else r.skipType(tag & 7);
  }
  return { labels, value, t };
}
