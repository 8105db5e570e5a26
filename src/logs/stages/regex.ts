// stage.regex: matches an RE2 expression against the line (or an extracted
// value) and puts every named group of the first match into the extracted
// map; with labels_from_groups the groups also become labels.
import { compileGoRegexp } from './go-regexp.js';
import { rejectEmptySource, stageInput } from './source.js';
import { isValidLabelName, type Stage, type StageEntry } from './types.js';

export interface RegexArgs {
  expression?: string;
  source?: string;
  labels_from_groups?: boolean;
}

export function regexStage(args: RegexArgs): Stage {
  if (!args.expression) throw new Error('stage.regex: expression is required');
  rejectEmptySource('stage.regex', args.source);
  const re = compileGoRegexp('stage.regex expression', args.expression);
  const asLabels = args.labels_from_groups ?? false;
  return {
    name: 'regex',
    process(e: StageEntry) {
      const input = stageInput(e, args.source);
      if (input === undefined) return true;
      const m = re.exec(input);
      if (!m) return true;
      for (let i = 1; i < re.groupNames.length; i++) {
        const name = re.groupNames[i];
        if (name === '') continue;
        const v = m[i] ?? '';
        e.extracted[name] = v;
        if (asLabels && isValidLabelName(name)) e.labels[name] = v;
      }
      return true;
    },
  };
}
