// stage.replace: every capture group of every match of `expression` in the
// line (or the extracted `source`) is replaced by the rendered `replace`
// template, where `.Value` is the captured text and the extracted values are
// available by name. Named groups store their replaced value in the
// extracted map.
import { compileGoRegexp } from './go-regexp.js';
import { stageInput } from './source.js';
import { parseStageTemplate, templateData } from './template.js';
import type { Stage, StageEntry } from './types.js';

export interface ReplaceArgs {
  expression?: string;
  source?: string;
  replace?: string;
}

export function replaceStage(args: ReplaceArgs): Stage {
  if (!args.expression) throw new Error('stage.replace: expression is required');
  const re = compileGoRegexp('stage.replace expression', args.expression);
  const tmpl = parseStageTemplate('stage.replace', args.replace ?? '');
  const source = args.source ?? '';
  return {
    name: 'replace',
    process(e: StageEntry) {
      const input = stageInput(e, source);
      if (input === undefined) return true;
      const all = re.execAll(input);
      if (all.length === 0) return true;
      const first = re.exec(input)!;
      const td = templateData(e.extracted);
      const captured = new Map<string, string>();
      let result = '';
      let prevEnd = 0;
      try {
        for (const idx of all) {
          for (let i = 2; i < idx.length; i += 2) {
            if (idx[i] === -1) continue;
            const text = input.slice(idx[i], idx[i + 1]);
            td.Value = text;
            const rendered = tmpl.execute(td);
            if (prevEnd === 0 || prevEnd <= idx[i]) {
              result += input.slice(prevEnd, idx[i]) + rendered;
              prevEnd = idx[i + 1];
            }
            captured.set(text, rendered);
          }
        }
      } catch {
        return true;
      }
      result += input.slice(prevEnd);
      if (source !== '') e.extracted[source] = result;
      else e.line = result;
      for (let i = 1; i < re.groupNames.length; i++) {
        const name = re.groupNames[i];
        const text = first[i];
        if (name === '' || text === undefined) continue;
        const v = captured.get(text);
        if (v !== undefined) e.extracted[name] = v;
      }
      return true;
    },
  };
}
