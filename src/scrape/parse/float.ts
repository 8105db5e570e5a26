// Go's strconv.ParseFloat as Prometheus uses it for sample values and
// OpenMetrics timestamps: decimal notation, case-insensitive Inf/Infinity/NaN
// with an optional sign on Inf only, no hex floats (Prometheus rejects 'p'),
// no underscores, and out-of-range literals (1e400) are errors, not Infinity.
export class ParseError extends Error {
  override name = 'ParseError';
}

const DIGIT_0 = 48;
const DIGIT_9 = 57;

function isDecimal(s: string): boolean {
  let i = 0;
  const n = s.length;
  let c = s.charCodeAt(0);
  if (c === 43 /* + */ || c === 45 /* - */) i++;
  let mantDigits = 0;
  while (i < n && (c = s.charCodeAt(i)) >= DIGIT_0 && c <= DIGIT_9) {
    i++;
    mantDigits++;
  }
  if (i < n && s.charCodeAt(i) === 46 /* . */) {
    i++;
    while (i < n && (c = s.charCodeAt(i)) >= DIGIT_0 && c <= DIGIT_9) {
      i++;
      mantDigits++;
    }
  }
  if (mantDigits === 0) return false;
  if (i < n && ((c = s.charCodeAt(i)) === 101 || c === 69) /* e E */) {
    i++;
    if (i < n && ((c = s.charCodeAt(i)) === 43 || c === 45)) i++;
    let expDigits = 0;
    while (i < n && (c = s.charCodeAt(i)) >= DIGIT_0 && c <= DIGIT_9) {
      i++;
      expDigits++;
    }
    if (expDigits === 0) return false;
  }
  return i === n;
}

function special(s: string): number | undefined {
  let sign = 1;
  let body = s;
  const c = s.charCodeAt(0);
  if (c === 43 || c === 45) {
    if (c === 45) sign = -1;
    body = s.slice(1);
    const l = body.toLowerCase();
    return l === 'inf' || l === 'infinity' ? sign * Infinity : undefined;
  }
  const l = body.toLowerCase();
  if (l === 'inf' || l === 'infinity') return Infinity;
  if (l === 'nan') return NaN;
  return undefined;
}

/** Parses a value token; throws ParseError with the offending text. */
export function parseGoFloat(s: string): number {
  if (s.length > 0 && isDecimal(s)) {
    const v = Number(s);
    // Go reports ErrRange for literals beyond float64; Prometheus fails on it.
    if (v === Infinity || v === -Infinity) throw new ParseError(`strconv.ParseFloat: parsing "${s}": value out of range`);
    return v;
  }
  const sp = s.length > 0 ? special(s) : undefined;
  if (sp === undefined) throw new ParseError(`strconv.ParseFloat: parsing "${s}": invalid syntax`);
  return sp;
}

/** Go's strconv.ParseInt(s, 10, 64) for text-format millisecond timestamps (digits only, as the lexer allows). */
export function parseTimestampMs(s: string): number {
  // The lexer only admits [0-9]+; int64 overflow is the remaining failure.
  if (s.length > 19 || (s.length === 19 && s > '9223372036854775807')) {
    throw new ParseError(`strconv.ParseInt: parsing "${s}": value out of range`);
  }
  return Number(s);
}

/** Go's strconv.FormatFloat(f, 'g', -1, 64): shortest round-trip digits, exponent form below 1e-4 and from 1e6 on (%g with precision 6 deciding). */
export function formatGoFloat(f: number): string {
  if (Number.isNaN(f)) return 'NaN';
  if (f === Infinity) return '+Inf';
  if (f === -Infinity) return '-Inf';
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  const [mant, expText] = f.toExponential().split('e'); // shortest round-trip digits
  const neg = mant.startsWith('-');
  const digits = mant.replace('-', '').replace('.', '');
  const exp = Number(expText);
  const sign = neg ? '-' : '';
  if (exp < -4 || exp >= 6) {
    const e = Math.abs(exp);
    return `${sign}${digits[0]}${digits.length > 1 ? `.${digits.slice(1)}` : ''}e${exp < 0 ? '-' : '+'}${e < 10 ? `0${e}` : e}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
  const frac = digits.slice(exp + 1);
  return `${sign}${intPart}${frac ? `.${frac}` : ''}`;
}

/** Prometheus's labels.FormatOpenMetricsFloat (le and quantile values): Go's %g, with ".0" when it would read as an integer. */
export function formatOpenMetricsFloat(f: number): string {
  const s = formatGoFloat(f);
  if (!Number.isFinite(f) || s.includes('e') || s.includes('.')) return s;
  return `${s}.0`;
}
