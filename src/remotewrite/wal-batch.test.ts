import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import type { SampleBatch } from '../pipeline/metrics.js';
import { crc32c } from './crc32c.js';
import { segmentPath } from './segment-file.js';
import { Wal, type WalOptions } from './wal.js';
import { WalReader, type ReadItem } from './wal-reader.js';

const logger = pino({ level: 'silent' });
const STALE = 0x7ff0000000000002n;

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-walb-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function opts(o: Partial<WalOptions> = {}): WalOptions {
  return { dir, logger, segmentSize: 1 << 20, maxSize: 64 << 20, minKeepaliveMs: 0, maxKeepaliveMs: 3600_000, ...o };
}

/** A producer-side ref table, counting label lookups. */
class Producer {
  scope = {};
  table = new Map<number, string[]>();
  lookups = 0;
  batch(refs: number[], t: number, values: number[] | Float64Array, released: number[] = []): SampleBatch {
    return {
      scope: this.scope,
      labels: (r) => {
        this.lookups++;
        return this.table.get(r);
      },
      length: refs.length,
      refs: Int32Array.from(refs),
      ts: new Float64Array(refs.length).fill(t),
      values: values instanceof Float64Array ? values : Float64Array.from(values),
      released,
    };
  }
}

async function readAll(wal: Wal, from: { segment: number; offset: number }): Promise<ReadItem[]> {
  const reader = new WalReader(wal, from, logger);
  const out: ReadItem[] = [];
  const ac = new AbortController();
  for (let i = 0; i < 10_000; i++) {
    const pos = reader.position();
    const later = wal.segments().filter((x) => x.index > pos.segment && wal.readableEnd(x.index) > 0);
    if (pos.offset >= wal.readableEnd(pos.segment) && later.length === 0) break;
    const item = await reader.next(ac.signal);
    if (!item) break;
    out.push(item);
  }
  await reader.close();
  return out;
}

function flatten(items: ReadItem[]): { labels: string[]; t: number; bits: bigint }[] {
  const out: { labels: string[]; t: number; bits: bigint }[] = [];
  let seg = -1;
  let series = new Map<number, string[]>();
  for (const it of items) {
    if (it.seg !== seg) {
      series = new Map();
      seg = it.seg;
    }
    for (const d of it.rec.series) series.set(d.ref, d.labels);
    const bits = new BigUint64Array(it.rec.vs.buffer, it.rec.vs.byteOffset, it.rec.vs.length);
    for (let i = 0; i < it.rec.refs.length; i++) out.push({ labels: series.get(it.rec.refs[i]!)!, t: it.rec.ts[i]!, bits: bits[i]! });
  }
  return out;
}

describe('Wal.appendBatch', () => {
  it('looks labels up once per new ref, keeps stale NaN bits, skips unknown refs', async () => {
    const wal = await Wal.open(opts());
    const p = new Producer();
    p.table.set(1, ['__name__', 'a']);
    p.table.set(2, ['__name__', 'b']);
    await wal.appendBatch(p.batch([1, 2], 1000, [1, 2]));
    const values = new Float64Array(3);
    new BigUint64Array(values.buffer)[1] = STALE;
    values[0] = 3;
    values[2] = 9;
    await wal.appendBatch(p.batch([1, 2, 7], 2000, values)); // 7: unknown to the producer
    expect(p.lookups).toBe(3); // 1, 2, then 7 (once, unresolved)
    const got = flatten(await readAll(wal, { segment: wal.headIndex(), offset: 0 }));
    expect(got.map((s) => [s.labels[1], s.t])).toEqual([['a', 1000], ['b', 1000], ['a', 2000], ['b', 2000]]);
    expect(got[3]!.bits).toBe(STALE);
    await wal.close();
  });

  it('forgets released refs, so a reused ref can name new labels', async () => {
    const wal = await Wal.open(opts());
    const p = new Producer();
    p.table.set(1, ['__name__', 'old']);
    await wal.appendBatch(p.batch([1], 1000, [1], [1]));
    p.table.set(1, ['__name__', 'new']);
    await wal.appendBatch(p.batch([1], 2000, [2]));
    // A different scope with the same ref number is a different series.
    const q = new Producer();
    q.table.set(1, ['__name__', 'other']);
    await wal.appendBatch(q.batch([1], 3000, [3]));
    const got = flatten(await readAll(wal, { segment: wal.headIndex(), offset: 0 }));
    expect(got.map((s) => s.labels[1])).toEqual(['old', 'new', 'other']);
    await wal.close();
  });

  it('defines every series again in each new segment', async () => {
    const wal = await Wal.open(opts({ segmentSize: 4096 }));
    wal.addReader({ committedSegment: () => 0, onSegmentDropped: () => undefined });
    const p = new Producer();
    for (let r = 1; r <= 20; r++) p.table.set(r, ['__name__', 'm', 'i', String(r)]);
    const refs = Array.from({ length: 20 }, (_, i) => i + 1);
    for (let k = 0; k < 60; k++) await wal.appendBatch(p.batch(refs, 1000 * k, refs));
    expect(wal.segments().length).toBeGreaterThan(3);
    expect(p.lookups).toBe(20);
    // Reading any segment on its own resolves every ref.
    for (const s of wal.segments()) {
      if (wal.readableEnd(s.index) <= 0) continue;
      const items = await readAll(wal, { segment: s.index, offset: 0 });
      const own = items.filter((it) => it.seg === s.index);
      const defined = new Set(own.flatMap((it) => it.rec.series.map((d) => d.ref)));
      for (const it of own) for (const r of it.rec.refs) expect(defined.has(r)).toBe(true);
    }
    await wal.close();
  });
});

describe('WAL format compatibility', () => {
  it('still reads segments written with type 1 records', async () => {
    // One type-1 record: series 1 = {__name__="old"}, samples (1, t=5, v=1.5), (1, t=6, stale).
    const labels = ['__name__', 'old'];
    const parts: Buffer[] = [Buffer.from([1]), u32(1), u32(2), u32(1), u32(labels.length)];
    for (const l of labels) parts.push(u32(Buffer.byteLength(l)), Buffer.from(l));
    for (const [t, bits] of [[5, 0x3ff8000000000000n], [6, STALE]] as const) {
      const s = Buffer.alloc(20);
      s.writeUInt32LE(1, 0);
      s.writeDoubleLE(t, 4);
      s.writeBigUInt64LE(bits, 12);
      parts.push(s);
    }
    const payload = Buffer.concat(parts);
    const frame = Buffer.concat([u32(payload.length), u32(crc32c(payload)), payload]);
    fs.writeFileSync(segmentPath(dir, 3), frame);
    const wal = await Wal.open(opts());
    expect(wal.segments()[0]).toMatchObject({ index: 3, samples: 2 });
    const got = flatten(await readAll(wal, { segment: 3, offset: 0 }));
    expect(got.map((s) => [s.labels, s.t])).toEqual([[labels, 5], [labels, 6]]);
    expect(got.map((s) => s.bits)).toEqual([0x3ff8000000000000n, STALE]);
    await wal.close();
  });
});

function u32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v);
  return b;
}
