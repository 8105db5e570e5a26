// stage.labels: promotes extracted fields (or, with source_type
// "structured_metadata", structured metadata) to labels. An empty mapping
// means "the field of the same name". Missing fields set nothing; a field
// whose value is empty removes the label.
import { scalarString } from './source.js';
import { isValidLabelName, type Stage, type StageEntry } from './types.js';

export interface LabelsArgs {
  values?: Record<string, string | null>;
  source_type?: string;
}

export function labelsStage(args: LabelsArgs): Stage {
  const pairs = Object.entries(args.values ?? {}).map(([label, src]) => [label, src || label] as const);
  for (const [k] of pairs) if (!isValidLabelName(k)) throw new Error(`stage.labels: invalid label name "${k}"`);
  const fromMetadata = args.source_type === 'structured_metadata';
  if (args.source_type && !fromMetadata && args.source_type !== 'extracted') {
    throw new Error(`stage.labels: invalid labels source_type: ${args.source_type}. Can only be 'extracted' or 'structured_metadata'`);
  }
  return {
    name: 'labels',
    process(e: StageEntry) {
      for (const [label, src] of pairs) {
        const v = fromMetadata ? e.structuredMetadata[src] : scalarString(e.extracted[src]);
        if (v === undefined) continue;
        // Alloy sets an empty value, which in a label set means "no such label".
        if (v === '') delete e.labels[label];
        else e.labels[label] = v;
      }
      return true;
    },
  };
}
