// Custom components (Alloy's `declare`): the definition an instance block is
// decoded with (one attribute per `argument` block) and the `export` blocks
// that publish the instance's exports.
import type { Block } from '../../syntax/ast.js';
import { Diagnostic } from '../../syntax/diagnostic.js';
import type { Scope } from '../../syntax/eval.js';
import { decodeBlock } from '../decode.js';
import { t, type AttrSchema, type BlockSchema, type ComponentDefinition } from '../types.js';

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `argument "NAME" { optional, default, comment }` (Alloy: all three optional, required by default). */
const argumentSchema: BlockSchema = {
  attrs: {
    optional: { type: t.bool(), default: false },
    default: { type: t.any() },
    comment: { type: t.string(), default: '' },
  },
};

const exportSchema: BlockSchema = { attrs: { value: { type: t.any(), required: true } } };

export interface ArgumentSpec {
  name: string;
  optional: boolean;
  default: unknown;
  comment: string;
  block: Block;
}

export interface DeclareShape {
  arguments: ArgumentSpec[];
  exports: string[];
}

/** Reads the argument and export blocks of a declare body (argument attributes see only the stdlib and module_path). */
export function declareShape(declare: Block, staticScope: Scope): DeclareShape {
  const args: ArgumentSpec[] = [];
  const exports: string[] = [];
  const seen = new Map<string, Block>();
  for (const st of declare.body) {
    if (st.kind !== 'block' || (st.name !== 'argument' && st.name !== 'export')) continue;
    if (!st.label) throw new Diagnostic(st.pos, `${st.name} block must have a label, e.g. ${st.name} "name" { ... }`);
    if (!IDENT.test(st.label)) throw new Diagnostic(st.pos, `${st.name} label "${st.label}" is not a valid identifier (letters, digits and _ only)`);
    const key = `${st.name}.${st.label}`;
    const prev = seen.get(key);
    if (prev) throw new Diagnostic(st.pos, `${st.name} "${st.label}" already declared at ${prev.pos.file}:${prev.pos.line}:${prev.pos.col}`);
    seen.set(key, st);
    if (st.name === 'argument') {
      const a = decodeBlock(st.body, argumentSchema, staticScope, st.pos);
      args.push({ name: st.label, optional: a.optional, default: a.default ?? null, comment: a.comment, block: st });
    } else {
      exports.push(st.label);
    }
  }
  return { arguments: args, exports };
}

/** The definition an instance `NAME "label" { ... }` is decoded with: each argument is an attribute of any type. */
export function instanceDefinition(name: string, shape: DeclareShape): ComponentDefinition {
  const attrs: Record<string, AttrSchema> = {};
  for (const a of shape.arguments) {
    // A required argument has no default; an optional one starts from its default (null when none).
    attrs[a.name] = a.optional ? { type: t.any() } : { type: t.any(), required: true };
  }
  const defaults = Object.fromEntries(shape.arguments.filter((a) => a.optional).map((a) => [a.name, a.default]));
  return {
    name,
    args: {
      attrs,
      validate(decoded: Record<string, unknown>) {
        // Defaults may be any value (null included), so they are filled here rather than by the decoder.
        for (const [k, v] of Object.entries(defaults)) if (decoded[k] === undefined) decoded[k] = v;
      },
    },
    exports: Object.fromEntries(shape.exports.map((e) => [e, t.any()])),
    // The instance itself runs nothing: its arguments feed the components of its body.
    build: () => ({ update() {} }),
  };
}

/** `export "NAME" { value = ... }`: evaluates value in the declare body and publishes it as the instance's export NAME. */
export const exportDefinition: ComponentDefinition<{ value: unknown }> = {
  name: 'export',
  args: exportSchema,
  exports: { value: t.any() },
  build: (ctx) => ({
    update(args) {
      ctx.setExports({ value: args.value });
    },
  }),
};
