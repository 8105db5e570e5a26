// The OTTL functions we implement (pkg/ottl/ottlfuncs semantics): editors
// change the item, converters compute values. Argument kinds say what the
// compiler must hand over: a settable path, a literal, or a getter.
import { OttlEvalError, type Getter, type Target, type TCtx } from './paths.js';
import { goRegExp, goReplacement } from './regex.js';
import { asText, fromAny, fromJson, MapRef, removeWhere, typeName, type Val } from './values.js';

export type ArgKind = 'target' | 'getter' | 'str' | 'int' | 'strlist' | 'getterlist' | 'getter?' | 'str?';
export type CompiledArg = Target | Getter | string | bigint | string[] | Getter[];

interface Editor {
  args: readonly ArgKind[];
  build(a: CompiledArg[]): (tc: TCtx) => void;
}
interface Converter {
  args: readonly ArgKind[];
  build(a: CompiledArg[]): Getter;
}

function mapOf(t: Target, tc: TCtx): MapRef | undefined {
  const v = t.get(tc);
  if (v === null) return undefined;
  if (!(v instanceof MapRef)) throw new OttlEvalError(`${t.text}: want a map, got ${typeName(v)}`);
  return v;
}

/** A glob (replace_match) as a RegExp: * any run, ? one character, [...] a class. */
function globRegExp(glob: string): RegExp {
  let src = '';
  for (const c of glob) src += c === '*' ? '.*' : c === '?' ? '.' : c === '[' || c === ']' ? c : c.replace(/[.+^${}()|\\]/g, '\\$&');
  return new RegExp(`^${src}$`, 's');
}

function replaceAll(s: string, re: RegExp, replacement: string): string {
  return s.replace(new RegExp(re.source, re.flags.includes('g') ? re.flags : `${re.flags}g`), goReplacement(replacement));
}

export const EDITORS: Record<string, Editor> = {
  set: {
    args: ['target', 'getter'],
    build: ([t, v]) => (tc) => {
      const val = (v as Getter)(tc);
      // As in OTTL, setting nil leaves the target as it was.
      if (val !== null) (t as Target).set(tc, val);
    },
  },
  delete_key: {
    args: ['target', 'str'],
    build: ([t, key]) => (tc) => mapOf(t as Target, tc)?.delete(key as string),
  },
  delete_matching_keys: {
    args: ['target', 'str'],
    build: ([t, p]) => {
      const re = goRegExp(p as string);
      return (tc) => {
        const m = mapOf(t as Target, tc);
        if (m) removeWhere(m.kvs, (kv) => re.test(kv.key));
      };
    },
  },
  keep_keys: {
    args: ['target', 'strlist'],
    build: ([t, keys]) => {
      const keep = new Set(keys as string[]);
      return (tc) => {
        const m = mapOf(t as Target, tc);
        if (m) removeWhere(m.kvs, (kv) => !keep.has(kv.key));
      };
    },
  },
  keep_matching_keys: {
    args: ['target', 'str'],
    build: ([t, p]) => {
      const re = goRegExp(p as string);
      return (tc) => {
        const m = mapOf(t as Target, tc);
        if (m) removeWhere(m.kvs, (kv) => !re.test(kv.key));
      };
    },
  },
  truncate_all: {
    args: ['target', 'int'],
    build: ([t, limit]) => {
      if ((limit as bigint) < 0n) throw new Error(`truncate_all: invalid limit ${limit} (must be 0 or more)`);
      const n = Number(limit);
      return (tc) => {
        for (const kv of mapOf(t as Target, tc)?.kvs ?? []) {
          const s = kv.value?.stringValue;
          if (typeof s === 'string' && s.length > n) kv.value = { stringValue: s.slice(0, n) };
        }
      };
    },
  },
  limit: {
    args: ['target', 'int', 'strlist'],
    build: ([t, limit, priority]) => {
      const n = Number(limit);
      const pk = priority as string[];
      if (n < 0) throw new Error(`limit: invalid limit ${limit} (must be 0 or more)`);
      if (pk.length > n) throw new Error(`limit: ${pk.length} priority keys are more than the limit ${n}`);
      return (tc) => {
        const m = mapOf(t as Target, tc);
        if (!m || m.kvs.length <= n) return;
        const keep = new Set(pk.filter((k) => m.has(k)));
        for (const kv of m.kvs) {
          if (keep.size >= n) break;
          keep.add(kv.key);
        }
        removeWhere(m.kvs, (kv) => !keep.has(kv.key));
      };
    },
  },
  replace_pattern: {
    args: ['target', 'str', 'str'],
    build: ([t, p, r]) => {
      const re = goRegExp(p as string);
      return (tc) => {
        const v = (t as Target).get(tc);
        if (typeof v === 'string') (t as Target).set(tc, replaceAll(v, re, r as string));
      };
    },
  },
  replace_all_patterns: {
    args: ['target', 'str', 'str', 'str'],
    build: ([t, mode, p, r]) => {
      if (mode !== 'key' && mode !== 'value') throw new Error(`replace_all_patterns: mode ${JSON.stringify(mode)} is invalid (want "key" or "value")`);
      const re = goRegExp(p as string);
      const test = new RegExp(re.source, re.flags.replace('g', ''));
      return (tc) => {
        for (const kv of mapOf(t as Target, tc)?.kvs ?? []) {
          if (mode === 'key') {
            if (test.test(kv.key)) kv.key = replaceAll(kv.key, re, r as string);
          } else if (typeof kv.value?.stringValue === 'string' && test.test(kv.value.stringValue)) {
            kv.value = { stringValue: replaceAll(kv.value.stringValue, re, r as string) };
          }
        }
      };
    },
  },
  replace_match: {
    args: ['target', 'str', 'str'],
    build: ([t, g, r]) => {
      const re = globRegExp(g as string);
      return (tc) => {
        const v = (t as Target).get(tc);
        if (typeof v === 'string' && re.test(v)) (t as Target).set(tc, r as string);
      };
    },
  },
  replace_all_matches: {
    args: ['target', 'str', 'str'],
    build: ([t, g, r]) => {
      const re = globRegExp(g as string);
      return (tc) => {
        for (const kv of mapOf(t as Target, tc)?.kvs ?? []) {
          if (typeof kv.value?.stringValue === 'string' && re.test(kv.value.stringValue)) kv.value = { stringValue: r as string };
        }
      };
    },
  },
  merge_maps: {
    args: ['target', 'getter', 'str'],
    build: ([t, src, strategy]) => {
      if (!['insert', 'update', 'upsert'].includes(strategy as string)) throw new Error(`merge_maps: strategy ${JSON.stringify(strategy)} is invalid (want "insert", "update" or "upsert")`);
      return (tc) => {
        const from = (src as Getter)(tc);
        if (from === null) return;
        if (!(from instanceof MapRef)) throw new OttlEvalError(`merge_maps: source is ${typeName(from)}, not a map`);
        const to = mapOf(t as Target, tc);
        if (!to) return;
        for (const kv of from.kvs) {
          const present = to.has(kv.key);
          if ((strategy === 'insert' && present) || (strategy === 'update' && !present)) continue;
          to.set(kv.key, fromAny(kv.value));
        }
      };
    },
  },
};

const stringArg = (g: Getter, fn: string) => (tc: TCtx): string | undefined => {
  const v = g(tc);
  if (v === null) return undefined;
  if (typeof v !== 'string') throw new OttlEvalError(`${fn}: want a string, got ${typeName(v)}`);
  return v;
};

const is = (check: (v: Val) => boolean): Converter => ({ args: ['getter'], build: ([g]) => (tc) => check((g as Getter)(tc)) });

export const CONVERTERS: Record<string, Converter> = {
  Concat: {
    args: ['getterlist', 'str'],
    build: ([items, delim]) => (tc) => (items as Getter[]).map((g) => asText(g(tc)) ?? '').join(delim as string),
  },
  IsMatch: {
    args: ['getter', 'str'],
    build: ([g, p]) => {
      const re = goRegExp(p as string);
      return (tc) => {
        const v = (g as Getter)(tc);
        if (v === null) return false;
        if (v instanceof MapRef || Array.isArray(v)) throw new OttlEvalError(`IsMatch: want a string, got ${typeName(v)}`);
        return re.test(asText(v) ?? '');
      };
    },
  },
  ParseJSON: {
    args: ['getter'],
    build: ([g]) => {
      const s = stringArg(g as Getter, 'ParseJSON');
      return (tc) => {
        const text = s(tc);
        if (text === undefined) throw new OttlEvalError('ParseJSON: the value is nil');
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch (e) {
          throw new OttlEvalError(`ParseJSON: ${(e as Error).message}`);
        }
        if (parsed === null || typeof parsed !== 'object') throw new OttlEvalError('ParseJSON: the JSON is not an object or array');
        return fromJson(parsed);
      };
    },
  },
  IsMap: is((v) => v instanceof MapRef),
  IsList: is((v) => Array.isArray(v)),
  IsString: is((v) => typeof v === 'string'),
  IsBool: is((v) => typeof v === 'boolean'),
  IsInt: is((v) => typeof v === 'bigint'),
  IsDouble: is((v) => typeof v === 'number'),
  Int: {
    args: ['getter'],
    build: ([g]) => (tc) => {
      const v = (g as Getter)(tc);
      if (typeof v === 'bigint') return v;
      if (typeof v === 'number') return Number.isFinite(v) ? BigInt(Math.trunc(v)) : null;
      if (typeof v === 'boolean') return v ? 1n : 0n;
      if (typeof v === 'string' && /^[+-]?\d+$/.test(v.trim())) return BigInt(v.trim());
      return null;
    },
  },
  Double: {
    args: ['getter'],
    build: ([g]) => (tc) => {
      const v = (g as Getter)(tc);
      if (typeof v === 'number') return v;
      if (typeof v === 'bigint') return Number(v);
      if (typeof v === 'boolean') return v ? 1 : 0;
      if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
      return null;
    },
  },
  String: { args: ['getter'], build: ([g]) => (tc) => asText((g as Getter)(tc)) ?? null },
  Len: {
    args: ['getter'],
    build: ([g]) => (tc) => {
      const v = (g as Getter)(tc);
      if (typeof v === 'string') return BigInt([...v].length);
      if (v instanceof MapRef) return BigInt(v.kvs.length);
      if (Array.isArray(v) || v instanceof Uint8Array) return BigInt(v.length);
      throw new OttlEvalError(`Len: a ${typeName(v)} has no length`);
    },
  },
  ToLowerCase: { args: ['getter'], build: ([g]) => { const s = stringArg(g as Getter, 'ToLowerCase'); return (tc) => s(tc)?.toLowerCase() ?? null; } },
  ToUpperCase: { args: ['getter'], build: ([g]) => { const s = stringArg(g as Getter, 'ToUpperCase'); return (tc) => s(tc)?.toUpperCase() ?? null; } },
};

