// A Go text/template subset for loki.process (see parse.ts for the syntax
// covered, funcs.ts for the functions). compileTemplate throws on a template
// Go would reject at parse time; execute throws where Go's Execute errors.
import { Executor, type TValue } from './exec.js';
import { TEMPLATE_FUNCS } from './funcs.js';
import { parseTemplate, type TNode } from './parse.js';

export { NO_VALUE } from './exec.js';

export interface GoTemplate {
  readonly source: string;
  execute(data: Record<string, TValue>): string;
}

export function compileTemplate(source: string): GoTemplate {
  const nodes: TNode[] = parseTemplate(source, (name) => Object.prototype.hasOwnProperty.call(TEMPLATE_FUNCS, name));
  const exec = new Executor(TEMPLATE_FUNCS);
  return { source, execute: (data) => exec.run(nodes, data) };
}
