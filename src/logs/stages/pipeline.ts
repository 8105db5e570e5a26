// Builds the ordered stage list of loki.process from its decoded blocks and
// runs entries through it.
import type { LogEntry } from '../../pipeline/logs.js';
import { dropStage, type DropArgs } from './drop.js';
import { jsonStage, type JsonArgs } from './json.js';
import { labelsStage, type LabelsArgs } from './labels.js';
import { logfmtStage, type LogfmtArgs } from './logfmt.js';
import { luhnStage, type LuhnArgs } from './luhn.js';
import { staticLabelsStage, type StaticLabelsArgs } from './static-labels.js';
import type { Stage, StageEntry } from './types.js';

export interface StageBlock {
  name: string;
  value: any;
}

export type DropCounter = (reason: string) => void;

export function buildStage(block: StageBlock, onDrop: DropCounter): Stage {
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
    default:
      throw new Error(`unsupported stage block "${block.name}"`);
  }
}

export function buildPipeline(blocks: readonly StageBlock[], onDrop: DropCounter): Stage[] {
  return blocks.map((b, i) => {
    try {
      return buildStage(b, onDrop);
    } catch (err) {
      throw new Error(`${b.name} (stage ${i + 1}): ${(err as Error).message.replace(/^stage\.\w+: /, '')}`);
    }
  });
}

/** Runs every entry through the stages; returns the survivors (new objects, labels copied). */
export function runPipeline(stages: readonly Stage[], entries: readonly LogEntry[]): LogEntry[] {
  if (stages.length === 0) return entries as LogEntry[];
  const out: LogEntry[] = [];
  outer: for (const src of entries) {
    const e: StageEntry = { labels: { ...src.labels }, ts: src.ts, line: src.line, extracted: {} };
    for (const s of stages) if (!s.process(e)) continue outer;
    out.push({ labels: e.labels, ts: e.ts, line: e.line });
  }
  return out;
}
