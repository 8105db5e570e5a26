// stage.labels: promotes extracted fields to labels. An empty value means
// "the extracted field of the same name". Missing fields set nothing.
import { extractedString, isValidLabelName, type Stage, type StageEntry } from './types.js';

export interface LabelsArgs {
  values?: Record<string, string | null>;
}

export function labelsStage(args: LabelsArgs): Stage {
  const pairs = Object.entries(args.values ?? {}).map(([label, src]) => [label, src || label] as const);
  if (pairs.length === 0) throw new Error('stage.labels: values must not be empty');
  for (const [k] of pairs) if (!isValidLabelName(k)) throw new Error(`stage.labels: invalid label name "${k}"`);
  return {
    name: 'labels',
    process(e: StageEntry) {
      for (const [label, src] of pairs) {
        const v = extractedString(e.extracted[src]);
        if (v !== undefined && v !== '') e.labels[label] = v;
      }
      return true;
    },
  };
}
