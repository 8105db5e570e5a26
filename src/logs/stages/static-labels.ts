// stage.static_labels: adds fixed labels to every entry.
import { isValidLabelName, type Stage, type StageEntry } from './types.js';

export interface StaticLabelsArgs {
  values?: Record<string, string>;
}

export function staticLabelsStage(args: StaticLabelsArgs): Stage {
  const values = Object.entries(args.values ?? {});
  if (values.length === 0) throw new Error('stage.static_labels: values must not be empty');
  for (const [k] of values) if (!isValidLabelName(k)) throw new Error(`stage.static_labels: invalid label name "${k}"`);
  return {
    name: 'static_labels',
    process(e: StageEntry) {
      for (const [k, v] of values) e.labels[k] = v;
      return true;
    },
  };
}
