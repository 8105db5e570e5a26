// One shard: a FIFO of samples and at most one batch in flight, so samples of
// one series (always routed to the same shard) reach the server in order.
// A batch goes when it is full (max_samples_per_send), when its oldest
// sample waited batch_send_deadline, or when the queue drains for a reshard.
import type { LedgerEntry } from './ledger.js';
import type { LabelPairs } from '../metrics/types.js';

export interface SeriesEntry {
  labels: LabelPairs;
  hash: number;
}

export interface QueuedSample {
  s: SeriesEntry;
  t: number;
  /** A property, not a plain-array element: V8 would canonicalise a stale NaN in a double array. */
  v: number;
  e: LedgerEntry;
}

export interface ShardHost {
  readonly maxSamplesPerSend: number;
  readonly batchDeadlineMs: number;
  /** Sends with retries; resolves true when the batch is handled (sent or dropped), false when stopped. */
  sendBatch(batch: QueuedSample[]): Promise<boolean>;
  batchDone(batch: QueuedSample[], handled: boolean): void;
}

export class Shard {
  private q: QueuedSample[] = [];
  private qHead = 0;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private draining = false;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly host: ShardHost) {}

  get length(): number {
    return this.q.length - this.qHead;
  }

  get busy(): boolean {
    return this.running;
  }

  push(item: QueuedSample): void {
    this.q.push(item);
    const n = this.length;
    if (n >= this.host.maxSamplesPerSend) this.kick();
    else if (n === 1 && !this.timer && !this.running) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.kick(true);
      }, this.host.batchDeadlineMs);
    }
  }

  /** Sends everything queued, ignoring the deadline; resolves when empty and idle. */
  drain(): Promise<void> {
    this.draining = true;
    this.kick(true);
    return this.idle();
  }

  idle(): Promise<void> {
    if (!this.running && this.length === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const w of this.idleWaiters.splice(0)) w();
  }

  private kick(deadlineHit = false): void {
    if (this.running || this.stopped) return;
    this.running = true;
    void this.loop(deadlineHit);
  }

  private async loop(deadlineHit: boolean): Promise<void> {
    let sendPartial = deadlineHit;
    try {
      while (!this.stopped && this.length > 0 && (sendPartial || this.draining || this.length >= this.host.maxSamplesPerSend)) {
        if (this.timer) {
          clearTimeout(this.timer);
          this.timer = undefined;
        }
        const batch = this.take(this.host.maxSamplesPerSend);
        const handled = await this.host.sendBatch(batch);
        this.host.batchDone(batch, handled);
        // After a partial batch the leftovers are fresh: they get their own deadline.
        sendPartial = false;
      }
    } finally {
      this.running = false;
      if (this.stopped) return;
      if (this.length === 0) {
        this.draining = false;
        for (const w of this.idleWaiters.splice(0)) w();
      } else if (this.length >= this.host.maxSamplesPerSend || this.draining) {
        this.kick(true);
      } else if (!this.timer) {
        this.timer = setTimeout(() => {
          this.timer = undefined;
          this.kick(true);
        }, this.host.batchDeadlineMs);
      }
    }
  }

  private take(n: number): QueuedSample[] {
    const end = Math.min(this.q.length, this.qHead + n);
    const batch = this.q.slice(this.qHead, end);
    this.qHead = end;
    if (this.qHead === this.q.length) {
      this.q = [];
      this.qHead = 0;
    } else if (this.qHead > 4096 && this.qHead * 2 > this.q.length) {
      this.q = this.q.slice(this.qHead);
      this.qHead = 0;
    }
    return batch;
  }
}
