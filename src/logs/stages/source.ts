// Reading a stage's input: the log line, or a value of the extracted map
// named by `source`. A missing source, or a value that is not a scalar,
// means the stage does nothing for that entry (Alloy's getString fails).
import type { StageEntry } from './types.js';

/** Alloy's getString: scalars as text, anything else (null, objects) has no string form. */
export function scalarString(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return Number.isFinite(v) ? plainNumber(v) : String(v);
  if (typeof v === 'bigint') return v.toString();
  return undefined;
}

/** Go's strconv.FormatFloat(f, 'f', -1, 64): shortest digits, never an exponent. */
function plainNumber(v: number): string {
  const s = String(v);
  if (!/e/i.test(s)) return s;
  const [mant, expS] = s.split(/e/i);
  const exp = Number(expS);
  const neg = mant.startsWith('-');
  const digits = mant.replace('-', '').replace('.', '');
  const point = (mant.replace('-', '').indexOf('.') + 1 || mant.replace('-', '').length + 1) - 1 + exp;
  let out: string;
  if (point <= 0) out = '0.' + '0'.repeat(-point) + digits;
  else if (point >= digits.length) out = digits + '0'.repeat(point - digits.length);
  else out = digits.slice(0, point) + '.' + digits.slice(point);
  return (neg ? '-' : '') + out;
}

/** The text a stage parses: the line when source is unset, else the extracted value (undefined: skip). */
export function stageInput(e: StageEntry, source: string | undefined): string | undefined {
  if (source === undefined || source === '') return e.line;
  if (!(source in e.extracted)) return undefined;
  return scalarString(e.extracted[source]);
}

/** Alloy rejects `source = ""` on stages whose source is a pointer (set but empty is an error). */
export function rejectEmptySource(stage: string, source: string | undefined): void {
  if (source !== undefined && source === '') throw new Error(`${stage}: empty source`);
}
