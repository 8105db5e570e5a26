// What a scrape does beyond float samples, kept out of loop.ts's hot path:
// family metadata as the exposition states it (honor_metadata,
// enable_type_and_unit_labels), classic histograms gathered into native
// histograms with custom buckets (convert_classic_histograms_to_nhcb), and
// the metric name validation of metric_name_validation_scheme "legacy".
import type { LabelPairs, MetricTypeName, NativeHistogram } from '../pipeline/metrics.js';
import { classicToNhcb } from './native-histogram.js';
import { type ExpositionFormat, ParseError } from './parse/index.js';
import { metricTypeName } from './parse/types.js';

export interface FamilyMetadata {
  family: string;
  type: MetricTypeName;
  help: string;
  unit: string;
}

/** The families of one scrape, in exposition order; `current` is the family of the last TYPE/HELP/UNIT line. */
export class FamilyTracker {
  private readonly all = new Map<string, FamilyMetadata & { name: string }>();
  current: (FamilyMetadata & { name: string }) | undefined;

  set(family: string, field: 'type' | 'help' | 'unit', text: string): void {
    let f = this.all.get(family);
    if (!f) {
      f = { name: family, family, type: 'unknown', help: '', unit: '' };
      this.all.set(family, f);
    }
    this.current = f;
    if (field === 'type') f.type = metricTypeName(text);
    else if (field === 'help') f.help = text;
    else f.unit = text;
  }

  /** The family a series name belongs to (the current one, when the name is its own or one of its suffixed series). */
  familyOf(name: string): FamilyMetadata | undefined {
    const c = this.current;
    if (!c) return undefined;
    return name === c.name || (name.startsWith(c.name) && name.charCodeAt(c.name.length) === 95) ? c : undefined;
  }

  /** Scraped pairs plus __type__ (unless unknown) and __unit__ (unless empty), as Prometheus's schema labels. */
  withTypeAndUnit(raw: string[]): string[] {
    const f = this.familyOf(raw[1] ?? '');
    if (!f) return raw;
    const out = raw.filter((_, i) => i % 2 === 0 ? raw[i] !== '__type__' && raw[i] !== '__unit__' : raw[i - 1] !== '__type__' && raw[i - 1] !== '__unit__');
    if (f.type !== 'unknown') out.push('__type__', f.type);
    if (f.unit !== '') out.push('__unit__', f.unit);
    return out;
  }

  /** Families whose metadata differs from `sent` (which is updated). */
  *changedSince(sent: Map<string, FamilyMetadata>): Iterable<FamilyMetadata> {
    for (const f of this.all.values()) {
      const old = sent.get(f.family);
      if (old && old.type === f.type && old.help === f.help && old.unit === f.unit) continue;
      const m = { family: f.family, type: f.type, help: f.help, unit: f.unit };
      sent.set(f.family, m);
      yield m;
    }
  }
}

export interface ClassicPart {
  /** The NHCB series' key and scraped labels (labels without le, __name__ the family). */
  key: string;
  base: string[];
  kind: 'bucket' | 'count' | 'sum';
  le: number;
}

interface Gathered {
  key: string;
  base: string[];
  ts: number;
  bounds: number[];
  counts: number[];
  count?: number;
  sum: number;
}

/** Marks NHCB series keys apart from any exposition's series text. */
const NHCB_KEY = '\u0000nhcb';

/**
 * Gathers the _bucket/_count/_sum samples of classic histograms during one
 * scrape; `parts` caches what a series text is (kept by the target across scrapes).
 */
export class NhcbCollector {
  private readonly groups = new Map<string, Gathered>();

  constructor(private readonly parts: Map<string, ClassicPart | null>) {}

  /** Takes a sample of a histogram family; false when it is not one of its classic series. */
  take(text: string, v: number, ts: number, format: ExpositionFormat, family: string): boolean {
    let p = this.parts.get(text);
    if (p === undefined) {
      p = classify(format.labels(text), family);
      this.parts.set(text, p);
    }
    if (p === null) return false;
    let g = this.groups.get(p.key);
    if (!g) {
      g = { key: p.key, base: p.base, ts, bounds: [], counts: [], sum: 0 };
      this.groups.set(p.key, g);
    }
    if (p.kind === 'bucket') {
      g.bounds.push(p.le);
      g.counts.push(v);
    } else if (p.kind === 'count') g.count = v;
    else g.sum = v;
    return true;
  }

  *finish(): Iterable<{ key: string; raw: string[]; ts: number; h: NativeHistogram }> {
    for (const g of this.groups.values()) {
      const h = classicToNhcb(g.bounds, g.counts, g.count, g.sum);
      if (h) yield { key: g.key, raw: g.base, ts: g.ts, h };
    }
  }
}

function classify(raw: string[], family: string): ClassicPart | null {
  const name = raw[1] ?? '';
  const kind = name === `${family}_bucket` ? 'bucket' : name === `${family}_count` ? 'count' : name === `${family}_sum` ? 'sum' : undefined;
  if (!kind) return null;
  const base: string[] = ['__name__', family];
  let le = NaN;
  for (let i = 2; i < raw.length; i += 2) {
    if (raw[i] === 'le') le = Number(raw[i + 1] === '+Inf' ? Infinity : raw[i + 1]);
    else base.push(raw[i]!, raw[i + 1]!);
  }
  if (kind === 'bucket' && Number.isNaN(le)) return null;
  return { key: NHCB_KEY + JSON.stringify(base), base, kind, le };
}

const LEGACY_METRIC = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LEGACY_LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** metric_name_validation_scheme "legacy" for formats that can carry any UTF-8 name (protobuf). */
export function checkLegacyNames(raw: string[]): void {
  if (!LEGACY_METRIC.test(raw[1] ?? '')) throw new ParseError(`invalid metric name ${JSON.stringify(raw[1])} (metric_name_validation_scheme "legacy")`);
  for (let i = 2; i < raw.length; i += 2) {
    if (!LEGACY_LABEL.test(raw[i]!)) throw new ParseError(`invalid label name ${JSON.stringify(raw[i])} (metric_name_validation_scheme "legacy")`);
  }
}

/** Exposition-order pairs -> pairs sorted by name. */
export function sortedPairs(pairs: string[]): LabelPairs {
  if (pairs.length <= 2) return pairs;
  const idx = Array.from({ length: pairs.length >> 1 }, (_, i) => i).sort((a, b) => (pairs[2 * a]! < pairs[2 * b]! ? -1 : pairs[2 * a]! > pairs[2 * b]! ? 1 : 0));
  const out: string[] = [];
  for (const i of idx) out.push(pairs[2 * i]!, pairs[2 * i + 1]!);
  return out;
}
