// A subset of Go's fmt.Sprintf, as reached by Alloy's string.format: verbs
// %v %s %d %f %e %g %q %t %x %X %o %b %c %T %%, flags "-+ 0#", width and
// precision (also "*"), explicit argument indexes ("%[2]d", "%[1]*d"), and Go's in-band error notation (%!d(string=x),
// %!s(MISSING), %!(EXTRA ...)). Alloy hands whole numbers to fmt as Go ints
// and other numbers as float64, so integer-valued numbers print as ints.
import { quote } from './strings.js';
import { isObject, isSecret, type Value } from './value.js';

interface Spec {
  minus: boolean;
  plus: boolean;
  space: boolean;
  zero: boolean;
  sharp: boolean;
  width?: number;
  prec?: number;
}

export function sprintf(format: string, args: Value[]): string {
  let out = '';
  let argi = 0;
  let i = 0;
  let reordered = false; // an explicit index was used: no EXTRA report (as in Go)
  let goodArgNum = true;
  /** Go's argNumber: an optional "[n]" (1-based) choosing the next argument. */
  const argNumber = (): boolean => {
    if (format[i] !== '[') return false;
    reordered = true;
    const close = format.indexOf(']', i + 1);
    const digits = close > i ? format.slice(i + 1, close) : '';
    if (close < 0 || !/^\d+$/.test(digits)) {
      goodArgNum = false;
      i += close < 0 ? 1 : close - i + 1;
      return false;
    }
    i = close + 1;
    const n = Number(digits) - 1;
    if (n < 0 || n >= args.length) {
      goodArgNum = false;
      return true;
    }
    argi = n;
    return true;
  };
  while (i < format.length) {
    const pct = format.indexOf('%', i);
    if (pct < 0) {
      out += format.slice(i);
      break;
    }
    out += format.slice(i, pct);
    i = pct + 1;
    const spec: Spec = { minus: false, plus: false, space: false, zero: false, sharp: false };
    goodArgNum = true;
    flags: for (; i < format.length; i++) {
      switch (format[i]) {
        case '-':
          spec.minus = true;
          spec.zero = false; // Go: "-" overrides "0"
          break;
        case '+':
          spec.plus = true;
          break;
        case ' ':
          spec.space = true;
          break;
        case '0':
          spec.zero = !spec.minus;
          break;
        case '#':
          spec.sharp = true;
          break;
        default:
          break flags;
      }
    }
    let afterIndex = argNumber();
    // Width: digits or "*" taking an int argument.
    if (format[i] === '*') {
      i++;
      afterIndex = false;
      const w = args[argi++];
      if (typeof w === 'number' && Number.isInteger(w)) {
        spec.width = Math.abs(w);
        if (w < 0) {
          spec.minus = true;
          spec.zero = false;
        }
      } else {
        out += '%!(BADWIDTH)';
      }
    } else {
      const m = /^\d+/.exec(format.slice(i));
      if (m) {
        spec.width = Math.min(Number(m[0]), 1e6);
        i += m[0].length;
        if (afterIndex) goodArgNum = false; // "%[1]2d" is not Go syntax
      }
    }
    if (format[i] === '.') {
      i++;
      if (afterIndex) goodArgNum = false;
      afterIndex = argNumber();
      if (format[i] === '*') {
        i++;
        afterIndex = false;
        const p = args[argi++];
        if (typeof p === 'number' && Number.isInteger(p) && p >= 0) spec.prec = p;
        else out += '%!(BADPREC)';
      } else {
        const m = /^\d+/.exec(format.slice(i));
        spec.prec = m ? Math.min(Number(m[0]), 1e6) : 0;
        if (m) i += m[0].length;
      }
    }
    if (!afterIndex) afterIndex = argNumber();
    if (i >= format.length) {
      out += '%!(NOVERB)';
      break;
    }
    const verb = String.fromCodePoint(format.codePointAt(i)!);
    i += verb.length;
    if (verb === '%') {
      out += '%';
      continue;
    }
    if (!goodArgNum) {
      out += `%!${verb}(BADINDEX)`;
      continue;
    }
    if (argi >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    out += formatArg(args[argi++], verb, spec);
  }
  if (!reordered && argi < args.length) {
    out += '%!(EXTRA ' + args.slice(argi).map((a) => `${goType(a)}=${formatArg(a, 'v', plain())}`).join(', ') + ')';
  }
  return out;
}

function plain(): Spec {
  return { minus: false, plus: false, space: false, zero: false, sharp: false };
}

/** The Go type Alloy decodes a value into when passing it to fmt. */
function goType(v: Value): string {
  if (v === null) return '<nil>';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float64';
  if (Array.isArray(v)) return '[]interface {}';
  if (isObject(v)) return 'map[string]interface {}';
  if (typeof v === 'function') return 'func';
  return 'capsule';
}

function bad(v: Value, verb: string): string {
  if (v === null) return `%!${verb}(<nil>)`;
  return `%!${verb}(${goType(v)}=${formatArg(v, 'v', plain())})`;
}

function pad(s: string, spec: Spec, zeroOk = false): string {
  const width = spec.width ?? 0;
  const len = [...s].length;
  if (len >= width) return s;
  const n = width - len;
  if (spec.minus) return s + ' '.repeat(n);
  if (spec.zero && zeroOk) {
    // Zero padding goes after the sign.
    const sign = s[0] === '-' || s[0] === '+' || s[0] === ' ' ? s[0] : '';
    return sign + '0'.repeat(n) + s.slice(sign.length);
  }
  return ' '.repeat(n) + s;
}

function formatArg(v: Value, verb: string, spec: Spec): string {
  if (isSecret(v)) return pad('(secret)', spec); // never reveal a secret through format
  if (Array.isArray(v) && verb !== 'T') {
    if (verb === 'x' || verb === 'X' || verb === 'q' || verb === 's' || verb === 'v' || verb === 'd') {
      return '[' + v.map((x) => formatArg(x, verb, { ...spec, width: undefined })).join(' ') + ']';
    }
  }
  if (isObject(v) && verb !== 'T') {
    const keys = Object.keys(v).sort();
    return 'map[' + keys.map((k) => `${formatArg(k, verb, plain())}:${formatArg(v[k], verb, plain())}`).join(' ') + ']';
  }
  switch (verb) {
    case 'T':
      return pad(goType(v), spec);
    case 'v':
      if (v === null) return pad('<nil>', spec);
      if (typeof v === 'string') return spec.sharp ? pad(quote(v), spec) : pad(truncate(v, spec.prec), spec);
      if (typeof v === 'boolean') return pad(String(v), spec);
      if (typeof v === 'number') return Number.isInteger(v) ? formatInt(v, 10, spec) : formatFloat(v, 'g', spec);
      return pad(`(${goType(v)})`, spec);
    case 's':
      if (typeof v === 'string') return pad(truncate(v, spec.prec), spec);
      return bad(v, verb);
    case 'q':
      if (typeof v === 'string') return pad(quote(truncate(v, spec.prec)), spec);
      if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0x10ffff) {
        return pad("'" + quote(String.fromCodePoint(v)).slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'") + "'", spec);
      }
      return bad(v, verb);
    case 't':
      return typeof v === 'boolean' ? pad(String(v), spec) : bad(v, verb);
    case 'd':
      return typeof v === 'number' && Number.isInteger(v) ? formatInt(v, 10, spec) : bad(v, verb);
    case 'b':
      return typeof v === 'number' && Number.isInteger(v) ? formatInt(v, 2, spec) : bad(v, verb);
    case 'o':
      return typeof v === 'number' && Number.isInteger(v) ? formatInt(v, 8, spec) : bad(v, verb);
    case 'x':
    case 'X': {
      let s: string;
      if (typeof v === 'number' && Number.isInteger(v)) return formatInt(v, 16, spec, verb === 'X');
      if (typeof v === 'string') {
        s = [...new TextEncoder().encode(truncate(v, spec.prec))].map((b) => b.toString(16).padStart(2, '0')).join('');
        if (verb === 'X') s = s.toUpperCase();
        return pad(s, spec);
      }
      return bad(v, verb);
    }
    case 'c':
      return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0x10ffff ? pad(String.fromCodePoint(v), spec) : bad(v, verb);
    case 'f':
    case 'F':
    case 'e':
    case 'E':
    case 'g':
    case 'G':
      // Go would reject an int here (%!f(int=3)); configs mean the number, so format it.
      return typeof v === 'number' ? formatFloat(v, verb, spec) : bad(v, verb);
    default:
      return bad(v, verb);
  }
}

function truncate(s: string, prec: number | undefined): string {
  if (prec === undefined) return s;
  return [...s].slice(0, prec).join('');
}

function sign(negative: boolean, spec: Spec): string {
  if (negative) return '-';
  if (spec.plus) return '+';
  if (spec.space) return ' ';
  return '';
}

function formatInt(v: number, base: number, spec: Spec, upper = false): string {
  let digits = Math.abs(v).toString(base);
  if (upper) digits = digits.toUpperCase();
  if (spec.prec !== undefined) digits = digits.padStart(spec.prec, '0');
  let prefix = '';
  if (spec.sharp) prefix = base === 16 ? (upper ? '0X' : '0x') : base === 8 ? '0' : base === 2 ? '0b' : '';
  return pad(sign(v < 0, spec) + prefix + digits, spec, spec.prec === undefined);
}

/** Go's exponent style: at least two digits ("1e+06"). */
function goExponent(s: string): string {
  return s.replace(/e([+-])(\d)$/, 'e$10$2');
}

function formatFloat(v: number, verb: string, spec: Spec): string {
  if (!Number.isFinite(v)) {
    const s = Number.isNaN(v) ? 'NaN' : v > 0 ? (spec.plus ? '+Inf' : 'Inf') : '-Inf';
    return pad(s, spec);
  }
  const neg = v < 0 || Object.is(v, -0);
  const a = Math.abs(v);
  let body: string;
  switch (verb) {
    case 'f':
    case 'F':
      body = a.toFixed(Math.min(spec.prec ?? 6, 100));
      break;
    case 'e':
    case 'E':
      body = goExponent(a.toExponential(Math.min(spec.prec ?? 6, 100)));
      if (verb === 'E') body = body.toUpperCase();
      break;
    default: {
      // %g / %v: shortest representation; exponent form when exp < -4 or exp >= precision (6 when shortest).
      if (a === 0) {
        body = '0';
        break;
      }
      const prec = spec.prec === undefined ? undefined : Math.max(spec.prec, 1);
      const exp = Number(a.toExponential(prec === undefined ? undefined : prec - 1).split('e')[1]);
      const limit = prec ?? 6;
      if (exp < -4 || exp >= limit) {
        body = goExponent(prec === undefined ? a.toExponential() : stripZeros(a.toExponential(prec - 1)));
      } else {
        body = prec === undefined ? String(a) : stripZeros(a.toFixed(Math.max(0, prec - 1 - exp)));
      }
      if (verb === 'G') body = body.toUpperCase();
    }
  }
  return pad(sign(neg, spec) + body, spec, true);
}

function stripZeros(s: string): string {
  const [mant, exp] = s.split('e');
  const m = mant.includes('.') ? mant.replace(/0+$/, '').replace(/\.$/, '') : mant;
  return exp === undefined ? m : `${m}e${exp}`;
}
