// loki.process: runs entries through an ordered list of stage.* blocks and
// forwards the survivors. The pipeline is synchronous; append() resolves
// when every forward_to receiver accepted the result (backpressure).
import { registerComponent } from '../../runtime/registry.js';
import { t, type BlockSchema, type ComponentContext, type ComponentDefinition } from '../../runtime/types.js';
import { Counter } from 'prom-client';
import { buildPipeline, runPipeline, type StageBlock } from '../../logs/stages/pipeline.js';
import type { Stage } from '../../logs/stages/types.js';
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
      longer_than: { type: t.any() },
      drop_counter_reason: { type: t.string(), default: 'drop_stage' },
    },
  },
  'stage.luhn': {
    attrs: {
      replacement: { type: t.string(), default: '**REDACTED**' },
      min_length: { type: t.number(), default: 13 },
      source: { type: t.string() },
    },
  },
};

// Last: stage.match nests every stage block defined above.
addMatchStage(stageBlocks);

class LokiProcess {
  #stages: Stage[] = [];
  #forward: LogsReceiver[] = [];
  readonly #dropped;
  readonly receiver: LogsReceiver;

  constructor(private readonly ctx: ComponentContext) {
    this.#dropped = new Counter({ name: 'loki_process_dropped_lines_total', help: 'Lines dropped by loki.process stages.', labelNames: ['reason'] as const, registers: [ctx.metrics] });
    this.receiver = logsReceiver({ append: (entries: LogEntry[]) => this.#append(entries) });
    ctx.setExports({ receiver: this.receiver });
  }

  #append(entries: LogEntry[]): Promise<void> {
    const out = runPipeline(this.#stages, entries);
    return fanout(this.#forward, out);
  }

  update(args: LokiProcessArgs): void {
    const onDrop = (reason: string) => this.#dropped.inc({ reason });
    // Build first: a bad stage keeps the previous pipeline running.
    const stages = buildPipeline(args._blocks ?? [], onDrop, { registry: this.ctx.metrics, logger: this.ctx.logger });
    this.#forward = args.forward_to ?? [];
    this.#stages = stages;
    this.ctx.setHealth('healthy', `${stages.length} stage(s)`);
  }

  debugInfo(): unknown {
    return { stages: this.#stages.map((s) => s.name), forward_to: this.#forward.length };
  }
}

export const lokiProcess: ComponentDefinition<LokiProcessArgs> = {
  name: 'loki.process',
  labelRequired: true,
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
