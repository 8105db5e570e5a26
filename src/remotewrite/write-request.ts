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
import type { LabelPairs } from '../metrics/types.js';
import { labelsHash } from './sharding.js';
import { StructuredSnappyWriter, varint32Length, varint64Length } from './snappy-struct.js';

/** A series ready to send: final labels (external labels and write relabeling applied). */
export class SeriesEntry {
  readonly hash: number;
  /** Protobuf encoding of the labels (the repeated Label field of TimeSeries). */
  readonly bytes: Uint8Array;
  /** End offset in `bytes` of each label pair. */
  readonly pairEnds: Int32Array;
  /** Dictionary key of each label pair, valid while dictGen matches the dictionary's generation. */
  pairIds: Int32Array;
  dictGen = -1;
  // Per-request scratch used by the encoder (grouping samples by series).
  mark = 0;
  count = 0;
  cursor = 0;
  size = 0;

  constructor(readonly labels: LabelPairs) {
    this.hash = labelsHash(labels);
    const pairs = labels.length >> 1;
    this.pairEnds = new Int32Array(pairs);
    this.pairIds = new Int32Array(pairs);
    let total = 0;
    const lens: number[] = new Array(pairs * 2);
    for (let k = 0; k < pairs; k++) {
      const nb = Buffer.byteLength(labels[2 * k]!, 'utf8');
      const vb = Buffer.byteLength(labels[2 * k + 1]!, 'utf8');
      lens[2 * k] = nb;
      lens[2 * k + 1] = vb;
      const inner = 1 + varint32Length(nb) + nb + 1 + varint32Length(vb) + vb;
      total += 1 + varint32Length(inner) + inner;
    }
    const b = Buffer.allocUnsafe(total);
    let off = 0;
    for (let k = 0; k < pairs; k++) {
      const nb = lens[2 * k]!;
      const vb = lens[2 * k + 1]!;
      b[off++] = 0x0a;
      off = putVarint(b, off, 1 + varint32Length(nb) + nb + 1 + varint32Length(vb) + vb);
      b[off++] = 0x0a;
      off = putVarint(b, off, nb);
      off += b.write(labels[2 * k]!, off, 'utf8');
      b[off++] = 0x12;
      off = putVarint(b, off, vb);
      off += b.write(labels[2 * k + 1]!, off, 'utf8');
      this.pairEnds[k] = off;
    }
    this.bytes = b;
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

/** Label pair -> small integer key. Reset (new generation) when it grows past `max`. */
export class PairDictionary {
  private map = new Map<string, number>();
  gen = 0;

  constructor(private readonly max = 1 << 20) {}

  get size(): number {
    return this.map.size;
  }

  /** Call between requests only: keys of one request must stay stable. */
  maybeReset(): void {
    if (this.map.size <= this.max) return;
    this.map = new Map();
    this.gen++;
  }

  keysFor(e: SeriesEntry): void {
    const l = e.labels;
    for (let k = 0; k < e.pairIds.length; k++) {
      const name = l[2 * k]!;
      // Length-prefixed, so no name/value split can collide with another.
      const key = `${name.length}:${name}${l[2 * k + 1]!}`;
      let id = this.map.get(key);
      if (id === undefined) {
        id = this.map.size;
        this.map.set(key, id);
      }
      e.pairIds[k] = id;
    }
    e.dictGen = this.gen;
  }
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
    const n = b.length;
    const reqNo = ++this.reqNo;
    this.dict.maybeReset();
    const dict = this.dict;
    const order = this.order;
    order.length = 0;
    for (let i = 0; i < n; i++) {
      const e = b.s[i]!;
      if (e.mark !== reqNo) {
        e.mark = reqNo;
        e.count = 0;
        e.size = e.bytes.length;
        if (e.dictGen !== dict.gen) dict.keysFor(e);
        order.push(e);
      }
      e.count++;
      e.size += 12 + varint64Length(b.t[i]!);
    }
    // Sample indexes grouped by series (only needed when a series repeats).
    let idx: Int32Array | undefined;
    if (order.length !== n) {
      idx = new Int32Array(n);
      let pos = 0;
      for (const e of order) {
        e.cursor = pos;
        pos += e.count;
      }
      for (let i = 0; i < n; i++) idx[b.s[i]!.cursor++] = i;
    }
    let raw = 0;
    for (const e of order) raw += 1 + varint32Length(e.size) + e.size;
    const w = this.w;
    w.begin(raw, dict.size);
    let j = 0;
    for (const e of order) {
      w.byte(0x0a);
      w.varint32(e.size);
      const ids = e.pairIds;
      const ends = e.pairEnds;
      let start = 0;
      for (let k = 0; k < ids.length; k++) {
        w.chunk(ids[k]!, e.bytes, start, ends[k]!);
        start = ends[k]!;
      }
      for (let c = 0; c < e.count; c++, j++) {
        const i = idx ? idx[j]! : j;
        w.sample(b.v[i]!, b.t[i]!);
      }
    }
    return w.finish();
  }
}
