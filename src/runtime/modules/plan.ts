// Flattens a config with modules into one graph of nodes. Every custom
// component instance, export block and foreach child becomes nodes with
// global ids ("<module path>/<local id>"), each evaluated in its own module's
// scope, so one dependency order, one propagation and one reload diff (by id:
// unchanged nodes keep running) serve the whole config. Parts that depend on
// run-time values (an import's fetched module, a foreach's collection) come in
// through PlanInputs; the controller re-plans when they change.
import type { Block, File, Pos, Statement } from '../../syntax/ast.js';
import { Diagnostic } from '../../syntax/diagnostic.js';
import { references } from '../../syntax/eval.js';
import { parse } from '../../syntax/parser.js';
import { stdlib } from '../../syntax/stdlib.js';
import type { Scope } from '../../syntax/eval.js';
import { getComponent } from '../registry.js';
import type { ComponentDefinition, ModuleSource, StabilityLevel } from '../types.js';
import { declareShape, exportDefinition, instanceDefinition, type DeclareShape } from './declare.js';
import { foreachDefinition, splitForeach, type ForeachState } from './foreach.js';
import { DeclareEnv, globalId, type DeclareDef, type ModuleScope } from './scope.js';

/** Top-level blocks that configure the process rather than declare a component. */
export const CONFIG_BLOCKS = new Set(['logging', 'http', 'tracing', 'livedebugging', 'remotecfg']);

/** Deepest nesting of modules (a declare using itself, a module importing itself). */
const MAX_MODULE_DEPTH = 32;

export type NodeKind = 'component' | 'import' | 'instance' | 'export' | 'foreach';

export interface PlannedNode {
  /** Global id: "<module path>/<local id>", or the local id in the main config. */
  id: string;
  /** The id inside its module, e.g. "prometheus.scrape.a". */
  localId: string;
  name: string;
  label: string | undefined;
  /** The block decoded into the node's arguments (a foreach's without its template). */
  block: Block;
  def: ComponentDefinition;
  /** Ids of the nodes this one references, deduplicated. */
  deps: string[];
  kind: NodeKind;
  /** The module whose scope the node's expressions are evaluated in. */
  module: ModuleScope;
  /** export nodes: the instance and the export name they publish. */
  exportOf?: { instance: string; name: string };
  /** instance nodes: the declare's arguments (defaults) and exports. */
  shape?: DeclareShape;
  /** Set when the node cannot be planned yet (its import's module is not loaded): the reason. */
  pending?: string;
}

export interface PlanInputs {
  /** Import node id -> the module it fetched. */
  modules: ReadonlyMap<string, ModuleSource>;
  /** foreach node id -> its children, from its last evaluated collection. */
  foreach: ReadonlyMap<string, ForeachState>;
  /** `module_path` in the main config: the directory of the config file. */
  modulePath: string;
  /**
   * Called for every block below generally-available (foreach; components whose
   * definition sets `stability`): throw a Diagnostic to refuse it under --stability.level.
   */
  checkStability?: (name: string, level: StabilityLevel, pos: Pos) => void;
  /** The static stability check of a module's files (stdlib functions, arguments), as the main config gets it. */
  checkModule?: (body: Statement[]) => void;
}

export interface Plan {
  nodes: PlannedNode[]; // in dependency order: every node after the nodes it references
  configBlocks: Block[];
  /** Nodes waiting for run-time input (an import's first module). */
  pending: PlannedNode[];
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const NO_INPUTS: PlanInputs = { modules: new Map(), foreach: new Map(), modulePath: '' };

export function planGraph(file: File, inputs: PlanInputs = NO_INPUTS): Plan {
  const planner = new Planner(inputs);
  const root: ModuleScope = { path: '', ids: new Map(), modulePath: inputs.modulePath, exposeMetrics: true };
  planner.planModule(file.body, root, new DeclareEnv(), 'main', 0);
  const nodes = topoSort(planner.byId);
  return { nodes, configBlocks: planner.configBlocks, pending: nodes.filter((n) => n.pending !== undefined) };
}

type ModuleKind = 'main' | 'declare' | 'foreach' | 'import';

/** What a reference path names: a node (its id), a declare argument, or a plain variable (foreach var, module_path). */
export type Resolved = { kind: 'node'; id: string; exportName: string | undefined } | { kind: 'argument'; instance: string; name: string } | { kind: 'variable' };

/**
 * Resolves a reference in a module, innermost first: the module's components
 * (longest dotted prefix), its arguments, its variables, then the enclosing
 * module of a foreach template.
 */
export function resolveReference(m: ModuleScope, path: string[]): Resolved | undefined {
  for (let s: ModuleScope | undefined = m; s; s = s.parent) {
    for (let k = path.length; k >= 1; k--) {
      const id = s.ids.get(path.slice(0, k).join('.'));
      if (id) return { kind: 'node', id, exportName: path[k] };
    }
    if (path[0] === 'argument' && s.instance) return { kind: 'argument', instance: s.instance.id, name: path[1] };
    if (s.vars && Object.prototype.hasOwnProperty.call(s.vars, path[0])) return { kind: 'variable' };
  }
  if (path[0] === 'module_path') return { kind: 'variable' };
  return undefined;
}

/** Only the stdlib and module_path: what argument blocks and nested imports of a module see. */
export function staticScope(modulePath: string): Scope {
  const lib = stdlib as Record<string, any>;
  return { lookup: (n) => (n === 'module_path' ? modulePath : Object.prototype.hasOwnProperty.call(lib, n) ? lib[n] : undefined) };
}

class Planner {
  readonly byId = new Map<string, PlannedNode>();
  readonly configBlocks: Block[] = [];
  /** Import node id -> the declares and imports of its module (absent while not loaded). */
  private readonly importEnvs = new Map<string, DeclareEnv>();
  private readonly parsed = new WeakMap<ModuleSource, File[]>();

  constructor(private readonly inputs: PlanInputs) {}

  planModule(body: Statement[], m: ModuleScope, env: DeclareEnv, kind: ModuleKind, depth: number): void {
    const own: PlannedNode[] = [];
    const foreaches: { node: PlannedNode; template: Block }[] = [];
    // Declares and imports first: components may use them before the line that defines them.
    for (const st of body) {
      if (st.kind === 'attribute') {
        throw new Diagnostic(st.pos, `unexpected attribute "${st.name}" ${kind === 'main' ? 'at the top level' : 'in a module'}: only blocks are allowed here`);
      }
      if (st.name === 'declare') this.addDeclare(st, m, env);
      else if (getComponent(st.name)?.kind === 'import') own.push(this.addImport(st, m, env, depth));
      else if (kind === 'import') throw new Diagnostic(st.pos, `only declare and import blocks are allowed in a module, got ${st.name}`);
    }
    for (const st of body as Block[]) {
      if (st.name === 'declare' || getComponent(st.name)?.kind === 'import') continue;
      if (CONFIG_BLOCKS.has(st.name)) {
        if (kind !== 'main') throw new Diagnostic(st.pos, `the ${st.name} block is only allowed in the main configuration, not in a module`);
        this.configBlocks.push(st);
        continue;
      }
      if (st.name === 'argument') {
        if (kind !== 'declare') throw new Diagnostic(st.pos, 'argument blocks are only allowed inside a declare block');
        continue; // read by declareShape
      }
      if (st.name === 'export') {
        if (kind !== 'declare') throw new Diagnostic(st.pos, 'export blocks are only allowed inside a declare block');
        own.push(this.addNode(st, m, exportDefinition, 'export', `export.${st.label}`, { exportOf: { instance: m.instance!.id, name: st.label! } }));
        continue;
      }
      if (st.name === 'foreach') {
        this.requireLabel(st);
        const { args, template } = splitForeach(st);
        const node = this.addNode(args, m, foreachDefinition, 'foreach');
        own.push(node);
        foreaches.push({ node, template });
        continue;
      }
      const builtin = getComponent(st.name);
      if (builtin) {
        own.push(this.addNode(st, m, builtin, 'component'));
        continue;
      }
      own.push(this.addInstance(st, m, env, depth));
    }
    for (const node of own) node.deps = this.dependencies(node);
    for (const { node, template } of foreaches) this.expandForeach(node, template, env, depth);
  }

  private addDeclare(st: Block, m: ModuleScope, env: DeclareEnv): void {
    if (!st.label) throw new Diagnostic(st.pos, 'declare block must have a label: the name of the custom component, e.g. declare "my_pipeline" { ... }');
    if (!IDENT.test(st.label)) throw new Diagnostic(st.pos, `declare label "${st.label}" is not a valid identifier (letters, digits and _ only)`);
    if (st.label === 'declare') throw new Diagnostic(st.pos, "'declare' is not a valid label for a declare block");
    const prev = env.declares.get(st.label);
    if (prev) throw new Diagnostic(st.pos, `declare "${st.label}" already declared at ${at(prev.block.pos)}`);
    env.declares.set(st.label, { name: st.label, block: st, env, modulePath: m.modulePath });
  }

  private addImport(st: Block, m: ModuleScope, env: DeclareEnv, depth: number): PlannedNode {
    // A file path in a module fetched over HTTP would name a file of this host (Alloy refuses it too).
    if (st.name === 'import.file' && this.byId.get(m.path)?.name === 'import.http') {
      throw new Diagnostic(st.pos, `importing a module via import.http (nodeID: ${m.path}) that contains an import.file block is not supported`);
    }
    const node = this.addNode(st, m, getComponent(st.name)!, 'import');
    if (env.imports.has(st.label!)) throw new Diagnostic(st.pos, `import namespace "${st.label}" is already used by another import in this module`);
    env.imports.set(st.label!, node.id);
    const source = this.inputs.modules.get(node.id);
    if (source) {
      if (depth >= MAX_MODULE_DEPTH) throw new Diagnostic(st.pos, `${node.id}: modules nested deeper than ${MAX_MODULE_DEPTH} levels (does a module import itself?)`);
      // The module's own declares and imports; it sees nothing of its importer.
      const moduleEnv = new DeclareEnv();
      // An import.string module has no place of its own: it inherits the importer's module_path.
      const scope: ModuleScope = { path: node.id, ids: new Map(), modulePath: source.modulePath || m.modulePath, exposeMetrics: m.exposeMetrics };
      for (const file of this.parseModule(source)) this.planModule(file.body, scope, moduleEnv, 'import', depth + 1);
      this.importEnvs.set(node.id, moduleEnv);
    }
    return node;
  }

  private parseModule(source: ModuleSource): File[] {
    let files = this.parsed.get(source);
    if (!files) {
      files = Object.entries(source.files).map(([name, text]) => parse(text, name));
      for (const f of files) this.inputs.checkModule?.(f.body);
      this.parsed.set(source, files);
    }
    return files;
  }

  private addInstance(st: Block, m: ModuleScope, env: DeclareEnv, depth: number): PlannedNode {
    const found = this.findDeclare(st, env);
    if (!found) throw new Diagnostic(st.pos, `unrecognized component name "${st.name}"`);
    if ('pending' in found) {
      const def: ComponentDefinition = { name: st.name, args: {}, exports: {}, build: () => ({ update() {} }) };
      return this.addNode(st, m, def, 'instance', undefined, { pending: found.pending });
    }
    const declare = found.declare;
    if (depth >= MAX_MODULE_DEPTH) throw new Diagnostic(st.pos, `custom component "${st.name}" nested deeper than ${MAX_MODULE_DEPTH} levels (does a declare use itself?)`);
    const shape = declareShape(declare.block, staticScope(declare.modulePath));
    const node = this.addNode(st, m, instanceDefinition(st.name, shape), 'instance', undefined, { shape });
    const inner: ModuleScope = {
      path: node.id,
      ids: new Map(),
      instance: { id: node.id, declare: st.name, arguments: new Set(shape.arguments.map((a) => a.name)) },
      modulePath: declare.modulePath,
      exposeMetrics: m.exposeMetrics,
    };
    this.planModule(declare.block.body, inner, new DeclareEnv(declare.env), 'declare', depth + 1);
    return node;
  }

  /** `name` (a declare in scope) or `namespace.name` (a declare of an imported module). */
  private findDeclare(st: Block, env: DeclareEnv): { declare: DeclareDef } | { pending: string } | undefined {
    const parts = st.name.split('.');
    if (parts.length === 1) {
      const declare = env.findDeclare(st.name);
      return declare && { declare };
    }
    let cur = env;
    for (let i = 0; i < parts.length - 1; i++) {
      const importId = cur.findImport(parts[i]);
      if (!importId) return undefined;
      const next = this.importEnvs.get(importId);
      if (!next) return { pending: `the module of ${importId} is not loaded yet` };
      cur = next;
    }
    const name = parts[parts.length - 1];
    const declare = cur.declares.get(name);
    if (!declare) {
      const known = [...cur.declares.keys()].sort();
      throw new Diagnostic(st.pos, `the module imported as "${parts.slice(0, -1).join('.')}" has no declare "${name}" (it declares: ${known.join(', ') || 'none'})`);
    }
    return { declare };
  }

  private requireLabel(st: Block): void {
    if (st.label === undefined || st.label === '') {
      throw new Diagnostic(st.pos, `${st.name === 'foreach' || st.name === 'export' ? 'block' : 'component'} "${st.name}" must have a label, e.g. ${st.name} "default" { ... }`);
    }
    if (!IDENT.test(st.label)) throw new Diagnostic(st.pos, `${st.name} label "${st.label}" is not a valid identifier (letters, digits and _ only)`);
  }

  private addNode(st: Block, m: ModuleScope, def: ComponentDefinition, kind: NodeKind, localId?: string, extra: Partial<PlannedNode> = {}): PlannedNode {
    this.requireLabel(st);
    const local = localId ?? `${st.name}.${st.label}`;
    if (def.stability && def.stability !== 'generally-available') this.inputs.checkStability?.(st.name, def.stability, st.pos);
    const id = globalId(m, local);
    const prev = this.byId.get(id);
    if (prev) throw new Diagnostic(st.pos, `${kind === 'export' ? 'export' : 'component'} "${local}" already declared at ${at(prev.block.pos)}`);
    const node: PlannedNode = { id, localId: local, name: st.name, label: st.label, block: st, def, deps: [], kind, module: m, ...extra };
    this.byId.set(id, node);
    // export blocks publish through their instance; they are not referenceable themselves.
    if (kind !== 'export') m.ids.set(local, id);
    return node;
  }

  private dependencies(node: PlannedNode): string[] {
    const deps = new Set<string>();
    // An export block publishes into its instance: it runs after it.
    if (node.exportOf) deps.add(node.exportOf.instance);
    for (const { path, pos } of blockReferences(node.block.body)) {
      const r = resolveReference(node.module, path);
      const ref = path.join('.');
      if (!r) throw new Diagnostic(pos, `reference to "${ref}": no component with that name exists${outOfScopeHint(node.module)}`);
      if (r.kind === 'variable') continue;
      if (r.kind === 'argument') {
        const inst = node.module.instance ?? findInstance(node.module);
        if (r.name === undefined) throw new Diagnostic(pos, `reference to "argument" must name an argument, e.g. argument.NAME.value`);
        if (!inst?.arguments.has(r.name)) {
          throw new Diagnostic(pos, `reference to "${ref}": declare "${inst?.declare}" has no argument "${r.name}" (arguments: ${[...(inst?.arguments ?? [])].join(', ') || 'none'})`);
        }
        if (path[2] !== 'value') throw new Diagnostic(pos, `reference to "${ref}": an argument exports only "value" (argument.${r.name}.value)`);
        deps.add(r.instance);
        continue;
      }
      const target = this.byId.get(r.id)!;
      if (r.exportName === undefined) {
        throw new Diagnostic(pos, `reference to component "${target.localId}" must name one of its exports (${Object.keys(target.def.exports).join(', ') || 'none'})`);
      }
      if (target.pending !== undefined) {
        deps.add(target.id);
        continue;
      }
      if (!(r.exportName in target.def.exports)) {
        throw new Diagnostic(pos, `component "${target.localId}" has no export "${r.exportName}" (exports: ${Object.keys(target.def.exports).join(', ') || 'none'})`);
      }
      if (target.id === node.id) throw new Diagnostic(pos, `cycle detected: ${node.id} references itself`);
      // An instance's export is published by its export node: depend on that, so it is evaluated first.
      deps.add(target.kind === 'instance' ? `${target.id}/export.${r.exportName}` : target.id);
    }
    return [...deps];
  }

  private expandForeach(node: PlannedNode, template: Block, env: DeclareEnv, depth: number): void {
    const state = this.inputs.foreach.get(node.id);
    if (!state) return; // not evaluated yet: the children come with the next plan
    for (const child of state.children) {
      const m: ModuleScope = {
        path: `${node.id}/${child.id}`,
        ids: new Map(),
        vars: { [state.var]: child.item },
        parent: node.module,
        modulePath: node.module.modulePath,
        exposeMetrics: node.module.exposeMetrics && state.enableMetrics,
      };
      this.planModule(template.body, m, new DeclareEnv(env), 'foreach', depth + 1);
    }
  }
}

function findInstance(m: ModuleScope): ModuleScope['instance'] {
  for (let s: ModuleScope | undefined = m; s; s = s.parent) if (s.instance) return s.instance;
  return undefined;
}

function outOfScopeHint(m: ModuleScope): string {
  const inst = findInstance(m);
  return inst ? ` in declare "${inst.declare}" (a declare body sees only its arguments and its own components)` : '';
}

function at(p: Pos): string {
  return `${p.file}:${p.line}:${p.col}`;
}

function* blockReferences(body: Statement[]): Generator<{ path: string[]; pos: Pos }> {
  for (const st of body) {
    if (st.kind === 'attribute') yield* references(st.value);
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
