// Alloy's standard library: namespaced functions (sys, string, encoding,
// array, convert, file), constants, and the deprecated top-level aliases that
// Alloy still accepts. Functions throw plain Error(reason); the evaluator turns
// that into a Diagnostic at the call, prefixed with the function's name.
import os from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { Secret } from './secret.js';
import { sprintf } from './gofmt.js';
import { toJson } from './json-encode.js';
import { jsonPath } from './json-path.js';
import { queryEscape, queryUnescape } from './url-escape.js';
import { getField, isObject, makeObject, typeOf, valuesEqual, type AlloyFunction, type Value, type ValueObject } from './value.js';

// ---- argument checking -----------------------------------------------------

function arity(args: Value[], n: number): void {
  if (args.length !== n) throw new Error(`expected ${n} argument${n === 1 ? '' : 's'}, got ${args.length}`);
}

function str(args: Value[], i: number): string {
  const v = args[i];
  if (typeof v !== 'string') throw new Error(`argument ${i + 1}: expected string, got ${typeOf(v)}`);
  return v;
}

function strArray(args: Value[], i: number): string[] {
  const v = args[i];
  if (!Array.isArray(v)) throw new Error(`argument ${i + 1}: expected array, got ${typeOf(v)}`);
  return v.map((el, j) => {
    if (typeof el !== 'string') throw new Error(`argument ${i + 1}[${j}]: expected string, got ${typeOf(el)}`);
    return el;
  });
}

/** Wraps a function of fixed string arguments. */
function strings<R extends Value>(n: number, f: (...s: string[]) => R): AlloyFunction {
  return (...args: Value[]) => {
    arity(args, n);
    return f(...args.map((_, i) => str(args, i)));
  };
}

// ---- string ------------------------------------------------------------------

const codePoints = (s: string) => [...s];

/** Go strings.Split: an empty separator splits into characters. */
function split(s: string, sep: string): string[] {
  if (sep === '') return codePoints(s);
  return s.split(sep);
}

/** Go strings.ReplaceAll: an empty `old` inserts `repl` around every character. */
function replaceAll(s: string, old: string, repl: string): string {
  if (old === '') return repl + codePoints(s).join(repl) + (s === '' ? '' : repl);
  return s.split(old).join(repl); // split/join: no "$&" surprises from String.replace
}

/** Go strings.Trim: strips leading and trailing characters contained in cutset. */
function trim(s: string, cutset: string): string {
  const cut = new Set(codePoints(cutset));
  const chars = codePoints(s);
  let a = 0;
  let b = chars.length;
  while (a < b && cut.has(chars[a])) a++;
  while (b > a && cut.has(chars[b - 1])) b--;
  return chars.slice(a, b).join('');
}

// Go's unicode.IsSpace set (JavaScript's \s differs: it includes U+FEFF, lacks U+0085).
const SPACE = '[\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';
const LEADING_SPACE = new RegExp(`^${SPACE}+`);
const TRAILING_SPACE = new RegExp(`${SPACE}+$`);

function format(...args: Value[]): Value {
  if (args.length === 0) throw new Error('expected at least 1 argument, got 0');
  return sprintf(str(args, 0), args.slice(1));
}

const stringNs = {
  format: format as AlloyFunction,
  join: ((...args: Value[]) => {
    arity(args, 2);
    return strArray(args, 0).join(str(args, 1));
  }) as AlloyFunction,
  split: strings(2, split),
  replace: strings(3, replaceAll),
  to_lower: strings(1, (s) => s.toLowerCase()),
  to_upper: strings(1, (s) => s.toUpperCase()),
  trim: strings(2, trim),
  trim_prefix: strings(2, (s, p) => (p !== '' && s.startsWith(p) ? s.slice(p.length) : s)),
  trim_suffix: strings(2, (s, p) => (p !== '' && s.endsWith(p) ? s.slice(0, s.length - p.length) : s)),
  trim_space: strings(1, (s) => s.replace(LEADING_SPACE, '').replace(TRAILING_SPACE, '')),
};

// ---- encoding ------------------------------------------------------------------

/** JSON numbers, strings, arrays and objects map directly onto Alloy values. */
function fromJson(...args: Value[]): Value {
  arity(args, 1);
  const text = str(args, 0);
  try {
    return JSON.parse(text) as Value;
  } catch (e) {
    throw new Error(`invalid JSON: ${(e as Error).message}`);
  }
}

function fromYaml(...args: Value[]): Value {
  arity(args, 1);
  const text = str(args, 0);
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new Error(`invalid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  return toValue(doc);
}

/** YAML can produce dates, maps with non-string keys, undefined...: normalise to Alloy values. */
function toValue(v: unknown, depth = 0): Value {
  if (depth > 200) throw new Error('document nested too deeply');
  if (v === undefined || v === null) return null;
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map((x) => toValue(x, depth + 1));
  if (v instanceof Map) return makeObject([...v].map(([k, x]) => [String(k), toValue(x, depth + 1)]));
  if (typeof v === 'object') return makeObject(Object.entries(v).map(([k, x]) => [k, toValue(x, depth + 1)]));
  return String(v);
}

const STD_ALPHABET = /^[A-Za-z0-9+/]*$/;
const URL_ALPHABET = /^[A-Za-z0-9\-_]*$/;

/** Go's base64 DecodeString with padding required; CR and LF are ignored as in Go. */
function base64Decoder(url: boolean): AlloyFunction {
  return (...args: Value[]) => {
    arity(args, 1);
    const text = str(args, 0).replace(/[\r\n]/g, '');
    const body = text.replace(/=+$/, '');
    const alphabet = url ? URL_ALPHABET : STD_ALPHABET;
    if (!alphabet.test(body)) {
      const badAt = [...body].findIndex((c) => !alphabet.test(c));
      throw new Error(`illegal base64 data at input byte ${badAt}`);
    }
    const padding = text.length - body.length;
    if (text.length % 4 !== 0 || padding > 2 || body.length % 4 === 1) {
      throw new Error(`illegal base64 data at input byte ${Math.max(0, body.length - (body.length % 4 === 1 ? 1 : 0))}`);
    }
    return Buffer.from(body, url ? 'base64url' : 'base64').toString('utf8');
  };
}

function base64Encoder(url: boolean): AlloyFunction {
  return strings(1, (s) => {
    const b64 = Buffer.from(s, 'utf8').toString('base64');
    return url ? b64.replace(/\+/g, '-').replace(/\//g, '_') : b64;
  });
}

const encodingNs = {
  from_json: fromJson as AlloyFunction,
  from_yaml: fromYaml as AlloyFunction,
  from_base64: base64Decoder(false),
  from_URLbase64: base64Decoder(true),
  to_base64: base64Encoder(false),
  to_URLbase64: base64Encoder(true),
  to_json: ((...args: Value[]) => {
    arity(args, 1);
    return toJson(args[0]);
  }) as AlloyFunction,
  url_encode: strings(1, queryEscape),
  url_decode: strings(1, queryUnescape),
};

// ---- array -----------------------------------------------------------------------

function concat(...args: Value[]): Value {
  const out: Value[] = [];
  args.forEach((a, i) => {
    if (!Array.isArray(a)) throw new Error(`argument ${i + 1}: expected array, got ${typeOf(a)}`);
    for (const el of a) out.push(el);
  });
  return out;
}

function objectArray(args: Value[], i: number): ValueObject[] {
  const a = args[i];
  if (!Array.isArray(a)) throw new Error(`argument ${i + 1}: expected array, got ${typeOf(a)}`);
  return a.map((el, j) => {
    if (!isObject(el)) throw new Error(`argument ${i + 1}[${j}]: expected object, got ${typeOf(el)}`);
    return el;
  });
}

function bool(args: Value[], i: number): boolean {
  const v = args[i];
  if (typeof v !== 'boolean') throw new Error(`argument ${i + 1}: expected bool, got ${typeOf(v)}`);
  return v;
}

/**
 * array.combine_maps(left, right, keys[, passthrough]): every pair of objects
 * that agree on all keys, merged (right wins). With passthrough, a left
 * object that matches nothing is kept as it is.
 */
function combineMaps(...args: Value[]): Value {
  if (args.length !== 3 && args.length !== 4) throw new Error(`expected 3 or 4 arguments, got ${args.length}`);
  const left = objectArray(args, 0);
  const right = objectArray(args, 1);
  const keys = strArray(args, 2);
  if (keys.length === 0) throw new Error('merge conditions must not be empty');
  const passthrough = args.length === 4 ? bool(args, 3) : false;
  const out: Value[] = [];
  for (const l of left) {
    let matched = false;
    for (const r of right) {
      const join = keys.every((k) => {
        const a = getField(l, k);
        const b = getField(r, k);
        return a !== undefined && b !== undefined && valuesEqual(a, b);
      });
      if (!join) continue;
      matched = true;
      out.push(makeObject([...Object.entries(l), ...Object.entries(r)]));
    }
    if (!matched && passthrough) out.push(l);
  }
  return out;
}

/**
 * array.group_by(objects, key, drop_missing): one {<key> = value, items = [...]}
 * per distinct string value of key, in order of first appearance. Objects
 * without the key are dropped, or grouped under "" when drop_missing is false.
 */
function groupBy(...args: Value[]): Value {
  arity(args, 3);
  const items = objectArray(args, 0);
  const key = str(args, 1);
  const dropMissing = bool(args, 2);
  const groups = new Map<string, Value[]>();
  items.forEach((item, i) => {
    const v = getField(item, key);
    if (v === undefined) {
      if (!dropMissing) groups.set('', [...(groups.get('') ?? []), item]);
      return;
    }
    if (typeof v !== 'string') throw new Error(`argument 1[${i}]: ${JSON.stringify(key)}: expected string, got ${typeOf(v)}`);
    const g = groups.get(v);
    if (g) g.push(item);
    else groups.set(v, [item]);
  });
  return [...groups].map(([v, members]) => makeObject([[key, v], ['items', members]]));
}

// ---- misc ------------------------------------------------------------------------

/** First argument that is not null nor a zero value ("", 0, false, empty array/object); else the last. */
function coalesce(...args: Value[]): Value {
  if (args.length === 0) return null;
  for (const a of args) {
    if (a === null || a === '' || a === 0 || a === false) continue;
    if (Array.isArray(a) && a.length === 0) continue;
    if (isObject(a) && Object.keys(a).length === 0) continue;
    if (a instanceof Secret && a.reveal() === '') continue;
    return a;
  }
  return args[args.length - 1];
}

function nonsensitive(...args: Value[]): Value {
  arity(args, 1);
  const v = args[0];
  if (v instanceof Secret) return v.reveal();
  if (typeof v === 'string') return v; // a string converts to a secret implicitly in Alloy
  throw new Error(`argument 1: expected secret, got ${typeOf(v)}`);
}

function env(...args: Value[]): Value {
  arity(args, 1);
  return process.env[str(args, 0)] ?? '';
}

/** Go's filepath.Join on Unix: skip empty elements, join with "/", clean; "" when nothing is left. */
function pathJoin(...args: Value[]): Value {
  const parts = args.map((_, i) => str(args, i)).filter((p) => p !== '');
  if (parts.length === 0) return '';
  const joined = path.posix.normalize(parts.join('/'));
  return joined.length > 1 ? joined.replace(/\/+$/, '') : joined;
}

/** Go's runtime.GOOS / GOARCH names for the current platform. */
function goOs(): string {
  const p = process.platform as string;
  return p === 'win32' ? 'windows' : p;
}

function goArch(): string {
  const map: Record<string, string> = { x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64', loong64: 'loong64' };
  return map[process.arch] ?? process.arch;
}

/** Functions Alloy marks experimental: usable only with --stability.level=experimental. */
export const EXPERIMENTAL_FUNCTIONS: ReadonlySet<string> = new Set(['array.combine_maps', 'array.group_by']);

/** Top-level names Alloy keeps for compatibility; each has a namespaced replacement. */
export const DEPRECATED_FUNCTIONS: Readonly<Record<string, string>> = {
  env: 'sys.env',
  nonsensitive: 'convert.nonsensitive',
  concat: 'array.concat',
  json_decode: 'encoding.from_json',
  yaml_decode: 'encoding.from_yaml',
  base64_decode: 'encoding.from_base64',
  format: 'string.format',
  join: 'string.join',
  replace: 'string.replace',
  split: 'string.split',
  to_lower: 'string.to_lower',
  to_upper: 'string.to_upper',
  trim: 'string.trim',
  trim_prefix: 'string.trim_prefix',
  trim_suffix: 'string.trim_suffix',
  trim_space: 'string.trim_space',
};

export const VERSION = 'v0.1.0';

function namespace(fields: Record<string, Value>): ValueObject {
  const o = Object.create(null) as ValueObject;
  Object.assign(o, fields);
  return Object.freeze(o);
}

const sysNs = namespace({ env: env as AlloyFunction });
const convertNs = namespace({ nonsensitive: nonsensitive as AlloyFunction });
const arrayNs = namespace({ concat: concat as AlloyFunction, combine_maps: combineMaps as AlloyFunction, group_by: groupBy as AlloyFunction });
const fileNs = namespace({ path_join: pathJoin as AlloyFunction });

/**
 * Root identifiers of the standard library. Objects here have no prototype so
 * a lookup of "constructor" or "toString" finds nothing.
 */
export const stdlib: Record<string, Value> = namespace({
  constants: namespace({ hostname: os.hostname(), os: goOs(), arch: goArch(), version: VERSION }),
  coalesce: coalesce as AlloyFunction,
  json_path: strings(2, jsonPath),
  sys: sysNs,
  convert: convertNs,
  array: arrayNs,
  encoding: namespace(encodingNs),
  string: namespace(stringNs),
  file: fileNs,
  // Deprecated top-level names Alloy still accepts.
  env: env as AlloyFunction,
  nonsensitive: nonsensitive as AlloyFunction,
  concat: concat as AlloyFunction,
  json_decode: fromJson as AlloyFunction,
  yaml_decode: fromYaml as AlloyFunction,
  base64_decode: encodingNs.from_base64,
  format: stringNs.format,
  join: stringNs.join,
  replace: stringNs.replace,
  split: stringNs.split,
  to_lower: stringNs.to_lower,
  to_upper: stringNs.to_upper,
  trim: stringNs.trim,
  trim_prefix: stringNs.trim_prefix,
  trim_suffix: stringNs.trim_suffix,
  trim_space: stringNs.trim_space,
});
