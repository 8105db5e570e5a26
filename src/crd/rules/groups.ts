// PrometheusRule custom resources -> ruler rule groups (the YAML the Mimir
// and Loki ruler APIs take), with external labels merged into every rule,
// and a normal form of groups so what the ruler returns compares equal to
// what we sent (durations as milliseconds, empty maps dropped).
import { parseDuration } from '../../syntax/duration.js';
import { FieldError, Reader } from '../operator/reader.js';
import { canonicalExpr, exprSyntaxError } from './expr-canon.js';
import type { QueryLanguage } from './query-matchers.js';

export interface RuleSpec {
  record?: string;
  alert?: string;
  expr: string;
  for?: string;
  keep_firing_for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface RuleGroup {
  name: string;
  interval?: string;
  limit?: number;
  query_offset?: string;
  source_tenants?: string[];
  rules: RuleSpec[];
}

export const SOURCE_TENANTS_ANNOTATION = 'monitoring.grafana.com/source_tenants';

function checkDuration(r: Reader, key: string): string | undefined {
  const v = r.str(key);
  if (v === undefined || v === '') return undefined;
  try {
    parseDuration(v);
  } catch (e) {
    throw new FieldError(`${r.path}.${key}`, (e as Error).message);
  }
  return v;
}

/**
 * The groups of one PrometheusRule. Throws FieldError naming the field when
 * the CR is unusable (missing names, duplicate groups, a rule with both or
 * neither of record/alert, wrong types).
 */
export function groupsOf(obj: unknown, opts: { externalLabels?: Record<string, string>; sourceTenants?: boolean; language?: QueryLanguage } = {}): RuleGroup[] {
  const root = Reader.of(obj, '');
  const spec = Reader.of(root.value.spec, 'spec');
  const meta = root.obj('metadata');
  const tenants =
    opts.sourceTenants && meta
      ? (meta.strMap('annotations')[SOURCE_TENANTS_ANNOTATION] ?? '')
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : [];
  const seen = new Set<string>();
  return spec.objArray('groups').map((g) => {
    const name = g.str('name');
    if (!name) throw new FieldError(`${g.path}.name`, 'is required');
    if (seen.has(name)) throw new FieldError(`${g.path}.name`, `duplicate group name ${JSON.stringify(name)}`);
    seen.add(name);
    const groupLabels = g.strMap('labels');
    const group: RuleGroup = { name, rules: [] };
    const interval = checkDuration(g, 'interval');
    if (interval) group.interval = interval;
    const limit = g.int('limit');
    if (limit) group.limit = limit;
    const offset = checkDuration(g, 'query_offset');
    if (offset) group.query_offset = offset;
    if (tenants.length > 0) group.source_tenants = tenants;
    group.rules = g.objArray('rules').map((r) => {
      const record = r.str('record') || undefined;
      const alert = r.str('alert') || undefined;
      if (!!record === !!alert) throw new FieldError(r.path, 'exactly one of record and alert must be set');
      const expr = r.intOrString('expr');
      if (expr === undefined || String(expr).trim() === '') throw new FieldError(`${r.path}.expr`, 'is required');
      if (opts.language) {
        // The ruler would refuse the whole group; name the rule now instead.
        const bad = exprSyntaxError(String(expr), opts.language);
        if (bad) throw new FieldError(`${r.path}.expr`, `${record ?? alert}: ${bad}`);
      }
      const rule: RuleSpec = record ? { record, expr: String(expr) } : { alert, expr: String(expr) };
      const f = checkDuration(r, 'for');
      if (f) {
        if (record) throw new FieldError(`${r.path}.for`, 'is only valid for alerting rules');
        rule.for = f;
      }
      const k = checkDuration(r, 'keep_firing_for');
      if (k) rule.keep_firing_for = k;
      // Group labels, then the rule's, then external labels win (Alloy's order).
      const labels = { ...groupLabels, ...r.strMap('labels'), ...(opts.externalLabels ?? {}) };
      if (Object.keys(labels).length > 0) rule.labels = labels;
      const ann = r.strMap('annotations');
      if (Object.keys(ann).length > 0) {
        if (record) throw new FieldError(`${r.path}.annotations`, 'are only valid for alerting rules');
        rule.annotations = ann;
      }
      return rule;
    });
    return group;
  });
}

function ms(v: unknown): number | undefined {
  if (typeof v !== 'string' || v === '') return undefined;
  try {
    return parseDuration(v) || undefined;
  } catch {
    return undefined;
  }
}

function sortedMap(v: unknown): Record<string, string> | undefined {
  if (!v || typeof v !== 'object') return undefined;
  const keys = Object.keys(v).sort();
  if (keys.length === 0) return undefined;
  return Object.fromEntries(keys.map((k) => [k, String((v as Record<string, unknown>)[k])]));
}

/**
 * A canonical JSON text of a group (ours or the ruler's) for equality checks;
 * with a language, queries compare by their syntax, not their layout.
 */
export function normalGroup(g: unknown, language?: QueryLanguage): string {
  const o = (g ?? {}) as Record<string, any>;
  const rules = Array.isArray(o.rules) ? o.rules : [];
  return JSON.stringify({
    name: o.name ?? '',
    interval: ms(o.interval),
    limit: o.limit || undefined,
    query_offset: ms(o.query_offset),
    source_tenants: Array.isArray(o.source_tenants) && o.source_tenants.length > 0 ? [...o.source_tenants].map(String).sort() : undefined,
    rules: rules.map((r: Record<string, any>) => ({
      record: r.record || undefined,
      alert: r.alert || undefined,
      expr: language ? canonicalExpr(String(r.expr ?? ''), language) : String(r.expr ?? '').trim(),
      for: ms(r.for),
      keep_firing_for: ms(r.keep_firing_for),
      labels: sortedMap(r.labels),
      annotations: sortedMap(r.annotations),
    })),
  });
}
