// stage.match: when the entry's labels and line satisfy the LogQL selector,
// either runs the nested stages on it (action "keep") or drops it (action
// "drop", counted under drop_counter_reason). Nested stages see the
// extracted map refreshed with the current labels, as Alloy's nested
// pipeline does.
import { nestedStages } from './runner.js';
import { parseLogqlSelector } from './logql-selector.js';
import type { BuildStages, DropCounter, Stage, StageBlock, StageEntry } from './types.js';

export interface MatchArgs {
  selector?: string;
  action?: string;
  drop_counter_reason?: string;
  pipeline_name?: string;
  /** The nested stage.* blocks, in order (the decoder's ordered view). */
  _blocks?: StageBlock[];
}

export function matchStage(args: MatchArgs, onDrop: DropCounter, buildNested: BuildStages): Stage {
  if (!args.selector) throw new Error('stage.match: selector statement required for match stage');
  const action = args.action || 'keep';
  if (action !== 'keep' && action !== 'drop') throw new Error(`stage.match: match stage action should be 'keep' or 'drop', got "${args.action}"`);
  const nested = args._blocks ?? [];
  if (action === 'keep' && nested.length === 0) throw new Error('stage.match: match stage requires at least one additional stage to be defined');
  if (action === 'drop' && nested.length > 0) throw new Error('stage.match: match stage configured to drop entries cannot contains stages');
  let selector;
  try {
    selector = parseLogqlSelector(args.selector);
  } catch (err) {
    throw new Error(`stage.match: invalid selector syntax for match stage "${args.selector}": ${(err as Error).message}`);
  }
  const reason = args.drop_counter_reason || 'match_stage';
  const stages = action === 'keep' ? buildNested(nested) : [];
  const name = args.pipeline_name ? `match(${args.pipeline_name}: ${stages.map((s) => s.name).join(', ')})` : `match(${stages.map((s) => s.name).join(', ')})`;
  // Nested stages run as one stage: waiting (stage.limit), held entries and timers (multiline) pass through.
  const inner = nestedStages(name, stages);
  return {
    name: action === 'drop' ? `match(drop: ${reason})` : name,
    process(e: StageEntry) {
      if (!selector.matches(e.labels, e.line)) return true;
      if (action === 'drop') {
        onDrop(reason);
        return false;
      }
      Object.assign(e.extracted, e.labels);
      return inner.process(e);
    },
    start: (emit) => inner.start?.(emit),
    stop: () => inner.stop?.(),
  };
}
