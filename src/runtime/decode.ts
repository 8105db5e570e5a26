// Turns the statements of a component block into typed arguments following
// the component's BlockSchema. Every failure is a Diagnostic at the offending
// attribute or block, so users get file:line:col.
import type { Block, Expr, Pos, Statement } from '../syntax/ast.js';
import { asCapsule, capsuleTypeOf } from '../syntax/capsule.js';
import { Diagnostic } from '../syntax/diagnostic.js';
import { evaluate, type Scope } from '../syntax/eval.js';
import { parseDuration } from '../syntax/duration.js';
import { Secret } from '../syntax/secret.js';
import type { BlockSchema, ValueType } from './types.js';
import { isPlainObject, typeName, valueTypeName } from './values.js';
import { numberToString, stringToNumber } from './convert-scalar.js';

export interface DecodeOptions {
  /** Attributes whose expression this returns true for are accepted unevaluated (reload dry run). */
  skip?: (expr: Expr) => boolean;
  /** Told when an attribute was skipped (a block whose values are incomplete is not validated). */
  onSkip?: () => void;
}

export function decodeBlock(body: Statement[], schema: BlockSchema, scope: Scope, blockPos: Pos, opts: DecodeOptions = {}): Record<string, any> {
  const out: Record<string, any> = {};
  const attrs = schema.attrs ?? {};
  const blocks = schema.blocks ?? {};
  const seen = new Set<string>();
  const nulls = new Set<string>();
  let skipped = false;
  const ordered: { name: string; value: any }[] = [];

  for (const st of body) {
    if (st.kind === 'attribute') {
      const spec = attrs[st.name];
      if (!spec) {
        const hint = blocks[st.name] ? ` (${st.name} is a block: write ${st.name} { ... })` : '';
        throw new Diagnostic(st.pos, `unrecognized attribute name "${st.name}"${hint}`);
      }
      if (seen.has(st.name)) throw new Diagnostic(st.pos, `attribute "${st.name}" may only be provided once`);
      seen.add(st.name);
      if (opts.skip?.(st.value)) {
        skipped = true;
        continue;
      }
      const value = evaluate(st.value, scope);
      // null means "not set": the default applies (Alloy's decoder leaves the default in place).
      if (value === null) {
        if (spec.required) throw new Diagnostic(st.value.pos, `${st.name}: required attribute may not be null`);
        nulls.add(st.name);
        continue;
      }
      out[st.name] = convert(value, spec.type, st.value.pos, st.name);
    } else {
      const spec = blocks[st.name];
      if (!spec) {
        const hint = attrs[st.name] ? ` (${st.name} is an attribute: write ${st.name} = ...)` : '';
        throw new Diagnostic(st.pos, `unrecognized block name "${st.name}"${hint}`);
      }
      if (st.label !== undefined) throw new Diagnostic(st.pos, `block "${st.name}" does not take a label`);
      const value = decodeBlock(st.body, spec.schema, scope, st.pos, { ...opts, onSkip: () => (skipped = true) });
      if (spec.multiple) {
        (out[st.name] ??= []).push(value);
      } else {
        if (seen.has(st.name)) throw new Diagnostic(st.pos, `block "${st.name}" may only be provided once`);
        out[st.name] = value;
      }
      seen.add(st.name);
      ordered.push({ name: st.name, value });
    }
  }

  for (const [name, spec] of Object.entries(attrs)) {
    if (seen.has(name) && !nulls.has(name)) continue;
    if (spec.required) throw new Diagnostic(blockPos, `missing required attribute "${name}"`);
    if (spec.default !== undefined) out[name] = structuredCloneSafe(spec.default);
  }
  for (const [name, spec] of Object.entries(blocks)) {
    if (seen.has(name)) continue;
    if (spec.required) throw new Diagnostic(blockPos, `missing required block "${name}"`);
    if (spec.multiple) out[name] = [];
  }
  if (schema.ordered) Object.defineProperty(out, '_blocks', { value: ordered, enumerable: false });
  if (skipped) opts.onSkip?.();
  if (schema.validate && !skipped) {
    try {
      schema.validate(out);
    } catch (e) {
      throw new Diagnostic(blockPos, (e as Error).message);
    }
  }
  return out;
}

function structuredCloneSafe<T>(v: T): T {
  return isPlainObject(v) || Array.isArray(v) ? (JSON.parse(JSON.stringify(v)) as T) : v;
}

/** Converts an evaluated value to the schema type, or throws a Diagnostic naming both types. */
export function convert(value: unknown, type: ValueType, pos: Pos, what: string): any {
  const mismatch = () =>
    new Diagnostic(pos, `${what}: expected ${typeName(type)}, got ${valueTypeName(value)}`);
  if (value === null && type.type !== 'any') return nullElement(type, pos, what);
  switch (type.type) {
    case 'any':
      return value;
    case 'string':
      if (typeof value === 'number') return numberToString(value);
      if (typeof value !== 'string') throw mismatch();
      return value;
    case 'number': {
      if (typeof value === 'number') return value;
      if (typeof value !== 'string') throw mismatch();
      const n = stringToNumber(value);
      if (n === undefined) throw new Diagnostic(pos, `${what}: expected number, got string ${JSON.stringify(value)} that is not a number`);
      return n;
    }
    case 'bool':
      if (typeof value !== 'boolean') throw mismatch();
      return value;
    case 'duration':
      // Alloy decodes a duration through a string, so a number is printed first (0 is "0s"; 10 lacks a unit).
      if (typeof value !== 'string' && typeof value !== 'number') throw mismatch();
      try {
        return parseDuration(typeof value === 'number' ? numberToString(value) : value);
      } catch (e) {
        throw new Diagnostic(pos, `${what}: ${(e as Error).message}`);
      }
    case 'secret':
      if (typeof value === 'string') return new Secret(value);
      if (value instanceof Secret) return value;
      throw mismatch();
    case 'array': {
      if (!Array.isArray(value)) throw mismatch();
      return value.map((v, i) => convert(v, type.of, pos, `${what}[${i}]`));
    }
    case 'map': {
      if (!isPlainObject(value)) throw mismatch();
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = convert(v, type.of, pos, `${what}["${k}"]`);
      return out;
    }
    case 'capsule':
      // A capsule passes only where its own type is wanted (a logs receiver is no metrics receiver).
      if (capsuleTypeOf(value) !== type.of) throw mismatch();
      return value;
  }
}

/** A null inside a list or map decodes to the element type's zero value, as in Alloy; a capsule has none. */
function nullElement(type: ValueType, pos: Pos, what: string): unknown {
  if (type.type === 'capsule') throw new Diagnostic(pos, `${what}: expected ${typeName(type)}, got null`);
  return type.type === 'duration' ? 0 : zeroValue(type);
}

/** A zero value of a type: stands in for exports of components not built yet (reload dry-run). */
export function zeroValue(type: ValueType): unknown {
  switch (type.type) {
    case 'string':
      return '';
    case 'number':
      return 0;
    case 'bool':
      return false;
    case 'duration':
      return '0s';
    case 'secret':
      return new Secret('');
    case 'array':
      return [];
    case 'map':
      return {};
    case 'capsule':
      return new PendingCapsule(type.of);
    case 'any':
      return null;
  }
}

/** Placeholder capsule used only while validating a config; never reaches a component. */
export class PendingCapsule {
  constructor(readonly of: string) {
    asCapsule(of, this);
  }
}

export type { Block };
