import fc from 'fast-check';
import { decodeWriteRequest, encodeWriteRequest, type WireSeries } from './proto.js';
import { createRequire } from 'node:module';
import { snappyCompress, snappyUncompress as uncompress } from '../compress/snappy.js';
import { RawWriteRequestEncoder, SeriesEntry, WriteRequestEncoder, type QueueBatch } from './write-request.js';

// The pure-JS compressor the structured writer stands in for when native snappy does not load.
const snappyjs = createRequire(import.meta.url)('snappyjs') as { compress(b: Uint8Array): Uint8Array };
const compress = (b: Uint8Array) => snappyjs.compress(b);

/** Both request encoders: the structured snappy writer and plain protobuf through the process's compressor. */
const ENCODERS: [string, () => { encode(b: QueueBatch): Buffer }][] = [
  ['WriteRequestEncoder', () => new WriteRequestEncoder()],
  ['RawWriteRequestEncoder', () => new RawWriteRequestEncoder(snappyCompress)],
];
import { writeVarint64, varint64Length } from './snappy-struct.js';

const STALE = 0x7ff0000000000002n;
function bitsOf(v: number): bigint {
  // Not via an array literal: V8 would quieten the NaN in a plain double array.
  const b = Buffer.alloc(8);
  b.writeDoubleLE(v);
  return b.readBigUInt64LE(0);
}

function batchOf(items: { s: SeriesEntry; t: number; v: number }[]): QueueBatch {
  const b: QueueBatch = { length: items.length, s: [], t: new Float64Array(items.length), v: new Float64Array(items.length), e: [] };
  items.forEach((x, i) => {
    b.s.push(x.s);
    b.t[i] = x.t;
    b.v[i] = x.v;
    b.e.push(null);
  });
  return b;
}

/** The reference: group by series in first-seen order, encode with the protobufjs-based encoder. */
function reference(b: QueueBatch): Uint8Array {
  const bySeries = new Map<SeriesEntry, { t: number[]; v: number[] }>();
  for (let i = 0; i < b.length; i++) {
    let g = bySeries.get(b.s[i]!);
    if (!g) bySeries.set(b.s[i]!, (g = { t: [], v: [] }));
    g.t.push(b.t[i]!);
    g.v.push(b.v[i]!);
  }
  const series: WireSeries[] = [];
  for (const [s, g] of bySeries) {
    const values = new Float64Array(g.v.length);
    // Copy through a Float64Array view of the source so NaN payloads stay.
    let k = 0;
    for (let i = 0; i < b.length; i++) if (b.s[i] === s) values[k++] = b.v[i]!;
    series.push({ labels: s.labels, timestamps: g.t, values });
  }
  return encodeWriteRequest(series);
}

describe.each(ENCODERS)('%s', (_name, make) => {
  it('produces exactly the reference protobuf, as a valid snappy stream', () => {
    const a = new SeriesEntry(['__name__', 'up', 'instance', 'h:9100', 'job', 'node']);
    const b = new SeriesEntry(['__name__', 'up', 'instance', 'h:9101', 'job', 'node']);
    const c = new SeriesEntry(['__name__', 'temp_ü', 'room', 'küche', 'empty', '']);
    const batch = batchOf([
      { s: a, t: 1700000000000, v: 1 },
      { s: b, t: 1700000000000, v: 0 },
      { s: c, t: -5000, v: -273.15 },
      { s: a, t: 1700000015000, v: Number.NaN },
      { s: c, t: 0, v: Number.POSITIVE_INFINITY },
    ]);
    // Write the marker's bits straight into the column (a NaN passed around as a JS value may be quietened).
    new BigUint64Array(batch.v.buffer)[3] = STALE;
    const body = make().encode(batch);
    const raw = uncompress(body);
    expect(Buffer.from(raw).equals(Buffer.from(reference(batch)))).toBe(true);
    const decoded = decodeWriteRequest(raw);
    expect(decoded.map((s) => s.labels)).toEqual([a.labels, b.labels, c.labels]);
    expect(decoded[0]!.timestamps).toEqual([1700000000000, 1700000015000]);
    expect(bitsOf(decoded[0]!.values[1]!)).toBe(STALE);
    expect(decoded[2]!.timestamps).toEqual([-5000, 0]);
  });

  it('keeps every series intact across shared storage chunks (many series, one large label set)', () => {
    // ~120 bytes per series: 400 of them span several 8 KiB byte chunks and 1 Ki-entry pair chunks.
    const inputs: string[][] = [];
    for (let i = 0; i < 400; i++) inputs.push(['__name__', `chunk_metric_${i}_total`, 'instance', `127.0.0.${i % 250}:${9000 + i}`, 'path', `/api/v1/items/${i}/${'x'.repeat(i % 40)}`]);
    inputs.splice(200, 0, ['__name__', 'big', 'blob', 'ü'.repeat(5000)]); // larger than a chunk's share: its own buffer
    const entries = inputs.map((l) => new SeriesEntry(l));
    expect(entries.map((e) => e.labels)).toEqual(inputs);
    const batch = batchOf(entries.map((s, i) => ({ s, t: 1700000000000 + i, v: i })));
    const decoded = decodeWriteRequest(uncompress(make().encode(batch)));
    expect(decoded.map((d) => d.labels)).toEqual(inputs);
    expect(decoded.map((d) => d.values[0])).toEqual(inputs.map((_, i) => i));
  });

  it('round-trips arbitrary batches (long literals, long and far copies, repeats)', () => {
    const label = fc.string({ unit: 'grapheme', maxLength: 90 });
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.tuple(fc.constantFrom('__name__', 'a', 'job', 'x'.repeat(70)), label), { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 8 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: -2e12, max: 4e12 }), fc.double()), { minLength: 1, maxLength: 60 }),
        fc.nat({ max: 3000 }),
        (labelSets, picks, pad) => {
          const entries = labelSets.map((ls) => new SeriesEntry(ls.flat()));
          // A padding series makes later copies reach back more than 64 KiB.
          const big = new SeriesEntry(['__name__', 'pad', 'v', 'y'.repeat(pad * 30)]);
          const items = picks.map(([k, t, v]) => ({ s: entries[k % entries.length]!, t, v }));
          items.splice(1, 0, { s: big, t: 1, v: 1 });
          const batch = batchOf(items);
          const enc = make();
          enc.encode(batch); // a first request must not leak state into the second
          const raw = uncompress(enc.encode(batch), 1 << 26);
          return Buffer.from(raw).equals(Buffer.from(reference(batch)));
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('WriteRequestEncoder', () => {

  it('compresses repeated label pairs to under a fifth, within 1.6x of pure-JS snappy (the fallback it stands in for)', () => {
    const series: SeriesEntry[] = [];
    for (let t = 0; t < 20; t++) {
      for (let i = 0; i < 100; i++) {
        series.push(new SeriesEntry(['__name__', `bench_metric_${i % 10}_total`, 'instance', `127.0.0.1:${30000 + t}`, 'job', 'bench',
          'path', `/api/v1/item/${i}`, 'series', String(i), 'target', String(t)]));
      }
    }
    const batch = batchOf(series.map((s, i) => ({ s, t: 1700000000000, v: i * 3.5 })));
    const body = new WriteRequestEncoder().encode(batch);
    const raw = reference(batch);
    expect(Buffer.from(uncompress(body)).equals(Buffer.from(raw))).toBe(true);
    const general = compress(raw).length;
    expect(body.length).toBeLessThan(raw.length * 0.2);
    expect(body.length).toBeLessThan(general * 1.6);
  });

  it('restarts its pair dictionary when it grows past the bound, between requests', () => {
    const enc = new WriteRequestEncoder(8);
    for (let r = 0; r < 5; r++) {
      const entries = Array.from({ length: 6 }, (_, i) => new SeriesEntry(['__name__', `m${r}_${i}`, 'job', 'j', 'i', String(i % 2)]));
      const batch = batchOf(entries.map((s, i) => ({ s, t: 1000 * r, v: i })));
      expect(Buffer.from(uncompress(enc.encode(batch))).equals(Buffer.from(reference(batch)))).toBe(true);
    }
  });
});

describe('RawWriteRequestEncoder', () => {
  it('sends fewer bytes than the structured writer on bench-shaped series when snappy is native', () => {
    const mk = () => {
      const out: SeriesEntry[] = [];
      for (let t = 0; t < 20; t++) for (let i = 0; i < 100; i++) out.push(new SeriesEntry(['__name__', `bench_metric_${i % 10}_total`, 'instance', `127.0.0.1:${30000 + t}`, 'job', 'bench', 'path', `/api/v1/item/${i}`, 'target', String(t)]));
      return out;
    };
    const a = batchOf(mk().map((s, i) => ({ s, t: 1700000000000, v: i * 3.5 })));
    const b = batchOf(mk().map((s, i) => ({ s, t: 1700000000000, v: i * 3.5 })));
    const structured = new WriteRequestEncoder().encode(a).length;
    const raw = new RawWriteRequestEncoder(snappyCompress).encode(b).length;
    expect(raw).toBeLessThan(structured);
  });
});

describe('int64 varints', () => {
  it('match protobuf for positive, zero and negative timestamps', () => {
    for (const t of [0, 1, 127, 128, 1700000000000, 2 ** 53 - 1, -1, -5000, -(2 ** 40)]) {
      const out = new Uint8Array(10);
      const n = writeVarint64(out, 0, t);
      expect(n).toBe(varint64Length(t));
      const ref = encodeWriteRequest([{ labels: [], timestamps: [t], values: new Float64Array([0]) }]);
      // The reference ends with the sample's timestamp varint.
      expect(Buffer.from(out.subarray(0, n)).equals(Buffer.from(ref.subarray(ref.length - n)))).toBe(true);
    }
  });
});
