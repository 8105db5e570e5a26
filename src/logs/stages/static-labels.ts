// stage.static_labels: adds fixed labels to every entry (empty values are
// skipped, as in Alloy).
import { isValidLabelName, type Stage, type StageEntry } from './types.js';

export interface StaticLabelsArgs {
  values?: Record<string, string | null>;
}

export function staticLabelsStage(args: StaticLabelsArgs): Stage {
  if (!args.values) throw new Error('stage.static_labels: static_labels stage config cannot be empty');
  for (const k of Object.keys(args.values)) if (!isValidLabelName(k)) throw new Error(`stage.static_labels: invalid label name "${k}"`);
  const values = Object.entries(args.values).filter((kv): kv is [string, string] => typeof kv[1] === 'string' && kv[1] !== '');
  return {
    name: 'static_labels',
    process(e: StageEntry) {
      for (const [k, v] of values) e.labels[k] = v;
      return true;
    },
  };
}
