// What otelcol.exporter.otlp and .otlphttp share: a stable `input` consumer
// whose sender (transport + queue + retries) is swapped on every update; the
// old sender drains in the background.
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { otelConsumer, type OtelConsumer, type OtelContext, type Signal, type SignalData } from '../../pipeline/otel.js';
import { QUEUE_DEFAULTS, RETRY_DEFAULTS, type QueueArgs, type RetryArgs } from '../config-schema.js';
import type { ExportTransport } from './export-error.js';
import { ExporterMetrics } from './exporter-metrics.js';
import { ExportSender } from './sender.js';

export interface ExporterCommonArgs {
  retry_on_failure?: Partial<RetryArgs>;
  sending_queue?: Partial<QueueArgs>;
}

export class Exporter {
  readonly input: OtelConsumer;
  readonly #metrics: ExporterMetrics;
  readonly #logger: Logger;
  #sender: ExportSender | undefined;
  #key = '';
  #auth: unknown;

  constructor(registry: Registry, exporterId: string, logger: Logger) {
    this.#metrics = new ExporterMetrics(registry, exporterId);
    this.#logger = logger;
    const send = <S extends Signal>(signal: S, data: SignalData[S], ctx?: OtelContext): Promise<void> => {
      if (!this.#sender) return Promise.reject(new Error('exporter not configured'));
      return this.#sender.send(signal, data, ctx);
    };
    this.input = otelConsumer({
      consumeTraces: (d, ctx) => send('traces', d, ctx),
      consumeMetrics: (d, ctx) => send('metrics', d, ctx),
      consumeLogs: (d, ctx) => send('logs', d, ctx),
    });
  }

  /** Same arguments (and the same auth handler) as now: nothing to rebuild, requests in flight go on. */
  unchanged(args: object, auth: unknown): boolean {
    const key = JSON.stringify(args, (k, v) => (k === 'auth' ? (v as { componentId?: string } | undefined)?.componentId : v && typeof v === 'object' && 'reveal' in v ? (v as { reveal(): string }).reveal() : v));
    const same = key === this.#key && auth === this.#auth && this.#sender !== undefined;
    this.#key = key;
    this.#auth = auth;
    return same;
  }

  configure(transport: ExportTransport, args: ExporterCommonArgs, timeoutMs: number): void {
    const old = this.#sender;
    this.#sender = new ExportSender(transport, { queue: { ...QUEUE_DEFAULTS, ...args.sending_queue }, retry: { ...RETRY_DEFAULTS, ...args.retry_on_failure }, timeoutMs }, this.#metrics, this.#logger);
    void old?.stop();
  }

  async stop(): Promise<void> {
    const s = this.#sender;
    this.#sender = undefined;
    await s?.stop();
  }
}
