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
  const levels: ((name: string) => unknown)[] = [];
  for (let s: ModuleScope | undefined = m; s; s = s.parent) levels.push(levelLookup(s, values));
  const lib = stdlib as Record<string, any>;
  return {
    lookup(name: string) {
      for (const level of levels) {
        const v = level(name);
        if (v !== undefined) return v as any;
      }
      if (name === 'module_path') return m.modulePath;
      return Object.prototype.hasOwnProperty.call(lib, name) ? lib[name] : undefined;
    },
  };
}

function levelLookup(s: ModuleScope, values: ScopeValues): (name: string) => unknown {
  let tree: Record<string, any> | undefined;
  return (name) => {
    // Built on first use: most expressions name one or two roots.
    tree ??= exportsTree(s, values);
    if (name in tree) return tree[name];
    if (name === 'argument' && s.instance) {
      const args = values.argumentsOf(s.instance.id) ?? {};
      const out: Record<string, unknown> = Object.create(null);
      for (const a of s.instance.arguments) out[a] = { value: args[a] ?? null };
      return out;
    }
    if (s.vars && Object.prototype.hasOwnProperty.call(s.vars, name)) return s.vars[name] ?? null;
    return undefined;
  };
}

/** Prototype-free objects: a component named like an Object built-in must not resolve to it. */
function exportsTree(s: ModuleScope, values: ScopeValues): Record<string, any> {
  const tree: Record<string, any> = Object.create(null);
  for (const [local, id] of s.ids) {
    const parts = local.split('.');
    let cur = tree;
    for (const part of parts.slice(0, -1)) cur = cur[part] ??= Object.create(null);
    cur[parts[parts.length - 1]] = values.exportsOf(id) ?? {};
  }
  return tree;
}
