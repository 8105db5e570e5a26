// The reference pages are the contract with users who copy configs from
// Alloy's documentation: every registered component has
// docs/components/<name>.md, and its "## Every argument" section holds an
// Alloy config that uses every argument and block the component's schema
// knows (several instances may share the job, for options that exclude each
// other). The test checks both directions: the config validates (names,
// types, values, as `alloy validate` does), and no schema name is missing
// from it, so an option added without its documentation fails here.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import './index.js';
import { componentNames, getComponent } from '../runtime/registry.js';
import type { BlockSchema } from '../runtime/types.js';
import { parse } from '../syntax/parser.js';
import type { Statement } from '../syntax/ast.js';
import { validateConfig } from '../cli/validate.js';

const DOCS = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../docs/components');
const HEADING = '## Every argument';

/**
 * Every attribute and block path of a schema: "a", "b", "b.c", ... A block
 * whose schema is one of its own ancestors (loki.process's stage.match nests
 * stage.match) is listed but not walked again: its paths are already there.
 */
export function schemaPaths(schema: BlockSchema, prefix = '', ancestors: readonly BlockSchema[] = [schema]): string[] {
  const out: string[] = [];
  for (const name of Object.keys(schema.attrs ?? {})) out.push(prefix + name);
  for (const [name, spec] of Object.entries(schema.blocks ?? {})) {
    out.push(prefix + name);
    if (ancestors.includes(spec.schema)) continue;
    out.push(...schemaPaths(spec.schema, `${prefix}${name}.`, [...ancestors, spec.schema]));
  }
  return out;
}

/** The paths a config body uses (attributes, blocks, and what is inside blocks). */
function usedPaths(body: Statement[], prefix = '', into = new Set<string>()): Set<string> {
  for (const st of body) {
    if (st.kind === 'attribute') into.add(prefix + st.name);
    else if (st.kind === 'block') {
      into.add(prefix + st.name);
      usedPaths(st.body, `${prefix}${st.name}.`, into);
    }
  }
  return into;
}

/** The fenced alloy config under the "Every argument" heading, or undefined. */
function everyArgumentExample(markdown: string): string | undefined {
  const at = markdown.indexOf(`\n${HEADING}\n`);
  if (at < 0) return undefined;
  const m = /```alloy\n([\s\S]*?)```/.exec(markdown.slice(at));
  return m?.[1];
}

describe('component reference pages', () => {
  it.each(componentNames().sort())('%s: docs/components/<name>.md has a valid config using every argument', (name) => {
    const file = path.join(DOCS, `${name}.md`);
    expect(fs.existsSync(file) ? file : `missing ${file}`).toBe(file);
    const example = everyArgumentExample(fs.readFileSync(file, 'utf8'));
    expect(example === undefined ? `no "${HEADING}" section with an alloy config in ${file}` : 'found').toBe('found');
    // Valid as a whole (experimental: the page documents every level's options).
    expect(validateConfig([{ name: `${name}.md`, source: example! }], `${name}.md`, 'experimental')).toEqual([]);
    const used = new Set<string>();
    for (const st of parse(example!, `${name}.md`).body) if (st.kind === 'block' && st.name === name) usedPaths(st.body, '', used);
    const missing = schemaPaths(getComponent(name)!.args).filter((p) => !used.has(p));
    expect(missing).toEqual([]);
  });
});
