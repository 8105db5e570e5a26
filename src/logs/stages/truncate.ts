// stage.truncate: each rule cuts the line, label values, structured metadata
// values or extracted strings longer than `limit` bytes (the suffix counts
// toward the limit) and records which kinds were cut in extracted
// "truncated" (sorted, comma-separated), counting each cut in
// loki_process_truncated_fields_total{field}.
import { parseByteSize } from '../write/config.js';
import { counter } from './stage-metrics.js';
import type { Stage, StageEntry, StageEnv } from './types.js';

export interface TruncateRuleArgs {
  limit?: string | number;
  suffix?: string;
  sources?: string[];
  source_type?: string;
}

export interface TruncateArgs {
  rule?: TruncateRuleArgs[];
}

const SOURCE_TYPES = ['line', 'label', 'structured_metadata', 'extracted'] as const;
type SourceType = (typeof SOURCE_TYPES)[number];

/** The first `max` bytes of s, not splitting a UTF-8 character. */
export function cutBytes(s: string, max: number): string {
  const b = Buffer.from(s, 'utf8');
  if (b.length <= max) return s;
  let end = max;
  while (end > 0 && (b[end] & 0xc0) === 0x80) end--;
  return b.subarray(0, end).toString('utf8');
}

interface Rule {
  limit: number;
  suffix: string;
  sources: string[];
  type: SourceType;
}

export function truncateStage(args: TruncateArgs, env: StageEnv = {}): Stage {
  const rules: Rule[] = (args.rule ?? []).map((r, i) => {
    const what = `stage.truncate: rule ${i + 1}`;
    if (r.limit === undefined || r.limit === '') throw new Error(`${what}: limit is required`);
    const limit = parseByteSize(`${what} limit`, r.limit);
    if (limit <= 0) throw new Error(`${what}: limit must be greater than zero`);
    const type = (r.source_type || 'line') as SourceType;
    if (!SOURCE_TYPES.includes(type)) throw new Error(`${what}: source_type must be one of ${SOURCE_TYPES.map((s) => `"${s}"`).join(', ')}, got "${r.source_type}"`);
    const sources = r.sources ?? [];
    if (type === 'line' && sources.length > 0) throw new Error(`${what}: sources cannot be set when source_type is 'line'`);
    const suffix = r.suffix ?? '';
    if (suffix.length > 0 && limit <= Buffer.byteLength(suffix)) throw new Error(`${what}: suffix length cannot be greater than or equal to limit`);
    return { limit, suffix, sources, type };
  });
  if (rules.length === 0) throw new Error('stage.truncate: at least one rule block is required');
  const metric = counter(env, 'loki_process_truncated_fields_total', 'A count of all log lines, labels, extracted values, or structured_metadata truncated as a result of a pipeline stage', ['field'] as const);

  return {
    name: 'truncate',
    process(e: StageEntry) {
      const cut = new Set<string>();
      const mark = (field: SourceType) => {
        metric?.inc({ field });
        cut.add(field);
      };
      for (const r of rules) {
        const eff = r.limit - Buffer.byteLength(r.suffix);
        const shorten = (v: string): string | undefined => (Buffer.byteLength(v) > eff ? cutBytes(v, eff) + r.suffix : undefined);
        const inMap = (m: Record<string, unknown>, field: SourceType) => {
          const names = r.sources.length > 0 ? r.sources.filter((n) => n in m) : Object.keys(m);
          for (const n of names) {
            const v = m[n];
            if (typeof v !== 'string') continue;
            const s = shorten(v);
            if (s !== undefined) {
              m[n] = s;
              mark(field);
            }
          }
        };
        if (r.type === 'line') {
          const s = shorten(e.line);
          if (s !== undefined) {
            e.line = s;
            mark('line');
          }
        } else if (r.type === 'label') inMap(e.labels, 'label');
        else if (r.type === 'structured_metadata') inMap(e.structuredMetadata, 'structured_metadata');
        else inMap(e.extracted, 'extracted');
        if (cut.size > 0) {
          const prev = e.extracted.truncated;
          if (typeof prev === 'string') for (const p of prev.split(',')) if (p) cut.add(p);
          e.extracted.truncated = [...cut].sort().join(',');
        }
      }
      return true;
    },
  };
}
