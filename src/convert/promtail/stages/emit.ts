// How Alloy's converter writes a stage's optional arguments: its encoder
// leaves out a zero value (empty string, 0, false, empty list) and, for the
// stages that have defaults (cri, multiline, pack, sampling, eventlogmessage,
// metric.*), a value equal to the default. Required arguments are always written.
import { bool, num, str, strArray, type Block } from '../../builder.js';
import type { Fields } from '../../fields.js';
import { goDuration } from '../../durations.js';

export function optStr(b: Block, name: string, v: string | undefined, dflt = ''): void {
  if (v !== undefined && v !== '' && v !== dflt) b.attr(name, str(v));
}

export function optNum(b: Block, name: string, v: number | undefined, dflt = 0): void {
  if (v !== undefined && v !== 0 && v !== dflt) b.attr(name, num(v));
}

export function optBool(b: Block, name: string, v: boolean | undefined, dflt = false): void {
  if (v !== undefined && v !== dflt) b.attr(name, bool(v));
}

export function optList(b: Block, name: string, v: string[] | undefined): void {
  if (v !== undefined && v.length > 0) b.attr(name, strArray(v));
}

/** A duration in milliseconds, written as Alloy's Go duration ("10m0s"). */
export function optDuration(b: Block, name: string, ms: number | undefined, dfltMs = 0): void {
  if (ms !== undefined && ms !== 0 && ms !== dfltMs) b.attr(name, str(goDuration(ms)));
}

/**
 * A number field; as promtail decodes most stages weakly (mapstructure's
 * WeakDecode), a numeric string is accepted too.
 */
export function numberField(f: Fields, key: string, integer = false): number | undefined {
  const v = f.take(key);
  if (v === undefined) return undefined;
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  if (Number.isFinite(n) && (!integer || Number.isInteger(n))) return n;
  f.diags.critical(`${f.where(key)}: expected ${integer ? 'an integer' : 'a number'}, got ${JSON.stringify(v)}`);
  return undefined;
}

/** A list of numbers (histogram buckets). */
export function numberList(f: Fields, key: string): number[] | undefined {
  const v = f.take(key);
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.some((e) => typeof e !== 'number' || !Number.isFinite(e))) {
    f.diags.critical(`${f.where(key)}: expected a list of numbers, got ${JSON.stringify(v)}`);
    return undefined;
  }
  return v as number[];
}
