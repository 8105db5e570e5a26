// stage.label_drop and stage.label_keep: remove the named labels, or every
// label but the named ones.
import type { Stage, StageEntry } from './types.js';

export interface LabelListArgs {
  values?: string[];
}

export function labelDropStage(args: LabelListArgs): Stage {
  const names = args.values ?? [];
  return {
    name: 'label_drop',
    process(e: StageEntry) {
      for (const n of names) delete e.labels[n];
      return true;
    },
  };
}

export function labelKeepStage(args: LabelListArgs): Stage {
  const keep = new Set(args.values ?? []);
  if (keep.size === 0) throw new Error('stage.label_keep: labelallow stage config cannot be empty');
  return {
    name: 'label_keep',
    process(e: StageEntry) {
      for (const n of Object.keys(e.labels)) if (!keep.has(n)) delete e.labels[n];
      return true;
    },
  };
}
