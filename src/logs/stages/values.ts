// Conversions of extracted values as Alloy's stages make them: only scalars
// have a string or float form (an object or list has none, so a stage that
// needs one skips the entry instead of comparing against JSON text).
import { parseDuration } from '../../syntax/duration.js';

/** Go's strconv.FormatFloat(f, 'f', -1, 64): shortest form, never an exponent. */
function formatFloat(n: number): string {
  const s = String(n);
  if (!/e/i.test(s)) return s;
  return n.toLocaleString('en-US', { useGrouping: false, maximumFractionDigits: 20 });
}

/** Scalar -> string; undefined for null, objects and lists. */
export function scalarString(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return formatFloat(v);
  if (typeof v === 'bigint') return String(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return undefined;
}

/**
 * Extracted value -> float: numbers, booleans (1/0), and strings holding a
 * float ("0.804") or a Go duration ("0.5ms" -> 0.0005 seconds). undefined
 * when there is none.
 */
export function scalarFloat(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v !== 'string') return undefined;
  const f = parseGoFloat(v);
  if (f !== undefined) return f;
  // Go's time.ParseDuration units only (no d/w, no surrounding space).
  if (!/^[+-]?((\d+\.?\d*|\.\d+)(ns|us|µs|ms|s|m|h))+$/.test(v) && v !== '0') return undefined;
  return parseDuration(v) / 1000;
}

/** strconv.ParseFloat: decimal or exponent form, inf/nan words, no surrounding space. */
function parseGoFloat(s: string): number | undefined {
  if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s)) return Number(s);
  if (/^[+-]?(inf|infinity)$/i.test(s)) return s.startsWith('-') ? -Infinity : Infinity;
  if (/^nan$/i.test(s)) return NaN;
  return undefined;
}
