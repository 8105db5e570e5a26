// The scope a config is checked in without running it: every planned
// component's exports at their zero values, then the standard library. What
// a reference would really hold is known only once the component runs, so a
// check that needs it skips the attribute (validate) or accepts the zero.
import type { Scope } from '../syntax/eval.js';
import { stdlib } from '../syntax/stdlib.js';
import { zeroValue } from './decode.js';
import type { PlannedNode } from './graph.js';

export function zeroExportScope(nodes: readonly PlannedNode[]): Scope {
  const tree: Record<string, any> = Object.create(null);
  for (const p of nodes) {
    const parts = p.id.split('.');
    let cur = tree;
    for (const part of parts.slice(0, -1)) cur = cur[part] ??= Object.create(null);
    cur[parts[parts.length - 1]] = Object.fromEntries(Object.entries(p.def.exports).map(([k, t]) => [k, zeroValue(t)]));
  }
  const lib = stdlib as Record<string, any>;
  return { lookup: (n: string) => (n in tree ? tree[n] : Object.prototype.hasOwnProperty.call(lib, n) ? lib[n] : undefined) };
}
