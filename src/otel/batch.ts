// otelcol.processor.batch's mechanism (the Collector's batchprocessor): items
// gather per signal, and per combination of metadata_keys values, until
// send_batch_size is reached or timeout passes since the batch's first item;
// a batch over send_batch_max_size goes out in parts. Accepting resolves once
// the data is in a batch (a size-triggered send is awaited, for backpressure);
// a failed send downstream is logged and dropped, as in the Collector.
import type { Logger } from 'pino';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { fanoutSignal, type OtelContext, type OtelOutput, type Signal, type SignalData } from '../pipeline/otel.js';
import { itemCount, mergeData, splitData } from './model.js';

export interface BatchArgs {
  timeout: number;
  send_batch_size: number;
  send_batch_max_size: number;
  metadata_keys: string[];
  metadata_cardinality_limit: number;
}

interface Pending {
  parts: SignalData[Signal][];
  items: number;
  ctx?: OtelContext;
  timer?: NodeJS.Timeout;
}

export class BatchMetrics {
  readonly sendSize: Histogram;
  readonly sizeTrigger: Counter;
  readonly timeoutTrigger: Counter;
  readonly cardinality: Gauge;

  constructor(registry: Registry) {
    const labelNames = ['processor'];
    this.sendSize = new Histogram({
      name: 'otelcol_processor_batch_batch_send_size',
      help: 'Number of units in the batch',
      labelNames,
      buckets: [10, 25, 50, 75, 100, 250, 500, 750, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000, 10000, 20000, 30000, 50000, 100000],
      registers: [registry],
    });
    this.sizeTrigger = new Counter({ name: 'otelcol_processor_batch_batch_size_trigger_send_total', help: 'Number of times the batch was sent due to a size trigger', labelNames, registers: [registry] });
    this.timeoutTrigger = new Counter({ name: 'otelcol_processor_batch_timeout_trigger_send_total', help: 'Number of times the batch was sent due to a timeout trigger', labelNames, registers: [registry] });
    this.cardinality = new Gauge({ name: 'otelcol_processor_batch_metadata_cardinality', help: 'Number of distinct metadata value combinations being processed', labelNames, registers: [registry] });
  }
}

export class Batcher {
  #a: BatchArgs;
  #output: OtelOutput;
  readonly #pending = new Map<string, Pending>();
  readonly #metrics: BatchMetrics;
  readonly #processor: string;
  readonly #logger: Logger;
  readonly #inflight = new Set<Promise<void>>();
  #combinations = new Set<string>();

  constructor(a: BatchArgs, output: OtelOutput, metrics: BatchMetrics, processor: string, logger: Logger) {
    this.#a = a;
    this.#output = output;
    this.#metrics = metrics;
    this.#processor = processor;
    this.#logger = logger;
  }

  update(a: BatchArgs, output: OtelOutput): void {
    this.#a = a;
    this.#output = output;
  }

  /** The metadata the batch is keyed by (only metadata_keys survive batching, as in the Collector). */
  #keyOf(ctx: OtelContext | undefined): { key: string; ctx?: OtelContext } {
    if (this.#a.metadata_keys.length === 0) return { key: '' };
    const metadata: Record<string, string[]> = {};
    for (const k of this.#a.metadata_keys) {
      const v = ctx?.metadata?.[k.toLowerCase()];
      if (v && v.length > 0) metadata[k.toLowerCase()] = v;
    }
    return { key: JSON.stringify(this.#a.metadata_keys.map((k) => metadata[k.toLowerCase()] ?? [])), ctx: { metadata } };
  }

  async consume<S extends Signal>(signal: S, data: SignalData[S], ctx?: OtelContext): Promise<void> {
    const n = itemCount(signal, data);
    if (n === 0) return;
    const { key: mdKey, ctx: batchCtx } = this.#keyOf(ctx);
    if (!this.#combinations.has(mdKey)) {
      if (this.#a.metadata_keys.length > 0 && this.#combinations.size >= this.#a.metadata_cardinality_limit) {
        throw new Error(`too many batcher metadata-value combinations (metadata_cardinality_limit ${this.#a.metadata_cardinality_limit})`);
      }
      this.#combinations.add(mdKey);
      this.#metrics.cardinality.set({ processor: this.#processor }, this.#combinations.size);
    }
    // timeout 0: no batching in time, only in size (the Collector sends right away then).
    const key = `${signal}\u0000${mdKey}`;
    let p = this.#pending.get(key);
    if (!p) {
      p = { parts: [], items: 0, ctx: batchCtx };
      this.#pending.set(key, p);
      if (this.#a.timeout > 0) p.timer = setTimeout(() => this.#flush(signal, key, 'timeout'), this.#a.timeout);
    }
    p.parts.push(data);
    p.items += n;
    if (p.items >= this.#a.send_batch_size || this.#a.timeout <= 0) await this.#flush(signal, key, 'size');
  }

  #flush(signal: Signal, key: string, why: 'size' | 'timeout'): Promise<void> {
    const p = this.#pending.get(key);
    if (!p) return Promise.resolve();
    this.#pending.delete(key);
    clearTimeout(p.timer);
    (why === 'size' ? this.#metrics.sizeTrigger : this.#metrics.timeoutTrigger).inc({ processor: this.#processor });
    const merged = mergeData(signal, p.parts);
    const sends = splitData(signal, merged, this.#a.send_batch_max_size).map((part) => this.#send(signal, part, p.ctx));
    const all = Promise.all(sends).then(() => undefined);
    this.#inflight.add(all);
    void all.finally(() => this.#inflight.delete(all));
    return all;
  }

  async #send(signal: Signal, data: SignalData[Signal], ctx: OtelContext | undefined): Promise<void> {
    const n = itemCount(signal, data);
    this.#metrics.sendSize.observe({ processor: this.#processor }, n);
    const consumers = this.#output[signal];
    if (consumers.length === 0) return;
    try {
      await fanoutSignal(consumers, signal, data, ctx);
    } catch (e) {
      this.#logger.warn({ err: (e as Error).message, signal, items: n }, 'Sender failed');
    }
  }

  /** Sends what is pending and waits for the sends in flight. */
  async stop(): Promise<void> {
    for (const key of [...this.#pending.keys()]) void this.#flush(key.split('\u0000')[0] as Signal, key, 'timeout');
    await Promise.all([...this.#inflight]);
  }
}
