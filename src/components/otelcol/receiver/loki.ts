// otelcol.receiver.loki: a Loki logs receiver whose entries become OTLP log
// records (src/otel/bridge/loki-to-otlp.ts) for the output block's consumers.
import { registerComponent } from '../../../runtime/registry.js';
import { t, type ComponentContext, type ComponentDefinition } from '../../../runtime/types.js';
import { LOGS_RECEIVER, logsReceiver, type LogEntry } from '../../../pipeline/logs.js';
import type { OtelOutput } from '../../../pipeline/otel.js';
import { outputOf, outputSchema } from '../../../otel/config-schema.js';
import { ReceiverMetrics } from '../../../otel/receiver-metrics.js';
import { ReceiverSink } from '../../../otel/receiver-sink.js';
import { entriesToLogs } from '../../../otel/bridge/loki-to-otlp.js';

export interface LokiReceiverArgs {
  output: Partial<OtelOutput>;
}

class LokiReceiverComponent {
  readonly #sink: ReceiverSink;

  constructor(ctx: ComponentContext, args: LokiReceiverArgs) {
    this.#sink = new ReceiverSink(outputOf(args.output), new ReceiverMetrics(ctx.metrics, 'loki'));
    ctx.setExports({
      receiver: logsReceiver({
        append: async (entries: LogEntry[]) => {
          if (entries.length === 0) return;
          await this.#sink.deliver('logs', entriesToLogs(entries, BigInt(Date.now()) * 1_000_000n), {}, 'loki');
        },
      }),
    });
    ctx.setHealth('healthy');
  }

  update(args: LokiReceiverArgs): void {
    this.#sink.setOutput(outputOf(args.output));
  }
}

export const lokiReceiver: ComponentDefinition<LokiReceiverArgs> = {
  name: 'otelcol.receiver.loki',
  args: { blocks: { output: { schema: outputSchema, required: true } } },
  exports: { receiver: t.capsule(LOGS_RECEIVER) },
  build: (ctx, args) => new LokiReceiverComponent(ctx, args),
};

registerComponent(lokiReceiver);
