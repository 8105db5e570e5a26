// The Scope a node's expressions are evaluated in: the components of its
// module as a namespace tree of their exports, `argument.NAME.value` inside a
// declare, the foreach variable, the module around a foreach template,
// `module_path`, then the standard library.
import type { Scope } from '../../syntax/eval.js';
import { stdlib } from '../../syntax/stdlib.js';
import type { ModuleScope } from './scope.js';

export interface ScopeValues {
  exportsOf(id: string): Record<string, unknown> | undefined;
  /** The argument values of an instance, defaults filled in. */
  argumentsOf(instanceId: string): Record<string, unknown> | undefined;
}

export function evaluationScope(m: ModuleScope, values: ScopeValues): Scope {
  const chain: ModuleScope[] = [];
  for (let s: ModuleScope | undefined = m; s; s = s.parent) chain.push(s);
  let tree: Record<string, any> | undefined;
  const lib = stdlib as Record<string, any>;
  return {
    lookup(name: string) {
      // One tree for all levels, built on first use (most expressions name one or two roots):
      // a foreach child's `prometheus.scrape.x` and the outer `prometheus.scrape.y` share the namespace.
      tree ??= exportsTree(chain, values);
      if (name in tree) return tree[name];
      for (const s of chain) {
        if (name === 'argument' && s.instance) return argumentsObject(s.instance, values);
        if (s.vars && Object.prototype.hasOwnProperty.call(s.vars, name)) return (s.vars[name] ?? null) as any;
      }
      if (name === 'module_path') return m.modulePath;
      return Object.prototype.hasOwnProperty.call(lib, name) ? lib[name] : undefined;
    },
  };
}

function argumentsObject(inst: NonNullable<ModuleScope['instance']>, values: ScopeValues): any {
  const args = values.argumentsOf(inst.id) ?? {};
  const out: Record<string, unknown> = Object.create(null);
  for (const a of inst.arguments) out[a] = { value: args[a] ?? null };
  return out;
}

/** Prototype-free objects: a component named like an Object built-in must not resolve to it. Outer levels first, inner ones win. */
function exportsTree(chain: ModuleScope[], values: ScopeValues): Record<string, any> {
  const tree: Record<string, any> = Object.create(null);
  for (const s of [...chain].reverse()) {
    for (const [local, id] of s.ids) {
      const parts = local.split('.');
      let cur = tree;
      for (const part of parts.slice(0, -1)) {
        if (cur[part] === undefined || Object.getPrototypeOf(cur[part]) !== null) cur[part] = Object.create(null);
        cur = cur[part];
      }
      cur[parts[parts.length - 1]] = values.exportsOf(id) ?? {};
    }
  }
  return tree;
}
