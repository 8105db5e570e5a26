// Helpers over evaluated config values: type names for messages, structural
// equality (to skip updates and exports that did not really change).
import { capsuleTypeOf } from '../syntax/capsule.js';
import { redactUrlPasswords } from '../redact.js';
import { Secret } from '../syntax/secret.js';
import type { ValueType } from './types.js';

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  // A capsule built from an object literal (a receiver) is opaque, not data.
  if (capsuleTypeOf(v) !== undefined) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

export function typeName(t: ValueType): string {
  switch (t.type) {
    case 'array':
      return `list(${typeName(t.of)})`;
    case 'map':
      return `map(${typeName(t.of)})`;
    case 'capsule':
      return `capsule(${JSON.stringify(t.of)})`;
    default:
      return t.type;
  }
}

/** Alloy's name for the type of a runtime value. */
export function valueTypeName(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return 'number';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'function') return 'function';
  if (Array.isArray(v)) return 'list';
  if (v instanceof Secret) return 'secret';
  const capsule = capsuleTypeOf(v);
  if (capsule) return `capsule(${JSON.stringify(capsule)})`;
  return isPlainObject(v) ? 'object' : 'capsule';
}

/**
 * Structural equality: plain data compared deeply, Secrets by value, every
 * other object (receivers, capsules) by identity.
 */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'number' && typeof b === 'number') return Number.isNaN(a) && Number.isNaN(b);
  if (a instanceof Secret && b instanceof Secret) return a.reveal() === b.reveal();
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    for (const k of ka) {
      if (!Object.prototype.hasOwnProperty.call(b, k) || !deepEqual(a[k], b[k])) return false;
    }
    return true;
  }
  return false;
}

/** A JSON-safe view of a value for the API/UI: secrets hidden, capsules named, functions omitted. */
export function toDisplay(v: unknown, depth = 0): unknown {
  if (depth > 20) return '…';
  if (v === null || v === undefined) return null;
  if (v instanceof Secret) return '(secret)';
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (typeof v === 'string') return redactUrlPasswords(v);
  if (typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'function') return '(function)';
  if (Array.isArray(v)) return v.map((x) => toDisplay(x, depth + 1));
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [String(k), toDisplay(x, depth + 1)]));
  if (v instanceof Date) return v.toISOString();
  if (isPlainObject(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = toDisplay(x, depth + 1);
    return out;
  }
  return `capsule(${JSON.stringify(capsuleTypeOf(v) ?? (v as object).constructor?.name ?? 'object')})`;
}
