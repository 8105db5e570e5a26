// loki.write's write-ahead log: append() frames the entries of one append
// into the head segment and resolves only after fdatasync (appends arriving
// during a sync share the next one), so an acknowledged entry survives a
// crash. Readers (watcher.ts, one per endpoint) are notified of each flush and
// tail the segments; cleanup() deletes the segments every reader is past,
// and any segment older than max_segment_age, sent or not. Segment naming and
// listing are remote_write's (remotewrite/segment-file.ts).
import { promises as fsp } from 'node:fs';
import type { Logger } from 'pino';
import type { LogEntry } from '../../../pipeline/logs.js';
import { listSegments, segmentPath } from '../../../remotewrite/segment-file.js';
import { encodeEntriesFrame, scanFrame } from './record.js';

export interface LogWalOptions {
  dir: string;
  logger: Logger;
  maxSegmentAgeMs: number;
  /** The head is cut once it holds this many bytes (default 8 MiB). */
  segmentSize?: number;
}

interface Pending {
  frame: Buffer;
  resolve(): void;
  reject(e: Error): void;
}

interface Head {
  index: number;
  fh: fsp.FileHandle;
  size: number;
  openedAt: number;
}

export class LogWal {
  readonly dir: string;
  readonly #o: LogWalOptions;
  readonly #segments: number[];
  #head: Head;
  #pending: Pending[] = [];
  #flushing: Promise<void> | undefined;
  #closed = false;
  readonly #listeners = new Set<() => void>();
  /** Per reader: the oldest segment it still needs. */
  readonly #needs = new Set<() => number>();
  readonly #cleanupTimer: NodeJS.Timeout;

  private constructor(o: LogWalOptions, segments: number[], head: Head) {
    this.#o = o;
    this.dir = o.dir;
    this.#segments = segments;
    this.#head = head;
    const every = Math.min(60_000, Math.max(1000, o.maxSegmentAgeMs / 4));
    this.#cleanupTimer = setInterval(() => void this.cleanup(), every);
    this.#cleanupTimer.unref();
  }

  /** Open (or create) the WAL in `dir`: torn tails from a crash are cut off, a fresh head segment is started. */
  static async open(o: LogWalOptions): Promise<LogWal> {
    await fsp.mkdir(o.dir, { recursive: true });
    const segments = await listSegments(o.dir);
    const last = segments[segments.length - 1];
    if (last !== undefined) await repairTail(segmentPath(o.dir, last), o.logger);
    const index = (last ?? -1) + 1;
    const head = await openHead(o.dir, index);
    segments.push(index);
    return new LogWal(o, segments, head);
  }

  get headIndex(): number {
    return this.#head.index;
  }

  /** Segments on disk, oldest first (the head last). */
  segments(): readonly number[] {
    return this.#segments;
  }

  /** Persist the entries; resolves once they are on disk. */
  append(entries: LogEntry[]): Promise<void> {
    if (entries.length === 0) return Promise.resolve();
    if (this.#closed) return Promise.reject(new Error('loki.write WAL is closed'));
    return new Promise<void>((resolve, reject) => {
      this.#pending.push({ frame: encodeEntriesFrame(entries), resolve, reject });
      this.#flushing ??= this.#flush();
    });
  }

  async #flush(): Promise<void> {
    try {
      while (this.#pending.length > 0) {
        const batch = this.#pending.splice(0);
        const buf = Buffer.concat(batch.map((p) => p.frame));
        try {
          await this.#head.fh.write(buf, 0, buf.length, this.#head.size);
          await this.#head.fh.datasync();
          this.#head.size += buf.length;
        } catch (e) {
          const err = new Error(`loki.write WAL: writing segment ${this.#head.index} failed: ${(e as Error).message}`);
          for (const p of batch) p.reject(err);
          continue;
        }
        for (const p of batch) p.resolve();
        for (const l of this.#listeners) l();
        if (this.#head.size >= (this.#o.segmentSize ?? 8 << 20) || Date.now() - this.#head.openedAt >= this.#o.maxSegmentAgeMs) await this.#cut();
      }
    } finally {
      this.#flushing = undefined;
    }
  }

  /** Seal the head and start the next segment. */
  async #cut(): Promise<void> {
    const old = this.#head;
    this.#head = await openHead(this.dir, old.index + 1);
    this.#segments.push(this.#head.index);
    await old.fh.close();
    for (const l of this.#listeners) l();
  }

  /** Call `fn` after each flush (and segment cut). */
  onWrite(fn: () => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  /** A reader: `oldestNeeded` returns the oldest segment it has not fully delivered. */
  addReader(oldestNeeded: () => number): () => void {
    this.#needs.add(oldestNeeded);
    return () => this.#needs.delete(oldestNeeded);
  }

  /** The first segment on disk at or after `index`. */
  firstFrom(index: number): number | undefined {
    return this.#segments.find((s) => s >= index);
  }

  /** Delete sealed segments that every reader is past, and those older than max_segment_age. */
  async cleanup(): Promise<void> {
    let needed = this.#head.index;
    for (const f of this.#needs) needed = Math.min(needed, f());
    const now = Date.now();
    for (const seg of [...this.#segments]) {
      if (seg === this.#head.index) break;
      const file = segmentPath(this.dir, seg);
      let old = false;
      if (seg >= needed) {
        const st = await fsp.stat(file).catch(() => undefined);
        old = !!st && now - st.mtimeMs >= this.#o.maxSegmentAgeMs;
        if (!old) continue;
        this.#o.logger.warn({ segment: seg }, 'loki.write WAL: deleting a segment older than max_segment_age before every endpoint delivered it');
      }
      await fsp.rm(file, { force: true });
      const i = this.#segments.indexOf(seg);
      if (i >= 0) this.#segments.splice(i, 1);
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#cleanupTimer);
    while (this.#flushing) await this.#flushing;
    await this.#head.fh.close().catch(() => undefined);
    this.#listeners.clear();
  }
}

async function openHead(dir: string, index: number): Promise<Head> {
  const fh = await fsp.open(segmentPath(dir, index), 'a+');
  const size = (await fh.stat()).size;
  return { index, fh, size, openedAt: Date.now() };
}

/** Cut a segment at its first torn or corrupt record: nothing after it can be read. */
async function repairTail(file: string, logger: Logger): Promise<void> {
  const data = await fsp.readFile(file);
  let off = 0;
  for (;;) {
    const f = scanFrame(data, off, data.length);
    if (f.kind !== 'ok') break;
    off = f.end;
  }
  if (off < data.length) {
    logger.warn({ file, at: off, dropped_bytes: data.length - off }, 'loki.write WAL: cutting a torn or corrupt tail');
    await fsp.truncate(file, off);
  }
}
