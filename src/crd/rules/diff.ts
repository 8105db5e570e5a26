// What to change on the ruler so it holds exactly the desired groups in
// the namespaces we manage; namespaces we do not manage are never touched.
import { normalGroup, type RuleGroup } from './groups.js';
import type { RulerState } from './ruler-client.js';
import type { QueryLanguage } from './query-matchers.js';

export interface RulerOp {
  op: 'create' | 'update' | 'delete';
  namespace: string;
  group: string;
  desired?: RuleGroup;
}

const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';

/**
 * Whether a ruler namespace is one of ours: `<prefix><sep>…<uid>`. Any separator
 * counts, so namespaces written before a separator change are still cleaned up.
 */
export function isManagedNamespace(prefix: string, namespace: string): boolean {
  if (!namespace.startsWith(prefix) || namespace.length <= prefix.length) return false;
  return new RegExp(`^.+${UUID}$`).test(namespace.slice(prefix.length));
}

export function rulerNamespace(prefix: string, separator: string, cr: { namespace: string; name: string; uid: string }): string {
  return [prefix, cr.namespace, cr.name, cr.uid].join(separator);
}

/** Only the namespaces we manage. */
export function managedOnly(state: RulerState, prefix: string): RulerState {
  return new Map([...state].filter(([ns]) => isManagedNamespace(prefix, ns)));
}

/**
 * Operations turning `actual` (managed namespaces only) into `desired`.
 * Namespaces in `held` (their CR is currently invalid) are left as they are.
 * With a query language, groups whose queries differ only in layout are equal.
 */
export function diffRules(desired: Map<string, RuleGroup[]>, actual: RulerState, held: ReadonlySet<string> = new Set(), language?: QueryLanguage): RulerOp[] {
  const ops: RulerOp[] = [];
  for (const [ns, groups] of [...desired].sort(([a], [b]) => a.localeCompare(b))) {
    const have = actual.get(ns) ?? new Map<string, RuleGroup>();
    for (const g of groups) {
      const cur = have.get(g.name);
      if (!cur) ops.push({ op: 'create', namespace: ns, group: g.name, desired: g });
      else if (normalGroup(cur, language) !== normalGroup(g, language)) ops.push({ op: 'update', namespace: ns, group: g.name, desired: g });
    }
    const want = new Set(groups.map((g) => g.name));
    for (const name of [...have.keys()].sort()) if (!want.has(name)) ops.push({ op: 'delete', namespace: ns, group: name });
  }
  for (const [ns, have] of [...actual].sort(([a], [b]) => a.localeCompare(b))) {
    if (desired.has(ns) || held.has(ns)) continue;
    for (const name of [...have.keys()].sort()) ops.push({ op: 'delete', namespace: ns, group: name });
  }
  return ops;
}
