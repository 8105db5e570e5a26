// OTTL values in memory and their link to OTLP's AnyValue. Ints are bigint
// (int64 exact), doubles number, maps a reference to the KeyValue list they
// live in (so an edit through attributes["a"]["b"] lands in the data), lists
// JS arrays, bytes Uint8Array, nil null.
import type { AnyValue, KeyValue } from '../../pipeline/otel.js';

export class MapRef {
  constructor(readonly kvs: KeyValue[]) {}

  get(key: string): Val {
    const kv = this.kvs.find((x) => x.key === key);
    return kv ? fromAny(kv.value) : null;
  }

  has(key: string): boolean {
    return this.kvs.some((x) => x.key === key);
  }

  /** Upserts; a nil value is stored as an empty AnyValue, as pcommon does. */
  set(key: string, v: Val): void {
    const av = toAny(v);
    const kv = this.kvs.find((x) => x.key === key);
    if (kv) kv.value = av;
    else this.kvs.push({ key, value: av });
  }

  delete(key: string): void {
    removeWhere(this.kvs, (kv) => kv.key === key);
  }

  /** Replaces every entry with copies of `other`'s. */
  replaceWith(other: MapRef): void {
    const copy = other.kvs.map((kv) => ({ key: kv.key, value: toAny(fromAny(kv.value)) }));
    this.kvs.length = 0;
    this.kvs.push(...copy);
  }
}

export type Val = null | string | boolean | number | bigint | Uint8Array | MapRef | Val[];

/** Removes in place the entries for which `drop` is true. */
export function removeWhere<T>(list: T[], drop: (x: T) => boolean): void {
  let w = 0;
  for (const x of list) if (!drop(x)) list[w++] = x;
  list.length = w;
}

export function fromAny(av: AnyValue | undefined): Val {
  if (!av) return null;
  if (av.stringValue !== undefined && av.stringValue !== null) return av.stringValue;
  if (av.boolValue !== undefined && av.boolValue !== null) return av.boolValue;
  if (av.intValue !== undefined && av.intValue !== null) return BigInt(av.intValue as string);
  if (av.doubleValue !== undefined && av.doubleValue !== null) return Number(av.doubleValue);
  if (av.kvlistValue) return new MapRef((av.kvlistValue.values ??= []));
  if (av.arrayValue) return (av.arrayValue.values ?? []).map(fromAny);
  if (av.bytesValue) return av.bytesValue;
  return null;
}

export function toAny(v: Val): AnyValue {
  if (v === null) return {};
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (typeof v === 'bigint') return { intValue: v.toString() };
  if (typeof v === 'number') return { doubleValue: v };
  if (v instanceof MapRef) return { kvlistValue: { values: v.kvs.map((kv) => ({ key: kv.key, value: toAny(fromAny(kv.value)) })) } };
  if (Array.isArray(v)) return { arrayValue: { values: v.map(toAny) } };
  return { bytesValue: v };
}

export function typeName(v: Val): string {
  if (v === null) return 'nil';
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'number') return 'double';
  if (v instanceof MapRef) return 'map';
  if (Array.isArray(v)) return 'list';
  if (v instanceof Uint8Array) return 'bytes';
  return typeof v === 'string' ? 'string' : 'bool';
}

/** The value as text, as OTTL's string-like getters render it (nil: undefined). */
export function asText(v: Val): string | undefined {
  if (v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (typeof v === 'number') return String(v);
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  return JSON.stringify(toJson(v));
}

/** Plain JSON of a value (maps as objects), for rendering and deep equality. */
export function toJson(v: Val): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof MapRef) return Object.fromEntries(v.kvs.map((kv) => [kv.key, toJson(fromAny(kv.value))]));
  if (Array.isArray(v)) return v.map(toJson);
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  return v;
}

/** JSON text parsed into OTTL values (numbers become doubles, as in ParseJSON). */
export function fromJson(x: unknown): Val {
  if (x === null || x === undefined) return null;
  if (typeof x === 'string' || typeof x === 'boolean') return x;
  if (typeof x === 'number') return x;
  if (Array.isArray(x)) return x.map(fromJson);
  return new MapRef(Object.entries(x as Record<string, unknown>).map(([key, val]) => ({ key, value: toAny(fromJson(val)) })));
}

export type CompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=';

function ordered(op: CompareOp, c: number): boolean {
  switch (op) {
    case '==':
      return c === 0;
    case '!=':
      return c !== 0;
    case '<':
      return c < 0;
    case '<=':
      return c <= 0;
    case '>':
      return c > 0;
    default:
      return c >= 0;
  }
}

const isNum = (v: Val): v is number | bigint => typeof v === 'number' || typeof v === 'bigint';

/**
 * OTTL comparison: nil equals only nil; numbers compare across int/double;
 * strings and bytes order lexically; bools, maps and lists only (in)equal;
 * values of different types are unequal and never ordered.
 */
export function compare(op: CompareOp, a: Val, b: Val): boolean {
  if (a === null || b === null) return op === '==' ? a === b : op === '!=' ? a !== b : false;
  if (isNum(a) && isNum(b)) {
    if (typeof a === 'bigint' && typeof b === 'bigint') return ordered(op, a < b ? -1 : a > b ? 1 : 0);
    const x = Number(a);
    const y = Number(b);
    return ordered(op, x < y ? -1 : x > y ? 1 : 0);
  }
  if (typeof a === 'string' && typeof b === 'string') return ordered(op, a < b ? -1 : a > b ? 1 : 0);
  if (a instanceof Uint8Array && b instanceof Uint8Array) return ordered(op, Buffer.compare(Buffer.from(a), Buffer.from(b)));
  if (typeName(a) !== typeName(b)) return op === '!=';
  const eq = JSON.stringify(toJson(a)) === JSON.stringify(toJson(b));
  if (op === '==') return eq;
  if (op === '!=') return !eq;
  return false;
}
