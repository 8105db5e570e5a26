// otelcol.processor.filter: drops spans, span events, metrics, data points and
// log records matching OTTL conditions (mechanism: src/otel/filter/).
import { withLiveTap } from '../../../otel/live-output.js';
import { FilterMetrics, ProcessorMetrics } from '../../../otel/processor-metrics.js';
import { registerComponent } from '../../../runtime/registry.js';
import { t, type ComponentContext, type ComponentDefinition } from '../../../runtime/types.js';
import { OTELCOL_CONSUMER, type OtelOutput } from '../../../pipeline/otel.js';
import { debugMetricsSchema, outputOf, outputSchema } from '../../../otel/config-schema.js';
import { Filter, type FilterArgs } from '../../../otel/filter/filter.js';
import { checkErrorMode } from '../../../otel/ottl/error-mode.js';
import { ProcessorStage, type Step } from '../../../otel/processor-stage.js';

export interface FilterProcessorArgs extends FilterArgs {
  output: Partial<OtelOutput>;
}

const conditions = { type: t.array(t.string()), default: [] };
const conditionsSchema = { attrs: { context: { type: t.string() }, conditions: { type: t.array(t.string()), required: true } } };

function stepOf(ctx: ComponentContext, args: FilterProcessorArgs): Step {
  const f = new Filter(args, ctx.logger);
  return (signal, data) => f.apply(signal, data);
}

class FilterComponent {
  readonly #stage: ProcessorStage;
  readonly #ctx: ComponentContext;

  constructor(ctx: ComponentContext, args: FilterProcessorArgs) {
    this.#ctx = ctx;
    const filtered = new FilterMetrics(ctx.metrics, ctx.id);
    this.#stage = new ProcessorStage(stepOf(ctx, args), withLiveTap(outputOf(args.output), ctx.liveDebugging), new ProcessorMetrics(ctx.metrics, ctx.id), (s, n) => filtered.dropped(s, n));
    ctx.setExports({ input: this.#stage.input });
  }

  update(args: FilterProcessorArgs): void {
    this.#stage.update(stepOf(this.#ctx, args), withLiveTap(outputOf(args.output), this.#ctx.liveDebugging));
  }
}

export const filterProcessor: ComponentDefinition<FilterProcessorArgs> = {
  name: 'otelcol.processor.filter',
  liveDebugging: true,
  args: {
    attrs: { error_mode: { type: t.string(), default: 'ignore' } },
    blocks: {
      traces: { schema: { attrs: { span: conditions, spanevent: conditions } } },
      metrics: { schema: { attrs: { metric: conditions, datapoint: conditions } } },
      logs: { schema: { attrs: { log_record: conditions } } },
      trace_conditions: { schema: conditionsSchema, multiple: true },
      metric_conditions: { schema: conditionsSchema, multiple: true },
      log_conditions: { schema: conditionsSchema, multiple: true },
      output: { schema: outputSchema, required: true },
      debug_metrics: { schema: debugMetricsSchema },
    },
    // Compiling every condition makes an unsupported path or function fail the config load.
    validate: (a: FilterProcessorArgs) => {
      checkErrorMode('error_mode', a.error_mode);
      void new Filter(a, undefined as never);
    },
  },
  exports: { input: t.capsule(OTELCOL_CONSUMER) },
  build: (ctx, args) => new FilterComponent(ctx, args),
};

registerComponent(filterProcessor);
