// loki.process: runs entries through an ordered list of stage.* blocks and
// forwards the survivors. append() resolves when every forward_to receiver
// accepted the result (backpressure; stage.limit may make it wait too).
import { entryText } from '../../pipeline/live-text.js';
import { registerComponent } from '../../runtime/registry.js';
import { t, type BlockSchema, type ComponentContext, type ComponentDefinition } from '../../runtime/types.js';
import { Counter } from 'prom-client';
import { buildPipeline, type StageBlock } from '../../logs/stages/pipeline.js';
import type { StageEnv } from '../../logs/stages/env.js';
import type { Stage } from '../../logs/stages/types.js';
import { StageRunner } from '../../logs/stages/runner.js';
import { timingAndMetricStageBlocks } from './process-stage-schemas.js';
import { addMatchStage, parseTransformStageBlocks, stageBlockSpecs } from './process-parsing-stage-schemas.js';
import { logsReceiver, fanout, LOGS_RECEIVER, type LogEntry, type LogsReceiver } from '../../pipeline/logs.js';

export interface LokiProcessArgs {
  forward_to: LogsReceiver[];
  _blocks?: StageBlock[];
}

const stageBlocks: Record<string, BlockSchema> = {
  ...parseTransformStageBlocks,
  'stage.static_labels': { attrs: { values: { type: t.map(t.string()), required: true } } },
  'stage.labels': { attrs: { values: { type: t.map(t.any()), required: true }, source_type: { type: t.string(), default: 'extracted' } } },
  'stage.json': {
    attrs: {
      expressions: { type: t.map(t.any()) },
      regex: { type: t.string() },
      source: { type: t.string() },
      drop_malformed: { type: t.bool(), default: false },
    },
  },
  'stage.logfmt': { attrs: { mapping: { type: t.map(t.any()) }, regex: { type: t.string() }, source: { type: t.string(), default: '' } } },
  'stage.drop': {
    attrs: {
      source: { type: t.string() },
      separator: { type: t.string(), default: ';' },
      expression: { type: t.string() },
      value: { type: t.string() },
      older_than: { type: t.duration() },
      longer_than: { type: t.string() },
      drop_counter_reason: { type: t.string(), default: 'drop_stage' },
    },
  },
  'stage.luhn': {
    attrs: {
      replacement: { type: t.string(), default: '**REDACTED**' },
      min_length: { type: t.number(), default: 13 },
      source: { type: t.string() },
      delimiters: { type: t.string(), default: '' },
      skip_regex: { type: t.string(), default: '' },
    },
  },
  ...timingAndMetricStageBlocks,
};

/**
 * Compares stage configurations: the decoded blocks, nested ones included
 * (stage.metrics' metric.* blocks, stage.match's stages, which the decoder
 * keeps in a hidden ordered `_blocks` list that JSON.stringify would skip).
 */
function stagesKey(blocks: readonly StageBlock[]): string {
  const plain = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(plain);
    if (v === null || typeof v !== 'object' || v.constructor !== Object) return v;
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) o[k] = plain(x);
    const nested = (v as { _blocks?: StageBlock[] })._blocks;
    if (nested) o._blocks = nested.map((b) => [b.name, plain(b.value)]);
    return o;
  };
  return JSON.stringify(blocks.map((b) => [b.name, plain(b.value)]));
}

// Last: stage.match nests every stage block defined above.
addMatchStage(stageBlocks);

class LokiProcess {
  #runner: StageRunner;
  #forward: LogsReceiver[] = [];
  #stagesKey: string | undefined;
  readonly #dropped;
  readonly #droppedByLabel;
  readonly receiver: LogsReceiver;

  constructor(private readonly ctx: ComponentContext) {
    this.#dropped = new Counter({ name: 'loki_process_dropped_lines_total', help: 'A count of all log lines dropped as a result of a pipeline stage', labelNames: ['reason'] as const, registers: [ctx.metrics] });
    this.#droppedByLabel = new Counter({
      name: 'loki_process_dropped_lines_by_label_total',
      help: 'A count of all log lines dropped as a result of a pipeline stage',
      labelNames: ['label_name', 'label_value'] as const,
      registers: [ctx.metrics],
    });
    this.#runner = this.#newRunner([]);
    this.receiver = logsReceiver({
      append: (entries: LogEntry[]) => {
        this.#publish('IN', entries);
        return this.#runner.push(entries);
      },
    });
    ctx.setExports({ receiver: this.receiver });
  }

  #newRunner(stages: Stage[]): StageRunner {
    return new StageRunner(stages, (entries) => (this.#publish('OUT', entries), fanout(this.#forward, entries)), (err) =>
      this.ctx.logger.warn({ err: (err as Error)?.message ?? String(err) }, 'forwarding entries released by a stage failed'),
    );
  }

  /** Live debugging: each line as it came in and as it leaves (only while watched). */
  #publish(dir: 'IN' | 'OUT', entries: LogEntry[]): void {
    const live = this.ctx.liveDebugging;
    if (!live?.active()) return;
    for (const e of entries) live.publish('loki_log', dir === 'OUT' ? 1 : 0, () => entryText(dir, e));
  }

  update(args: LokiProcessArgs): void {
    const onDrop = (reason: string) => this.#dropped.inc({ reason });
    const env: StageEnv = {
      registry: this.ctx.metrics,
      logger: this.ctx.logger,
      dropsByLabel: { inc: (label_name, label_value) => this.#droppedByLabel.inc({ label_name, label_value }), reset: () => this.#droppedByLabel.reset() },
    };
    this.#forward = args.forward_to ?? [];
    // As in Alloy, unchanged stages keep running (multiline blocks, limit buckets and metrics keep their state).
    const key = stagesKey(args._blocks ?? []);
    if (key === this.#stagesKey) return;
    // Build first: a bad stage keeps the previous pipeline running.
    const stages = buildPipeline(args._blocks ?? [], onDrop, env);
    this.#stagesKey = key;
    // The old pipeline hands on what it still holds (multiline blocks) and unregisters its metrics before the new one starts.
    const old = this.#runner;
    this.#runner = this.#newRunner(stages);
    void old.stop();
    this.#runner.start();
    this.ctx.setHealth('healthy', `${stages.length} stage(s)`);
  }

  stop(): Promise<void> {
    return this.#runner.stop();
  }

  debugInfo(): unknown {
    return { stages: this.#runner.stages.map((s) => s.name), forward_to: this.#forward.length };
  }
}

export const lokiProcess: ComponentDefinition<LokiProcessArgs> = {
  name: 'loki.process',
  labelRequired: true,
  liveDebugging: true,
  args: {
    attrs: { forward_to: { type: t.array(t.capsule(LOGS_RECEIVER)), required: true } },
    blocks: stageBlockSpecs(stageBlocks),
    ordered: true,
  },
  exports: { receiver: t.capsule(LOGS_RECEIVER) },
  build(ctx: ComponentContext) {
    return new LokiProcess(ctx);
  },
};

registerComponent(lokiProcess);
