// stage.output: replaces the log line with an extracted value. A missing or
// non-scalar value leaves the line as it is.
import { scalarString } from './source.js';
import type { Stage, StageEntry } from './types.js';

export interface OutputArgs {
  source?: string;
}

export function outputStage(args: OutputArgs): Stage {
  const source = args.source ?? '';
  if (source === '') throw new Error('stage.output: output source value is required if output is specified');
  return {
    name: 'output',
    process(e: StageEntry) {
      if (!(source in e.extracted)) return true;
      const v = scalarString(e.extracted[source]);
      if (v !== undefined) e.line = v;
      return true;
    },
  };
}
