// One Loki endpoint of loki.write: queue_config.min_shards shards, each a
// bounded queue of appended entries (queue_config.capacity bytes), a batcher
// (batch_size / batch_wait) and a single in-flight push with retries. A
// stream always goes to the same shard (hash of its labels), and one request
// at a time per shard keeps every stream's entries in order at Loki.
//
// append() resolves only once the entries were pushed (2xx) or dropped for a
// reason retrying cannot fix, so a source can advance its positions safely;
// while the queue is full, append() waits (block_on_overflow, the default):
// sources pause instead of dropping; with block_on_overflow = false the
// entries that do not fit are dropped. stop() can first drain the queue for
// up to queue_config.drain_timeout.
import type { Logger } from 'pino';
import { Backoff, sleep } from '../../net/backoff.js';
import { fnv1a } from './hash.js';
import type { LogEntry } from '../../pipeline/logs.js';
import { encodePushBody, formatLabels, type PushStream } from '../push/proto.js';
import { ENDPOINT_DEFAULTS, parseByteSize, QUEUE_DEFAULTS, type EndpointArgs } from './config.js';
import { HttpPoster } from './http.js';
import type { WriteMetrics } from './write-metrics.js';

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
  /** Upper bound on queued bytes per shard (default: queue_config.capacity). */
  maxBufferedBytes?: number;
  /** max_streams of the component: streams per push request (0: no limit). */
  maxStreams?: number;
}

interface ShardSettings {
  host: string;
  batchSize: number;
  maxBuffered: number;
  blockOnOverflow: boolean;
  args: Required<Pick<EndpointArgs, 'batch_wait' | 'remote_timeout' | 'min_backoff_period' | 'max_backoff_period' | 'max_backoff_retries' | 'retry_on_http_429'>>;
}

/** A state summary for debug info and stall reports. */
export interface QueueState {
  queued_appends: number;
  waiting_appends: number;
  inflight_entries: number;
  inflight_attempts: number;
  inflight_for_ms: number;
}

/** The label through which a pipeline picks an entry's tenant (Alloy's ReservedLabelTenantID). */
const TENANT_LABEL = '__tenant_id__';

const ENTRY_OVERHEAD = 64; // rough per-entry cost (timestamp, object) for the memory bound

class EndpointShard {
  readonly host: string;
  readonly batchSize: number;
  readonly maxBuffered: number;
  readonly #args: ShardSettings['args'];
  readonly #blockOnOverflow: boolean;
  readonly #queue: Pending[] = [];
  #queuedBytes = 0;
  #firstQueuedAt = 0;
  #roomWaiters: Pending[] = [];
  #wake: (() => void) | undefined;
  readonly #stop = new AbortController();
  /** Set by stop(): no new appends; with #draining the loop empties the queue first. */
  #closed = false;
  #draining = false;
  #loop: Promise<void> | undefined;
  #lastError = '';
  /** The batch being pushed (retried): entries, attempts so far, when its first attempt started. */
  #inflight: { entries: number; attempts: number; since: number } | undefined;

  constructor(
    s: ShardSettings,
    private readonly poster: HttpPoster,
    private readonly opts: EndpointOptions,
    /** Called when the queued bytes changed (the endpoint's gauge). */
    private readonly onQueueChange: () => void,
  ) {
    this.host = s.host;
    this.batchSize = s.batchSize;
    this.maxBuffered = s.maxBuffered;
    this.#args = s.args;
    this.#blockOnOverflow = s.blockOnOverflow;
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  get queuedBytes(): number {
    return this.#queuedBytes;
  }

  get lastError(): string {
    return this.#lastError;
  }

  /** Where the queue stands, for debug info and stall reports. */
  state(): QueueState {
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
    if (this.#closed) return Promise.reject(new Error(`loki.write ${this.opts.componentId}: stopped`));
    let bytes = 0;
    for (const e of entries) bytes += e.line.length + ENTRY_OVERHEAD;
    if (!this.#blockOnOverflow && (this.#roomWaiters.length > 0 || !this.#fits(bytes))) {
      // block_on_overflow = false: a full queue drops instead of waiting.
      this.#dropEntries(entries, bytes, 'queue_is_full');
      return Promise.resolve();
    }
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
    this.onQueueChange();
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

  /**
   * Stop the shard. With drainMs > 0, what is queued (and waiting for room)
   * is still pushed, without waiting for batch_wait, for at most drainMs;
   * whatever is left then is rejected so its sources re-read it.
   */
  async stop(drainMs = 0): Promise<void> {
    this.#closed = true;
    let timer: NodeJS.Timeout | undefined;
    if (drainMs > 0 && (this.#queue.length > 0 || this.#roomWaiters.length > 0 || this.#inflight)) {
      this.#draining = true;
      timer = setTimeout(() => this.#stop.abort(), drainMs);
    } else {
      this.#stop.abort();
    }
    this.#wake?.();
    await this.#loop;
    clearTimeout(timer);
    this.#stop.abort();
    const err = new Error(`loki.write ${this.opts.componentId}: stopped before the entries were pushed`);
    for (const p of this.#queue.splice(0)) p.reject(err);
    for (const p of this.#roomWaiters.splice(0)) p.reject(err);
    this.#queuedBytes = 0;
    this.onQueueChange();
  }

  async #run(): Promise<void> {
    const signal = this.#stop.signal;
    while (!signal.aborted) {
      if (this.#queue.length === 0) {
        if (this.#draining && this.#roomWaiters.length === 0) break;
        await new Promise<void>((r) => (this.#wake = r));
        this.#wake = undefined;
        continue;
      }
      // Wait for a full batch or for batch_wait since the oldest queued entry.
      const waitLeft = this.#firstQueuedAt + this.#args.batch_wait - Date.now();
      if (this.#queuedBytes < this.batchSize && waitLeft > 0 && !this.#draining) {
        await new Promise<void>((r) => {
          const t = setTimeout(r, waitLeft);
          this.#wake = () => {
            clearTimeout(t);
            r();
          };
        });
        this.#wake = undefined;
        if (this.#queuedBytes < this.batchSize && this.#firstQueuedAt + this.#args.batch_wait > Date.now() && !signal.aborted && !this.#draining) continue;
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
  #takeBatch(): { streams: PushStream[]; parts: BatchPart[]; count: number; bytes: number; tenant: string } {
    const byLabels = new Map<string, PushStream>();
    const parts: BatchPart[] = [];
    const ext = this.opts.externalLabels;
    const hasExt = Object.keys(ext).length > 0;
    const maxStreams = this.opts.maxStreams ?? 0;
    let bytes = 0;
    let count = 0;
    let freed = 0;
    const limited: LogEntry[] = [];
    let limitedBytes = 0;
    // One request per tenant: an entry's __tenant_id__ label (stage.tenant) overrides tenant_id, as in Alloy.
    let tenant: string | undefined;
    while (this.#queue.length > 0 && (bytes < this.batchSize || count === 0)) {
      const item = this.#queue[0];
      while (item.next < item.entries.length && (bytes < this.batchSize || count === 0)) {
        const entryTenant = item.entries[item.next].labels[TENANT_LABEL] ?? '';
        if (tenant === undefined) tenant = entryTenant;
        else if (entryTenant !== tenant) break;
        const e = item.entries[item.next++];
        const key = streamKey(e.labels, hasExt ? ext : undefined);
        let s = byLabels.get(key);
        if (!s && maxStreams > 0 && byLabels.size >= maxStreams) {
          // max_streams: a push carries at most that many streams; Alloy drops the rest.
          limited.push(e);
          limitedBytes += e.line.length;
          freed += e.line.length + ENTRY_OVERHEAD;
          continue;
        }
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
    this.#admitWaiters();
    this.onQueueChange();
    if (limited.length) this.#dropEntries(limited, limitedBytes, 'stream_limited');
    return { streams: [...byLabels.values()], parts, count, bytes, tenant: tenant ?? '' };
  }

  /** Push one batch with retries. Returns false when it was not delivered. */
  async #send(streams: PushStream[], count: number, bytes: number, tenant: string): Promise<boolean> {
    const m = this.opts.metrics;
    const lbl = { host: this.host };
    const body = encodePushBody(streams);
    m.requestSize.observe(lbl, body.length);
    const backoff = new Backoff({ minMs: this.#args.min_backoff_period, maxMs: this.#args.max_backoff_period, jitter: 'half' });
    // dskit's backoff as Alloy uses it: max_backoff_retries attempts in all (0: no limit).
    const maxAttempts = this.#args.max_backoff_retries;
    let attempts = 0;
    const signal = this.#stop.signal;
    for (;;) {
      const start = performance.now();
      attempts++;
      if (this.#inflight) this.#inflight.attempts++;
      let status = 0;
      let reason = '';
      try {
        const res = await this.poster.post(body, this.#args.remote_timeout, signal, tenant);
        status = res.status;
        reason = res.body;
      } catch (err) {
        reason = (err as Error).message;
      }
      m.requestDuration.observe({ ...lbl, status_code: String(status) }, (performance.now() - start) / 1000);
      if (status >= 200 && status < 300) {
        m.sentEntries.inc(lbl, count);
        m.sentBytes.inc(lbl, bytes);
        this.#observeLatency(streams);
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
      if (maxAttempts > 0 && attempts >= maxAttempts) {
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

  #dropEntries(entries: LogEntry[], bytes: number, reason: string): void {
    const lbl = { host: this.host, reason };
    this.opts.metrics.droppedEntries.inc(lbl, entries.length);
    this.opts.metrics.droppedBytes.inc(lbl, bytes);
    this.opts.logger.error({ host: this.host, reason, entries: entries.length }, `loki.write dropped ${entries.length} entries (${reason})`);
  }

  /** Alloy's entry propagation latency: entry timestamp to sent or dropped. */
  #observeLatency(streams: PushStream[]): void {
    const now = Date.now();
    const h = this.opts.metrics.propagationLatency;
    const lbl = { host: this.host };
    for (const s of streams) for (const e of s.entries) h.observe(lbl, Math.max(0, now - Number(e.ts / 1_000_000n)) / 1000);
  }

  #drop(streams: PushStream[], count: number, bytes: number, reason: string, err: string): void {
    this.#observeLatency(streams);
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
 * One endpoint block: its shards behind one append(). An append spanning
 * several shards settles once every shard settled its part.
 */
export class EndpointClient {
  readonly host: string;
  readonly batchSize: number;
  /** Queue bound of one shard (queue_config.capacity). */
  readonly maxBuffered: number;
  readonly drainTimeoutMs: number;
  readonly #poster: HttpPoster;
  readonly #shards: EndpointShard[];

  constructor(args: EndpointArgs, private readonly opts: EndpointOptions) {
    this.#poster = new HttpPoster(args);
    this.host = args.name || this.#poster.url.host;
    this.batchSize = parseByteSize('endpoint batch_size', args.batch_size ?? ENDPOINT_DEFAULTS.batch_size);
    if (this.batchSize <= 0) throw new Error('endpoint batch_size must be positive');
    const q = { ...QUEUE_DEFAULTS, ...args.queue_config };
    this.maxBuffered = opts.maxBufferedBytes ?? parseByteSize('endpoint queue_config capacity', q.capacity);
    if (this.maxBuffered <= 0) throw new Error('endpoint queue_config capacity must be positive');
    if (!Number.isInteger(q.min_shards) || q.min_shards < 1) throw new Error(`endpoint queue_config min_shards must be a positive integer, got ${q.min_shards}`);
    this.drainTimeoutMs = q.drain_timeout;
    const settings: ShardSettings = {
      host: this.host,
      batchSize: this.batchSize,
      maxBuffered: this.maxBuffered,
      blockOnOverflow: q.block_on_overflow,
      args: {
        batch_wait: args.batch_wait ?? ENDPOINT_DEFAULTS.batch_wait,
        remote_timeout: args.remote_timeout ?? ENDPOINT_DEFAULTS.remote_timeout,
        min_backoff_period: args.min_backoff_period ?? ENDPOINT_DEFAULTS.min_backoff_period,
        max_backoff_period: args.max_backoff_period ?? ENDPOINT_DEFAULTS.max_backoff_period,
        max_backoff_retries: args.max_backoff_retries ?? ENDPOINT_DEFAULTS.max_backoff_retries,
        retry_on_http_429: args.retry_on_http_429 ?? ENDPOINT_DEFAULTS.retry_on_http_429,
      },
    };
    const report = () => opts.metrics.buffered.set({ host: this.host }, this.queuedBytes);
    this.#shards = Array.from({ length: q.min_shards }, () => new EndpointShard(settings, this.#poster, opts, report));
    for (const s of this.#shards) s.start();
  }

  get shards(): number {
    return this.#shards.length;
  }

  get queuedBytes(): number {
    let n = 0;
    for (const s of this.#shards) n += s.queuedBytes;
    return n;
  }

  get lastError(): string {
    return this.#shards.find((s) => s.lastError)?.lastError ?? '';
  }

  state(): QueueState {
    const out: QueueState = { queued_appends: 0, waiting_appends: 0, inflight_entries: 0, inflight_attempts: 0, inflight_for_ms: 0 };
    for (const s of this.#shards) {
      const st = s.state();
      out.queued_appends += st.queued_appends;
      out.waiting_appends += st.waiting_appends;
      out.inflight_entries += st.inflight_entries;
      out.inflight_attempts = Math.max(out.inflight_attempts, st.inflight_attempts);
      out.inflight_for_ms = Math.max(out.inflight_for_ms, st.inflight_for_ms);
    }
    return out;
  }

  append(entries: LogEntry[]): Promise<void> {
    const shards = this.#shards;
    if (shards.length === 1) return shards[0].append(entries);
    // Route by stream so a stream's entries stay in order in one shard.
    const parts: LogEntry[][] = shards.map(() => []);
    const ext = this.opts.externalLabels;
    const hasExt = Object.keys(ext).length > 0;
    for (const e of entries) parts[fnv1a(streamKey(e.labels, hasExt ? ext : undefined)) % shards.length].push(e);
    return Promise.all(parts.map((p, i) => (p.length ? shards[i].append(p) : undefined))).then(() => undefined);
  }

  /** Stop every shard; `drain`: push what is queued first, for at most queue_config.drain_timeout. */
  async stop(drain = false): Promise<void> {
    await Promise.all(this.#shards.map((s) => s.stop(drain ? this.drainTimeoutMs : 0)));
    this.opts.metrics.buffered.set({ host: this.host }, 0);
    this.#poster.close();
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
