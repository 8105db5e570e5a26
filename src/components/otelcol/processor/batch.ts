// otelcol.processor.batch: gathers telemetry into batches by size and time
// before passing it on (mechanism: src/otel/batch.ts).
import { withLiveTap } from '../../../otel/live-output.js';
import { registerComponent } from '../../../runtime/registry.js';
import { t, type ComponentContext, type ComponentDefinition } from '../../../runtime/types.js';
import { OTELCOL_CONSUMER, otelConsumer, type OtelConsumer, type OtelOutput } from '../../../pipeline/otel.js';
import { debugMetricsSchema, outputOf, outputSchema } from '../../../otel/config-schema.js';
import { BatchMetrics, Batcher, type BatchArgs } from '../../../otel/batch.js';

export interface BatchProcessorArgs extends BatchArgs {
  output: Partial<OtelOutput>;
}

class BatchProcessor {
  readonly #batcher: Batcher;
  readonly input: OtelConsumer;
  readonly #ctx: ComponentContext;

  constructor(ctx: ComponentContext, args: BatchProcessorArgs) {
    this.#ctx = ctx;
    this.#batcher = new Batcher(args, withLiveTap(outputOf(args.output), ctx.liveDebugging), new BatchMetrics(ctx.metrics), ctx.id, ctx.logger);
    this.input = otelConsumer({
      consumeTraces: (d, c) => this.#batcher.consume('traces', d, c),
      consumeMetrics: (d, c) => this.#batcher.consume('metrics', d, c),
      consumeLogs: (d, c) => this.#batcher.consume('logs', d, c),
    });
    ctx.setExports({ input: this.input });
  }

  update(args: BatchProcessorArgs): void {
    this.#batcher.update(args, withLiveTap(outputOf(args.output), this.#ctx.liveDebugging));
  }

  stop(): Promise<void> {
    return this.#batcher.stop();
  }
}

export const batchProcessor: ComponentDefinition<BatchProcessorArgs> = {
  name: 'otelcol.processor.batch',
  liveDebugging: true,
  args: {
    attrs: {
      timeout: { type: t.duration(), default: 200 },
      send_batch_size: { type: t.number(), default: 2000 },
      send_batch_max_size: { type: t.number(), default: 3000 },
      metadata_keys: { type: t.array(t.string()), default: [] },
      metadata_cardinality_limit: { type: t.number(), default: 1000 },
    },
    blocks: { output: { schema: outputSchema, required: true }, debug_metrics: { schema: debugMetricsSchema } },
    validate: (a: BatchArgs) => {
      if (a.send_batch_max_size > 0 && a.send_batch_max_size < a.send_batch_size) throw new Error('send_batch_max_size must be greater or equal to send_batch_size');
    },
  },
  exports: { input: t.capsule(OTELCOL_CONSUMER) },
  build: (ctx, args) => new BatchProcessor(ctx, args),
};

registerComponent(batchProcessor);
