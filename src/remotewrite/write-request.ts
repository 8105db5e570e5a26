// Builds remote-write 1.0 request bodies (snappy-compressed WriteRequest)
// straight from queued samples. Each series carries its labels already
// encoded as protobuf (done once, when the series is first read from the
// WAL), split into label pairs with dictionary keys, so a request costs a
// copy per repeated label pair and a few bytes per sample: no protobuf
// writer, no string encoding, no general-purpose compressor on the hot path.
//   WriteRequest { repeated TimeSeries timeseries = 1; }
//   TimeSeries   { repeated Label labels = 1; repeated Sample samples = 2; }
//   Label        { string name = 1; string value = 2; }
//   Sample       { double value = 1; int64 timestamp = 2; }
import type { LabelPairs } from '../pipeline/metrics.js';
import { labelsHash } from './sharding.js';
import { StructuredSnappyWriter, varint32Length, varint64Length, writeVarint64 } from './snappy-struct.js';

// Per-series storage comes from shared chunks: one typed-array object per
// chunk instead of a Buffer and a number[] per series (~220 bytes less per
// series and endpoint). Chunks are small so that a few long-lived series
// cannot pin much memory of series that are gone.
const BYTE_CHUNK = 8 * 1024;
const PAIR_CHUNK = 1024;
let byteChunk = Buffer.allocUnsafeSlow(BYTE_CHUNK);
let byteUsed = 0;
let pairChunk = new Int32Array(PAIR_CHUNK);
let pairUsed = 0;

function allocBytes(n: number): Buffer {
  if (n > BYTE_CHUNK / 4) return Buffer.allocUnsafeSlow(n); // large label sets get their own
  if (byteUsed + n > BYTE_CHUNK) {
    byteChunk = Buffer.allocUnsafeSlow(BYTE_CHUNK);
    byteUsed = 0;
  }
  return byteChunk;
}

function allocPairs(n: number): Int32Array {
  if (n > PAIR_CHUNK / 4) return new Int32Array(n);
  if (pairUsed + n > PAIR_CHUNK) {
    pairChunk = new Int32Array(PAIR_CHUNK);
    pairUsed = 0;
  }
  return pairChunk;
}

/**
 * A series ready to send: final labels (external labels and write relabeling
 * applied), kept only in their encoded form. One per series per endpoint, so
 * it is kept small: its bytes and pair table live in shared chunks.
 */
export class SeriesEntry {
  readonly hash: number;
  /** Chunk holding the protobuf encoding of the labels (the repeated Label field of TimeSeries) at [off, off + len). */
  readonly buf: Buffer;
  readonly off: number;
  readonly len: number;
  /**
   * Chunk holding, per label pair at [po, po + 2 * pairs): the pair's end
   * offset in `buf` and its dictionary key (keys valid while dictGen matches).
   * Built on first use by the structured writer (see pairTable); the plain
   * encoder never needs it.
   */
  pbuf: Int32Array | undefined = undefined;
  po = 0;
  pairs = 0;
  dictGen = -1;
  // Per-request scratch used by the encoder (grouping samples by series).
  mark = 0;
  count = 0;
  cursor = 0;
  size = 0;

  constructor(labels: LabelPairs) {
    this.hash = labelsHash(labels);
    const n = labels.length >> 1;
    let total = 0;
    for (let k = 0; k < n; k++) {
      const nb = Buffer.byteLength(labels[2 * k]!, 'utf8');
      const vb = Buffer.byteLength(labels[2 * k + 1]!, 'utf8');
      const inner = 1 + varint32Length(nb) + nb + 1 + varint32Length(vb) + vb;
      total += 1 + varint32Length(inner) + inner;
    }
    const b = allocBytes(total);
    const start = b === byteChunk ? byteUsed : 0;
    if (b === byteChunk) byteUsed += total;
    let off = start;
    for (let k = 0; k < n; k++) {
      const name = labels[2 * k]!;
      const value = labels[2 * k + 1]!;
      const nb = Buffer.byteLength(name, 'utf8');
      const vb = Buffer.byteLength(value, 'utf8');
      b[off++] = 0x0a;
      off = putVarint(b, off, 1 + varint32Length(nb) + nb + 1 + varint32Length(vb) + vb);
      b[off++] = 0x0a;
      off = putVarint(b, off, nb);
      off += b.write(name, off, 'utf8');
      b[off++] = 0x12;
      off = putVarint(b, off, vb);
      off += b.write(value, off, 'utf8');
    }
    this.buf = b;
    this.off = start;
    this.len = total;
  }

  /** The pair table (end offset of each Label in `buf`), built from the encoded bytes on first use. */
  pairTable(): Int32Array {
    if (this.pbuf !== undefined) return this.pbuf;
    const b = this.buf;
    const ends: number[] = [];
    for (let off = this.off, end = this.off + this.len; off < end; ) {
      off++; // Label tag
      let inner = 0;
      for (let shift = 0; ; shift += 7) {
        const c = b[off++]!;
        inner += (c & 0x7f) * 2 ** shift;
        if (c < 0x80) break;
      }
      off += inner;
      ends.push(off);
    }
    const n = ends.length;
    const pb = allocPairs(2 * n);
    const po = pb === pairChunk ? pairUsed : 0;
    if (pb === pairChunk) pairUsed += 2 * n;
    for (let k = 0; k < n; k++) {
      pb[po + 2 * k] = ends[k]!;
      pb[po + 2 * k + 1] = 0;
    }
    this.po = po;
    this.pairs = n;
    this.pbuf = pb;
    return pb;
  }

  /** The encoded labels (a view; tests and debugging). */
  get bytes(): Uint8Array {
    return this.buf.subarray(this.off, this.off + this.len);
  }

  /** The labels, decoded from the encoded bytes (debugging and tests; not used when sending). */
  get labels(): LabelPairs {
    const out: string[] = [];
    const b = this.buf;
    let off = this.off;
    const end = this.off + this.len;
    const varint = () => {
      let v = 0;
      let shift = 0;
      for (;;) {
        const c = b[off++]!;
        v += (c & 0x7f) * 2 ** shift;
        if (c < 0x80) return v;
        shift += 7;
      }
    };
    while (off < end) {
      off++; // Label tag
      varint();
      off++; // name tag
      const nl = varint();
      out.push(b.toString('utf8', off, off + nl));
      off += nl + 1; // value tag
      const vl = varint();
      out.push(b.toString('utf8', off, off + vl));
      off += vl;
    }
    return out;
  }
}

function putVarint(b: Uint8Array, off: number, v: number): number {
  while (v >= 0x80) {
    b[off++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  b[off++] = v;
  return off;
}

/**
 * Label pair bytes -> small integer key. Each pair also has a prefix key: its
 * bytes up to the start of the value (tags, lengths, name), so a pair first
 * seen in a request can still copy its name part. Reset (new generation)
 * when it grows past `max`.
 */
export class PairDictionary {
  private map = new Map<string, number>();
  /** Per pair key: key and byte length of its prefix (-1: not computed). */
  prefixKey = new Int32Array(1024).fill(-1);
  prefixLen = new Int32Array(1024);
  gen = 0;

  constructor(private readonly max = 1 << 20) {}

  get size(): number {
    return this.map.size;
  }

  /** Call between requests only: keys of one request must stay stable. */
  maybeReset(): void {
    if (this.map.size <= this.max) return;
    this.map = new Map();
    this.prefixKey.fill(-1);
    this.gen++;
  }

  private keyOf(b: Uint8Array, start: number, end: number): number {
    // The exact bytes (one char per byte): equal keys mean equal bytes.
    let key = '';
    for (let i = start; i < end; i++) key += String.fromCharCode(b[i]!);
    let id = this.map.get(key);
    if (id === undefined) {
      id = this.map.size;
      this.map.set(key, id);
    }
    return id;
  }

  keysFor(e: SeriesEntry): void {
    const p = e.pairTable();
    const b = e.buf;
    let start = e.off;
    for (let k = e.po, last = e.po + 2 * e.pairs; k < last; k += 2) {
      const end = p[k]!;
      const id = this.keyOf(b, start, end);
      p[k + 1] = id;
      if (id >= this.prefixKey.length) this.grow(id + 1);
      if (this.prefixKey[id] === -1) {
        const mid = valueStart(b, start);
        this.prefixLen[id] = mid - start;
        const pk = this.keyOf(b, start, mid);
        if (pk >= this.prefixKey.length) this.grow(pk + 1);
        this.prefixKey[id] = pk;
      }
      start = end;
    }
    e.dictGen = this.gen;
  }

  private grow(n: number): void {
    let size = this.prefixKey.length;
    while (size < n) size *= 2;
    const pk = new Int32Array(size).fill(-1);
    pk.set(this.prefixKey);
    const pl = new Int32Array(size);
    pl.set(this.prefixLen);
    this.prefixKey = pk;
    this.prefixLen = pl;
  }
}

/** Offset of a Label's value bytes: after [0x0a L][0x0a nlen name][0x12 vlen]. */
function valueStart(b: Uint8Array, off: number): number {
  const skipVarint = () => {
    while (b[off++]! & 0x80);
  };
  off++;
  skipVarint();
  off++;
  let nlen = 0;
  let shift = 0;
  for (;;) {
    const c = b[off++]!;
    nlen += (c & 0x7f) * 2 ** shift;
    if (c < 0x80) break;
    shift += 7;
  }
  off += nlen + 1;
  skipVarint();
  return off;
}

/** Samples taken from a shard for one request (parallel arrays). */
export interface QueueBatch<E = unknown> {
  length: number;
  s: SeriesEntry[];
  t: Float64Array;
  /** Float64Array: keeps stale NaN bits. */
  v: Float64Array;
  /** Acknowledgement handle per sample (opaque here). */
  e: E[];
  /** Per item: TimeSeries field bytes of a histogram or exemplar (see queue-extras.ts); undefined: a float sample. */
  x?: (Uint8Array | undefined)[];
}

/**
 * Groups a request's samples by series in first-seen order (into `order`),
 * setting each entry's sample count and TimeSeries size; returns the sample
 * indexes in that order, or undefined when no series repeats (the batch's own
 * order is then the grouped one). `reqNo` must be new for every request of
 * the encoder, since entries are marked with it.
 */
function groupBySeries(b: QueueBatch, reqNo: number, order: SeriesEntry[]): Int32Array | undefined {
  const n = b.length;
  const xs = b.x;
  order.length = 0;
  for (let i = 0; i < n; i++) {
    const e = b.s[i]!;
    if (e.mark !== reqNo) {
      e.mark = reqNo;
      e.count = 0;
      e.size = e.len;
      order.push(e);
    }
    e.count++;
    const x = xs === undefined ? undefined : xs[i];
    e.size += x !== undefined ? x.length : 12 + varint64Length(b.t[i]!);
  }
  if (order.length === n) return undefined;
  const idx = new Int32Array(n);
  let pos = 0;
  for (const e of order) {
    e.cursor = pos;
    pos += e.count;
  }
  for (let i = 0; i < n; i++) idx[b.s[i]!.cursor++] = i;
  return idx;
}

export class WriteRequestEncoder {
  private readonly dict: PairDictionary;
  private readonly w = new StructuredSnappyWriter();
  private reqNo = 0;
  private readonly order: SeriesEntry[] = [];

  constructor(maxDictionary?: number) {
    this.dict = new PairDictionary(maxDictionary);
  }

  /** The snappy-compressed WriteRequest for the batch; samples grouped by series in first-seen order. */
  encode(b: QueueBatch): Buffer {
    const reqNo = ++this.reqNo;
    this.dict.maybeReset();
    const dict = this.dict;
    const order = this.order;
    const xs = b.x; // histogram/exemplar field bytes, only in batches that have any
    const idx = groupBySeries(b, reqNo, order);
    for (const e of order) if (e.dictGen !== dict.gen) dict.keysFor(e);
    let raw = 0;
    for (const e of order) raw += 1 + varint32Length(e.size) + e.size;
    const w = this.w;
    w.begin(raw, dict.size);
    let j = 0;
    for (const e of order) {
      w.byte(0x0a);
      w.varint32(e.size);
      const p = e.pbuf!; // built by keysFor
      const eb = e.buf;
      let start = e.off;
      for (let k = e.po, last = e.po + 2 * e.pairs; k < last; k += 2) {
        const id = p[k + 1]!;
        w.pair(id, dict.prefixKey[id]!, eb, start, start + dict.prefixLen[id]!, p[k]!);
        start = p[k]!;
      }
      for (let c = 0; c < e.count; c++, j++) {
        const i = idx ? idx[j]! : j;
        const x = xs === undefined ? undefined : xs[i];
        if (x !== undefined) w.bytes(x);
        else w.sample(b.v[i]!, b.t[i]!);
      }
    }
    return w.finish();
  }
}

/**
 * The same WriteRequest as WriteRequestEncoder, written as plain protobuf
 * bytes and compressed by a general snappy compressor (native when its binary
 * loads). Costs one copy of each series' label bytes per request, and sends
 * about 2.5x fewer bytes than the structured writer on typical series, since
 * a real compressor also matches inside values and across series.
 */
export class RawWriteRequestEncoder {
  private buf = Buffer.allocUnsafeSlow(1 << 16);
  private view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  private reqNo = 0;
  private readonly order: SeriesEntry[] = [];

  constructor(private readonly compress: (raw: Buffer) => Buffer) {}

  encode(b: QueueBatch): Buffer {
    const reqNo = ++this.reqNo;
    const order = this.order;
    const xs = b.x;
    const idx = groupBySeries(b, reqNo, order);
    let raw = 0;
    for (const e of order) raw += 1 + varint32Length(e.size) + e.size;
    if (raw > this.buf.length) {
      let size = this.buf.length;
      while (size < raw) size *= 2;
      this.buf = Buffer.allocUnsafeSlow(size);
      this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
    }
    const out = this.buf;
    const dv = this.view;
    let o = 0;
    let j = 0;
    for (const e of order) {
      out[o++] = 0x0a;
      o = putVarint(out, o, e.size);
      o += e.buf.copy(out, o, e.off, e.off + e.len);
      for (let c = 0; c < e.count; c++, j++) {
        const i = idx ? idx[j]! : j;
        const x = xs === undefined ? undefined : xs[i];
        if (x !== undefined) {
          out.set(x, o);
          o += x.length;
          continue;
        }
        const t = b.t[i]!;
        out[o++] = 0x12;
        out[o++] = 10 + varint64Length(t);
        out[o++] = 0x09;
        dv.setFloat64(o, b.v[i]!, true);
        o += 8;
        out[o++] = 0x10;
        o = writeVarint64(out, o, t);
      }
    }
    return this.compress(out.subarray(0, o));
  }
}
