// A YAML mapping whose fields carry over to an Alloy block of the same
// names (Prometheus's sigv4, azuread and google_iam, for instance), guided by
// that block's schema: scalars become attributes of the schema's type, nested
// mappings the schema's nested blocks; a field the schema lacks is an Error.
import type { BlockSchema, ValueType } from '../runtime/types.js';
import { Block, bool, num, str, strArray, type Value } from './builder.js';
import { goDuration } from './durations.js';
import type { Fields } from './fields.js';

function scalar(f: Fields, key: string, type: ValueType): Value | undefined {
  switch (type.type) {
    case 'bool': {
      const v = f.bool(key);
      return v === undefined ? undefined : bool(v);
    }
    case 'number': {
      const v = f.peek(key);
      f.take(key);
      if (typeof v === 'number') return num(v);
      if (v !== undefined) f.diags.critical(`${f.where(key)}: expected a number`);
      return undefined;
    }
    case 'duration': {
      const v = f.promDuration(key);
      return v === undefined ? undefined : str(goDuration(v));
    }
    case 'array': {
      const v = f.strList(key);
      return v === undefined ? undefined : strArray(v);
    }
    default: {
      const v = f.str(key);
      return v === undefined || v === '' ? undefined : str(v);
    }
  }
}

/** Converts `f` into `block` by `schema`; reports fields the schema does not have. */
export function fillFromSchema(f: Fields, block: Block, schema: BlockSchema): Block {
  for (const key of f.keys()) {
    const attr = schema.attrs?.[key];
    const nested = schema.blocks?.[key];
    if (attr) {
      const v = scalar(f, key, attr.type);
      if (v !== undefined) block.attr(key, v);
    } else if (nested) {
      const inner = f.obj(key);
      if (inner) fillFromSchema(inner, block.block(key), nested.schema);
    }
  }
  f.finish();
  return block;
}
