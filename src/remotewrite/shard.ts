// One shard: a FIFO of samples and at most one batch in flight, so samples of
// one series (always routed to the same shard) reach the server in order.
// A batch goes when it is full (max_samples_per_send), when its oldest
// sample waited batch_send_deadline, or when the queue drains for a reshard.
// The FIFO is a ring of parallel arrays: no object per queued sample.
import type { LedgerEntry } from './ledger.js';
import type { QueueBatch, SeriesEntry } from './write-request.js';

export type { SeriesEntry } from './write-request.js';
export type QueuedBatch = QueueBatch<LedgerEntry>;

export interface ShardHost {
  readonly maxSamplesPerSend: number;
  readonly batchDeadlineMs: number;
  /** Sends with retries; resolves true when the batch is handled (sent or dropped), false when stopped. */
  sendBatch(batch: QueuedBatch): Promise<boolean>;
  batchDone(batch: QueuedBatch, handled: boolean): void;
}

export class Shard {
  private s: (SeriesEntry | undefined)[] = new Array(256);
  private t = new Float64Array(256);
  private v = new Float64Array(256);
  private e: (LedgerEntry | undefined)[] = new Array(256);
  /**
   * TimeSeries field bytes of histogram and exemplar items (undefined: a
   * float sample); allocated with the first such item, so float-only shards
   * keep their old cost. `xQueued` counts the queued items that have one.
   */
  private x: (Uint8Array | undefined)[] | undefined;
  private xQueued = 0;
  private qHead = 0;
  private qLen = 0;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private draining = false;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly host: ShardHost) {}

  get length(): number {
    return this.qLen;
  }

  get busy(): boolean {
    return this.running;
  }

  push(s: SeriesEntry, t: number, v: number, e: LedgerEntry, x?: Uint8Array): void {
    if (this.qLen === this.t.length) this.grow();
    const cap = this.t.length;
    let i = this.qHead + this.qLen;
    if (i >= cap) i -= cap;
    this.s[i] = s;
    this.t[i] = t;
    this.v[i] = v; // typed-array store: the stale NaN keeps its bits
    this.e[i] = e;
    if (x !== undefined) {
      (this.x ??= new Array(cap))[i] = x;
      this.xQueued++;
    }
    const n = ++this.qLen;
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

  private grow(): void {
    const cap = this.t.length;
    const next = cap * 2;
    const s: (SeriesEntry | undefined)[] = new Array(next);
    const t = new Float64Array(next);
    const v = new Float64Array(next);
    const e: (LedgerEntry | undefined)[] = new Array(next);
    const ox = this.x;
    const x: (Uint8Array | undefined)[] | undefined = ox && new Array(next);
    for (let k = 0; k < this.qLen; k++) {
      let i = this.qHead + k;
      if (i >= cap) i -= cap;
      s[k] = this.s[i];
      t[k] = this.t[i]!;
      v[k] = this.v[i]!;
      e[k] = this.e[i];
      if (x) x[k] = ox![i];
    }
    this.x = x;
    this.s = s;
    this.t = t;
    this.v = v;
    this.e = e;
    this.qHead = 0;
  }

  private take(n: number): QueuedBatch {
    const len = Math.min(n, this.qLen);
    const b: QueuedBatch = { length: len, s: new Array(len), t: new Float64Array(len), v: new Float64Array(len), e: new Array(len) };
    const cap = this.t.length;
    let i = this.qHead;
    const ox = this.xQueued > 0 ? this.x : undefined;
    if (ox) {
      const bx: (Uint8Array | undefined)[] = (b.x = new Array(len));
      for (let k = 0, j = i; k < len; k++) {
        const f = ox[j];
        if (f !== undefined) {
          bx[k] = f;
          ox[j] = undefined;
          this.xQueued--;
        }
        if (++j === cap) j = 0;
      }
    }
    for (let k = 0; k < len; k++) {
      b.s[k] = this.s[i]!;
      b.t[k] = this.t[i]!;
      b.v[k] = this.v[i]!;
      b.e[k] = this.e[i]!;
      this.s[i] = undefined; // let sent series and ledger entries be collected
      this.e[i] = undefined;
      if (++i === cap) i = 0;
    }
    this.qHead = i;
    this.qLen -= len;
    if (this.qLen === 0) this.qHead = 0;
    return b;
  }
}
