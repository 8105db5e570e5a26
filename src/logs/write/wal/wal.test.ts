// loki.write's WAL pieces: records survive the round trip, the watcher is
// woken by the writer and, without a notification, finds new data by
// polling; segments go once read or once older than max_segment_age; a torn
// tail is cut at open.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import type { LogEntry } from '../../../pipeline/logs.js';
import { segmentPath } from '../../../remotewrite/segment-file.js';
import { waitFor, sleep } from '../../../../e2e/lib/wait.js';
import { LogWal } from './log-wal.js';
import { decodeEntries, encodeEntriesFrame } from './record.js';
import { WalWatcher } from './watcher.js';

const logger = pino({ level: 'silent' });
const T0 = 1_700_000_000_000_000_000n;

function entries(n: number, from = 0, labels: Record<string, string> = { job: 'w' }): LogEntry[] {
  return Array.from({ length: n }, (_, i) => ({ labels, ts: T0 + BigInt(from + i), line: `line ${from + i} ünïcødé` }));
}

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'loki-wal-'));
}

class Sink {
  got: LogEntry[] = [];
  append(e: LogEntry[]): Promise<void> {
    this.got.push(...e);
    return Promise.resolve();
  }
}

describe('loki.write WAL', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('encodes and decodes entries exactly (labels, nanosecond timestamps, UTF-8 lines)', () => {
    const es = [...entries(3), { labels: {}, ts: 0n, line: '' }];
    const frame = encodeEntriesFrame(es);
    expect(decodeEntries(frame, 8, frame.length)).toEqual(es);
  });

  it('the watcher is woken by the writer: delivery does not wait for the poll', async () => {
    const wal = await LogWal.open({ dir: tmp(), logger, maxSegmentAgeMs: 3_600_000 });
    const sink = new Sink();
    const dir = tmp();
    // A poll this slow would take a minute: only the notification can deliver in time.
    const w = new WalWatcher(wal, sink, path.join(dir, 'pos.json'), { logger, minReadMs: 60_000, maxReadMs: 120_000 });
    w.start();
    cleanups.push(() => w.stop(), () => wal.close());
    await sleep(50);
    await wal.append(entries(5));
    await waitFor('5 entries delivered', () => sink.got.length === 5, { timeoutMs: 10_000 });
    expect(sink.got.map((e) => e.line)).toEqual(entries(5).map((e) => e.line));
  });

  it('without a notification, the backup poll (min/max_read_frequency) finds new records', async () => {
    const walDir = tmp();
    const wal = await LogWal.open({ dir: walDir, logger, maxSegmentAgeMs: 3_600_000 });
    const sink = new Sink();
    const w = new WalWatcher(wal, sink, path.join(tmp(), 'pos.json'), { logger, minReadMs: 20, maxReadMs: 200 });
    w.start();
    cleanups.push(() => w.stop(), () => wal.close());
    await sleep(300); // the poll has backed off to max_read_frequency
    // Behind the writer's back: no notification.
    fs.appendFileSync(segmentPath(walDir, wal.headIndex), encodeEntriesFrame(entries(2)));
    await waitFor('polled records', () => sink.got.length === 2, { timeoutMs: 10_000 });
  });

  it('resumes after its checkpoint: a second watcher on the same position file gets only what is new', async () => {
    const walDir = tmp();
    const pos = path.join(tmp(), 'pos.json');
    const wal = await LogWal.open({ dir: walDir, logger, maxSegmentAgeMs: 3_600_000 });
    cleanups.push(() => wal.close());
    const a = new Sink();
    const w1 = new WalWatcher(wal, a, pos, { logger, minReadMs: 10, maxReadMs: 50 });
    w1.start();
    await wal.append(entries(4));
    await waitFor('first 4', () => a.got.length === 4, { timeoutMs: 10_000 });
    await w1.stop();
    await wal.append(entries(3, 4));
    const b = new Sink();
    const w2 = new WalWatcher(wal, b, pos, { logger, minReadMs: 10, maxReadMs: 50 });
    w2.start();
    cleanups.push(() => w2.stop());
    await waitFor('next 3', () => b.got.length === 3, { timeoutMs: 10_000 });
    expect(b.got.map((e) => e.ts)).toEqual(entries(3, 4).map((e) => e.ts));
  });

  it('cuts a torn tail at open; the records before it are read', async () => {
    const walDir = tmp();
    const wal = await LogWal.open({ dir: walDir, logger, maxSegmentAgeMs: 3_600_000 });
    await wal.append(entries(2));
    const seg = segmentPath(walDir, wal.headIndex);
    await wal.close();
    const whole = encodeEntriesFrame(entries(1, 100));
    fs.appendFileSync(seg, whole.subarray(0, whole.length - 3)); // a crash mid-write
    const before = fs.statSync(seg).size;
    const wal2 = await LogWal.open({ dir: walDir, logger, maxSegmentAgeMs: 3_600_000 });
    expect(fs.statSync(seg).size).toBe(before - (whole.length - 3));
    const sink = new Sink();
    const w = new WalWatcher(wal2, sink, path.join(tmp(), 'pos.json'), { logger, minReadMs: 10, maxReadMs: 50 });
    w.start();
    cleanups.push(() => w.stop(), () => wal2.close());
    await wal2.append(entries(1, 2));
    await waitFor('3 entries across both segments', () => sink.got.length === 3, { timeoutMs: 10_000 });
    expect(sink.got.map((e) => e.ts)).toEqual([T0, T0 + 1n, T0 + 2n]);
  });

  it('deletes a sealed segment once read, and one older than max_segment_age even if a reader still needs it', async () => {
    const walDir = tmp();
    const wal = await LogWal.open({ dir: walDir, logger, maxSegmentAgeMs: 1000 });
    cleanups.push(() => wal.close());
    let needed = 0;
    wal.addReader(() => needed);
    await wal.append(entries(1));
    await sleep(1100);
    await wal.append(entries(1, 1)); // the head is past max_segment_age: cut after this write
    await waitFor('segment 0 sealed', () => wal.headIndex === 1, { timeoutMs: 5000, intervalMs: 5 });
    await wal.cleanup();
    // Needed and young (just written): kept.
    expect(fs.existsSync(segmentPath(walDir, 0))).toBe(true);
    await sleep(1100);
    await wal.cleanup();
    expect(fs.existsSync(segmentPath(walDir, 0))).toBe(false);
    // A segment every reader is past goes at once (segment 1 is past max_segment_age by now: this write seals it).
    await wal.append(entries(1, 2));
    await waitFor('segment 1 sealed', () => wal.headIndex === 2, { timeoutMs: 5000, intervalMs: 5 });
    needed = 2;
    await wal.cleanup();
    expect(fs.existsSync(segmentPath(walDir, 1))).toBe(false);
    expect(wal.segments()).toEqual([2]);
  });
});
