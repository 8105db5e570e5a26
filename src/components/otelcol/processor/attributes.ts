// otelcol.processor.attributes: inserts, updates, deletes, hashes, extracts and
// converts attributes of spans, log records and metric data points
// (mechanism: src/otel/attributes/).
import { withLiveTap } from '../../../otel/live-output.js';
import { ProcessorMetrics } from '../../../otel/processor-metrics.js';
import { registerComponent } from '../../../runtime/registry.js';
import { t, type BlockSchema, type ComponentContext, type ComponentDefinition } from '../../../runtime/types.js';
import { OTELCOL_CONSUMER, type OtelOutput } from '../../../pipeline/otel.js';
import { debugMetricsSchema, outputOf, outputSchema } from '../../../otel/config-schema.js';
import { AttributesProcessor, type AttributesArgs } from '../../../otel/attributes/processor.js';
import { outputSignals, ProcessorStage, type Step } from '../../../otel/processor-stage.js';

export interface AttributesProcessorArgs extends AttributesArgs {
  output: Partial<OtelOutput>;
}

const keyValueSchema: BlockSchema = { attrs: { key: { type: t.string(), required: true }, value: { type: t.any() } } };

const matchSchema: BlockSchema = {
  attrs: {
    match_type: { type: t.string(), required: true },
    services: { type: t.array(t.string()), default: [] },
    span_names: { type: t.array(t.string()), default: [] },
    span_kinds: { type: t.array(t.string()), default: [] },
    log_bodies: { type: t.array(t.string()), default: [] },
    log_severity_texts: { type: t.array(t.string()), default: [] },
    metric_names: { type: t.array(t.string()), default: [] },
  },
  blocks: {
    attribute: { schema: keyValueSchema, multiple: true },
    resource: { schema: keyValueSchema, multiple: true },
    library: { schema: { attrs: { name: { type: t.string(), required: true }, version: { type: t.string() } } }, multiple: true },
    log_severity: { schema: { attrs: { min: { type: t.string(), required: true }, match_undefined: { type: t.bool(), required: true } } } },
    regexp: { schema: { attrs: { cache_enabled: { type: t.bool(), default: false }, cache_max_num_entries: { type: t.number(), default: 0 } } } },
  },
};

const actionSchema: BlockSchema = {
  attrs: {
    key: { type: t.string(), default: '' },
    value: { type: t.any() },
    pattern: { type: t.string(), default: '' },
    from_attribute: { type: t.string(), default: '' },
    from_context: { type: t.string(), default: '' },
    converted_type: { type: t.string(), default: '' },
    action: { type: t.string(), required: true },
  },
};

function stepOf(ctx: ComponentContext, args: AttributesProcessorArgs): Step {
  for (const [i, a] of args.action.entries()) {
    if (a.from_context === 'client.address') ctx.logger.warn(`action[${i}]: from_context "client.address" is not available in this build (receivers do not pass the client address); the action does nothing`);
  }
  const p = new AttributesProcessor(args, outputSignals(outputOf(args.output)));
  return (signal, data, c) => p.apply(signal, data, c);
}

class AttributesComponent {
  readonly #stage: ProcessorStage;
  readonly #ctx: ComponentContext;

  constructor(ctx: ComponentContext, args: AttributesProcessorArgs) {
    this.#ctx = ctx;
    this.#stage = new ProcessorStage(stepOf(ctx, args), withLiveTap(outputOf(args.output), ctx.liveDebugging), new ProcessorMetrics(ctx.metrics, ctx.id));
    ctx.setExports({ input: this.#stage.input });
  }

  update(args: AttributesProcessorArgs): void {
    this.#stage.update(stepOf(this.#ctx, args), withLiveTap(outputOf(args.output), this.#ctx.liveDebugging));
  }
}

export const attributesProcessor: ComponentDefinition<AttributesProcessorArgs> = {
  name: 'otelcol.processor.attributes',
  liveDebugging: true,
  args: {
    blocks: {
      action: { schema: actionSchema, multiple: true },
      include: { schema: matchSchema },
      exclude: { schema: matchSchema },
      output: { schema: outputSchema, required: true },
      debug_metrics: { schema: debugMetricsSchema },
    },
    // Compiling checks actions, patterns and match blocks against the signals of the output.
    validate: (a: AttributesProcessorArgs) => void new AttributesProcessor(a, outputSignals(outputOf(a.output))),
  },
  exports: { input: t.capsule(OTELCOL_CONSUMER) },
  build: (ctx, args) => new AttributesComponent(ctx, args),
};

registerComponent(attributesProcessor);
