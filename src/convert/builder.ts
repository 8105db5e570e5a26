// A small builder for Alloy configs: blocks, attributes and values, rendered
// as text and then put through our parser and formatter, so what `alloy
// convert` writes is exactly what `alloy fmt` would print. Values are either
// literals (strings, numbers, booleans), arrays, objects, or expressions
// written as text (references such as `discovery.kubernetes.pods.targets`).
import { format } from '../syntax/format.js';
import { isValidIdentifier } from '../syntax/lexer.js';
import { parse } from '../syntax/parser.js';
import { quote } from '../syntax/strings.js';

export type Value =
  | { kind: 'literal'; value: string | number | boolean }
  | { kind: 'expr'; text: string }
  | { kind: 'array'; items: Value[] }
  | { kind: 'object'; fields: [string, Value][] }
  | { kind: 'call'; fn: string; args: Value[] };

export const str = (value: string): Value => ({ kind: 'literal', value });
export const num = (value: number): Value => ({ kind: 'literal', value });
export const bool = (value: boolean): Value => ({ kind: 'literal', value });
/** An expression written as Alloy source text (a reference or a call). */
export const expr = (text: string): Value => ({ kind: 'expr', text });
export const array = (items: Value[]): Value => ({ kind: 'array', items });
export const object = (fields: [string, Value][]): Value => ({ kind: 'object', fields });
/** A function call, one argument per line (`array.concat(...)`). */
export const call = (fn: string, args: Value[]): Value => ({ kind: 'call', fn, args });
export const strArray = (items: string[]): Value => array(items.map(str));
/** A map of strings, keys sorted (Alloy writes maps in key order). */
export const strMap = (m: Record<string, string>): Value => object(Object.keys(m).sort().map((k) => [k, str(m[k])]));

type Item = { kind: 'attr'; name: string; value: Value } | { kind: 'block'; block: Block };

export class Block {
  private readonly items: Item[] = [];

  constructor(
    readonly name: string,
    readonly label?: string,
  ) {}

  /** Sets an attribute; `undefined` leaves it out (the component's default applies). */
  attr(name: string, value: Value | undefined): this {
    if (value !== undefined) this.items.push({ kind: 'attr', name, value });
    return this;
  }

  /** Appends a nested block and returns it. */
  block(name: string, label?: string): Block {
    const b = new Block(name, label);
    this.items.push({ kind: 'block', block: b });
    return b;
  }

  /** Appends a block built elsewhere (nothing when undefined). */
  append(b: Block | undefined): this {
    if (b) this.items.push({ kind: 'block', block: b });
    return this;
  }

  /** Appends every attribute and block of `other` (shared, not copied: built blocks are not changed). */
  extend(other: Block): this {
    this.items.push(...other.items);
    return this;
  }

  /** Replaces every value of this block and its nested blocks (deeply, inside arrays and objects) by `fn` of it. */
  mapValues(fn: (v: Value) => Value): void {
    const deep = (v: Value): Value => {
      const out = fn(v);
      if (out !== v) return out;
      if (v.kind === 'array') return { kind: 'array', items: v.items.map(deep) };
      if (v.kind === 'object') return { kind: 'object', fields: v.fields.map(([k, x]) => [k, deep(x)] as [string, Value]) };
      if (v.kind === 'call') return { kind: 'call', fn: v.fn, args: v.args.map(deep) };
      return v;
    };
    for (const it of this.items) {
      if (it.kind === 'attr') it.value = deep(it.value);
      else it.block.mapValues(fn);
    }
  }

  get isEmpty(): boolean {
    return this.items.length === 0;
  }

  /** `component.name.label` (the id other components reference). */
  get id(): string {
    return this.label === undefined ? this.name : `${this.name}.${this.label}`;
  }

  render(indent: string): string {
    const head = `${indent}${this.name}${this.label !== undefined ? ` ${quote(this.label)}` : ''} {`;
    if (this.items.length === 0) return `${head} }`;
    const inner = indent + '\t';
    // Attributes first, then blocks (Alloy's converter writes them so).
    const ordered = [...this.items.filter((i) => i.kind === 'attr'), ...this.items.filter((i) => i.kind === 'block')];
    const lines = ordered.map((it) => (it.kind === 'attr' ? `${inner}${it.name} = ${renderValue(it.value, inner)}` : it.block.render(inner)));
    return `${head}\n${lines.join('\n')}\n${indent}}`;
  }
}

function renderKey(k: string): string {
  return isValidIdentifier(k) ? k : quote(k);
}

function isScalar(v: Value): boolean {
  return v.kind === 'literal' || v.kind === 'expr';
}

function renderValue(v: Value, indent: string): string {
  switch (v.kind) {
    case 'literal':
      return typeof v.value === 'string' ? quote(v.value) : String(v.value);
    case 'expr':
      return v.text;
    case 'array': {
      if (v.items.length === 0) return '[]';
      // Scalars stay on one line; arrays of objects get one element per line.
      if (v.items.every(isScalar)) return `[${v.items.map((i) => renderValue(i, indent)).join(', ')}]`;
      const inner = indent + '\t';
      return `[\n${v.items.map((i) => `${inner}${renderValue(i, inner)},`).join('\n')}\n${indent}]`;
    }
    case 'call': {
      const inner = indent + '\t';
      return `${v.fn}(\n${v.args.map((a) => `${inner}${renderValue(a, inner)},`).join('\n')}\n${indent})`;
    }
    case 'object': {
      if (v.fields.length === 0) return '{}';
      const inner = indent + '\t';
      return `{\n${v.fields.map(([k, fv]) => `${inner}${renderKey(k)} = ${renderValue(fv, inner)},`).join('\n')}\n${indent}}`;
    }
  }
}

/** Renders top-level blocks (a blank line between them) through our formatter. */
export function renderFile(blocks: Block[], filename = 'converted.alloy'): string {
  if (blocks.length === 0) return '';
  const text = blocks.map((b) => b.render('')).join('\n\n') + '\n';
  return format(parse(text, filename));
}

/**
 * A component label from a name in the source config (a job name): Alloy's
 * sanitizing, every character that is not a letter or digit becomes "_" and a
 * leading digit gets a "_" in front (so does a keyword, where Alloy gives up).
 */
export function sanitizeLabel(name: string): string {
  if (isValidIdentifier(name)) return name;
  let out = /^\p{Nd}/u.test(name) ? '_' : '';
  for (const c of name) out += /[\p{L}\p{Nd}_]/u.test(c) ? c : '_';
  // A keyword ("true", "null") cannot follow a "." in a reference.
  return isValidIdentifier(out) ? out : `_${out}`;
}

/** Alloy's LabelWithIndex: "job" for the first, then "job_2", "job_3", ... */
export function labelWithIndex(index: number, ...parts: string[]): string {
  const p = parts.filter((x) => x !== '');
  return (index === 0 ? p : [...p, String(index + 1)]).join('_');
}
