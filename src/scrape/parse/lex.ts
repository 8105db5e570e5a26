// Character classes and label-value unescaping shared by both exposition parsers.
import { ParseError } from './float.js';

export const NL = 10;
export const SP = 32;
export const TAB = 9;
export const QUOTE = 34;
export const BACKSLASH = 92;
export const LBRACE = 123;
export const RBRACE = 125;
export const COMMA = 44;
export const EQUAL = 61;
export const HASH = 35;

/** [a-zA-Z_] */
export function isLabelStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}
/** [a-zA-Z_0-9] */
export function isLabelChar(c: number): boolean {
  return isLabelStart(c) || (c >= 48 && c <= 57);
}
/** [a-zA-Z_:] */
export function isMetricStart(c: number): boolean {
  return isLabelStart(c) || c === 58;
}
/** [a-zA-Z_:0-9] */
export function isMetricChar(c: number): boolean {
  return isLabelChar(c) || c === 58;
}

/** End index (exclusive) of a metric name starting at i, or i when there is none. */
export function scanMetricName(s: string, i: number): number {
  if (i >= s.length || !isMetricStart(s.charCodeAt(i))) return i;
  i++;
  while (i < s.length && isMetricChar(s.charCodeAt(i))) i++;
  return i;
}

export function scanLabelName(s: string, i: number): number {
  if (i >= s.length || !isLabelStart(s.charCodeAt(i))) return i;
  i++;
  while (i < s.length && isLabelChar(s.charCodeAt(i))) i++;
  return i;
}

/**
 * Index just past the closing quote of a quoted string starting at `i` (which is a quote),
 * or -1 when unterminated. `allowNewline` is true for the text format, whose lexer
 * admits raw newlines inside label values; a backslash never escapes a newline.
 */
export function scanQuoted(s: string, i: number, allowNewline: boolean): number {
  const n = s.length;
  i++;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c === QUOTE) return i + 1;
    if (c === BACKSLASH) {
      if (i + 1 >= n || s.charCodeAt(i + 1) === NL) return -1;
      i += 2;
      continue;
    }
    if (c === NL && !allowNewline) return -1;
    i++;
  }
  return -1;
}

/** Prometheus unescapes only \\, \" and \n in label values; other escapes stay verbatim. */
export function unescapeLabelValue(raw: string): string {
  if (raw.indexOf('\\') < 0) return raw;
  let out = '';
  let i = 0;
  while (i < raw.length) {
    const c = raw.charCodeAt(i);
    if (c === BACKSLASH && i + 1 < raw.length) {
      const d = raw.charCodeAt(i + 1);
      if (d === BACKSLASH) { out += '\\'; i += 2; continue; }
      if (d === QUOTE) { out += '"'; i += 2; continue; }
      if (d === 110 /* n */) { out += '\n'; i += 2; continue; }
    }
    out += raw[i];
    i++;
  }
  return out;
}

export function describe(s: string, from: number, to = s.indexOf('\n', from)): string {
  const end = to < 0 ? s.length : to;
  const text = s.slice(from, Math.min(end, from + 80));
  return JSON.stringify(text);
}

export function fail(msg: string): never {
  throw new ParseError(msg);
}
