// stage.template: renders a Go template over the extracted map (values as
// strings; `.Value` is the `source` value, `.Entry` the line) and stores the
// result under `source`. An empty result deletes the key; a template that
// fails to execute leaves the map unchanged, as in Alloy.
import { compileTemplate, type GoTemplate } from './go-template/index.js';
import { scalarString } from './source.js';
import type { Stage, StageEntry } from './types.js';

export interface TemplateArgs {
  source?: string;
  template?: string;
}

export function parseStageTemplate(stage: string, text: string): GoTemplate {
  try {
    return compileTemplate(text);
  } catch (err) {
    throw new Error(`${stage}: failed to compile template "${text}": ${(err as Error).message}`);
  }
}

/** Extracted values with a string form, as the template data (Alloy drops the others). */
export function templateData(extracted: Record<string, unknown>): Record<string, unknown> {
  const td: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(extracted)) {
    const s = scalarString(v);
    if (s !== undefined) td[k] = s;
  }
  return td;
}

export function templateStage(args: TemplateArgs): Stage {
  const source = args.source ?? '';
  if (source === '') throw new Error('stage.template: template source value is required');
  if (args.template === undefined) throw new Error('stage.template: template is required');
  const tmpl = parseStageTemplate('stage.template', args.template);
  return {
    name: 'template',
    process(e: StageEntry) {
      const td = templateData(e.extracted);
      if (source in td) td.Value = td[source];
      td.Entry = e.line;
      let out: string;
      try {
        out = tmpl.execute(td);
      } catch {
        return true;
      }
      if (out === '') delete e.extracted[source];
      else e.extracted[source] = out;
      return true;
    },
  };
}
