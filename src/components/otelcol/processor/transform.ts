// otelcol.processor.transform: changes telemetry with OTTL statements
// (mechanism: src/otel/transform/, language: src/otel/ottl/).
import { withLiveTap } from '../../../otel/live-output.js';
import { ProcessorMetrics } from '../../../otel/processor-metrics.js';
import { registerComponent } from '../../../runtime/registry.js';
import { t, type BlockSchema, type ComponentContext, type ComponentDefinition } from '../../../runtime/types.js';
import { OTELCOL_CONSUMER, type OtelOutput } from '../../../pipeline/otel.js';
import { debugMetricsSchema, outputOf, outputSchema } from '../../../otel/config-schema.js';
import { checkErrorMode } from '../../../otel/ottl/error-mode.js';
import { ProcessorStage, type Step } from '../../../otel/processor-stage.js';
import { Transformer, type TransformArgs } from '../../../otel/transform/transform.js';

export interface TransformProcessorArgs extends TransformArgs {
  output: Partial<OtelOutput>;
}

const statementsSchema: BlockSchema = {
  attrs: {
    context: { type: t.string(), required: true },
    statements: { type: t.array(t.string()), required: true },
    conditions: { type: t.array(t.string()), default: [] },
    error_mode: { type: t.string() },
  },
};

function stepOf(ctx: ComponentContext, args: TransformProcessorArgs): Step {
  const tr = new Transformer(args, ctx.logger);
  return (signal, data) => tr.apply(signal, data);
}

class TransformComponent {
  readonly #stage: ProcessorStage;
  readonly #ctx: ComponentContext;

  constructor(ctx: ComponentContext, args: TransformProcessorArgs) {
    this.#ctx = ctx;
    this.#stage = new ProcessorStage(stepOf(ctx, args), withLiveTap(outputOf(args.output), ctx.liveDebugging), new ProcessorMetrics(ctx.metrics, ctx.id));
    ctx.setExports({ input: this.#stage.input });
  }

  update(args: TransformProcessorArgs): void {
    this.#stage.update(stepOf(this.#ctx, args), withLiveTap(outputOf(args.output), this.#ctx.liveDebugging));
  }
}

export const transformProcessor: ComponentDefinition<TransformProcessorArgs> = {
  name: 'otelcol.processor.transform',
  liveDebugging: true,
  args: {
    attrs: { error_mode: { type: t.string(), default: 'ignore' } },
    blocks: {
      trace_statements: { schema: statementsSchema, multiple: true },
      metric_statements: { schema: statementsSchema, multiple: true },
      log_statements: { schema: statementsSchema, multiple: true },
      statements: { schema: { attrs: { trace: { type: t.array(t.string()), default: [] }, metric: { type: t.array(t.string()), default: [] }, log: { type: t.array(t.string()), default: [] } } } },
      output: { schema: outputSchema, required: true },
      debug_metrics: { schema: debugMetricsSchema },
    },
    // Compiling every statement makes an unsupported path or function fail the config load.
    validate: (a: TransformProcessorArgs) => {
      checkErrorMode('error_mode', a.error_mode);
      void new Transformer(a, undefined as never);
    },
  },
  exports: { input: t.capsule(OTELCOL_CONSUMER) },
  build: (ctx, args) => new TransformComponent(ctx, args),
};

registerComponent(transformProcessor);
