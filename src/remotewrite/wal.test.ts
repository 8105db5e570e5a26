import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import type { Sample } from '../pipeline/metrics.js';
import { crc32c } from './crc32c.js';
import { listSegments, repairSegment, segmentPath } from './segment-file.js';
import { Wal, type SegmentInfo, type WalOptions } from './wal.js';
import { WalReader, type ReadItem } from './wal-reader.js';
import { encodeFrame, Scratch } from './wal-record.js';

const logger = pino({ level: 'silent' });
const STALE = 0x7ff0000000000002n;

function staleNaN(): number {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(STALE);
  return b.readDoubleLE(0);
}
function bitsOf(v: number): bigint {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(v);
  return b.readBigUInt64LE(0);
}

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-wal-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function opts(o: Partial<WalOptions> = {}): WalOptions {
  return { dir, logger, segmentSize: 1 << 20, maxSize: 64 << 20, minKeepaliveMs: 0, maxKeepaliveMs: 3600_000, ...o };
}

function batch(from: number, n: number, series = 3): Sample[] {
  const out: Sample[] = [];
  for (let i = from; i < from + n; i++) out.push({ labels: ['__name__', 'm', 'i', String(i % series)], t: 1000 + i, v: i });
  return out;
}

/** Reads every record available now (stops when the reader would wait). */
async function readAll(wal: Wal, reader: WalReader, max = 10_000): Promise<ReadItem[]> {
  const out: ReadItem[] = [];
  const ac = new AbortController();
  for (let i = 0; i < max; i++) {
    const pos = reader.position();
    // Nothing left when the current segment is read up to its end and no later segment has data.
    const later = wal.segments().filter((x) => x.index > pos.segment && wal.readableEnd(x.index) > 0);
    if (pos.offset >= wal.readableEnd(pos.segment) && later.length === 0) break;
    const item = await reader.next(ac.signal);
    if (!item) break;
    out.push(item);
  }
  return out;
}

/** Flattens read items into samples, resolving segment-scoped refs. */
function samplesOf(items: ReadItem[]): { labels: string[]; t: number; v: number }[] {
  const out: { labels: string[]; t: number; v: number }[] = [];
  let seg = -1;
  let series = new Map<number, string[]>();
  for (const it of items) {
    if (it.seg !== seg) {
      series = new Map();
      seg = it.seg;
    }
    for (const d of it.rec.series) series.set(d.ref, d.labels);
    if (it.replayOnly) continue;
    for (let i = 0; i < it.rec.refs.length; i++) out.push({ labels: series.get(it.rec.refs[i]!)!, t: it.rec.ts[i]!, v: it.rec.vs[i]! });
  }
  return out;
}

describe('WAL records', () => {
  it('frames with length and CRC-32C (Castagnoli)', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283); // the standard check value
    const frame = encodeFrame({ series: [{ ref: 1, labels: ['a', 'b'] }], refs: new Uint32Array([1]), ts: new Float64Array([5]), vs: new Float64Array([1]) }, new Scratch());
    expect(frame.readUInt32LE(0)).toBe(frame.length - 8);
    expect(frame.readUInt32LE(4)).toBe(crc32c(frame, 8));
  });
});

describe('Wal', () => {
  it('appends, resolves after sync, and reads back in order with stale NaN intact', async () => {
    const wal = await Wal.open(opts());
    const samples = batch(0, 5);
    samples.push({ labels: ['__name__', 'gone'], t: 2000, v: staleNaN() });
    await Promise.all([wal.append(samples.slice(0, 3)), wal.append(samples.slice(3))]);
    const reader = new WalReader(wal, { segment: wal.headIndex(), offset: 0 }, logger);
    const got = samplesOf(await readAll(wal, reader));
    expect(got.map((s) => s.t)).toEqual(samples.map((s) => s.t));
    expect(got.map((s) => s.labels)).toEqual(samples.map((s) => s.labels));
    expect(bitsOf(got[5]!.v)).toBe(STALE);
    await reader.close();
    await wal.close();
  });

  it('rejects a malformed batch with a clear error and keeps accepting good ones', async () => {
    const wal = await Wal.open(opts());
    await expect(wal.append([{ labels: ['odd'], t: 1, v: 1 }])).rejects.toThrow(/sample 0: labels must be a flat array/);
    await expect(wal.append([{ labels: ['a', 'b'], t: Number.NaN, v: 1 }])).rejects.toThrow(/timestamp NaN/);
    await wal.append(batch(0, 2));
    const reader = new WalReader(wal, { segment: wal.headIndex(), offset: 0 }, logger);
    expect(samplesOf(await readAll(wal, reader))).toHaveLength(2);
    await reader.close();
    await wal.close();
  });

  it('cuts segments, each readable on its own, and restarts with a fresh head', async () => {
    const wal = await Wal.open(opts({ segmentSize: 4096 }));
    wal.addReader({ committedSegment: () => 0, onSegmentDropped: () => undefined }); // pins every segment
    for (let i = 0; i < 40; i++) await wal.append(batch(i * 10, 10));
    expect(wal.segments().length).toBeGreaterThan(2);
    const first = wal.segments()[0]!.index;
    await wal.close();
    const again = await Wal.open(opts({ segmentSize: 4096 }));
    expect(again.headIndex()).toBe((await listSegments(dir)).at(-1)! + 1);
    // Resume in the middle of the second segment: series come from its start.
    const second = again.segments()[1]!;
    const readers: WalReader[] = [];
    const reader = (segment: number, offset: number) => {
      readers.push(new WalReader(again, { segment, offset }, logger));
      return readers.at(-1)!;
    };
    const all = samplesOf(await readAll(again, reader(first, 0)));
    expect(all.map((s) => s.t)).toEqual(batch(0, 400).map((s) => s.t));
    const items = await readAll(again, reader(second.index, 0));
    const resumeAt = items[2]!.end;
    const resumed = samplesOf(await readAll(again, reader(second.index, resumeAt)));
    const skipped = items.slice(0, 3).reduce((n, it) => n + it.rec.refs.length, 0);
    const expected = samplesOf(items).slice(skipped);
    expect(resumed.slice(0, expected.length)).toEqual(expected);
    expect(resumed.every((s) => s.labels.length === 4)).toBe(true);
    for (const r of readers) await r.close();
    await again.close();
  });

  it('truncates a torn tail record on open instead of failing', async () => {
    let wal = await Wal.open(opts());
    await wal.append(batch(0, 10));
    await wal.append(batch(10, 10));
    const seg = wal.headIndex();
    await wal.close();
    const file = segmentPath(dir, seg);
    const size = fs.statSync(file).size;
    fs.truncateSync(file, size - 7); // a crash in the middle of the second record
    wal = await Wal.open(opts());
    expect(fs.statSync(file).size).toBeLessThan(size - 7);
    const reader = new WalReader(wal, { segment: seg, offset: 0 }, logger);
    const got = samplesOf(await readAll(wal, reader));
    expect(got.map((s) => s.t)).toEqual(batch(0, 10).map((s) => s.t));
    await reader.close();
    await wal.append(batch(20, 1)); // new head, appends work
    await wal.close();
  });

  it('detects a flipped byte by CRC and cuts the segment there', async () => {
    const wal = await Wal.open(opts());
    await wal.append(batch(0, 10));
    await wal.append(batch(10, 10));
    const seg = wal.headIndex();
    await wal.close();
    const file = segmentPath(dir, seg);
    const data = fs.readFileSync(file);
    const firstLen = data.readUInt32LE(0) + 8;
    expect(firstLen).toBeLessThan(data.length);
    data[firstLen + 20] ^= 0xff;
    fs.writeFileSync(file, data);
    const r = await repairSegment(file);
    expect(r.truncated?.reason).toMatch(/CRC mismatch/);
    expect(r.validEnd).toBe(firstLen);
    expect(r.samples).toBe(10);
  });

  it('deletes segments every reader passed, and drops the oldest unsent ones at the size bound', async () => {
    const wal = await Wal.open(opts({ segmentSize: 4096, maxSize: 16 * 1024 }));
    let committed = 0;
    const dropped: SegmentInfo[] = [];
    wal.addReader({ committedSegment: () => committed, onSegmentDropped: (s) => dropped.push(s) });
    for (let i = 0; i < 200; i++) await wal.append(batch(i * 10, 10));
    await wal.truncate('test');
    expect(wal.totalSize()).toBeLessThanOrEqual(16 * 1024);
    expect(dropped.length).toBeGreaterThan(0);
    expect(dropped.reduce((n, s) => n + s.samples, 0)).toBeGreaterThan(0);
    const files = await listSegments(dir);
    expect(files[0]).toBe(wal.segments()[0]!.index);
    // Once the reader is past everything but the head, all closed segments go (no drops).
    dropped.length = 0;
    committed = wal.headIndex();
    await wal.truncate('test');
    expect(wal.segments().map((s) => s.index)).toEqual([wal.headIndex()]);
    expect(dropped).toHaveLength(0);
    await wal.close();
  });
});
