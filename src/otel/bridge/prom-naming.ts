// OTLP metric and attribute names in Prometheus form, by the rules of the
// Collector's pkg/translator/prometheus (BuildCompliantName, NormalizeLabel)
// that Alloy's otelcol.exporter.prometheus and otelcol.exporter.loki use:
// unit and type suffixes (`_seconds`, `_bytes`, `_per_second`, `_total`,
// `_ratio`), every other rune turned into `_`.
import type { Metric } from '../../pipeline/otel.js';

/** OTLP (UCUM) units to the Prometheus base-unit words. */
const UNIT_WORDS: Record<string, string> = {
  d: 'days', h: 'hours', min: 'minutes', s: 'seconds', ms: 'milliseconds', us: 'microseconds', ns: 'nanoseconds',
  By: 'bytes', KiBy: 'kibibytes', MiBy: 'mebibytes', GiBy: 'gibibytes', TiBy: 'tibibytes',
  KBy: 'kilobytes', MBy: 'megabytes', GBy: 'gigabytes', TBy: 'terabytes',
  m: 'meters', V: 'volts', A: 'amperes', J: 'joules', W: 'watts', g: 'grams',
  Cel: 'celsius', Hz: 'hertz', '1': '', '%': 'percent',
};

/** The denominator of a `x/y` unit, singular: `By/s` is `bytes_per_second`. */
const PER_UNIT_WORDS: Record<string, string> = { s: 'second', m: 'minute', h: 'hour', d: 'day', w: 'week', mo: 'month', y: 'year' };

const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;
const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

/** Split on every rune that is neither a letter nor a digit, dropping empty pieces. */
function tokens(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (const ch of s) {
    if (LETTER_OR_DIGIT.test(ch)) cur += ch;
    else if (cur) {
      out.push(cur);
      cur = '';
    }
  }
  if (cur) out.push(cur);
  return out;
}

/** Letters, digits, `_` and `:` kept; runs of anything else become one `_` (RemovePromForbiddenRunes). */
function removeForbiddenRunes(s: string): string {
  const out: string[] = [];
  let cur = '';
  for (const ch of s) {
    if (LETTER_OR_DIGIT.test(ch) || ch === '_' || ch === ':') cur += ch;
    else if (cur) {
      out.push(cur);
      cur = '';
    }
  }
  if (cur) out.push(cur);
  return out.join('_');
}

const cleanUp = (s: string): string => tokens(s).join('_');

function metricKind(m: Metric): 'gauge' | 'counter' | 'other' {
  if (m.gauge) return 'gauge';
  if (m.sum?.isMonotonic) return 'counter';
  return 'other';
}

/**
 * The Prometheus name of an OTLP metric. With `addSuffixes` (Alloy's
 * add_metric_suffixes, default true) the unit becomes words and counters end in
 * `_total`; without, only forbidden runes are replaced.
 */
export function buildCompliantName(m: Metric, addSuffixes: boolean): string {
  if (!addSuffixes) {
    const name = removeForbiddenRunes(m.name);
    return isDigit(name[0]) ? `_${name}` : name;
  }
  let name = tokens(m.name);
  const unit = m.unit ?? '';
  const slash = unit.indexOf('/');
  const main = (slash < 0 ? unit : unit.slice(0, slash)).trim();
  const per = slash < 0 ? '' : unit.slice(slash + 1).trim();
  // Annotations in braces ({requests}) are not units.
  if (main && !/[{}]/.test(main)) {
    const word = cleanUp(UNIT_WORDS[main] ?? main);
    if (word && !name.includes(word)) name.push(word);
  }
  if (per && !/[{}]/.test(per)) {
    const word = cleanUp(PER_UNIT_WORDS[per] ?? per);
    if (word && !name.includes(word)) name.push('per', word);
  }
  const kind = metricKind(m);
  if (kind === 'counter') name = [...name.filter((t) => t !== 'total'), 'total'];
  // Only gauges get `_ratio` for unit "1": some receivers put "1" on counters of things.
  if (unit === '1' && kind === 'gauge') name = [...name.filter((t) => t !== 'ratio'), 'ratio'];
  const joined = name.join('_');
  return isDigit(joined[0]) ? `_${joined}` : joined;
}

/**
 * An attribute name as a Prometheus label name: every rune other than a letter
 * or digit becomes `_`; a leading digit gets `key_`, a single leading `_` gets
 * `key` (a double underscore is left alone).
 */
export function normalizeLabel(name: string): string {
  if (name === '') return name;
  let out = '';
  for (const ch of name) out += LETTER_OR_DIGIT.test(ch) ? ch : '_';
  if (isDigit(out[0])) return `key_${out}`;
  if (out.startsWith('_') && !out.startsWith('__')) return `key${out}`;
  return out;
}

/**
 * A float as Go's strconv.FormatFloat(v, 'f', -1, 64): the shortest digits that
 * read back to v, never in exponent form (`le` and `quantile` label values).
 */
export function formatFloat(v: number): string {
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (Number.isNaN(v)) return 'NaN';
  const s = String(v);
  if (!/e/i.test(s)) return s;
  const [mant, expText] = s.split(/e/i);
  const exp = Number(expText);
  const neg = mant.startsWith('-');
  const digits = mant.replace('-', '').replace('.', '');
  const intLen = (mant.replace('-', '').split('.')[0] ?? '').length;
  const point = intLen + exp;
  let out: string;
  if (point <= 0) out = `0.${'0'.repeat(-point)}${digits}`;
  else if (point >= digits.length) out = digits + '0'.repeat(point - digits.length);
  else out = `${digits.slice(0, point)}.${digits.slice(point)}`;
  return neg ? `-${out}` : out;
}
