// Builds the ordered stage list of loki.process from its decoded blocks and
// runs entries through it.
import type { LogEntry } from '../../pipeline/logs.js';
import { dropStage, type DropArgs } from './drop.js';
import { jsonStage, type JsonArgs } from './json.js';
import { labelsStage, type LabelsArgs } from './labels.js';
import { logfmtStage, type LogfmtArgs } from './logfmt.js';
import { luhnStage, type LuhnArgs } from './luhn.js';
import { staticLabelsStage, type StaticLabelsArgs } from './static-labels.js';
import type { DropCounter, Stage, StageBlock } from './types.js';
import { buildParseTransformStage } from './stage-builders.js';
import type { StageEnv } from './env.js';
import { geoipStage, type GeoIPArgs } from './geoip.js';
import { limitStage, type LimitArgs } from './limit.js';
import { metricsStage, type MetricsArgs } from './metrics.js';
import { multilineStage, type MultilineArgs } from './multiline.js';
import { runStagesSync } from './runner.js';
import { samplingStage, type SamplingArgs } from './sampling.js';
import { timestampStage, type TimestampArgs } from './timestamp.js';

export type { DropCounter, StageBlock } from './types.js';

export function buildStage(block: StageBlock, onDrop: DropCounter, env: StageEnv = {}): Stage {
  switch (block.name) {
    case 'stage.static_labels':
      return staticLabelsStage(block.value as StaticLabelsArgs);
    case 'stage.labels':
      return labelsStage(block.value as LabelsArgs);
    case 'stage.json':
      return jsonStage(block.value as JsonArgs, () => onDrop('malformed_json'));
    case 'stage.logfmt':
      return logfmtStage(block.value as LogfmtArgs);
    case 'stage.drop':
      return dropStage(block.value as DropArgs, onDrop, env.now);
    case 'stage.luhn':
      return luhnStage(block.value as LuhnArgs);
    case 'stage.timestamp':
      return timestampStage(block.value as TimestampArgs, env.now);
    case 'stage.multiline':
      return multilineStage(block.value as MultilineArgs, env.now);
    case 'stage.limit':
      return limitStage(block.value as LimitArgs, onDrop, env);
    case 'stage.sampling':
      return samplingStage(block.value as SamplingArgs, onDrop, env);
    case 'stage.metrics':
      return metricsStage(block.value as MetricsArgs, env);
    case 'stage.geoip':
      return geoipStage(block.value as GeoIPArgs, env);
    default: {
      const stage = buildParseTransformStage(block, onDrop, env, (nested) => buildPipeline(nested, onDrop, env));
      if (stage) return stage;
      throw new Error(`unsupported stage block "${block.name}"`);
    }
  }
}

export function buildPipeline(blocks: readonly StageBlock[], onDrop: DropCounter, env: StageEnv = {}): Stage[] {
  const buildEnv: StageEnv = { ...env, metricNames: new Set() };
  return blocks.map((b, i) => {
    try {
      return buildStage(b, onDrop, buildEnv);
    } catch (err) {
      throw new Error(`${b.name} (stage ${i + 1}): ${(err as Error).message.replace(/^stage\.\w+: /, '')}`);
    }
  });
}

/** Runs every entry through the stages; returns the survivors (new objects, labels copied). Stages that wait need StageRunner. */
export function runPipeline(stages: readonly Stage[], entries: readonly LogEntry[]): LogEntry[] {
  return runStagesSync(stages, entries);
}
