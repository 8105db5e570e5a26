// The include / exclude blocks of otelcol.processor.attributes (the
// Collector's filterconfig.MatchProperties): which spans, log records and
// metrics the actions apply to. Every property group given must match; within
// a list one entry is enough; every `attribute` and `resource` entry must match;
// one `library` is enough.
import type { AnyValue, KeyValue, LogRecord, Metric, Resource, Scope, Signal, Span } from '../../pipeline/otel.js';
import { goRegExp } from '../ottl/regex.js';
import { ENUMS } from '../ottl/paths.js';
import { fromAny, toJson } from '../ottl/values.js';

export interface KeyValueMatch {
  key: string;
  value?: unknown;
}
export interface MatchProperties {
  match_type: string;
  services: string[];
  span_names: string[];
  span_kinds: string[];
  log_bodies: string[];
  log_severity_texts: string[];
  metric_names: string[];
  attribute: KeyValueMatch[];
  resource: KeyValueMatch[];
  library: { name: string; version?: string }[];
  log_severity?: { min: string; match_undefined: boolean };
  regexp?: { cache_enabled: boolean; cache_max_num_entries: number };
}

export interface MatchItem {
  resource: Resource;
  scope?: Scope;
  span?: Span;
  log?: LogRecord;
  metric?: Metric;
}

const SPAN_ONLY = ['services', 'span_names', 'span_kinds'] as const;
const LOG_ONLY = ['log_bodies', 'log_severity_texts'] as const;

/** A string matcher for the match_type: equality, or a regexp (results cached when asked). */
function stringMatcher(p: MatchProperties, list: string[]): ((s: string) => boolean) | undefined {
  if (list.length === 0) return undefined;
  if (p.match_type === 'strict') return (s) => list.includes(s);
  const res = list.map((x) => goRegExp(x));
  const test = (s: string) => res.some((r) => r.test(s));
  if (!p.regexp?.cache_enabled) return test;
  const cache = new Map<string, boolean>();
  const max = p.regexp.cache_max_num_entries;
  return (s) => {
    const hit = cache.get(s);
    if (hit !== undefined) {
      cache.delete(s);
      cache.set(s, hit);
      return hit;
    }
    const r = test(s);
    if (max > 0 && cache.size >= max) cache.delete(cache.keys().next().value as string);
    cache.set(s, r);
    return r;
  };
}

/** The config value as OTLP would hold it, for strict comparison. */
function configValue(v: unknown): unknown {
  return v;
}

function valueMatches(p: MatchProperties, want: KeyValueMatch, av: AnyValue | undefined): boolean {
  if (want.value === undefined || want.value === null) return true;
  const have = toJson(fromAny(av));
  if (p.match_type === 'regexp') return typeof have === 'string' && typeof want.value === 'string' && goRegExp(want.value).test(have);
  return have === configValue(want.value);
}

function kvsMatch(p: MatchProperties, wants: KeyValueMatch[], kvs: KeyValue[] | undefined): boolean {
  return wants.every((w) => {
    const kv = (kvs ?? []).find((x) => x.key === w.key);
    return kv !== undefined && valueMatches(p, w, kv.value);
  });
}

export type Matcher = (item: MatchItem) => boolean;

/** Compiles a block for one signal; throws for properties that do not apply to it. */
export function compileMatch(where: string, p: MatchProperties, signal: Signal): Matcher {
  if (p.match_type !== 'strict' && p.match_type !== 'regexp') throw new Error(`${where}: match_type ${JSON.stringify(p.match_type)} is invalid (want "strict" or "regexp")`);
  const given = (k: keyof MatchProperties) => Array.isArray(p[k]) && (p[k] as unknown[]).length > 0;
  const bad = (keys: readonly string[]) => keys.filter((k) => given(k as keyof MatchProperties));
  const invalid =
    signal === 'traces'
      ? [...bad([...LOG_ONLY, 'metric_names']), ...(p.log_severity ? ['log_severity'] : [])]
      : signal === 'logs'
        ? bad([...SPAN_ONLY, 'metric_names'])
        : [...bad([...SPAN_ONLY, ...LOG_ONLY, 'attribute', 'library']), ...(p.log_severity ? ['log_severity'] : [])];
  if (invalid.length > 0) throw new Error(`${where}: ${invalid.join(', ')} cannot be used for ${signal}`);
  const relevant = signal === 'traces' ? [...SPAN_ONLY, 'attribute', 'resource', 'library'] : signal === 'logs' ? [...LOG_ONLY, 'attribute', 'resource', 'library'] : ['metric_names', 'resource'];
  if (!relevant.some((k) => given(k as keyof MatchProperties)) && !(signal === 'logs' && p.log_severity)) {
    throw new Error(`${where}: at least one of ${relevant.join(', ')}${signal === 'logs' ? ', log_severity' : ''} must be set for ${signal}`);
  }
  const services = stringMatcher(p, p.services);
  const spanNames = stringMatcher(p, p.span_names);
  const spanKinds = stringMatcher(p, p.span_kinds);
  const bodies = stringMatcher(p, p.log_bodies);
  const sevTexts = stringMatcher(p, p.log_severity_texts);
  const metricNames = stringMatcher(p, p.metric_names);
  const libs = p.library.map((l) => ({ name: stringMatcher(p, [l.name])!, version: l.version === undefined ? undefined : stringMatcher(p, [l.version]) ?? ((v: string) => v === '') }));
  let minSeverity: number | undefined;
  if (p.log_severity) {
    const n = ENUMS[`SEVERITY_NUMBER_${p.log_severity.min.toUpperCase()}`];
    if (n === undefined) throw new Error(`${where}.log_severity: min ${JSON.stringify(p.log_severity.min)} is not a severity (want TRACE, DEBUG2, INFO, WARN, ERROR, FATAL4, ...)`);
    minSeverity = Number(n);
  }
  const kindName = (k: number | undefined) => Object.entries(ENUMS).find(([n, v]) => n.startsWith('SPAN_KIND_') && Number(v) === (k ?? 0))?.[0] ?? '';
  return (it) => {
    if (services) {
      const svc = it.resource.attributes?.find((kv) => kv.key === 'service.name')?.value?.stringValue;
      if (svc === undefined || !services(svc)) return false;
    }
    if (spanNames && !spanNames(it.span?.name ?? '')) return false;
    if (spanKinds && !spanKinds(kindName(it.span?.kind))) return false;
    if (bodies) {
      const b = it.log?.body?.stringValue;
      if (b === undefined || !bodies(b)) return false;
    }
    if (sevTexts && !sevTexts(it.log?.severityText ?? '')) return false;
    if (minSeverity !== undefined) {
      const n = it.log?.severityNumber ?? 0;
      if (n === 0 ? !p.log_severity!.match_undefined : n < minSeverity) return false;
    }
    if (metricNames && !metricNames(it.metric?.name ?? '')) return false;
    if (libs.length > 0 && !libs.some((l) => l.name(it.scope?.name ?? '') && (!l.version || l.version(it.scope?.version ?? '')))) return false;
    if (p.resource.length > 0 && !kvsMatch(p, p.resource, it.resource.attributes)) return false;
    if (p.attribute.length > 0) {
      const attrs = it.span?.attributes ?? it.log?.attributes;
      if (!kvsMatch(p, p.attribute, attrs)) return false;
    }
    return true;
  };
}
