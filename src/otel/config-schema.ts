// The blocks that many otelcol components share, with Alloy's names and
// defaults: output, debug_metrics, retry_on_failure, sending_queue.
import { OTELCOL_CONSUMER, OTELCOL_HANDLER, type OtelAuthHandler, type OtelConsumer, type OtelOutput } from '../pipeline/otel.js';
import { t, type BlockSchema, type BlockSpec } from '../runtime/types.js';

const consumers = { type: t.array(t.capsule(OTELCOL_CONSUMER)), default: [] };

export const outputSchema: BlockSchema = {
  attrs: { metrics: consumers, logs: consumers, traces: consumers },
};

export function outputOf(o: Partial<OtelOutput> | undefined): OtelOutput {
  return { traces: o?.traces ?? [], metrics: o?.metrics ?? [], logs: o?.logs ?? [] };
}

export interface DebugMetricsArgs {
  disable_high_cardinality_metrics: boolean;
}

/** We emit no high-cardinality self-metrics, so the switch has nothing to turn off either way. */
export const debugMetricsSchema: BlockSchema = {
  attrs: { disable_high_cardinality_metrics: { type: t.bool(), default: true } },
};

export const authAttr = { type: t.capsule(OTELCOL_HANDLER) };
export type AuthArg = OtelAuthHandler | undefined;

export interface RetryArgs {
  enabled: boolean;
  initial_interval: number;
  randomization_factor: number;
  multiplier: number;
  max_interval: number;
  max_elapsed_time: number;
}

export const RETRY_DEFAULTS: RetryArgs = { enabled: true, initial_interval: 5_000, randomization_factor: 0.5, multiplier: 1.5, max_interval: 30_000, max_elapsed_time: 300_000 };

export const retrySchema: BlockSchema = {
  attrs: {
    enabled: { type: t.bool(), default: RETRY_DEFAULTS.enabled },
    initial_interval: { type: t.duration(), default: RETRY_DEFAULTS.initial_interval },
    randomization_factor: { type: t.number(), default: RETRY_DEFAULTS.randomization_factor },
    multiplier: { type: t.number(), default: RETRY_DEFAULTS.multiplier },
    max_interval: { type: t.duration(), default: RETRY_DEFAULTS.max_interval },
    max_elapsed_time: { type: t.duration(), default: RETRY_DEFAULTS.max_elapsed_time },
  },
  validate: (a: RetryArgs) => {
    if (a.multiplier <= 1) throw new Error('multiplier must be greater than 1.0');
    if (a.randomization_factor < 0) throw new Error('randomization_factor must be greater or equal to 0');
  },
};

export interface QueueArgs {
  enabled: boolean;
  num_consumers: number;
  queue_size: number;
  block_on_overflow: boolean;
  sizer: 'requests' | 'items';
  wait_for_result: boolean;
}

export const QUEUE_DEFAULTS: QueueArgs = { enabled: true, num_consumers: 10, queue_size: 1000, block_on_overflow: false, sizer: 'requests', wait_for_result: false };

export const queueSchema: BlockSchema = {
  attrs: {
    enabled: { type: t.bool(), default: QUEUE_DEFAULTS.enabled },
    num_consumers: { type: t.number(), default: QUEUE_DEFAULTS.num_consumers },
    queue_size: { type: t.number(), default: QUEUE_DEFAULTS.queue_size },
    block_on_overflow: { type: t.bool(), default: QUEUE_DEFAULTS.block_on_overflow },
    sizer: { type: t.string(), default: QUEUE_DEFAULTS.sizer },
    wait_for_result: { type: t.bool(), default: QUEUE_DEFAULTS.wait_for_result },
  },
  validate: (a: QueueArgs) => {
    if (a.enabled && a.num_consumers <= 0) throw new Error('num_consumers must be greater than zero');
    if (a.enabled && a.queue_size <= 0) throw new Error('queue_size must be greater than zero');
    // The bytes sizer would need the serialized size of every queued request; we measure requests and items only.
    if (a.sizer !== 'requests' && a.sizer !== 'items') throw new Error(`invalid sizer: ${a.sizer} (this build supports "requests" and "items")`);
  },
};

/** Blocks every exporter takes besides its client. */
export const exporterBlocks: Record<string, BlockSpec> = {
  debug_metrics: { schema: debugMetricsSchema },
  retry_on_failure: { schema: retrySchema },
  sending_queue: { schema: queueSchema },
};

export type { OtelConsumer };
