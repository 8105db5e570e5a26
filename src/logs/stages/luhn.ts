// stage.luhn: redacts numbers that pass the Luhn checksum (card numbers) in
// the line, or in an extracted value whose redacted text then becomes the
// line (as Alloy does). A number is a run of digits, which may contain the
// characters of `delimiters` ("4242-4242-4242-4242"); runs shorter than
// min_length, or too large for a 64-bit integer (Alloy converts with Atoi),
// are left alone, and so are numbers inside a match of skip_regex (UUIDs).
import { RE2JS } from 're2js';
import type { Stage, StageEntry } from './types.js';

export interface LuhnArgs {
  replacement?: string;
  min_length?: number;
  source?: string;
  delimiters?: string;
  skip_regex?: string;
}

const INT64_MAX = (1n << 63n) - 1n;

export function luhnValid(digits: string): boolean {
  let sum = 0;
  let dbl = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (dbl) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    dbl = !dbl;
  }
  return sum % 10 === 0;
}

const isDigit = (c: string) => c >= '0' && c <= '9';

export interface LuhnOptions {
  minLength: number;
  replacement: string;
  delimiters?: string;
  skip?: RE2JS;
}

export function redactLuhn(text: string, minLengthOrOpts: number | LuhnOptions, replacement = '**REDACTED**'): string {
  const o: LuhnOptions = typeof minLengthOrOpts === 'number' ? { minLength: minLengthOrOpts, replacement } : minLengthOrOpts;
  if (!/\d/.test(text)) return text;
  const delimiters = o.delimiters ?? '';
  let skipRanges: [number, number][] | undefined;
  const skipped = (start: number, end: number): boolean => {
    if (!o.skip) return false;
    skipRanges ??= [...o.skip.matchAll(text)].map((m) => [m.index!, m.index! + m[0].length]);
    return skipRanges.some(([s, e]) => s <= start && end <= e);
  };
  let out = '';
  let digits = '';
  let start = -1;
  let digitsEnd = -1;
  let textEnd = -1;
  let trailing = '';
  const flush = () => {
    if (digits.length > 0) {
      const original = text.slice(start, textEnd);
      if (digits.length >= o.minLength && BigInt(digits) <= INT64_MAX && luhnValid(digits) && !skipped(start, digitsEnd)) out += o.replacement + trailing;
      else out += original;
    }
    digits = '';
    trailing = '';
    start = digitsEnd = textEnd = -1;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (isDigit(c)) {
      if (start < 0) start = i;
      digits += c;
      digitsEnd = textEnd = i + 1;
      trailing = '';
    } else if (delimiters !== '' && digits.length > 0 && delimiters.includes(c)) {
      textEnd = i + 1;
      trailing = c;
    } else {
      flush();
      out += c;
    }
  }
  flush();
  return out;
}

export function luhnStage(args: LuhnArgs): Stage {
  const replacement = args.replacement || '**REDACTED**';
  const minLength = args.min_length !== undefined && args.min_length >= 1 ? args.min_length : 13;
  if (!Number.isInteger(minLength)) throw new Error(`stage.luhn: min_length must be an integer, got ${minLength}`);
  if (args.source === '') throw new Error('stage.luhn: empty source');
  let skip: RE2JS | undefined;
  if (args.skip_regex) {
    try {
      skip = RE2JS.compile(args.skip_regex);
    } catch (err) {
      throw new Error(`stage.luhn: could not compile regular expression skip_regex: ${(err as Error).message}`);
    }
  }
  const opts: LuhnOptions = { minLength, replacement, delimiters: args.delimiters ?? '', skip };
  const source = args.source;
  return {
    name: 'luhn',
    process(e: StageEntry) {
      let input = e.line;
      if (source !== undefined) {
        const v = e.extracted[source];
        if (typeof v !== 'string') return true; // missing or not a string: the line stays
        input = v;
      }
      e.line = redactLuhn(input, opts);
      return true;
    },
  };
}
