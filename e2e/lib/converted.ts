// Test helpers for the converters: the output parsed back with our parser, so
// assertions name blocks and attributes instead of matching formatted text.
import type { Block, Statement } from '../../src/syntax/ast.js';
import { formatExpr } from '../../src/syntax/format.js';
import { parse } from '../../src/syntax/parser.js';
import { convert, type ConvertResult, type SourceFormat } from '../../src/convert/index.js';

export interface Converted extends ConvertResult {
  /** Top-level blocks by id ("prometheus.scrape.node"). */
  blocks: Map<string, Block>;
  /** Summaries of the diagnostics at Error or Critical. */
  errors: string[];
}

export function run(source: string, format: SourceFormat): Converted {
  const r = convert(source, format);
  const blocks = new Map<string, Block>();
  if (r.output !== undefined) {
    for (const s of parse(r.output, 'out.alloy').body) if (s.kind === 'block') blocks.set(s.label === undefined ? s.name : `${s.name}.${s.label}`, s);
  }
  return { ...r, blocks, errors: r.diagnostics.atLeast('Error').map((d) => `(${d.severity}) ${d.summary}`) };
}

/** The source text of an attribute's value ("" when absent). */
export function attr(b: Block | undefined, name: string): string {
  const a = b?.body.find((s): s is Extract<Statement, { kind: 'attribute' }> => s.kind === 'attribute' && s.name === name);
  return a ? formatExpr(a.value) : '';
}

/** Nested blocks of a name, in order. */
export function sub(b: Block | undefined, name: string): Block[] {
  return (b?.body ?? []).filter((s): s is Block => s.kind === 'block' && s.name === name);
}

/** Attribute names of a block (to assert that nothing else was written). */
export function attrNames(b: Block | undefined): string[] {
  return (b?.body ?? []).filter((s) => s.kind === 'attribute').map((s) => s.name);
}
