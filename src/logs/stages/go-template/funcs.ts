// The functions loki.process templates can call: Go's template builtins,
// the functions Alloy adds (ToLower, ToUpper, Replace, Trim*, Hash,
// Sha2Hash, regexReplaceAll, regexReplaceAllLiteral) and the commonly used
// part of sprig. A function outside this set fails when the template is
// parsed, naming it, instead of being silently evaluated differently.
import { createHash } from 'node:crypto';
import { RE2JS } from 're2js';
import { ExecError, GoInt, goPrint, goType, NO_VALUE, truthy, type FuncDef, type TValue } from './exec.js';

function str(v: TValue, fn: string): string {
  if (typeof v === 'string') return v;
  if (v === NO_VALUE) throw new ExecError(`error calling ${fn}: invalid value; expected string`);
  throw new ExecError(`wrong type for value in ${fn}; expected string; got ${goType(v)}`);
}

function int(v: TValue, fn: string): number {
  if (v instanceof GoInt) return v.v;
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  throw new ExecError(`wrong type for value in ${fn}; expected int; got ${goType(v)}`);
}

/** sprig's loose conversion (cast.ToString / ToInt) for its own helpers. */
function toStr(v: TValue): string {
  if (v === NO_VALUE || v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  return goPrint(v);
}

function toInt(v: TValue): number {
  if (v instanceof GoInt) return v.v;
  if (typeof v === 'number') return Math.trunc(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') {
    const n = Number(v.trim());
    return Number.isFinite(n) ? Math.trunc(n) : 0;
  }
  return 0;
}

function regexp(expr: string, fn: string): RE2JS {
  try {
    return RE2JS.compile(expr);
  } catch (err) {
    throw new ExecError(`error calling ${fn}: ${(err as Error).message}`);
  }
}

/** Go's strings.Replace: n < 0 means all; an empty old matches around every UTF-8 character. */
export function goReplace(s: string, old: string, neu: string, n: number): string {
  if (n === 0 || old === neu) return s;
  if (old === '') {
    const chars = [...s];
    let out = '';
    let done = 0;
    for (let i = 0; i <= chars.length; i++) {
      if (n < 0 || done < n) {
        out += neu;
        done++;
      }
      if (i < chars.length) out += chars[i];
    }
    return out;
  }
  let out = '';
  let rest = s;
  let done = 0;
  for (;;) {
    if (n >= 0 && done >= n) break;
    const at = rest.indexOf(old);
    if (at < 0) break;
    out += rest.slice(0, at) + neu;
    rest = rest.slice(at + old.length);
    done++;
  }
  return out + rest;
}

function trimSet(s: string, cutset: string, left: boolean, right: boolean): string {
  const set = new Set([...cutset]);
  const chars = [...s];
  let a = 0;
  let b = chars.length;
  if (left) while (a < b && set.has(chars[a])) a++;
  if (right) while (b > a && set.has(chars[b - 1])) b--;
  return chars.slice(a, b).join('');
}

/** Go's regexp Expand template: $1, ${1}, $name, ${name}, $$. */
function expand(template: string, groups: (string | null)[], names: Record<string, number>): string {
  return template.replace(/\$(\$|\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))/g, (_m, all: string, braced?: string, bare?: string) => {
    if (all === '$') return '$';
    const name = braced ?? bare!;
    const idx = /^\d+$/.test(name) ? Number(name) : names[name];
    if (idx === undefined) return '';
    return groups[idx] ?? '';
  });
}

function replaceAll(expr: string, s: string, repl: string, literal: boolean, fn: string): string {
  const re = regexp(expr, fn);
  const m = re.matcher(s);
  const names = re.namedGroups() as Record<string, number>;
  let out = '';
  let last = 0;
  let prevEnd = -1;
  while (m.find()) {
    const start = m.start(0);
    const end = m.end(0);
    if (start === end && start === prevEnd) continue;
    prevEnd = end;
    out += s.slice(last, start);
    if (literal) out += repl;
    else {
      const groups: (string | null)[] = [];
      for (let i = 0; i <= re.groupCount(); i++) groups.push(m.group(i));
      out += expand(repl, groups, names);
    }
    last = end;
  }
  return out + s.slice(last);
}

function hex(alg: string, data: string): string {
  return createHash(alg).update(data, 'utf8').digest('hex');
}

function compare(a: TValue, b: TValue, fn: string): number {
  const num = (v: TValue) => (v instanceof GoInt ? v.v : v);
  const x = num(a);
  const y = num(b);
  if (typeof x === 'number' && typeof y === 'number') {
    if ((a instanceof GoInt) !== (b instanceof GoInt)) throw new ExecError(`error calling ${fn}: incompatible types for comparison`);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (typeof x === 'string' && typeof y === 'string') return x < y ? -1 : x > y ? 1 : 0;
  if (x === NO_VALUE || y === NO_VALUE) throw new ExecError(`error calling ${fn}: invalid type for comparison`);
  throw new ExecError(`error calling ${fn}: incompatible types for comparison`);
}

function equal(a: TValue, b: TValue): boolean {
  // Go's eq: a missing value equals nothing but another missing value (no error).
  if (a === NO_VALUE || b === NO_VALUE) return a === b;
  const x = a instanceof GoInt ? a.v : a;
  const y = b instanceof GoInt ? b.v : b;
  if (typeof x !== typeof y && !(x === null || y === null)) throw new ExecError('error calling eq: incompatible types for comparison');
  return x === y;
}

/** fmt verbs for printf: %s %v %d %q %x %X %f %t %%, with width/precision flags. */
export function sprintf(format: string, args: TValue[]): string {
  let ai = 0;
  return format.replace(/%([-+# 0]*)(\d+)?(?:\.(\d+))?([%svdqxXftcb])/g, (_m, flags: string, width?: string, prec?: string, verb?: string) => {
    if (verb === '%') return '%';
    if (ai >= args.length) return `%!${verb}(MISSING)`;
    const a = args[ai++];
    if (a === null && verb !== 'v') return `%!${verb}(<nil>)`;
    const n = a instanceof GoInt ? a.v : a;
    let s: string;
    switch (verb) {
      case 'd':
        s = typeof n === 'number' && Number.isInteger(n) ? String(n) : `%!d(${goType(a)}=${goPrint(a)})`;
        break;
      case 'f':
        s = typeof n === 'number' ? n.toFixed(prec !== undefined ? Number(prec) : 6) : `%!f(${goType(a)}=${goPrint(a)})`;
        break;
      case 'q':
        s = typeof a === 'string' ? JSON.stringify(a) : goPrint(a);
        break;
      case 'x':
      case 'X': {
        const h = typeof n === 'number' ? Math.trunc(n).toString(16) : Buffer.from(toStr(a)).toString('hex');
        s = verb === 'X' ? h.toUpperCase() : h;
        break;
      }
      case 't':
        s = typeof a === 'boolean' ? String(a) : `%!t(${goType(a)}=${goPrint(a)})`;
        break;
      case 'c':
        s = typeof n === 'number' ? String.fromCodePoint(n) : goPrint(a);
        break;
      case 'b':
        s = typeof n === 'number' ? Math.trunc(n).toString(2) : goPrint(a);
        break;
      default:
        s = goPrint(a);
        if (verb === 's' && prec !== undefined) s = [...s].slice(0, Number(prec)).join('');
    }
    if (width !== undefined && s.length < Number(width)) s = flags.includes('-') ? s.padEnd(Number(width)) : s.padStart(Number(width), flags.includes('0') && verb !== 's' ? '0' : ' ');
    return s;
  });
}

const f = (fn: FuncDef['fn'], arity?: number): FuncDef => ({ fn, arity });
/** A function whose Go parameters are interface{}: missing values arrive as nil. */
const loose = (fn: FuncDef['fn'], arity?: number): FuncDef => ({ fn, arity, loose: true });

/** Go text/template builtins. */
const builtins: Record<string, FuncDef> = {
  and: f(() => undefined), // evaluated lazily by the executor
  or: f(() => undefined),
  not: f((a) => !truthy(a), 1),
  eq: f((a, ...bs) => {
    if (bs.length === 0) throw new ExecError('wrong number of args for eq: want at least 2 got 1');
    return bs.some((b) => equal(a, b));
  }),
  ne: f((a, b) => !equal(a, b), 2),
  lt: f((a, b) => compare(a, b, 'lt') < 0, 2),
  le: f((a, b) => compare(a, b, 'le') <= 0, 2),
  gt: f((a, b) => compare(a, b, 'gt') > 0, 2),
  ge: f((a, b) => compare(a, b, 'ge') >= 0, 2),
  len: f((a) => {
    if (typeof a === 'string') return new GoInt(Buffer.byteLength(a));
    if (Array.isArray(a)) return new GoInt(a.length);
    if (a && typeof a === 'object' && !(a instanceof GoInt)) return new GoInt(Object.keys(a).length);
    throw new ExecError(`error calling len: len of type ${goType(a)}`);
  }, 1),
  index: f((a, ...idx) => {
    let cur = a;
    for (const i of idx) {
      if (Array.isArray(cur)) {
        const n = int(i, 'index');
        if (n < 0 || n >= cur.length) throw new ExecError(`error calling index: index out of range: ${n}`);
        cur = cur[n];
      } else if (cur && typeof cur === 'object' && !(cur instanceof GoInt)) {
        const o = cur as Record<string, TValue>;
        const k = str(i, 'index');
        cur = Object.prototype.hasOwnProperty.call(o, k) ? o[k] : NO_VALUE;
      } else throw new ExecError(`error calling index: can't index item of type ${goType(cur)}`);
    }
    return cur;
  }),
  print: loose((...a) => a.map((x, i) => (i > 0 && typeof x !== 'string' && typeof a[i - 1] !== 'string' ? ' ' : '') + goPrint(x)).join('')),
  println: loose((...a) => a.map(goPrint).join(' ') + '\n'),
  printf: loose((fmt, ...a) => sprintf(str(fmt, 'printf'), a)),
  urlquery: loose((...a) => encodeURIComponent(a.map(goPrint).join('')).replace(/%20/g, '+')),
  html: loose((...a) =>
    a
      .map(goPrint)
      .join('')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&#34;')
      .replace(/'/g, '&#39;'),
  ),
};

/** The functions Alloy adds for stage.template / stage.replace. */
const alloyFuncs: Record<string, FuncDef> = {
  ToLower: f((s) => str(s, 'ToLower').toLowerCase(), 1),
  ToUpper: f((s) => str(s, 'ToUpper').toUpperCase(), 1),
  Replace: f((s, o, n, c) => goReplace(str(s, 'Replace'), str(o, 'Replace'), str(n, 'Replace'), int(c, 'Replace')), 4),
  Trim: f((s, c) => trimSet(str(s, 'Trim'), str(c, 'Trim'), true, true), 2),
  TrimLeft: f((s, c) => trimSet(str(s, 'TrimLeft'), str(c, 'TrimLeft'), true, false), 2),
  TrimRight: f((s, c) => trimSet(str(s, 'TrimRight'), str(c, 'TrimRight'), false, true), 2),
  TrimPrefix: f((s, p) => {
    const x = str(s, 'TrimPrefix');
    const pre = str(p, 'TrimPrefix');
    return x.startsWith(pre) ? x.slice(pre.length) : x;
  }, 2),
  TrimSuffix: f((s, p) => {
    const x = str(s, 'TrimSuffix');
    const suf = str(p, 'TrimSuffix');
    return suf !== '' && x.endsWith(suf) ? x.slice(0, x.length - suf.length) : x;
  }, 2),
  TrimSpace: f((s) => str(s, 'TrimSpace').trim(), 1),
  // Alloy's Hash(salt, input) hashes salt+input: `{{ Hash .Value "salt" }}` hashes .Value followed by "salt".
  Hash: f((a, b) => hex('sha3-256', str(a, 'Hash') + str(b, 'Hash')), 2),
  Sha2Hash: f((a, b) => hex('sha256', str(a, 'Sha2Hash') + str(b, 'Sha2Hash')), 2),
  regexReplaceAll: f((re, s, r) => replaceAll(str(re, 'regexReplaceAll'), str(s, 'regexReplaceAll'), str(r, 'regexReplaceAll'), false, 'regexReplaceAll'), 3),
  regexReplaceAllLiteral: f((re, s, r) => replaceAll(str(re, 'regexReplaceAllLiteral'), str(s, 'regexReplaceAllLiteral'), str(r, 'regexReplaceAllLiteral'), true, 'regexReplaceAllLiteral'), 3),
};

/** The commonly used part of sprig (argument order as sprig: the subject last, for pipes). */
const sprigFuncs: Record<string, FuncDef> = {
  lower: f((s) => str(s, 'lower').toLowerCase(), 1),
  upper: f((s) => str(s, 'upper').toUpperCase(), 1),
  title: f((s) => str(s, 'title').replace(/(^|[\s])(\p{L})/gu, (_m, a: string, c: string) => a + c.toUpperCase()), 1),
  trim: f((s) => str(s, 'trim').trim(), 1),
  trimAll: f((c, s) => trimSet(str(s, 'trimAll'), str(c, 'trimAll'), true, true), 2),
  trimPrefix: f((p, s) => (str(s, 'trimPrefix').startsWith(str(p, 'trimPrefix')) ? str(s, 'trimPrefix').slice(str(p, 'trimPrefix').length) : str(s, 'trimPrefix')), 2),
  trimSuffix: f((p, s) => (str(p, 'trimSuffix') !== '' && str(s, 'trimSuffix').endsWith(str(p, 'trimSuffix')) ? str(s, 'trimSuffix').slice(0, str(s, 'trimSuffix').length - str(p, 'trimSuffix').length) : str(s, 'trimSuffix')), 2),
  replace: f((o, n, s) => goReplace(str(s, 'replace'), str(o, 'replace'), str(n, 'replace'), -1), 3),
  contains: f((sub, s) => str(s, 'contains').includes(str(sub, 'contains')), 2),
  hasPrefix: f((p, s) => str(s, 'hasPrefix').startsWith(str(p, 'hasPrefix')), 2),
  hasSuffix: f((p, s) => str(s, 'hasSuffix').endsWith(str(p, 'hasSuffix')), 2),
  repeat: f((n, s) => str(s, 'repeat').repeat(Math.max(0, toInt(n))), 2),
  substr: f((a, b, s) => {
    const x = str(s, 'substr');
    const start = toInt(a);
    const end = toInt(b);
    if (start < 0) return x.slice(0, end);
    if (end < 0 || end > x.length) return x.slice(start);
    return x.slice(start, end);
  }, 3),
  trunc: f((n, s) => {
    const x = str(s, 'trunc');
    const c = toInt(n);
    if (c < 0 && x.length + c > 0) return x.slice(x.length + c);
    if (c >= 0 && x.length > c) return x.slice(0, c);
    return x;
  }, 2),
  nospace: f((s) => str(s, 'nospace').replace(/\s+/gu, ''), 1),
  quote: loose((...a) => a.filter((x) => x !== null && x !== NO_VALUE).map((x) => JSON.stringify(toStr(x))).join(' ')),
  squote: loose((...a) => a.filter((x) => x !== null && x !== NO_VALUE).map((x) => `'${toStr(x)}'`).join(' ')),
  cat: loose((...a) => a.filter((x) => x !== null && x !== NO_VALUE).map(toStr).join(' ')),
  indent: f((n, s) => str(s, 'indent').replace(/^/gm, ' '.repeat(Math.max(0, toInt(n)))), 2),
  default: loose((d, ...given) => (given.length === 0 || !truthy(given[0]) ? d : given[0])),
  empty: loose((v) => !truthy(v), 1),
  coalesce: loose((...a) => a.find((x) => truthy(x)) ?? null),
  ternary: loose((a, b, c) => (truthy(c) ? a : b), 3),
  toString: loose((v) => toStr(v), 1),
  atoi: f((s) => new GoInt(toInt(str(s, 'atoi'))), 1),
  int: loose((v) => new GoInt(toInt(v)), 1),
  add: loose((...a) => new GoInt(a.reduce<number>((x, y) => x + toInt(y), 0))),
  sub: loose((a, b) => new GoInt(toInt(a) - toInt(b)), 2),
  mul: loose((...a) => new GoInt(a.reduce<number>((x, y) => x * toInt(y), 1))),
  div: loose((a, b) => {
    if (toInt(b) === 0) throw new ExecError('error calling div: integer divide by zero');
    return new GoInt(Math.trunc(toInt(a) / toInt(b)));
  }, 2),
  mod: loose((a, b) => {
    if (toInt(b) === 0) throw new ExecError('error calling mod: integer divide by zero');
    return new GoInt(toInt(a) % toInt(b));
  }, 2),
  b64enc: f((s) => Buffer.from(str(s, 'b64enc'), 'utf8').toString('base64'), 1),
  b64dec: f((s) => Buffer.from(str(s, 'b64dec'), 'base64').toString('utf8'), 1),
  sha1sum: f((s) => hex('sha1', str(s, 'sha1sum')), 1),
  sha256sum: f((s) => hex('sha256', str(s, 'sha256sum')), 1),
  list: loose((...a) => a),
  join: loose((sep, l) => (Array.isArray(l) ? l.map(toStr).join(toStr(sep)) : toStr(l)), 2),
  splitList: f((sep, s) => str(s, 'splitList').split(str(sep, 'splitList')), 2),
  first: loose((l) => (Array.isArray(l) && l.length ? l[0] : null), 1),
  last: loose((l) => (Array.isArray(l) && l.length ? l[l.length - 1] : null), 1),
  regexMatch: f((re, s) => regexp(str(re, 'regexMatch'), 'regexMatch').matcher(str(s, 'regexMatch')).find(), 2),
  regexFind: f((re, s) => {
    const m = regexp(str(re, 'regexFind'), 'regexFind').matcher(str(s, 'regexFind'));
    return m.find() ? m.group(0) : '';
  }, 2),
  regexFindAll: f((re, s, n) => {
    const m = regexp(str(re, 'regexFindAll'), 'regexFindAll').matcher(str(s, 'regexFindAll'));
    const out: string[] = [];
    const max = toInt(n);
    while (m.find() && (max < 0 || out.length < max)) out.push(m.group(0) ?? '');
    return out;
  }, 3),
  regexQuoteMeta: f((s) => RE2JS.quote(str(s, 'regexQuoteMeta')), 1),
};

export const TEMPLATE_FUNCS: Record<string, FuncDef> = { ...builtins, ...sprigFuncs, ...alloyFuncs };
