// otelcol.processor.memory_limiter: refuses data while the process uses too
// much memory (mechanism: src/otel/memlimit/).
import { registerComponent } from '../../../runtime/registry.js';
import { t, type ComponentContext, type ComponentDefinition } from '../../../runtime/types.js';
import { OTELCOL_CONSUMER, type OtelOutput } from '../../../pipeline/otel.js';
import { debugMetricsSchema, outputOf, outputSchema } from '../../../otel/config-schema.js';
import { MemoryLimiter, validateMemoryLimit, type MemoryLimitArgs } from '../../../otel/memlimit/memory-limiter.js';
import { ProcessorStage } from '../../../otel/processor-stage.js';
import { parseBase2Bytes } from '../../../otel/units.js';

export interface MemoryLimiterProcessorArgs {
  check_interval: number;
  limit: string;
  spike_limit?: string;
  limit_percentage: number;
  spike_limit_percentage: number;
  output: Partial<OtelOutput>;
}

function limitArgs(a: MemoryLimiterProcessorArgs): MemoryLimitArgs {
  return {
    check_interval: a.check_interval,
    limit: parseBase2Bytes('limit', a.limit),
    spike_limit: a.spike_limit === undefined ? 0 : parseBase2Bytes('spike_limit', a.spike_limit),
    limit_percentage: a.limit_percentage,
    spike_limit_percentage: a.spike_limit_percentage,
  };
}

class MemoryLimiterProcessor {
  readonly #limiter: MemoryLimiter;
  readonly #stage: ProcessorStage;

  constructor(ctx: ComponentContext, args: MemoryLimiterProcessorArgs) {
    this.#limiter = new MemoryLimiter(limitArgs(args), (refusing, used, { hard, soft }) => {
      if (refusing) ctx.logger.warn({ cur_mem_mib: Math.round(used / 2 ** 20), soft_limit_mib: Math.round(soft / 2 ** 20), hard_limit_mib: Math.round(hard / 2 ** 20) }, 'Memory usage is above soft limit. Refusing data.');
      else ctx.logger.info({ cur_mem_mib: Math.round(used / 2 ** 20) }, 'Memory usage back within limits. Resuming normal operation.');
    });
    const step = <T>(_s: unknown, data: T) => {
      this.#limiter.admit();
      return data;
    };
    this.#stage = new ProcessorStage(step, outputOf(args.output));
    ctx.setExports({ input: this.#stage.input });
  }

  update(args: MemoryLimiterProcessorArgs): void {
    this.#limiter.update(limitArgs(args));
    this.#stage.update((_s, data) => {
      this.#limiter.admit();
      return data;
    }, outputOf(args.output));
  }

  stop(): void {
    this.#limiter.stop();
  }

  debugInfo(): unknown {
    return { refusing: this.#limiter.refusing, ...this.#limiter.limits };
  }
}

export const memoryLimiterProcessor: ComponentDefinition<MemoryLimiterProcessorArgs> = {
  name: 'otelcol.processor.memory_limiter',
  args: {
    attrs: {
      check_interval: { type: t.duration(), required: true },
      limit: { type: t.string(), default: '0MiB' },
      spike_limit: { type: t.string() },
      limit_percentage: { type: t.number(), default: 0 },
      spike_limit_percentage: { type: t.number(), default: 0 },
    },
    blocks: { output: { schema: outputSchema, required: true }, debug_metrics: { schema: debugMetricsSchema } },
    validate: (a: MemoryLimiterProcessorArgs) => validateMemoryLimit(limitArgs(a)),
  },
  exports: { input: t.capsule(OTELCOL_CONSUMER) },
  build: (ctx, args) => new MemoryLimiterProcessor(ctx, args),
};

registerComponent(memoryLimiterProcessor);
