// Alloy's `foreach` block: one sub-pipeline (a module running the template)
// per item of a collection. Child ids follow Alloy's: "foreach_<fingerprint>_<n>",
// the fingerprint being the item (or its `id` field) made identifier-safe,
// or a sha256 of it for strings with hash_string_id and for any other value;
// <n> counts items with the same fingerprint, so duplicates do not clash.
import crypto from 'node:crypto';
import type { Block } from '../../syntax/ast.js';
import { Diagnostic } from '../../syntax/diagnostic.js';
import { t, type ComponentDefinition, type StabilityLevel } from '../types.js';
import { isPlainObject } from '../values.js';

/** foreach is experimental in Alloy (`--stability.level=experimental` is needed to use it). */
export const FOREACH_STABILITY: StabilityLevel = 'experimental';

export interface ForeachArgs {
  collection: unknown[];
  var: string;
  id: string;
  hash_string_id: boolean;
  enable_metrics: boolean;
}

export interface ForeachChild {
  id: string;
  item: unknown;
}

/** What the planner needs from a foreach's evaluated arguments. */
export interface ForeachState {
  var: string;
  enableMetrics: boolean;
  children: ForeachChild[];
}

export const foreachDefinition: ComponentDefinition<ForeachArgs> = {
  name: 'foreach',
  stability: FOREACH_STABILITY,
  args: {
    attrs: {
      collection: { type: t.array(t.any()), required: true },
      var: { type: t.string(), required: true },
      id: { type: t.string(), default: '' },
      hash_string_id: { type: t.bool(), default: false },
      enable_metrics: { type: t.bool(), default: false },
    },
    validate(a: ForeachArgs) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(a.var)) throw new Error(`var "${a.var}" is not a valid identifier`);
    },
  },
  exports: {},
  // The runtime plans the children from the arguments; the node itself runs nothing.
  build: () => ({ update() {} }),
};

/** Splits a foreach block into its arguments (the block without template) and its template. */
export function splitForeach(block: Block): { args: Block; template: Block } {
  const templates = block.body.filter((s): s is Block => s.kind === 'block' && s.name === 'template');
  if (templates.length === 0) throw new Diagnostic(block.pos, 'the block template is missing in the foreach block');
  if (templates.length > 1) throw new Diagnostic(templates[1].pos, 'block "template" may only be provided once');
  if (templates[0].label !== undefined) throw new Diagnostic(templates[0].pos, 'block "template" does not take a label');
  return { args: { ...block, body: block.body.filter((s) => s !== templates[0]) }, template: templates[0] };
}

export function foreachState(args: ForeachArgs): ForeachState {
  const counts = new Map<string, number>();
  const children: ForeachChild[] = [];
  for (const item of args.collection) {
    let key: unknown = item;
    if (args.id !== '' && isPlainObject(item) && Object.prototype.hasOwnProperty.call(item, args.id)) key = item[args.id];
    const base = `foreach_${fingerprint(key, args.hash_string_id)}`;
    const n = (counts.get(base) ?? 0) + 1;
    counts.set(base, n);
    children.push({ id: `${base}_${n}`, item });
  }
  return { var: args.var, enableMetrics: args.enable_metrics, children };
}

function fingerprint(v: unknown, hashStrings: boolean): string {
  if (typeof v === 'string') return hashStrings ? sha256(v) : v.replace(/[^\p{L}\p{N}]/gu, '_');
  if (typeof v === 'boolean') return String(v);
  // Alloy prints integers as they are and other numbers with six decimals ("3.14" -> "3_140000").
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toFixed(6).replace('.', '_');
  return sha256(stableJson(v));
}

function sha256(s: string): string {
  return crypto.createHash('sha256').update(s).digest('hex');
}

/** JSON with sorted keys, so the same object always hashes the same. */
function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (isPlainObject(v)) return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${stableJson(v[k])}`).join(',')}}`;
  return JSON.stringify(v ?? null) ?? 'null';
}
