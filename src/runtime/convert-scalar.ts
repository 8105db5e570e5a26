// The scalar conversions of Alloy's value decoder (syntax/internal/value):
// a string where a number is wanted is parsed as Go does (signed integer when
// it starts with "-", float when it contains ".", "e" or "E", else unsigned
// integer), and a number where a string is wanted is printed in Go's
// strconv 'f' form (never an exponent). Nothing else converts implicitly.

const SIGNED_INT = /^-[0-9]+$/;
const UNSIGNED_INT = /^[0-9]+$/;
// strconv.ParseFloat: decimal with optional exponent, or the special names; hex floats are rare in configs.
const FLOAT = /^[+-]?(?:[0-9](?:_?[0-9])*(?:\.(?:[0-9](?:_?[0-9])*)?)?|\.[0-9](?:_?[0-9])*)(?:[eE][+-]?[0-9](?:_?[0-9])*)?$/;
const INT64_MIN = -(2n ** 63n);
const UINT64_MAX = 2n ** 64n - 1n;

/** The number a string stands for, or undefined when Alloy would reject it. */
export function stringToNumber(s: string): number | undefined {
  if (s === '') return undefined;
  if (s[0] === '-' && !/[.eE]/.test(s)) {
    if (!SIGNED_INT.test(s) || BigInt(s) < INT64_MIN) return undefined;
    return Number(s);
  }
  if (/[.eE]/.test(s)) {
    if (!FLOAT.test(s) || s.includes('_')) return undefined; // underscores only with a base prefix in Go
    const n = Number(s);
    return Number.isFinite(n) ? n : undefined;
  }
  if (!UNSIGNED_INT.test(s) || BigInt(s) > UINT64_MAX) return undefined;
  return Number(s);
}

/** Go's strconv.FormatFloat(f, 'f', -1, 64) (and FormatInt for integers): shortest digits, no exponent. */
export function numberToString(n: number): string {
  const s = String(n);
  const m = /^(-?)(\d+)(?:\.(\d+))?e([+-]\d+)$/.exec(s);
  if (!m) return s;
  const [, sign, int, frac = '', expText] = m;
  const exp = Number(expText);
  const digits = int + frac;
  const point = int.length + exp; // position of the decimal point within digits
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return sign + digits + '0'.repeat(point - digits.length);
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}
