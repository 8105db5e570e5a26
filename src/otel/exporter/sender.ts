// The exporterhelper of the OTel Collector, in our shape: an optional bounded
// in-memory sending queue drained by num_consumers workers, each request sent
// with a per-attempt timeout and retried with the project's backoff
// (src/net/backoff.ts, OTel's multiplier and randomization) until
// max_elapsed_time; what finally fails is counted and dropped with the reason.
import type { Logger } from 'pino';
import { Backoff, sleep } from '../../net/backoff.js';
import type { OtelContext, Signal, SignalData } from '../../pipeline/otel.js';
import type { QueueArgs, RetryArgs } from '../config-schema.js';
import { itemCount } from '../model.js';
import { ExportError, type ExportTransport } from './export-error.js';
import type { ExporterMetrics } from './exporter-metrics.js';

export interface SenderOptions {
  queue: QueueArgs;
  retry: RetryArgs;
  /** Per-attempt timeout in ms (0: none). */
  timeoutMs: number;
}

interface Request {
  signal: Signal;
  data: SignalData[Signal];
  ctx?: OtelContext;
  items: number;
  done?: (err?: Error) => void;
}

export class ExportSender {
  readonly #transport: ExportTransport;
  readonly #o: SenderOptions;
  readonly #metrics: ExporterMetrics;
  readonly #logger: Logger;
  readonly #abort = new AbortController();
  readonly #queue: Request[] = [];
  /** Queue fill in the sizer's unit (requests or items). */
  #queued = 0;
  #wakeWorkers: (() => void)[] = [];
  #wakeProducers: (() => void)[] = [];
  readonly #workers: Promise<void>[] = [];
  #stopped = false;

  constructor(transport: ExportTransport, o: SenderOptions, metrics: ExporterMetrics, logger: Logger) {
    this.#transport = transport;
    this.#o = o;
    this.#metrics = metrics;
    this.#logger = logger;
    if (o.queue.enabled) {
      metrics.queueCapacity.set({ exporter: metrics.exporter }, o.queue.queue_size);
      metrics.queueSize.set({ exporter: metrics.exporter }, 0);
      for (let i = 0; i < o.queue.num_consumers; i++) this.#workers.push(this.#work());
    }
  }

  /**
   * Hand a request over. Without a queue (or with wait_for_result) this
   * resolves when it was sent and rejects when it finally failed; with a queue
   * it resolves once queued and rejects when the queue is full.
   */
  async send<S extends Signal>(signal: S, data: SignalData[S], ctx?: OtelContext): Promise<void> {
    const items = itemCount(signal, data);
    if (items === 0) return;
    if (this.#stopped) throw new Error('exporter is shutting down');
    if (!this.#o.queue.enabled) return this.#sendWithRetry({ signal, data, ctx, items });
    const size = this.#o.queue.sizer === 'items' ? items : 1;
    while (this.#queued + size > this.#o.queue.queue_size && this.#queued > 0) {
      if (!this.#o.queue.block_on_overflow) {
        this.#metrics.enqueueFailed(signal, items);
        throw new Error(`sending queue is full (queue_size ${this.#o.queue.queue_size} ${this.#o.queue.sizer})`);
      }
      await new Promise<void>((r) => this.#wakeProducers.push(r));
      if (this.#stopped) throw new Error('exporter is shutting down');
    }
    let result: Promise<void> | undefined;
    const req: Request = { signal, data, ctx, items };
    if (this.#o.queue.wait_for_result) result = new Promise<void>((resolve, reject) => (req.done = (e) => (e ? reject(e) : resolve())));
    this.#queue.push(req);
    this.#queued += size;
    this.#metrics.queueSize.set({ exporter: this.#metrics.exporter }, this.#queued);
    this.#wakeWorkers.shift()?.();
    await result;
  }

  async #work(): Promise<void> {
    while (!this.#stopped || this.#queue.length > 0) {
      const req = this.#queue.shift();
      if (!req) {
        if (this.#stopped) return;
        await new Promise<void>((r) => this.#wakeWorkers.push(r));
        continue;
      }
      this.#queued -= this.#o.queue.sizer === 'items' ? req.items : 1;
      this.#metrics.queueSize.set({ exporter: this.#metrics.exporter }, this.#queued);
      this.#wakeProducers.shift()?.();
      try {
        await this.#sendWithRetry(req);
        req.done?.();
      } catch (e) {
        req.done?.(e as Error);
      }
    }
  }

  async #attempt(req: Request): Promise<void> {
    const ctl = new AbortController();
    const onStop = () => ctl.abort();
    this.#abort.signal.addEventListener('abort', onStop, { once: true });
    const timer = this.#o.timeoutMs > 0 ? setTimeout(() => ctl.abort(), this.#o.timeoutMs) : undefined;
    try {
      await this.#transport.export(req.signal, req.data, req.ctx, ctl.signal);
    } catch (e) {
      // Our own deadline cut the call (the transport then reports a cancel): say so.
      if (ctl.signal.aborted && !this.#abort.signal.aborted) throw new ExportError(`request timed out after ${this.#o.timeoutMs}ms`, true);
      throw e;
    } finally {
      clearTimeout(timer);
      this.#abort.signal.removeEventListener('abort', onStop);
    }
  }

  async #sendWithRetry(req: Request): Promise<void> {
    const r = this.#o.retry;
    const backoff = new Backoff({ minMs: r.initial_interval, maxMs: r.max_interval, multiplier: r.multiplier, jitter: 'proportional', randomizationFactor: r.randomization_factor });
    const started = Date.now();
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#attempt(req);
        this.#metrics.sent(req.signal, req.items);
        return;
      } catch (e) {
        const err = e instanceof ExportError ? e : new ExportError((e as Error).message, true);
        const elapsed = Date.now() - started;
        // A server's Retry-After / RetryInfo delay is a floor: the Collector waits max(backoff, delay).
        const wait = Math.max(backoff.next(), err.retryAfterMs ?? 0);
        const budgetLeft = r.max_elapsed_time === 0 || elapsed + wait <= r.max_elapsed_time;
        if (!r.enabled || !err.retryable || !budgetLeft || this.#abort.signal.aborted) {
          const reason = !err.retryable ? 'not retryable' : !r.enabled ? 'retry_on_failure disabled' : this.#abort.signal.aborted ? 'exporter stopped' : `no more retries left (max_elapsed_time ${r.max_elapsed_time}ms)`;
          this.#metrics.failed(req.signal, req.items);
          this.#logger.error({ err: err.message, signal: req.signal, dropped_items: req.items, attempts: attempt, reason }, 'Exporting failed. Dropping data.');
          throw new Error(`${err.message} (${reason}; ${req.items} items dropped)`);
        }
        this.#logger.info({ err: err.message, signal: req.signal, interval_ms: Math.round(wait) }, 'Exporting failed. Will retry the request after interval.');
        await sleep(wait, this.#abort.signal);
      }
    }
  }

  /** Drains the queue for at most graceMs, then aborts what is left. */
  async stop(graceMs = 5_000): Promise<void> {
    this.#stopped = true;
    for (const w of this.#wakeWorkers.splice(0)) w();
    for (const p of this.#wakeProducers.splice(0)) p();
    const timer = setTimeout(() => this.#abort.abort(), graceMs);
    await Promise.all(this.#workers);
    clearTimeout(timer);
    this.#abort.abort();
    this.#transport.close();
  }
}
