// otelcol.exporter.loki: OTLP logs from otelcol components, converted to Loki
// entries (src/otel/bridge/otlp-to-loki.ts) and handed to the forward_to
// receivers. Traces and metrics sent to its input are ignored.
import { registerComponent } from '../../../runtime/registry.js';
import { t, type ComponentContext, type ComponentDefinition } from '../../../runtime/types.js';
import { fanout, LOGS_RECEIVER, type LogEntry, type LogsReceiver } from '../../../pipeline/logs.js';
import { OTELCOL_CONSUMER, otelConsumer, type Logs } from '../../../pipeline/otel.js';
import { LokiConverterMetrics } from '../../../otel/bridge/bridge-metrics.js';
import { logToLokiEntry } from '../../../otel/bridge/otlp-to-loki.js';

export interface LokiExporterArgs {
  forward_to: LogsReceiver[];
}

const nowNs = (): bigint => BigInt(Date.now()) * 1_000_000n;

class LokiExporter {
  readonly #ctx: ComponentContext;
  readonly #m: LokiConverterMetrics;
  #forwardTo: LogsReceiver[] = [];

  constructor(ctx: ComponentContext, args: LokiExporterArgs) {
    this.#ctx = ctx;
    this.#m = new LokiConverterMetrics(ctx.metrics);
    this.update(args);
    ctx.setExports({ input: otelConsumer({ consumeTraces: async () => {}, consumeMetrics: async () => {}, consumeLogs: (d) => this.#consume(d) }) });
  }

  update(args: LokiExporterArgs): void {
    this.#forwardTo = args.forward_to;
    this.#ctx.setHealth('healthy');
  }

  async #consume(data: Logs): Promise<void> {
    const entries: LogEntry[] = [];
    for (const rl of data.resourceLogs ?? []) {
      for (const sl of rl.scopeLogs ?? []) {
        for (const lr of sl.logRecords ?? []) {
          this.#m.total.inc();
          try {
            entries.push(logToLokiEntry(lr, rl.resource, sl.scope, nowNs));
            this.#m.processed.inc();
          } catch (e) {
            this.#m.failed.inc();
            this.#ctx.logger.error({ err: (e as Error).message }, 'failed to convert log to loki entry');
          }
        }
      }
    }
    await fanout(this.#forwardTo, entries);
  }
}

export const lokiExporter: ComponentDefinition<LokiExporterArgs> = {
  name: 'otelcol.exporter.loki',
  args: { attrs: { forward_to: { type: t.array(t.capsule(LOGS_RECEIVER)), required: true } } },
  exports: { input: t.capsule(OTELCOL_CONSUMER) },
  build: (ctx, args) => new LokiExporter(ctx, args),
};

registerComponent(lokiExporter);
