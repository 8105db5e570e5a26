// Positions of one loki.source.kubernetes component: a local file under the
// component's data path (survives restarts on the same node) and, when
// available, a shared backend (follows streams across replicas).
//
// Writes follow each change at once (a commit after a successful push is
// persisted right away: a crash can only re-send what was pushed after the
// last write), limited to one per `localFlushMs` for the file and one per
// `sharedFlushMs` for the shared backend (leading edge: the first change
// after a quiet period is written at once, later ones within the interval
// are coalesced into one write at its end). flush() writes both now
// (stop, hand-off).
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import { fromJSON, mergePositions, toJSON, type Position } from './position.js';
import type { SharedPositionsBackend, SharedView } from './shared.js';

export interface PositionStoreOptions {
  file: string;
  shared?: SharedPositionsBackend;
  logger: Logger;
  localFlushMs?: number;
  sharedFlushMs?: number;
  /** A released stream's entry leaves this replica's shared record after this long. */
  releasedRetentionMs?: number;
  /** Minimum interval between two reads of the shared backend. */
  sharedReadMinMs?: number;
}

export class PositionStore {
  /** Positions this replica delivered (what it persists). */
  readonly #mine = new Map<string, Position>();
  /** Streams this replica is tailing now (published so a new owner waits for their release). */
  readonly #held = new Set<string>();
  /** Merged view of other replicas' records (read before a stream is opened). */
  #shared: SharedView = { positions: new Map(), holders: new Map(), ownStaleHolds: false };
  #sharedOk = false;
  readonly #releasedAt = new Map<string, number>();
  #localTimer: NodeJS.Timeout | undefined;
  #sharedTimer: NodeJS.Timeout | undefined;
  #localWrittenAt = 0;
  /** When the last shared write carrying new positions started (the interval counts from it). */
  #sharedWrittenAt = 0;
  #sharedDirty = false;
  /** Positions changed since the last shared write (holds alone do not spend the interval). */
  #sharedPositionsDirty = false;
  #sharedFailedAt = 0;
  #sharedReadAt = 0;
  #sharedRead: Promise<void> | undefined;
  #sharedWrite: Promise<void> = Promise.resolve();
  #stopped = false;
  lastSharedError = '';

  constructor(private readonly o: PositionStoreOptions) {}

  get shared(): boolean {
    return this.o.shared !== undefined;
  }

  /** Load the local file (entries count as released until a tailer claims them) and the shared view. */
  async load(): Promise<void> {
    try {
      const raw = JSON.parse(readFileSync(this.o.file, 'utf8')) as { positions?: Record<string, unknown> };
      const now = Date.now();
      for (const [k, v] of Object.entries(raw.positions ?? {})) {
        const p = fromJSON(v);
        if (!p) continue;
        this.#mine.set(k, p);
        this.#releasedAt.set(k, now);
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.o.logger.warn({ file: this.o.file, err: (err as Error).message }, 'positions file unreadable, starting without it');
    }
    await this.refreshShared(0);
    // An earlier run of this replica died holding streams: say at once that it no longer does.
    if (this.#shared.ownStaleHolds) this.#markShared();
  }

  /** Best known position of a stream: this replica's, merged with the other replicas'. */
  get(key: string): Position | undefined {
    return mergePositions(this.#mine.get(key), this.#shared.positions.get(key));
  }

  /** Other replicas that, as of the last read, say they are tailing the stream. */
  holders(key: string): string[] {
    return this.#shared.holders.get(key) ?? [];
  }

  /** The last read of the shared backend succeeded. */
  get sharedOk(): boolean {
    return this.#sharedOk;
  }

  /** This replica starts tailing the stream. */
  claim(key: string): void {
    if (this.#held.has(key)) return;
    this.#held.add(key);
    this.#releasedAt.delete(key);
    this.#markShared();
  }

  /** Record a delivered position (the stream is owned by this replica). */
  set(key: string, pos: Position): void {
    this.#mine.set(key, pos);
    this.#releasedAt.delete(key);
    this.#scheduleLocal();
    this.#sharedPositionsDirty = true;
    this.#markShared();
  }

  /** This replica stopped tailing the stream (moved away, or stopped). */
  release(key: string): void {
    if (this.#mine.has(key)) this.#releasedAt.set(key, Date.now());
    if (this.#held.delete(key)) this.#markShared();
  }

  /** The stream is gone for good (pod deleted). */
  remove(key: string): void {
    this.#held.delete(key);
    if (!this.#mine.delete(key)) return;
    this.#releasedAt.delete(key);
    this.#shared.positions.delete(key);
    this.#scheduleLocal();
    this.#sharedPositionsDirty = true;
    this.#markShared();
  }

  /**
   * Re-read the other replicas' records (single flight; skipped when the last
   * read is younger than `maxAgeMs`, default sharedReadMinMs; 0 forces a read).
   */
  refreshShared(maxAgeMs?: number): Promise<void> {
    const backend = this.o.shared;
    if (!backend) return Promise.resolve();
    if (this.#sharedRead) return this.#sharedRead;
    if (Date.now() - this.#sharedReadAt < (maxAgeMs ?? this.o.sharedReadMinMs ?? 500)) return Promise.resolve();
    this.#sharedRead = backend
      .readAll()
      .then((m) => {
        this.#shared = m;
        this.#sharedReadAt = Date.now();
        this.#sharedOk = true;
        this.lastSharedError = '';
      })
      .catch((err: Error) => {
        this.#sharedOk = false;
        this.lastSharedError = err.message;
        this.o.logger.warn({ err: err.message }, 'reading shared log positions failed; using local positions only');
      })
      .finally(() => (this.#sharedRead = undefined));
    return this.#sharedRead;
  }

  /** Write both records now (stop, hand-off). */
  async flush(): Promise<void> {
    clearTimeout(this.#localTimer);
    this.#localTimer = undefined;
    this.#writeLocal();
    this.#sharedDirty = true;
    await this.#writeShared();
  }

  /** Stop writing on a schedule; the final state is written (nothing held any more). */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#localTimer);
    clearTimeout(this.#sharedTimer);
    this.#localTimer = this.#sharedTimer = undefined;
    for (const k of this.#held) if (this.#mine.has(k)) this.#releasedAt.set(k, Date.now());
    this.#held.clear();
    await this.flush();
  }

  entries(): [string, Position][] {
    return [...this.#mine.entries()];
  }

  #markShared(): void {
    this.#sharedDirty = true;
    this.#scheduleShared();
  }

  /** Leading-edge limited: at once (next turn of the event loop) unless the last write is younger than the interval. */
  #scheduleLocal(): void {
    if (this.#localTimer || this.#stopped) return;
    const wait = Math.max(0, this.#localWrittenAt + (this.o.localFlushMs ?? 0) - Date.now());
    this.#localTimer = setTimeout(() => {
      this.#localTimer = undefined;
      this.#writeLocal();
    }, wait);
  }

  #scheduleShared(): void {
    if (!this.o.shared || this.#sharedTimer || this.#stopped) return;
    // A claim or release alone goes out at once and does not delay the next
    // position write (a replica that just took streams over persists its
    // first commits promptly).
    const interval = this.o.sharedFlushMs ?? 1000;
    const now = Date.now();
    const since = this.#sharedPositionsDirty ? this.#sharedWrittenAt : 0;
    // After a failed write, every retry waits the interval (no hot loop against a refusing API).
    const wait = Math.max(0, since + interval - now, this.#sharedFailedAt + interval - now);
    this.#sharedTimer = setTimeout(() => {
      this.#sharedTimer = undefined;
      void this.#writeShared();
    }, wait);
  }

  #prune(): void {
    const limit = Date.now() - (this.o.releasedRetentionMs ?? 10 * 60_000);
    for (const [k, at] of this.#releasedAt) {
      if (at < limit && !this.#held.has(k)) {
        this.#mine.delete(k);
        this.#releasedAt.delete(k);
      }
    }
  }

  #writeLocal(): void {
    this.#localWrittenAt = Date.now();
    this.#prune();
    const positions: Record<string, unknown> = {};
    for (const [k, p] of this.#mine) positions[k] = toJSON(p);
    try {
      mkdirSync(dirname(this.o.file), { recursive: true });
      const tmp = `${this.o.file}.tmp`;
      writeFileSync(tmp, JSON.stringify({ version: 1, positions }));
      renameSync(tmp, this.o.file); // atomic: a crash leaves the old or the new file, never half of one
    } catch (err) {
      this.o.logger.error({ file: this.o.file, err: (err as Error).message }, 'writing positions file failed');
    }
  }

  /** Serialised: at most one API write in flight. */
  #writeShared(): Promise<void> {
    const backend = this.o.shared;
    if (!backend) return Promise.resolve();
    this.#sharedWrite = this.#sharedWrite.then(async () => {
      if (!this.#sharedDirty) return;
      this.#sharedDirty = false;
      const withPositions = this.#sharedPositionsDirty;
      this.#sharedPositionsDirty = false;
      if (withPositions) this.#sharedWrittenAt = Date.now();
      this.#prune();
      try {
        await backend.write(new Map(this.#mine), new Set(this.#held));
        this.lastSharedError = '';
        this.#sharedFailedAt = 0;
      } catch (err) {
        this.#sharedFailedAt = Date.now();
        this.#sharedDirty = true;
        this.#sharedPositionsDirty ||= withPositions;
        this.lastSharedError = (err as Error).message;
        this.o.logger.warn({ err: (err as Error).message }, 'writing shared log positions failed; will retry');
        this.#scheduleShared();
      }
    });
    return this.#sharedWrite;
  }
}
