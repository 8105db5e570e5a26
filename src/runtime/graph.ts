// Static analysis of a parsed config: which component blocks exist, which
// components each one references, a dependency order, and cycle detection.
import type { Block, Expr, File, Statement } from '../syntax/ast.js';
import { Diagnostic } from '../syntax/diagnostic.js';
import { isStdlibRoot, references } from '../syntax/eval.js';
import { getComponent } from './registry.js';
import type { ComponentDefinition } from './types.js';

/** Top-level blocks that configure the process rather than declare a component. */
export const CONFIG_BLOCKS = new Set(['logging', 'http', 'tracing']);

export interface PlannedNode {
  id: string;
  name: string;
  label: string | undefined;
  block: Block;
  def: ComponentDefinition;
  /** Ids of the components this one references, deduplicated. */
  deps: string[];
}

export interface Plan {
  nodes: PlannedNode[]; // in dependency order: every node after the nodes it references
  configBlocks: Block[];
}

export function planGraph(file: File): Plan {
  const byId = new Map<string, PlannedNode>();
  const configBlocks: Block[] = [];
  for (const st of file.body) {
    if (st.kind === 'attribute') {
      throw new Diagnostic(st.pos, `unexpected attribute "${st.name}" at the top level: only blocks are allowed here`);
    }
    if (CONFIG_BLOCKS.has(st.name)) {
      configBlocks.push(st);
      continue;
    }
    const def = getComponent(st.name);
    if (!def) throw new Diagnostic(st.pos, `unrecognized component name "${st.name}"`);
    if (st.label === undefined || st.label === '') {
      throw new Diagnostic(st.pos, `component "${st.name}" must have a label, e.g. ${st.name} "default" { ... }`);
    }
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(st.label)) {
      throw new Diagnostic(st.pos, `component label "${st.label}" is not a valid identifier (letters, digits and _ only)`);
    }
    const id = `${st.name}.${st.label}`;
    const prev = byId.get(id);
    if (prev) {
      const p = prev.block.pos;
      throw new Diagnostic(st.pos, `component "${id}" already declared at ${p.file}:${p.line}:${p.col}`);
    }
    byId.set(id, { id, name: st.name, label: st.label, block: st, def, deps: [] });
  }

  for (const node of byId.values()) {
    const deps = new Set<string>();
    for (const { path, pos } of blockReferences(node.block.body)) {
      if (isStdlibRoot(path[0])) continue;
      let target: PlannedNode | undefined;
      let k = 0;
      for (k = path.length; k >= 1; k--) {
        target = byId.get(path.slice(0, k).join('.'));
        if (target) break;
      }
      const ref = path.join('.');
      if (!target) throw new Diagnostic(pos, `reference to "${ref}": no component with that name exists`);
      const exportName = path[k];
      if (exportName === undefined) {
        throw new Diagnostic(pos, `reference to component "${target.id}" must name one of its exports (${Object.keys(target.def.exports).join(', ') || 'none'})`);
      }
      if (!(exportName in target.def.exports)) {
        throw new Diagnostic(pos, `component "${target.id}" has no export "${exportName}" (exports: ${Object.keys(target.def.exports).join(', ') || 'none'})`);
      }
      if (target.id === node.id) throw new Diagnostic(pos, `cycle detected: ${node.id} references itself`);
      deps.add(target.id);
    }
    node.deps = [...deps];
  }

  return { nodes: topoSort(byId), configBlocks };
}

function* blockReferences(body: Statement[]): Generator<{ path: string[]; pos: Block['pos'] }> {
  for (const st of body) {
    if (st.kind === 'attribute') yield* references(st.value as Expr);
    else yield* blockReferences(st.body);
  }
}

function topoSort(byId: Map<string, PlannedNode>): PlannedNode[] {
  const order: PlannedNode[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (node: PlannedNode) => {
    const s = state.get(node.id);
    if (s === 'done') return;
    if (s === 'visiting') {
      const cycle = [...stack.slice(stack.indexOf(node.id)), node.id];
      throw new Diagnostic(node.block.pos, `cycle detected: ${cycle.join(' -> ')}`);
    }
    state.set(node.id, 'visiting');
    stack.push(node.id);
    for (const dep of node.deps) visit(byId.get(dep)!);
    stack.pop();
    state.set(node.id, 'done');
    order.push(node);
  };
  for (const node of byId.values()) visit(node);
  return order;
}
