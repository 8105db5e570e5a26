// The action blocks of otelcol.processor.attributes (the Collector's
// attraction): insert, update, upsert, delete, hash, extract and convert, run
// in order over an attribute list.
import crypto from 'node:crypto';
import type { AnyValue, KeyValue, OtelContext } from '../../pipeline/otel.js';
import { goRegExp } from '../ottl/regex.js';
import { removeWhere } from '../ottl/values.js';

export interface ActionArgs {
  key: string;
  value?: unknown;
  pattern: string;
  from_attribute: string;
  from_context: string;
  converted_type: string;
  action: string;
}

export type Action = (attrs: KeyValue[], ctx: OtelContext | undefined) => void;

const ACTIONS = ['insert', 'update', 'upsert', 'delete', 'hash', 'extract', 'convert'];

/** An Alloy value as an attribute value: whole numbers are ints, as the Collector's config decoding makes them. */
function literalValue(where: string, v: unknown): AnyValue {
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (typeof v === 'number') return Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v };
  throw new Error(`${where}: value must be a number, string or bool`);
}

/** from_context: request metadata (metadata.<key>, values joined by ";") or auth attributes (auth.<key>). */
function contextValue(name: string, ctx: OtelContext | undefined): AnyValue | undefined {
  if (name.startsWith('metadata.')) {
    const v = ctx?.metadata?.[name.slice('metadata.'.length).toLowerCase()];
    return v && v.length > 0 ? { stringValue: v.join(';') } : undefined;
  }
  if (name.startsWith('auth.')) {
    const v = ctx?.auth?.[name.slice('auth.'.length)];
    return v === undefined ? undefined : { stringValue: v };
  }
  return undefined;
}

/** SHA-1 hex of the value's bytes as the Collector hashes them (ints and doubles as 8 big-endian bytes, bools as one byte). */
export function hashValue(v: AnyValue | undefined): AnyValue | undefined {
  const h = crypto.createHash('sha1');
  if (v?.stringValue !== undefined) h.update(v.stringValue, 'utf8');
  else if (v?.intValue !== undefined) {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(BigInt(v.intValue));
    h.update(b);
  } else if (v?.doubleValue !== undefined) {
    const b = Buffer.alloc(8);
    b.writeDoubleBE(Number(v.doubleValue));
    h.update(b);
  } else if (v?.boolValue !== undefined) h.update(Buffer.from([v.boolValue ? 1 : 0]));
  else if (v?.bytesValue !== undefined) h.update(v.bytesValue);
  else return undefined;
  return { stringValue: h.digest('hex') };
}

function convert(v: AnyValue | undefined, to: string): AnyValue | undefined {
  if (!v) return undefined;
  const s = v.stringValue;
  if (to === 'string') {
    if (s !== undefined) return v;
    if (v.intValue !== undefined) return { stringValue: String(v.intValue) };
    if (v.doubleValue !== undefined) return { stringValue: String(v.doubleValue) };
    if (v.boolValue !== undefined) return { stringValue: String(v.boolValue) };
    return undefined;
  }
  if (to === 'int') {
    if (v.intValue !== undefined) return v;
    if (v.doubleValue !== undefined) return { intValue: String(Math.trunc(Number(v.doubleValue))) };
    if (v.boolValue !== undefined) return { intValue: v.boolValue ? '1' : '0' };
    if (s !== undefined && /^[+-]?\d+$/.test(s)) return { intValue: String(BigInt(s)) };
    return undefined;
  }
  if (v.doubleValue !== undefined) return v;
  if (v.intValue !== undefined) return { doubleValue: Number(v.intValue) };
  if (v.boolValue !== undefined) return { doubleValue: v.boolValue ? 1 : 0 };
  if (s !== undefined && s.trim() !== '' && Number.isFinite(Number(s))) return { doubleValue: Number(s) };
  return undefined;
}

function setKey(attrs: KeyValue[], key: string, value: AnyValue, mode: 'insert' | 'update' | 'upsert'): void {
  const kv = attrs.find((x) => x.key === key);
  if (kv && mode !== 'insert') kv.value = value;
  else if (!kv && mode !== 'update') attrs.push({ key, value });
}

export function compileAction(where: string, a: ActionArgs): Action {
  if (!ACTIONS.includes(a.action)) throw new Error(`${where}: action ${JSON.stringify(a.action)} is invalid (want one of ${ACTIONS.join(', ')})`);
  const re = a.pattern ? goRegExp(a.pattern) : undefined;
  switch (a.action) {
    case 'insert':
    case 'update':
    case 'upsert': {
      if (!a.key) throw new Error(`${where}: key is required for ${a.action}`);
      const sources = [a.value !== undefined && a.value !== null, a.from_attribute !== '', a.from_context !== ''].filter(Boolean).length;
      if (sources !== 1) throw new Error(`${where}: ${a.action} needs exactly one of value, from_attribute or from_context`);
      const mode = a.action;
      if (a.value !== undefined && a.value !== null) {
        const value = literalValue(where, a.value);
        return (attrs) => setKey(attrs, a.key, structuredClone(value), mode);
      }
      if (a.from_attribute) {
        return (attrs) => {
          const src = attrs.find((x) => x.key === a.from_attribute);
          if (src?.value) setKey(attrs, a.key, structuredClone(src.value), mode);
        };
      }
      return (attrs, ctx) => {
        const v = contextValue(a.from_context, ctx);
        if (v) setKey(attrs, a.key, v, mode);
      };
    }
    case 'delete':
      if (!a.key && !re) throw new Error(`${where}: delete needs key or pattern`);
      return (attrs) => removeWhere(attrs, (kv) => kv.key === a.key || (re !== undefined && re.test(kv.key)));
    case 'hash':
      if (!a.key && !re) throw new Error(`${where}: hash needs key or pattern`);
      return (attrs) => {
        for (const kv of attrs) {
          if (kv.key !== a.key && !(re && re.test(kv.key))) continue;
          const h = hashValue(kv.value);
          if (h) kv.value = h;
        }
      };
    case 'extract': {
      if (!a.key || !re) throw new Error(`${where}: extract needs key and pattern`);
      const names = [...a.pattern.matchAll(/\(\?P?<([A-Za-z_]\w*)>/g)].map((m) => m[1]);
      if (names.length === 0) throw new Error(`${where}: pattern ${JSON.stringify(a.pattern)} has no named subexpressions to extract into`);
      return (attrs) => {
        const s = attrs.find((x) => x.key === a.key)?.value?.stringValue;
        if (s === undefined) return;
        const m = re.exec(s);
        if (!m?.groups) return;
        for (const n of names) if (m.groups[n] !== undefined) setKey(attrs, n, { stringValue: m.groups[n] }, 'upsert');
      };
    }
    default: {
      if (!a.key) throw new Error(`${where}: key is required for convert`);
      if (!['int', 'double', 'string'].includes(a.converted_type)) throw new Error(`${where}: converted_type ${JSON.stringify(a.converted_type)} is invalid (want int, double or string)`);
      return (attrs) => {
        const kv = attrs.find((x) => x.key === a.key);
        const v = kv ? convert(kv.value, a.converted_type) : undefined;
        if (kv && v) kv.value = v;
      };
    }
  }
}
