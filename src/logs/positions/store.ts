// Positions of one loki.source.kubernetes component: a local file under the
// component's data path (survives restarts on the same node) and, when
// available, a shared backend (follows streams across replicas).
//
// Writes are debounced: the file every `localFlushMs`, the shared backend
// every `sharedFlushMs`, and both at once on flush() (stop, hand-off).
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import { fromJSON, mergePositions, toJSON, type Position } from './position.js';
import type { SharedPositionsBackend } from './shared.js';

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
  /** Merged view of other replicas' records (read before a stream is opened). */
  #shared = new Map<string, Position>();
  readonly #releasedAt = new Map<string, number>();
  #localTimer: NodeJS.Timeout | undefined;
  #sharedTimer: NodeJS.Timeout | undefined;
  #sharedDirty = false;
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
    await this.refreshShared(true);
  }

  /** Best known position of a stream: this replica's, merged with the other replicas'. */
  get(key: string): Position | undefined {
    return mergePositions(this.#mine.get(key), this.#shared.get(key));
  }

  /** Record a delivered position (the stream is owned by this replica). */
  set(key: string, pos: Position): void {
    this.#mine.set(key, pos);
    this.#releasedAt.delete(key);
    this.#scheduleLocal();
    this.#sharedDirty = true;
    this.#scheduleShared();
  }

  /** The stream moved away from this replica. */
  release(key: string): void {
    if (this.#mine.has(key)) this.#releasedAt.set(key, Date.now());
  }

  /** The stream is gone for good (pod deleted). */
  remove(key: string): void {
    if (!this.#mine.delete(key)) return;
    this.#releasedAt.delete(key);
    this.#shared.delete(key);
    this.#scheduleLocal();
    this.#sharedDirty = true;
    this.#scheduleShared();
  }

  /** Re-read the other replicas' positions (single flight, rate limited unless forced). */
  refreshShared(force = false): Promise<void> {
    const backend = this.o.shared;
    if (!backend) return Promise.resolve();
    if (this.#sharedRead) return this.#sharedRead;
    if (!force && Date.now() - this.#sharedReadAt < (this.o.sharedReadMinMs ?? 500)) return Promise.resolve();
    this.#sharedRead = backend
      .readAll()
      .then((m) => {
        this.#shared = m;
        this.#sharedReadAt = Date.now();
        this.lastSharedError = '';
      })
      .catch((err: Error) => {
        this.lastSharedError = err.message;
        this.o.logger.warn({ err: err.message }, 'reading shared log positions failed; using local positions only');
      })
      .finally(() => (this.#sharedRead = undefined));
    return this.#sharedRead;
  }

  /** Write both records now (stop, hand-off). */
  async flush(): Promise<void> {
    this.#writeLocal();
    this.#sharedDirty = true;
    await this.#writeShared();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#localTimer);
    clearTimeout(this.#sharedTimer);
    this.#localTimer = this.#sharedTimer = undefined;
    await this.flush();
  }

  entries(): [string, Position][] {
    return [...this.#mine.entries()];
  }

  #scheduleLocal(): void {
    if (this.#localTimer || this.#stopped) return;
    this.#localTimer = setTimeout(() => {
      this.#localTimer = undefined;
      this.#writeLocal();
    }, this.o.localFlushMs ?? 250);
  }

  #scheduleShared(): void {
    if (!this.o.shared || this.#sharedTimer || this.#stopped) return;
    this.#sharedTimer = setTimeout(() => {
      this.#sharedTimer = undefined;
      void this.#writeShared();
    }, this.o.sharedFlushMs ?? 2000);
  }

  #prune(): void {
    const limit = Date.now() - (this.o.releasedRetentionMs ?? 10 * 60_000);
    for (const [k, at] of this.#releasedAt) {
      if (at < limit) {
        this.#mine.delete(k);
        this.#releasedAt.delete(k);
      }
    }
  }

  #writeLocal(): void {
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
      this.#prune();
      try {
        await backend.write(new Map(this.#mine));
        this.lastSharedError = '';
      } catch (err) {
        this.#sharedDirty = true;
        this.lastSharedError = (err as Error).message;
        this.o.logger.warn({ err: (err as Error).message }, 'writing shared log positions failed; will retry');
        this.#scheduleShared();
      }
    });
    return this.#sharedWrite;
  }
}
