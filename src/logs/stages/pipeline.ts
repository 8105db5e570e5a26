// Builds the ordered stage list of loki.process from its decoded blocks and
// runs entries through it.
import type { LogEntry } from '../../pipeline/logs.js';
import { dropStage, type DropArgs } from './drop.js';
import { jsonStage, type JsonArgs } from './json.js';
import { labelsStage, type LabelsArgs } from './labels.js';
import { logfmtStage, type LogfmtArgs } from './logfmt.js';
import { luhnStage, type LuhnArgs } from './luhn.js';
import { staticLabelsStage, type StaticLabelsArgs } from './static-labels.js';
import { buildParseTransformStage } from './stage-builders.js';
import type { Stage, StageEntry, StageEnv } from './types.js';

export interface StageBlock {
  name: string;
  value: any;
}

export type DropCounter = (reason: string) => void;

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
      return dropStage(block.value as DropArgs, onDrop);
    case 'stage.luhn':
      return luhnStage(block.value as LuhnArgs);
    default: {
      const stage = buildParseTransformStage(block, onDrop, env);
      if (stage) return stage;
      throw new Error(`unsupported stage block "${block.name}"`);
    }
  }
}

export function buildPipeline(blocks: readonly StageBlock[], onDrop: DropCounter, env: StageEnv = {}): Stage[] {
  return blocks.map((b, i) => {
    try {
      return buildStage(b, onDrop, env);
    } catch (err) {
      throw new Error(`${b.name} (stage ${i + 1}): ${(err as Error).message.replace(/^stage\.\w+: /, '')}`);
    }
  });
}

/** Runs every entry through the stages; returns the survivors (new objects, labels copied). */
export function runPipeline(stages: readonly Stage[], entries: readonly LogEntry[]): LogEntry[] {
  if (stages.length === 0) return entries as LogEntry[];
  const out: LogEntry[] = [];
  for (const src of entries) {
    // As in Alloy, the extracted map starts with the entry's labels.
    const e: StageEntry = { labels: { ...src.labels }, ts: src.ts, line: src.line, extracted: { ...src.labels }, structuredMetadata: { ...src.structuredMetadata } };
    for (const r of runStages(stages, e)) {
      const le: LogEntry = { labels: r.labels, ts: r.ts, line: r.line };
      if (Object.keys(r.structuredMetadata).length > 0) le.structuredMetadata = r.structuredMetadata;
      out.push(le);
    }
  }
  return out;
}

/**
 * One entry through stages[from..]: the entries that come out of the last
 * stage (none if dropped; several when a stage released held-back entries).
 * stage.match runs its nested stages with this too.
 */
export function runStages(stages: readonly Stage[], e: StageEntry, from = 0): StageEntry[] {
  let cur = e;
  for (let i = from; i < stages.length; i++) {
    const r = stages[i].process(cur);
    if (r === true) continue;
    if (r === false) return [];
    if (r.length === 1) {
      cur = r[0];
      continue;
    }
    const out: StageEntry[] = [];
    for (const x of r) out.push(...runStages(stages, x, i + 1));
    return out;
  }
  return [cur];
}
