// Runtime values of Alloy expressions and the small set of operations every
// part of the language needs on them (type names, equality, object building).
import { Secret } from './secret.js';

/** A function callable from config: receives evaluated arguments; throws Error(reason) on bad input. */
export type AlloyFunction = (...args: Value[]) => Value;

/**
 * null | bool | number | string | array | object | function | capsule.
 * A capsule is any other object (a Secret, a metrics receiver, ...): it can be
 * passed around and compared, but not looked into.
 */
export type Value = null | boolean | number | string | Value[] | { [key: string]: Value } | AlloyFunction | object;

export type ValueObject = { [key: string]: Value };

export function isObject(v: unknown): v is ValueObject {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

export function isSecret(v: unknown): v is Secret {
  return v instanceof Secret;
}

/** Alloy's name of a value's type, as used in error messages. */
export function typeOf(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  switch (typeof v) {
    case 'boolean':
      return 'bool';
    case 'number':
      return 'number';
    case 'string':
      return 'string';
    case 'function':
      return 'function';
  }
  if (Array.isArray(v)) return 'array';
  if (isSecret(v)) return 'secret';
  if (isObject(v)) return 'object';
  return 'capsule';
}

/** An own property of an object value (never an inherited one such as "constructor"). */
export function getField(obj: ValueObject, key: string): Value | undefined {
  return Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined;
}

/** Builds an object value; keys such as "__proto__" become ordinary own fields. */
export function makeObject(entries: Iterable<[string, Value]>): ValueObject {
  const out: ValueObject = {};
  for (const [k, v] of entries) {
    Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/**
 * Alloy equality: values of different types are never equal; arrays and
 * objects compare element-wise; Secrets compare by content; functions never
 * equal anything; other capsules compare by identity.
 */
export function valuesEqual(a: unknown, b: unknown): boolean {
  const ta = typeOf(a);
  if (ta !== typeOf(b)) return false;
  switch (ta) {
    case 'null':
      return true;
    case 'bool':
    case 'number':
    case 'string':
      return a === b;
    case 'array': {
      const x = a as unknown[];
      const y = b as unknown[];
      if (x.length !== y.length) return false;
      for (let i = 0; i < x.length; i++) if (!valuesEqual(x[i], y[i])) return false;
      return true;
    }
    case 'object': {
      const x = a as ValueObject;
      const y = b as ValueObject;
      const keys = Object.keys(x);
      if (keys.length !== Object.keys(y).length) return false;
      for (const k of keys) {
        const other = getField(y, k);
        if (other === undefined || !valuesEqual(x[k], other)) return false;
      }
      return true;
    }
    case 'secret':
      return (a as Secret).reveal() === (b as Secret).reveal();
    case 'function':
      return false;
    default:
      return a === b;
  }
}
