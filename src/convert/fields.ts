// Reading one YAML mapping of the source config field by field. Every field
// a converter reads is marked as seen; what is left at the end is reported,
// so no setting of the source is dropped silently. A value of the wrong type
// is Critical (Prometheus and promtail refuse to load such a file); an
// unknown field is an Error naming its place.
import type { Diagnostics } from './diagnostics.js';
import { parseGoDuration, parsePromDuration } from './durations.js';

export type Raw = unknown;

export function isMapping(v: Raw): v is Record<string, Raw> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export class Fields {
  private readonly seen = new Set<string>();

  constructor(
    /** Where this mapping is, e.g. `scrape_configs[0]` (used in messages). */
    readonly path: string,
    private readonly raw: Record<string, Raw>,
    readonly diags: Diagnostics,
  ) {}

  /** A mapping value as Fields; a non-mapping is Critical and gives an empty one. */
  static of(path: string, v: Raw, diags: Diagnostics): Fields {
    if (v === undefined || v === null) return new Fields(path, {}, diags);
    if (!isMapping(v)) {
      diags.critical(`${path}: expected a mapping, got ${describe(v)}`);
      return new Fields(path, {}, diags);
    }
    return new Fields(path, v, diags);
  }

  where(key: string): string {
    return this.path ? `${this.path}.${key}` : key;
  }

  /** The field names written in the source, in their order. */
  keys(): string[] {
    return Object.keys(this.raw);
  }

  /** Whether the field is written with a non-null value (does not mark it seen). */
  has(key: string): boolean {
    return this.raw[key] !== undefined && this.raw[key] !== null;
  }

  /** The raw value, not marked as seen. */
  peek(key: string): Raw {
    return this.raw[key] ?? undefined;
  }

  /** The raw value, marked as seen. */
  take(key: string): Raw {
    this.seen.add(key);
    return this.raw[key] ?? undefined;
  }

  private bad(key: string, want: string, v: Raw): undefined {
    this.diags.critical(`${this.where(key)}: expected ${want}, got ${describe(v)}`);
    return undefined;
  }

  /** A scalar as a string (YAML numbers and booleans in string fields are their text). */
  str(key: string): string | undefined {
    const v = this.take(key);
    if (v === undefined) return undefined;
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    return this.bad(key, 'a string', v);
  }

  bool(key: string): boolean | undefined {
    const v = this.take(key);
    if (v === undefined || typeof v === 'boolean') return v as boolean | undefined;
    return this.bad(key, 'true or false', v);
  }

  /** A non-negative integer. */
  uint(key: string): number | undefined {
    const v = this.take(key);
    if (v === undefined) return undefined;
    if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return v;
    return this.bad(key, 'a non-negative integer', v);
  }

  /** A Prometheus duration ("30s", "1m", "1d"), in milliseconds. */
  promDuration(key: string): number | undefined {
    return this.durationWith(key, parsePromDuration);
  }

  /** A Go duration ("1.5s", "100ms"), in milliseconds (promtail's settings). */
  goDuration(key: string): number | undefined {
    return this.durationWith(key, parseGoDuration);
  }

  private durationWith(key: string, parseFn: (s: string) => number): number | undefined {
    const s = this.str(key);
    if (s === undefined) return undefined;
    try {
      return parseFn(s);
    } catch (e) {
      this.diags.critical(`${this.where(key)}: ${(e as Error).message}`);
      return undefined;
    }
  }

  strList(key: string): string[] | undefined {
    const v = this.take(key);
    if (v === undefined) return undefined;
    if (!Array.isArray(v)) return this.bad(key, 'a list of strings', v);
    const out: string[] = [];
    for (const [i, e] of v.entries()) {
      if (typeof e === 'string' || typeof e === 'number' || typeof e === 'boolean') out.push(String(e));
      else return this.bad(`${key}[${i}]`, 'a string', e);
    }
    return out;
  }

  /** A mapping of strings (a null value is ""; promtail writes `key:` for "use the key"). */
  strMap(key: string): Record<string, string> | undefined {
    const v = this.take(key);
    if (v === undefined) return undefined;
    if (!isMapping(v)) return this.bad(key, 'a mapping of strings', v);
    const out: Record<string, string> = {};
    for (const [k, e] of Object.entries(v)) {
      if (e === null || e === undefined) out[k] = '';
      else if (typeof e === 'string' || typeof e === 'number' || typeof e === 'boolean') out[k] = String(e);
      else return this.bad(`${key}.${k}`, 'a string', e);
    }
    return out;
  }

  /** A mapping of string lists (Prometheus `params`, `http_headers`-like maps). */
  strListMap(key: string): Record<string, string[]> | undefined {
    const v = this.take(key);
    if (v === undefined) return undefined;
    if (!isMapping(v)) return this.bad(key, 'a mapping of string lists', v);
    const inner = new Fields(this.where(key), v, this.diags);
    const out: Record<string, string[]> = {};
    for (const k of Object.keys(v)) out[k] = inner.strList(k) ?? [];
    return out;
  }

  /** A nested mapping. */
  obj(key: string): Fields | undefined {
    const v = this.take(key);
    if (v === undefined) return undefined;
    return Fields.of(this.where(key), v, this.diags);
  }

  /** A list of mappings. */
  list(key: string): Fields[] {
    const v = this.take(key);
    if (v === undefined) return [];
    if (!Array.isArray(v)) {
      this.bad(key, 'a list', v);
      return [];
    }
    return v.map((e, i) => Fields.of(`${this.where(key)}[${i}]`, e, this.diags));
  }

  /** A field the converter knows but cannot convert: an Error when it is set (and not equal to `harmless`). */
  unsupported(key: string, why?: string, harmless?: (v: Raw) => boolean): void {
    const v = this.take(key);
    if (v === undefined) return;
    if (harmless?.(v)) return;
    this.diags.unsupported(this.where(key), why);
  }

  /** A field that is accepted and has no effect here; reported at `severity` when set. */
  dropped(key: string, severity: 'Info' | 'Warning', why: string): void {
    if (this.take(key) === undefined) return;
    this.diags.add(severity, `${this.where(key)} is not converted: ${why}`);
  }

  /** Reports every field not read (call once, after converting). */
  finish(): void {
    for (const k of Object.keys(this.raw)) {
      if (!this.seen.has(k)) this.diags.error(`The converter does not know the field ${this.where(k)}; it was not converted.`);
    }
  }
}

export function describe(v: Raw): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `${typeof v} ${JSON.stringify(v)}`;
}
