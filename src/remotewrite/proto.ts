// Remote write 1.0 wire format: prometheus.WriteRequest (prompb/remote.proto).
//   WriteRequest { repeated TimeSeries timeseries = 1; }
//   TimeSeries   { repeated Label labels = 1; repeated Sample samples = 2; }
//   Label        { string name = 1; string value = 2; }
//   Sample       { double value = 1; int64 timestamp = 2; }
// Encoded by hand on protobufjs's Writer/Reader: no reflection cost per
// message, and doubles go through a Float64Array so NaN payloads (the stale
// marker 0x7ff0000000000002) keep their exact bits.
import protobuf from 'protobufjs/minimal.js';
import type { LabelPairs } from '../pipeline/metrics.js';

const { Writer, Reader } = protobuf;

export interface WireSeries {
  /** Sorted by name, flat [name, value, ...]. */
  labels: LabelPairs;
  /** Parallel arrays; values in a Float64Array so NaN bits survive (V8 canonicalises NaN in plain number arrays). */
  timestamps: number[];
  values: Float64Array;
}

export function encodeWriteRequest(series: readonly WireSeries[]): Uint8Array {
  const w = Writer.create();
  for (const s of series) {
    w.uint32((1 << 3) | 2).fork();
    for (let i = 0; i + 1 < s.labels.length; i += 2) {
      w.uint32((1 << 3) | 2).fork();
      w.uint32((1 << 3) | 2).string(s.labels[i]!);
      w.uint32((2 << 3) | 2).string(s.labels[i + 1]!);
      w.ldelim();
    }
    for (let i = 0; i < s.timestamps.length; i++) {
      w.uint32((2 << 3) | 2).fork();
      w.uint32((1 << 3) | 1).double(s.values[i]!);
      w.uint32((2 << 3) | 0).int64(s.timestamps[i]!);
      w.ldelim();
    }
    w.ldelim();
  }
  return w.finish();
}

/** Decodes a WriteRequest; unknown fields (exemplars, histograms, metadata) are skipped. */
export function decodeWriteRequest(buf: Uint8Array): WireSeries[] {
  const r = Reader.create(buf);
  const out: WireSeries[] = [];
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag >>> 3 === 1 && (tag & 7) === 2) out.push(decodeSeries(r, r.uint32() + r.pos));
    else r.skipType(tag & 7);
  }
  return out;
}

function decodeSeries(r: protobuf.Reader, end: number): WireSeries {
  const labels: string[] = [];
  const timestamps: number[] = [];
  let values = new Float64Array(4);
  while (r.pos < end) {
    const tag = r.uint32();
    const field = tag >>> 3;
    if (field === 1 && (tag & 7) === 2) {
      const lend = r.uint32() + r.pos;
      let name = '';
      let value = '';
      while (r.pos < lend) {
        const t = r.uint32();
        if (t >>> 3 === 1) name = r.string();
        else if (t >>> 3 === 2) value = r.string();
        else r.skipType(t & 7);
      }
      labels.push(name, value);
    } else if (field === 2 && (tag & 7) === 2) {
      const send = r.uint32() + r.pos;
      if (timestamps.length === values.length) {
        const grown = new Float64Array(values.length * 2);
        grown.set(values);
        values = grown;
      }
      const idx = timestamps.length;
      let ts = 0;
      values[idx] = 0;
      while (r.pos < send) {
        const t = r.uint32();
        if (t >>> 3 === 1) values[idx] = r.double();
        else if (t >>> 3 === 2) ts = longToNumber(r.int64());
        else r.skipType(t & 7);
      }
      timestamps.push(ts);
    } else r.skipType(tag & 7);
  }
  return { labels, timestamps, values: values.slice(0, timestamps.length) };
}

function longToNumber(v: number | { low: number; high: number; toNumber?: () => number }): number {
  if (typeof v === 'number') return v;
  if (typeof v.toNumber === 'function') return v.toNumber();
  return v.high * 4294967296 + (v.low >>> 0);
}
