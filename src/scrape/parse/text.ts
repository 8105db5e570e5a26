// Prometheus text exposition format 0.0.4, with the tolerance of Prometheus's
// own lexer: blanks and tabs between tokens, optional commas between label
// pairs, a trailing comma, raw newlines inside label values, any comment text.
// Every sample line must end with a newline (a truncated body fails).
import { ParseError, parseGoFloat, parseTimestampMs } from './float.js';
import {
  COMMA, EQUAL, HASH, LBRACE, NL, QUOTE, RBRACE, SP, TAB,
  describe, fail, isMetricStart, scanLabelName, scanMetricName, scanQuoted, unescapeLabelValue,
} from './lex.js';
import type { ExpositionFormat, ParseExtras, SampleVisitor } from './types.js';

const TEXT_TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

function skipBlanks(s: string, i: number): number {
  let c: number;
  while (i < s.length && ((c = s.charCodeAt(i)) === SP || c === TAB)) i++;
  return i;
}

/** Handles a line starting with '#'; returns the index after its newline. */
function comment(s: string, i: number, extras: ParseExtras | undefined): number {
  const n = s.length;
  let j = i + 1;
  const afterHash = j;
  j = skipBlanks(s, j);
  const eol = s.indexOf('\n', j);
  if (j === afterHash) return eol < 0 ? n : eol + 1; // "#foo": a plain comment
  const isHelp = s.startsWith('HELP', j);
  const isType = !isHelp && s.startsWith('TYPE', j);
  if (!isHelp && !isType) return eol < 0 ? n : eol + 1;
  const kw = isHelp ? 'HELP' : 'TYPE';
  let k = j + 4;
  const afterKw = k;
  k = skipBlanks(s, k);
  if (k === afterKw) return eol < 0 ? n : eol + 1; // "# HELPER" is just a comment
  const nameEnd = scanMetricName(s, k);
  if (nameEnd === k) fail(`expected metric name after ${kw}, got ${describe(s, k)}`);
  if (eol < 0) fail(`linebreak expected after metadata, got EOF`);
  const rest = s.slice(nameEnd, eol);
  const text = rest.length > 1 ? rest.slice(1) : '';
  if (isType && !TEXT_TYPES.has(text)) fail(`invalid metric type ${JSON.stringify(text)}`);
  if (extras?.metadata) {
    const help = text.includes('\\') ? text.replace(/\\(.)/g, (m, c: string) => (c === 'n' ? '\n' : c === '\\' ? '\\' : m)) : text;
    extras.metadata(s.slice(k, nameEnd), isType ? 'type' : 'help', isType ? text : help);
  }
  return eol + 1;
}

function parse(body: string | Uint8Array, visit: SampleVisitor, extras?: ParseExtras): void {
  if (typeof body !== 'string') throw new ParseError('text exposition needs a decoded body');
  const s = body;
  const n = s.length;
  let i = 0;
  while (i < n) {
    i = skipBlanks(s, i);
    if (i >= n) return;
    let c = s.charCodeAt(i);
    if (c === NL) { i++; continue; }
    if (c === HASH) { i = comment(s, i, extras); continue; }
    if (!isMetricStart(c)) fail(`${describe(s, i)} is not a valid start token`);
    const start = i;
    i = scanMetricName(s, i);
    let seriesEnd = i;
    i = skipBlanks(s, i);
    if (i < n && s.charCodeAt(i) === LBRACE) {
      // Find the closing brace, stepping over quoted values (they may hold '}' or '\n').
      i++;
      for (;;) {
        if (i >= n) fail(`unterminated label set in ${describe(s, start)}`);
        c = s.charCodeAt(i);
        if (c === RBRACE) break;
        if (c === QUOTE) {
          const q = scanQuoted(s, i, true);
          if (q < 0) fail(`unterminated label value in ${describe(s, start)}`);
          i = q;
          continue;
        }
        if (c === NL) fail(`unexpected end of line in label set of ${describe(s, start)}`);
        i++;
      }
      i++;
      seriesEnd = i;
      i = skipBlanks(s, i);
    }
    const vStart = i;
    while (i < n && (c = s.charCodeAt(i)) !== SP && c !== TAB && c !== NL && c !== LBRACE) i++;
    if (i === vStart) fail(`expected value after metric in ${describe(s, start)}`);
    const value = parseGoFloat(s.slice(vStart, i));
    i = skipBlanks(s, i);
    if (i >= n) fail(`expected timestamp or new record, got EOF in ${describe(s, start)}`);
    c = s.charCodeAt(i);
    let ts = NaN;
    if (c !== NL) {
      const tStart = i;
      while (i < n && (c = s.charCodeAt(i)) >= 48 && c <= 57) i++;
      if (i === tStart) fail(`expected timestamp or new record in ${describe(s, start)}`);
      ts = parseTimestampMs(s.slice(tStart, i));
      i = skipBlanks(s, i);
      if (i >= n || s.charCodeAt(i) !== NL) fail(`expected next entry after timestamp in ${describe(s, start)}`);
    }
    i++;
    visit(s.slice(start, seriesEnd), value, ts);
  }
}

function labels(series: string): string[] {
  const n = series.length;
  const nameEnd = scanMetricName(series, 0);
  const out = ['__name__', series.slice(0, nameEnd)];
  let i = skipBlanks(series, nameEnd);
  if (i >= n) return out;
  if (series.charCodeAt(i) !== LBRACE) fail(`unexpected ${describe(series, i)} after metric name`);
  i = skipBlanks(series, i + 1);
  for (;;) {
    if (i >= n) fail(`unterminated label set in ${JSON.stringify(series)}`);
    if (series.charCodeAt(i) === RBRACE) break;
    const lEnd = scanLabelName(series, i);
    if (lEnd === i) fail(`expected label name, got ${describe(series, i)}`);
    const name = series.slice(i, lEnd);
    i = skipBlanks(series, lEnd);
    if (series.charCodeAt(i) !== EQUAL) fail(`expected equal after label name ${name} in ${JSON.stringify(series)}`);
    i = skipBlanks(series, i + 1);
    if (series.charCodeAt(i) !== QUOTE) fail(`expected label value for ${name} in ${JSON.stringify(series)}`);
    const q = scanQuoted(series, i, true);
    if (q < 0) fail(`unterminated label value in ${JSON.stringify(series)}`);
    out.push(name, unescapeLabelValue(series.slice(i + 1, q - 1)));
    i = skipBlanks(series, q);
    if (series.charCodeAt(i) === COMMA) i = skipBlanks(series, i + 1);
  }
  if (skipBlanks(series, i + 1) !== n) fail(`unexpected data after label set in ${JSON.stringify(series)}`);
  return out;
}

export const prometheusText: ExpositionFormat = { name: 'prometheus-text', parse, labels };
