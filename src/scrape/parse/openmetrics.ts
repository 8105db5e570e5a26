// OpenMetrics 1.0 text format as Prometheus parses it: single spaces only,
// commas required between label pairs (no trailing comma), no blank lines,
// only HELP/TYPE/UNIT/EOF comments, timestamps in (fractional) seconds, an
// optional exemplar after " # " (validated; handed to ParseExtras.exemplar
// when set), and a body that must end with "# EOF". TYPE/HELP/UNIT go to
// ParseExtras.metadata when set.
import { ParseError, parseGoFloat } from './float.js';
import {
  COMMA, EQUAL, HASH, LBRACE, NL, QUOTE, RBRACE, SP,
  describe, fail, isMetricStart, scanLabelName, scanMetricName, scanQuoted, unescapeLabelValue,
} from './lex.js';
import type { ExpositionFormat, ParseExtras, SampleVisitor } from './types.js';

const OM_TYPES = new Set(['counter', 'gauge', 'histogram', 'gaugehistogram', 'summary', 'info', 'stateset', 'unknown']);

/** Scans `{name="v",...}` strictly from the brace at i; returns the index after '}'. */
function scanLabelSet(s: string, i: number, what: string): number {
  i++; // '{'
  let first = true;
  for (;;) {
    if (i >= s.length) fail(`unterminated label set in ${what}`);
    const c = s.charCodeAt(i);
    if (c === RBRACE) return i + 1;
    if (!first) {
      if (c !== COMMA) fail(`expected comma in ${describe(s, i)}`);
      i++;
    }
    const nEnd = scanLabelName(s, i);
    if (nEnd === i) fail(`expected label name in ${describe(s, i)}`);
    if (s.charCodeAt(nEnd) !== EQUAL) fail(`expected equal in ${describe(s, nEnd)}`);
    if (s.charCodeAt(nEnd + 1) !== QUOTE) fail(`expected label value in ${describe(s, nEnd + 1)}`);
    const q = scanQuoted(s, nEnd + 1, false);
    if (q < 0) fail(`unterminated label value in ${describe(s, nEnd + 1)}`);
    i = q;
    first = false;
  }
}

function tokenEnd(s: string, i: number): number {
  let c: number;
  while (i < s.length && (c = s.charCodeAt(i)) !== SP && c !== NL) i++;
  return i;
}

/** Validates " # {labels} value [timestamp]" starting at the blank before '#'; returns the index of the newline. */
function exemplar(s: string, i: number, found?: Exemplar): number {
  const n = s.length;
  if (!s.startsWith(' # {', i)) fail(`expected exemplar or timestamp in ${describe(s, i)}`);
  const lStart = i + 3;
  i = scanLabelSet(s, lStart, 'exemplar');
  const lEnd = i;
  if (s.charCodeAt(i) !== SP) fail(`expected value after exemplar labels in ${describe(s, i)}`);
  let e = tokenEnd(s, i + 1);
  if (e === i + 1) fail(`expected value after exemplar labels in ${describe(s, i)}`);
  const value = parseGoFloat(s.slice(i + 1, e));
  let ts = NaN;
  i = e;
  if (i < n && s.charCodeAt(i) === SP) {
    e = tokenEnd(s, i + 1);
    if (e === i + 1) fail(`expected timestamp after exemplar value in ${describe(s, i)}`);
    ts = Math.trunc(parseGoFloat(s.slice(i + 1, e)) * 1000);
    i = e;
  }
  if (i >= n) fail('data does not end with # EOF');
  if (s.charCodeAt(i) !== NL) fail(`expected next entry after exemplar in ${describe(s, i)}`);
  if (found) {
    found.labels = labels(`x${s.slice(lStart, lEnd)}`).slice(2);
    found.value = value;
    found.ts = ts;
  }
  return i;
}

interface Exemplar {
  labels: string[] | undefined;
  value: number;
  ts: number;
}

/** Handles "# HELP|TYPE|UNIT|EOF ..."; returns the index after the line, or -1 at "# EOF". */
function meta(s: string, i: number, extras: ParseExtras | undefined): number {
  const n = s.length;
  if (s.startsWith('# EOF', i)) {
    let j = i + 5;
    if (j < n && s.charCodeAt(j) === NL) j++;
    if (j !== n) fail('unexpected data after # EOF');
    return -1;
  }
  let kw: string;
  if (s.startsWith('# HELP ', i)) kw = 'HELP';
  else if (s.startsWith('# TYPE ', i)) kw = 'TYPE';
  else if (s.startsWith('# UNIT ', i)) kw = 'UNIT';
  else return fail(`${describe(s, i)} is not a valid start token`);
  const k = i + 7;
  const nameEnd = scanMetricName(s, k);
  if (nameEnd === k) fail(`expected metric name after ${kw} in ${describe(s, i)}`);
  const eol = s.indexOf('\n', nameEnd);
  if (eol < 0 || s.charCodeAt(nameEnd) !== SP) fail(`expected text in ${kw} in ${describe(s, i)}`);
  const text = s.slice(nameEnd + 1, eol);
  if (kw === 'TYPE' && !OM_TYPES.has(text)) fail(`invalid metric type ${JSON.stringify(text)}`);
  if (kw === 'UNIT' && text.length > 0) {
    const m = s.slice(k, nameEnd);
    if (!m.endsWith(text) || m.length < text.length + 1 || m.charCodeAt(m.length - text.length - 1) !== 95) {
      fail(`unit not a suffix of metric ${JSON.stringify(m)}`);
    }
  }
  extras?.metadata?.(s.slice(k, nameEnd), kw === 'TYPE' ? 'type' : kw === 'HELP' ? 'help' : 'unit', kw === 'HELP' ? unescapeHelp(text) : text);
  return eol + 1;
}

/** HELP text escapes (\\, \n and, in OpenMetrics, \"). */
function unescapeHelp(t: string): string {
  return t.includes('\\') ? t.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c)) : t;
}

function parse(body: string | Uint8Array, visit: SampleVisitor, extras?: ParseExtras): void {
  if (typeof body !== 'string') throw new ParseError('OpenMetrics text needs a decoded body');
  const s = body;
  const n = s.length;
  const found: Exemplar | undefined = extras?.exemplar ? { labels: undefined, value: 0, ts: NaN } : undefined;
  let i = 0;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c === HASH) {
      i = meta(s, i, extras);
      if (i < 0) return;
      continue;
    }
    if (!isMetricStart(c)) fail(`${describe(s, i)} is not a valid start token`);
    const start = i;
    i = scanMetricName(s, i);
    if (i < n && s.charCodeAt(i) === LBRACE) i = scanLabelSet(s, i, describe(s, start));
    const seriesEnd = i;
    if (i >= n) fail('data does not end with # EOF');
    if (s.charCodeAt(i) !== SP) fail(`expected value after metric in ${describe(s, start)}`);
    let e = tokenEnd(s, i + 1);
    if (e === i + 1) fail(`expected value after metric in ${describe(s, start)}`);
    const value = parseGoFloat(s.slice(i + 1, e));
    i = e;
    let ts = NaN;
    if (i >= n) fail('data does not end with # EOF');
    if (s.charCodeAt(i) === SP) {
      if (s.startsWith(' # {', i)) {
        i = exemplar(s, i, found);
      } else {
        e = tokenEnd(s, i + 1);
        if (e === i + 1) fail(`expected timestamp or # symbol in ${describe(s, start)}`);
        const sec = parseGoFloat(s.slice(i + 1, e));
        if (!Number.isFinite(sec)) fail(`invalid timestamp ${s.slice(i + 1, e)}`);
        ts = Math.trunc(sec * 1000); // Go's int64(ts*1000) truncates toward zero
        i = e;
        if (i >= n) fail('data does not end with # EOF');
        if (s.charCodeAt(i) === SP) i = exemplar(s, i, found);
      }
    }
    if (s.charCodeAt(i) !== NL) fail(`expected next entry after timestamp in ${describe(s, start)}`);
    i++;
    visit(s.slice(start, seriesEnd), value, ts);
    if (found?.labels) {
      extras!.exemplar!(found.labels, found.value, found.ts);
      found.labels = undefined;
    }
  }
  fail('data does not end with # EOF');
}

function labels(series: string): string[] {
  const nameEnd = scanMetricName(series, 0);
  const out = ['__name__', series.slice(0, nameEnd)];
  let i = nameEnd;
  if (i >= series.length) return out;
  i++; // '{' (validated by the scan)
  while (series.charCodeAt(i) !== RBRACE) {
    if (series.charCodeAt(i) === COMMA) i++;
    const nEnd = scanLabelName(series, i);
    const q = scanQuoted(series, nEnd + 1, false);
    out.push(series.slice(i, nEnd), unescapeLabelValue(series.slice(nEnd + 2, q - 1)));
    i = q;
  }
  return out;
}

export const openMetrics: ExpositionFormat = { name: 'openmetrics', parse, labels };
