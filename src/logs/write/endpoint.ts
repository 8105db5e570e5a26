// One Loki endpoint of loki.write: a bounded queue of appended entries, a
// batcher (batch_size / batch_wait) and a single in-flight push with retries.
// One request at a time keeps every stream's entries in order at Loki.
//
// append() resolves only once the entries were pushed (2xx) or dropped for a
// reason retrying cannot fix, so a source can advance its positions safely;
// while the queue is full, append() waits: sources pause instead of dropping.
import type { Logger } from 'pino';
import { Backoff, sleep } from '../../net/backoff.js';
import type { LogEntry } from '../../pipeline/logs.js';
import { encodePushBody, formatLabels, type PushStream } from '../push/proto.js';
import { ENDPOINT_DEFAULTS, parseByteSize, type EndpointArgs } from './config.js';
import { HttpPoster } from './http.js';
import type { WriteMetrics } from './write-metrics.js';

/** The reserved label stage.tenant sets; it names the push's tenant and is never sent as a label. */
const TENANT_LABEL = '__tenant_id__';

interface Pending {
  entries: LogEntry[];
  /** Index of the first entry not yet put into a batch. */
  next: number;
  bytes: number;
  /** When it was queued (batch_wait counts from the oldest queued entry). */
  at: number;
  resolve(): void;
  reject(err: Error): void;
}

interface BatchPart {
  item: Pending;
  /** This batch holds the item's last entry: resolve the item once it is done. */
  completes: boolean;
}

export interface EndpointOptions {
  externalLabels: Record<string, string>;
  logger: Logger;
  metrics: WriteMetrics;
  componentId: string;
  /** Upper bound on queued bytes (entries accepted but not yet pushed). */
  maxBufferedBytes?: number;
}

const ENTRY_OVERHEAD = 64; // rough per-entry cost (timestamp, object) for the memory bound

export class EndpointClient {
  readonly host: string;
  readonly batchSize: number;
  readonly maxBuffered: number;
  readonly #args: Required<Pick<EndpointArgs, 'batch_wait' | 'remote_timeout' | 'min_backoff_period' | 'max_backoff_period' | 'max_backoff_retries' | 'retry_on_http_429'>>;
  readonly #poster: HttpPoster;
  readonly #queue: Pending[] = [];
  #queuedBytes = 0;
  #firstQueuedAt = 0;
  #roomWaiters: Pending[] = [];
  #wake: (() => void) | undefined;
  readonly #stop = new AbortController();
  readonly #loop: Promise<void>;
  #lastError = '';
  /** The batch being pushed (retried): entries, attempts so far, when its first attempt started. */
  #inflight: { entries: number; attempts: number; since: number } | undefined;

  constructor(args: EndpointArgs, private readonly opts: EndpointOptions) {
    this.#poster = new HttpPoster(args);
    this.host = args.name || this.#poster.url.host;
    this.batchSize = parseByteSize('endpoint batch_size', args.batch_size ?? ENDPOINT_DEFAULTS.batch_size);
    if (this.batchSize <= 0) throw new Error('endpoint batch_size must be positive');
    this.maxBuffered = opts.maxBufferedBytes ?? Math.max(4 * this.batchSize, 1 << 20);
    this.#args = {
      batch_wait: args.batch_wait ?? ENDPOINT_DEFAULTS.batch_wait,
      remote_timeout: args.remote_timeout ?? ENDPOINT_DEFAULTS.remote_timeout,
      min_backoff_period: args.min_backoff_period ?? ENDPOINT_DEFAULTS.min_backoff_period,
      max_backoff_period: args.max_backoff_period ?? ENDPOINT_DEFAULTS.max_backoff_period,
      max_backoff_retries: args.max_backoff_retries ?? ENDPOINT_DEFAULTS.max_backoff_retries,
      retry_on_http_429: args.retry_on_http_429 ?? ENDPOINT_DEFAULTS.retry_on_http_429,
    };
    this.#loop = this.#run();
  }

  get queuedBytes(): number {
    return this.#queuedBytes;
  }

  get lastError(): string {
    return this.#lastError;
  }

  /** Where the queue stands, for debug info and stall reports. */
  state(): { queued_appends: number; waiting_appends: number; inflight_entries: number; inflight_attempts: number; inflight_for_ms: number } {
    const f = this.#inflight;
    return {
      queued_appends: this.#queue.length,
      waiting_appends: this.#roomWaiters.length,
      inflight_entries: f?.entries ?? 0,
      inflight_attempts: f?.attempts ?? 0,
      inflight_for_ms: f ? Date.now() - f.since : 0,
    };
  }

  append(entries: LogEntry[]): Promise<void> {
    if (entries.length === 0) return Promise.resolve();
    if (this.#stop.signal.aborted) return Promise.reject(new Error(`loki.write ${this.opts.componentId}: stopped`));
    let bytes = 0;
    for (const e of entries) bytes += e.line.length + ENTRY_OVERHEAD;
    return new Promise<void>((resolve, reject) => {
      const item: Pending = { entries, next: 0, bytes, at: 0, resolve, reject };
      // First come, first served (appends of one stream must keep their
      // order): wait behind earlier waiters even if this one would fit.
      if (this.#roomWaiters.length === 0 && this.#fits(bytes)) this.#enqueue(item);
      else this.#roomWaiters.push(item);
    });
  }

  #enqueue(item: Pending): void {
    item.at = Date.now();
    if (this.#queue.length === 0) this.#firstQueuedAt = item.at;
    this.#queue.push(item);
    this.#queuedBytes += item.bytes;
    this.opts.metrics.buffered.inc({ host: this.host }, item.bytes);
    this.#wake?.();
  }

  /** An oversize append is let into an empty queue alone, so it cannot block forever. */
  #fits(bytes: number): boolean {
    return this.#queuedBytes === 0 || this.#queuedBytes + bytes <= this.maxBuffered;
  }

  /** Move waiting appends into the queue, in arrival order, while they fit. */
  #admitWaiters(): void {
    while (this.#roomWaiters.length > 0 && this.#fits(this.#roomWaiters[0].bytes)) this.#enqueue(this.#roomWaiters.shift()!);
  }

  async stop(): Promise<void> {
    this.#stop.abort();
    this.#wake?.();
    await this.#loop;
    const err = new Error(`loki.write ${this.opts.componentId}: stopped before the entries were pushed`);
    for (const p of this.#queue.splice(0)) p.reject(err);
    for (const p of this.#roomWaiters.splice(0)) p.reject(err);
    this.opts.metrics.buffered.set({ host: this.host }, 0);
    this.#poster.close();
  }

  async #run(): Promise<void> {
    const signal = this.#stop.signal;
    while (!signal.aborted) {
      if (this.#queue.length === 0) {
        await new Promise<void>((r) => (this.#wake = r));
        this.#wake = undefined;
        continue;
      }
      // Wait for a full batch or for batch_wait since the oldest queued entry.
      const waitLeft = this.#firstQueuedAt + this.#args.batch_wait - Date.now();
      if (this.#queuedBytes < this.batchSize && waitLeft > 0) {
        await new Promise<void>((r) => {
          const t = setTimeout(r, waitLeft);
          this.#wake = () => {
            clearTimeout(t);
            r();
          };
        });
        this.#wake = undefined;
        if (this.#queuedBytes < this.batchSize && this.#firstQueuedAt + this.#args.batch_wait > Date.now() && !signal.aborted) continue;
      }
      if (signal.aborted) break;
      const { streams, parts, count, bytes, tenant } = this.#takeBatch();
      this.#inflight = { entries: count, attempts: 0, since: Date.now() };
      const ok = await this.#send(streams, count, bytes, tenant);
      this.#inflight = undefined;
      if (!ok && signal.aborted) {
        // Stopped mid-retry: reject what this batch carried so sources re-read it.
        const err = new Error(`loki.write ${this.opts.componentId}: stopped before the entries were pushed`);
        for (const p of parts) p.item.reject(err);
        break;
      }
      for (const p of parts) if (p.completes) p.item.resolve();
    }
  }

  /** Move up to batch_size bytes from the queue into one push request. */
  #takeBatch(): { streams: PushStream[]; parts: BatchPart[]; count: number; bytes: number; tenant: string | undefined } {
    const byLabels = new Map<string, PushStream>();
    const parts: BatchPart[] = [];
    const ext = this.opts.externalLabels;
    const hasExt = Object.keys(ext).length > 0;
    let bytes = 0;
    let count = 0;
    let freed = 0;
    // One tenant per push (X-Scope-OrgID): the first entry's __tenant_id__ label decides it.
    const first = this.#queue[0]?.entries[this.#queue[0].next];
    const tenant = first?.labels[TENANT_LABEL] || undefined;
    while (this.#queue.length > 0 && (bytes < this.batchSize || count === 0)) {
      const item = this.#queue[0];
      while (item.next < item.entries.length && (bytes < this.batchSize || count === 0)) {
        if ((item.entries[item.next].labels[TENANT_LABEL] || undefined) !== tenant) break;
        const e = item.entries[item.next++];
        const key = streamKey(e.labels, hasExt ? ext : undefined);
        let s = byLabels.get(key);
        if (!s) byLabels.set(key, (s = { labels: key, entries: [] }));
        s.entries.push(e.structuredMetadata ? { ts: e.ts, line: e.line, structuredMetadata: e.structuredMetadata } : { ts: e.ts, line: e.line });
        bytes += e.line.length;
        count++;
        freed += e.line.length + ENTRY_OVERHEAD;
      }
      const completes = item.next >= item.entries.length;
      parts.push({ item, completes });
      if (!completes) break;
      this.#queue.shift();
    }
    // The per-item byte estimate and the per-entry sum agree; settle exactly when items complete.
    this.#queuedBytes = Math.max(0, this.#queuedBytes - freed);
    if (this.#queue.length === 0) this.#queuedBytes = 0;
    this.#firstQueuedAt = this.#queue[0]?.at ?? Date.now();
    this.opts.metrics.buffered.set({ host: this.host }, this.#queuedBytes);
    this.#admitWaiters();
    return { streams: [...byLabels.values()], parts, count, bytes, tenant };
  }

  /** Push one batch with retries. Returns false when it was not delivered. */
  async #send(streams: PushStream[], count: number, bytes: number, tenant?: string): Promise<boolean> {
    const m = this.opts.metrics;
    const lbl = { host: this.host };
    const body = encodePushBody(streams);
    const backoff = new Backoff({ minMs: this.#args.min_backoff_period, maxMs: this.#args.max_backoff_period, jitter: 'half', maxRetries: this.#args.max_backoff_retries });
    const signal = this.#stop.signal;
    for (;;) {
      const start = performance.now();
      if (this.#inflight) this.#inflight.attempts++;
      let status = 0;
      let reason = '';
      try {
        const res = await this.#poster.post(body, this.#args.remote_timeout, signal, false, tenant);
        status = res.status;
        reason = res.body;
      } catch (err) {
        reason = (err as Error).message;
      }
      m.requestDuration.observe({ ...lbl, status_code: String(status) }, (performance.now() - start) / 1000);
      if (status >= 200 && status < 300) {
        m.sentEntries.inc(lbl, count);
        m.sentBytes.inc(lbl, bytes);
        this.#lastError = '';
        return true;
      }
      if (signal.aborted) return false;
      const retryable = status === 0 || status >= 500 || (status === 429 && this.#args.retry_on_http_429);
      this.#lastError = status ? `HTTP ${status}: ${reason.trim()}` : reason;
      if (!retryable) {
        this.#drop(streams, count, bytes, status === 429 ? 'rate_limited' : 'client_error', this.#lastError);
        return true;
      }
      if (backoff.exhausted) {
        this.#drop(streams, count, bytes, 'max_retries', this.#lastError);
        return true;
      }
      m.retries.inc(lbl);
      const delay = backoff.next();
      this.opts.logger.warn({ host: this.host, status, err: this.#lastError, retry_in_ms: Math.round(delay) }, 'loki push failed, will retry');
      await sleep(delay, signal);
      if (signal.aborted) return false;
    }
  }

  #drop(streams: PushStream[], count: number, bytes: number, reason: string, err: string): void {
    const lbl = { host: this.host, reason };
    this.opts.metrics.droppedEntries.inc(lbl, count);
    this.opts.metrics.droppedBytes.inc(lbl, bytes);
    const names = streams.slice(0, 3).map((s) => s.labels);
    this.opts.logger.error(
      { host: this.host, reason, err, entries: count, streams: names, more_streams: Math.max(0, streams.length - names.length) },
      `loki push dropped ${count} entries of stream ${names[0] ?? '{}'}${streams.length > 1 ? ` and ${streams.length - 1} more` : ''}`,
    );
  }
}

/**
 * Loki label text for an entry: external labels under the entry's own,
 * without reserved `__` labels (Loki rejects or ignores them).
 */
function streamKey(labels: Record<string, string>, ext?: Record<string, string>): string {
  let merged: Record<string, string> = labels;
  let copy = false;
  if (ext) {
    merged = { ...ext, ...labels };
    copy = true;
  }
  for (const k in merged) {
    if (k.startsWith('__')) {
      if (!copy) {
        merged = { ...merged };
        copy = true;
      }
      delete merged[k];
    }
  }
  return formatLabels(merged);
}
