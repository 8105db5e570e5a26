// The reading side of loki.write's WAL for one endpoint: reads records in
// order from the endpoint's checkpoint (remote_write's Checkpoint, two CRC'd
// slots), hands their entries to the endpoint and moves the checkpoint past
// a record once the endpoint settled it (pushed, or dropped for good) and
// every earlier one. It learns of new data from the writer's notification
// and, as a backup, polls with a delay doubling from min_read_frequency to
// max_read_frequency while nothing new appears. stop(drainMs) first delivers
// what the WAL still holds, for at most drain_timeout; the rest stays on disk
// for the next start.
import { promises as fsp } from 'node:fs';
import type { Logger } from 'pino';
import type { LogEntry } from '../../../pipeline/logs.js';
import { Checkpoint } from '../../../remotewrite/checkpoint.js';
import type { WalPosition } from '../../../remotewrite/wal-reader.js';
import { segmentPath } from '../../../remotewrite/segment-file.js';
import type { LogWal } from './log-wal.js';
import { decodeEntries, scanFrame } from './record.js';

export interface WatcherOptions {
  logger: Logger;
  minReadMs: number;
  maxReadMs: number;
  /** Records handed to the endpoint and not yet settled, at most. */
  window?: number;
}

interface InFlight {
  pos: WalPosition;
  done: boolean;
}

export class WalWatcher {
  readonly #checkpoint: Checkpoint;
  #pos: WalPosition = { segment: 0, offset: 0 };
  readonly #inflight: InFlight[] = [];
  #settleWaiters: (() => void)[] = [];
  #wake: (() => void) | undefined;
  #notified = false;
  readonly #stop = new AbortController();
  #draining = false;
  #loop: Promise<void> | undefined;
  #unsubscribe: (() => void)[] = [];
  /** Records read and handed over so far (debug info, tests). */
  records = 0;

  constructor(
    private readonly wal: LogWal,
    private readonly sink: { append(entries: LogEntry[]): Promise<void> },
    checkpointFile: string,
    private readonly o: WatcherOptions,
  ) {
    this.#checkpoint = new Checkpoint(checkpointFile);
  }

  start(): void {
    const saved = this.#checkpoint.load();
    const first = this.wal.firstFrom(saved?.segment ?? 0) ?? this.wal.headIndex;
    this.#pos = saved && first === saved.segment ? saved : { segment: first, offset: 0 };
    this.#unsubscribe.push(
      this.wal.onWrite(() => {
        this.#notified = true;
        this.#wake?.();
      }),
      this.wal.addReader(() => this.#inflight[0]?.pos.segment ?? this.#pos.segment),
    );
    this.#loop = this.#run();
  }

  position(): WalPosition {
    return { ...this.#pos };
  }

  async #run(): Promise<void> {
    const signal = this.#stop.signal;
    let delay = this.o.minReadMs;
    while (!signal.aborted) {
      this.#notified = false;
      // Sealed is looked at before reading: every write to a sealed segment is then visible to the read.
      const sealed = this.#pos.segment !== this.wal.headIndex;
      const got = await this.#readAvailable();
      if (signal.aborted) break;
      if (got > 0) {
        delay = this.o.minReadMs;
        continue;
      }
      const next = this.wal.firstFrom(this.#pos.segment + 1);
      if (next !== undefined && sealed) {
        // The segment is sealed and read to its end: on to the next one.
        this.#pos = { segment: next, offset: 0 };
        void this.wal.cleanup();
        continue;
      }
      if (this.#draining) {
        await this.#allSettled();
        break;
      }
      if (this.#notified) continue;
      await new Promise<void>((r) => {
        const t = setTimeout(r, delay);
        this.#wake = () => {
          clearTimeout(t);
          r();
        };
      });
      this.#wake = undefined;
      // No notification: the backup poll backs off up to max_read_frequency.
      if (!this.#notified) delay = Math.min(this.o.maxReadMs, delay * 2);
    }
  }

  /** Read the complete records after the position; returns how many were handed over. */
  async #readAvailable(): Promise<number> {
    const file = segmentPath(this.wal.dir, this.#pos.segment);
    let data: Buffer;
    try {
      const fh = await fsp.open(file, 'r');
      try {
        const size = (await fh.stat()).size;
        if (size <= this.#pos.offset) return 0;
        data = Buffer.allocUnsafe(size - this.#pos.offset);
        const { bytesRead } = await fh.read(data, 0, data.length, this.#pos.offset);
        data = data.subarray(0, bytesRead);
      } finally {
        await fh.close();
      }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      // Deleted (max_segment_age) before we read it all: move on.
      const next = this.wal.firstFrom(this.#pos.segment + 1);
      if (next === undefined) return 0;
      this.o.logger.warn({ segment: this.#pos.segment }, 'loki.write WAL: segment deleted before it was read');
      this.#pos = { segment: next, offset: 0 };
      return 1;
    }
    const base = this.#pos.offset;
    let off = 0;
    let n = 0;
    while (!this.#stop.signal.aborted) {
      const f = scanFrame(data, off, data.length);
      if (f.kind === 'incomplete') break;
      if (f.kind === 'corrupt') {
        this.o.logger.error({ segment: this.#pos.segment, offset: this.#pos.offset + off, reason: f.reason }, 'loki.write WAL: corrupt record, skipping the rest of the segment');
        const next = this.wal.firstFrom(this.#pos.segment + 1);
        if (next !== undefined) this.#pos = { segment: next, offset: 0 };
        return n + 1;
      }
      const entries = decodeEntries(data, f.payloadStart, f.end);
      off = f.end;
      this.#pos = { segment: this.#pos.segment, offset: base + off };
      n++;
      await this.#handOver(entries, { segment: this.#pos.segment, offset: this.#pos.offset });
    }
    return n;
  }

  async #handOver(entries: LogEntry[], after: WalPosition): Promise<void> {
    const rec: InFlight = { pos: after, done: false };
    this.#inflight.push(rec);
    this.records++;
    this.sink.append(entries).then(
      () => {
        rec.done = true;
        this.#advance();
      },
      () => {
        // Stopped endpoint: the entries stay in the WAL for the next start.
      },
    );
    while (this.#inflight.length >= (this.o.window ?? 64) && !this.#stop.signal.aborted) await this.#nextSettle();
  }

  #advance(): void {
    let last: WalPosition | undefined;
    while (this.#inflight[0]?.done) last = this.#inflight.shift()!.pos;
    if (last) void this.#checkpoint.save(last);
    for (const w of this.#settleWaiters.splice(0)) w();
  }

  /** Resolves at the next settled record, or when stopped. */
  #nextSettle(): Promise<void> {
    return new Promise<void>((r) => {
      const signal = this.#stop.signal;
      const done = () => {
        signal.removeEventListener('abort', done);
        r();
      };
      signal.addEventListener('abort', done, { once: true });
      this.#settleWaiters.push(done);
    });
  }

  async #allSettled(): Promise<void> {
    while (this.#inflight.length > 0 && !this.#stop.signal.aborted) await this.#nextSettle();
  }

  /** Stop reading; with drainMs > 0, first deliver what the WAL holds (at most drainMs). */
  async stop(drainMs = 0): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    if (drainMs > 0) {
      this.#draining = true;
      timer = setTimeout(() => this.#stop.abort(), drainMs);
      this.#wake?.();
    } else {
      this.#stop.abort();
      this.#wake?.();
    }
    await this.#loop;
    clearTimeout(timer);
    this.#stop.abort();
    for (const u of this.#unsubscribe.splice(0)) u();
    await this.#checkpoint.close();
  }
}
