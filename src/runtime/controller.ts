// The component graph at run time: builds components in dependency order,
// re-evaluates only the dependants of a component whose exports changed, and
// applies reloads while keeping unchanged components (and their state) alive.
import type { LiveDebuggingHub } from './live-debugging.js';
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { Histogram, Gauge, Counter, type Registry } from 'prom-client';
import { componentRegistry } from './component-metrics.js';
import type { Block, Expr, File } from '../syntax/ast.js';
import { references } from '../syntax/eval.js';
import { Diagnostic } from '../syntax/diagnostic.js';
import type { Scope } from '../syntax/eval.js';
import { parse } from '../syntax/parser.js';
import type { ClusterOwnership } from '../clustering/ownership.js';
import { decodeBlock, zeroValue } from './decode.js';
import { planGraph, resolveReference, type Plan, type PlannedNode, type PlanInputs } from './graph.js';
import { evaluationScope } from './modules/eval-scope.js';
import { foreachState, type ForeachArgs, type ForeachState } from './modules/foreach.js';
import { PlanInputsState, type ChangedInput } from './modules/inputs.js';
import { componentPathOf } from './modules/scope.js';
import { checkStability, stabilityError, type StabilityLevel } from './stability.js';
import type { Component, ComponentContext, Health, HealthState, ModuleSource } from './types.js';
import { deepEqual } from './values.js';

export interface ControllerOptions {
  logger: Logger;
  metrics: Registry;
  storagePath: string;
  cluster: ClusterOwnership;
  /** --stability.level: features below it are refused (generally-available by default). */
  minStability?: StabilityLevel;
  /**
   * A controller of a service (remotecfg): its components' metrics carry
   * component_path "/<namespace>/..." so they never merge with the main
   * config's components of the same id.
   */
  namespace?: string;
  /** Live debugging: components publish to it under their (namespaced) id. */
  liveDebugging?: LiveDebuggingHub;
}

export interface NodeView {
  /** Global id: "<module id>/<local id>" inside a module. */
  id: string;
  /** The id inside its module. */
  localId?: string;
  /** The module it runs in ("" for the main config). */
  moduleId?: string;
  /** The modules this node runs: a custom component its body, a foreach one per child (Alloy's createdModuleIDs). */
  createdModuleIds?: string[];
  name: string;
  label: string | undefined;
  health: Health;
  references: string[];
  referencedBy: string[];
  arguments: unknown;
  exports: Record<string, unknown>;
  debugInfo: unknown;
}

interface LiveNode {
  plan: PlannedNode;
  /** The component's own metrics (a new one per build: a rebuilt component starts from zero). */
  metrics: Registry;
  instance?: Component;
  abort: AbortController;
  exports: Record<string, unknown>;
  args: unknown;
  reported: Health;
  evalError?: Health;
  /** An import whose new module, or a foreach whose new children, were refused (the last good ones run on). */
  structureError?: Health;
  lastError?: unknown;
}


/** Bound on plan/apply rounds of one load: each round may reveal nested imports or foreach children. */
const MAX_PLAN_ROUNDS = 16;


const now = () => new Date().toISOString();

function referencesAny(path: string[], ids: Set<string>): boolean {
  for (let k = path.length; k >= 1; k--) if (ids.has(path.slice(0, k).join('.'))) return true;
  return false;
}

export class Controller {
  private nodes = new Map<string, LiveNode>();
  private order: string[] = [];
  private dependants = new Map<string, string[]>();
  private chain: Promise<unknown> = Promise.resolve();
  private dirty = new Set<string>();
  private flushScheduled = false;
  private loaded = false;
  private stopped = false;
  /** The main config last applied, and the directory that is its module_path. */
  private file?: File;
  private modulePath = '';
  /** Modules fetched by imports and foreach children: current, last good, refused. */
  private readonly inputs = new PlanInputsState();
  private applying = false;
  private structureChanged = false;
  private replanScheduled = false;
  private readonly evalSeconds: Histogram;
  private readonly loadFailures: Counter;
  private readonly lastLoadOk: Gauge;
  private readonly log: Logger;
  /** Refuses blocks the planner meets (module bodies, foreach) below --stability.level. */
  checkStability: PlanInputs['checkStability'] = (name, level, pos) => {
    const message = stabilityError(`component "${name}"`, level, this.opts.minStability ?? 'generally-available');
    if (message) throw new Diagnostic(pos, message);
  };
  /** Applied to the root logger when the config has a `logging` block. */
  onLoggingBlock?: (block: Block) => void;

  constructor(private readonly opts: ControllerOptions) {
    this.log = opts.logger;
    const reg = opts.metrics;
    this.evalSeconds = new Histogram({
      name: 'alloy_component_evaluation_seconds',
      help: 'Time spent evaluating the arguments of a component and handing them to it.',
      labelNames: ['component_id'],
      buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers: [reg],
    });
    this.loadFailures = new Counter({
      name: 'alloy_config_load_failures_total',
      help: 'Config loads (start or reload) that were rejected.',
      registers: [reg],
    });
    this.lastLoadOk = new Gauge({
      name: 'alloy_config_last_load_successful',
      help: '1 when the last config load succeeded, else 0.',
      registers: [reg],
    });
    const self = this;
    new Gauge({
      name: 'alloy_component_controller_running_components',
      help: 'Running components by health.',
      labelNames: ['health_type'],
      registers: [reg],
      collect() {
        const counts: Record<HealthState, number> = { healthy: 0, unhealthy: 0, unknown: 0 };
        for (const n of self.nodes.values()) counts[self.health(n).state]++;
        for (const [k, v] of Object.entries(counts)) this.set({ health_type: k }, v);
      },
    });
  }

  isLoaded(): boolean {
    return this.loaded;
  }

  /**
   * Loads (first time) or reloads a config. A config that fails to parse, plan
   * or evaluate is rejected with a Diagnostic and the running graph is untouched.
   */
  load(source: string | File, filename: string): Promise<void> {
    return this.serialize(async () => {
      try {
        const file = typeof source === 'string' ? parse(source, filename) : source; // a File: several config files as one
        checkStability(file.body, this.opts.minStability ?? 'generally-available');
        await this.applyRounds(file, filename, modulePathOf(filename));
        this.lastLoadOk.set(1);
      } catch (e) {
        this.loadFailures.inc();
        this.lastLoadOk.set(0);
        throw e;
      }
    });
  }

  /**
   * Applies a config, then re-plans while components reveal more structure
   * (an import's module, a foreach's children), up to MAX_PLAN_ROUNDS.
   * The first round failing rejects the config. A later round failing is a
   * refused module: on the first load it fails the load (nothing to fall back
   * on); after that the last good module keeps running.
   */
  private async applyRounds(file: File, filename: string, modulePath: string): Promise<void> {
    const firstLoad = !this.loaded;
    let plan: Plan | undefined;
    for (let round = 0; ; round++) {
      if (round >= MAX_PLAN_ROUNDS) {
        this.log.warn({ rounds: round }, 'modules kept changing while loading; the rest is applied when they settle');
        break;
      }
      this.structureChanged = false;
      if (round === 0 || firstLoad) {
        try {
          plan = await this.apply(file, filename, modulePath, firstLoad);
        } catch (e) {
          // A first load that fails in a later round (a broken module) leaves nothing running.
          if (firstLoad) await this.stopAll();
          throw e;
        }
      } else {
        const next = await this.applyOrRefuse(file, filename, modulePath);
        if (!next) break;
        plan = next;
      }
      if (!this.structureChanged) break;
    }
    if (firstLoad && plan && plan.pending.length) {
      const p = plan.pending[0];
      const e = new Diagnostic(p.block.pos, `${p.id}: ${p.pending}${this.importFailure(p)}`);
      await this.stopAll();
      throw e;
    }
    this.file = file;
    this.modulePath = modulePath;
    this.loaded = true;
  }

  /** Why an import has no module: its health message (e.g. the fetch error). */
  private importFailure(p: PlannedNode): string {
    const bad = [...this.nodes.values()].find((n) => n.plan.kind === 'import' && p.pending?.includes(n.plan.id) && this.health(n).state === 'unhealthy');
    return bad ? ` (${this.health(bad).message})` : '';
  }

  /**
   * A later round: the plan may fail because of a new module or new foreach
   * children; those are refused. When several changed at once, each is tried
   * alone, so one broken module does not hold back a good one.
   */
  private async applyOrRefuse(file: File, filename: string, modulePath: string): Promise<Plan | undefined> {
    try {
      return await this.apply(file, filename, modulePath, false);
    } catch (e) {
      const changed = this.inputs.changed();
      this.inputs.revert();
      if (changed.length <= 1) {
        for (const c of changed) this.refuse(c, e);
        return undefined;
      }
      let plan: Plan | undefined;
      for (const c of changed) {
        this.inputs.retry(c);
        try {
          plan = await this.apply(file, filename, modulePath, false);
        } catch (e2) {
          this.inputs.revert();
          this.refuse(c, e2);
        }
      }
      return plan;
    }
  }

  private refuse(c: ChangedInput, e: unknown): void {
    const message = e instanceof Error ? e.message : String(e);
    this.inputs.refuse(c);
    const live = this.nodes.get(c.id);
    const what = c.kind === 'modules' ? 'imported module refused' : 'foreach children refused';
    const kept = c.kind === 'modules' ? (this.inputs.hasGood('modules', c.id) ? ', the last good module keeps running' : '') : ', the previous ones keep running';
    const prefix = c.kind === 'modules' ? 'module refused' : 'foreach children refused';
    if (live) live.structureError = { state: 'unhealthy', message: `${prefix}${kept}: ${message}`, updatedTime: now() };
    this.log.error({ component: c.id, err: message }, what);
  }

  /** A component revealed new structure at run time: re-plan the last config once the current work is done. */
  private requestReplan(): void {
    this.structureChanged = true;
    if (this.applying || this.replanScheduled || !this.loaded) return;
    this.replanScheduled = true;
    this.serialize(async () => {
      this.replanScheduled = false;
      if (this.stopped || !this.file) return;
      for (let round = 0; round < MAX_PLAN_ROUNDS; round++) {
        this.structureChanged = false;
        const plan = await this.applyOrRefuse(this.file, this.file.name, this.modulePath);
        if (!plan || !this.structureChanged) break;
      }
    }).catch((e) => this.log.error({ err: String(e) }, 're-plan failed'));
  }

  private async apply(file: File, filename: string, modulePath: string, firstLoad: boolean): Promise<Plan> {
    this.applying = true;
    try {
      return await this.applyPlan(file, filename, modulePath, firstLoad);
    } finally {
      this.applying = false;
    }
  }

  private async applyPlan(file: File, filename: string, modulePath: string, firstLoad: boolean): Promise<Plan> {
    // What this plan is made of: the fallback once it applied (inputs arriving meanwhile are not part of it).
    const used = this.inputs.snapshot();
    const plan = planGraph(file, { modules: used.modules, foreach: used.foreach, modulePath, checkStability: this.checkStability, checkModule: (body) => checkStability(body, this.opts.minStability ?? 'generally-available') });
    const byId = new Map(plan.nodes.map((p) => [p.id, p]));

    // Nodes waiting for an import's first module, and everything that uses them, wait for a later round.
    const blocked = new Set<string>();
    for (const p of plan.nodes) if (p.pending !== undefined || p.deps.some((d) => blocked.has(d))) blocked.add(p.id);

    // Dry run: evaluate every node against the current exports so that type
    // errors reject the whole config before anything changes. Attributes that
    // reference components not running yet cannot be known now; they are
    // checked when applied (on a first load such an error still fails the load).
    const pending = new Set(plan.nodes.filter((p) => this.nodes.get(p.id)?.plan.name !== p.name).map((p) => p.id));
    const dryExports = new Map<string, Record<string, unknown>>();
    for (const p of plan.nodes) {
      const live = this.nodes.get(p.id);
      if (!pending.has(p.id) && live) dryExports.set(p.id, live.exports);
      else dryExports.set(p.id, Object.fromEntries(Object.entries(p.def.exports).map(([k, t]) => [k, zeroValue(t)])));
    }
    const dryArgs = new Map<string, Record<string, unknown>>();
    const skippedArgs = new Map<string, Set<string>>();
    const dryValues = {
      exportsOf: (id: string) => dryExports.get(id),
      argumentsOf: (id: string) => withDefaults(byId.get(id), dryArgs.get(id)),
    };
    for (const p of plan.nodes) {
      if (blocked.has(p.id)) continue;
      const skip = (expr: Expr) =>
        references(expr).some((r) => {
          const target = resolveReference(p.module, r.path);
          if (target?.kind === 'node') {
            const t = byId.get(target.id);
            const dep = t?.kind === 'instance' && target.exportName ? `${t.id}/export.${target.exportName}` : target.id;
            return pending.has(dep) || pending.has(target.id);
          }
          return target?.kind === 'argument' && skippedArgs.get(target.instance)?.has(target.name) === true;
        });
      const decoded = decodeBlock(p.block.body, p.def.args, evaluationScope(p.module, dryValues), p.block.pos, { skip });
      if (p.kind === 'instance') {
        dryArgs.set(p.id, decoded);
        const skipped = new Set(p.block.body.filter((st) => st.kind === 'attribute' && skip(st.value)).map((st) => st.name));
        skippedArgs.set(p.id, skipped);
      }
    }
    for (const b of plan.configBlocks) this.onLoggingBlock?.(b);

    // Apply: stop removed (or re-typed) nodes, then build/update in order.
    const wanted = new Set(plan.nodes.filter((p) => !blocked.has(p.id)).map((p) => p.id));
    for (const [id, live] of [...this.nodes].reverse()) {
      const next = byId.get(id);
      if (!wanted.has(id) || (next && next.name !== live.plan.name)) await this.stopNode(live);
    }
    this.order = plan.nodes.filter((p) => !blocked.has(p.id)).map((p) => p.id);
    this.dependants = new Map(plan.nodes.map((p) => [p.id, [] as string[]]));
    for (const p of plan.nodes) for (const d of p.deps) this.dependants.get(d)!.push(p.id);

    const errors: string[] = [];
    let firstError: unknown;
    for (const p of plan.nodes) {
      if (blocked.has(p.id)) continue;
      const live = this.nodes.get(p.id);
      if (live) {
        live.plan = p;
        await this.evaluateNode(live);
      } else {
        await this.buildNode(p);
      }
      const n = this.nodes.get(p.id);
      if (n?.evalError) {
        errors.push(`${p.id}: ${n.evalError.message}`);
        firstError ??= n.lastError;
      }
    }
    if (firstLoad && firstError !== undefined) {
      // Nothing is running yet: a component that cannot start fails the load.
      await this.stopAll();
      throw firstError;
    }
    // This plan's modules and children now run: they are the ones to fall back on.
    for (const id of [...used.modules.keys(), ...used.foreach.keys()]) {
      const live = this.nodes.get(id);
      if (live && !this.inputs.isRefused(id)) live.structureError = undefined;
    }
    // Imports and foreach blocks gone from the config take their inputs with them.
    this.inputs.applied(used, (id) => byId.has(id));
    this.log.info({ components: this.order.length, file: filename }, 'config loaded');
    if (errors.length) this.log.warn({ errors }, 'some components failed to evaluate');
    return plan;
  }

  private async stopAll(): Promise<void> {
    for (const id of [...this.nodes.keys()].reverse()) {
      const live = this.nodes.get(id);
      if (live) await this.stopNode(live);
    }
  }

  private componentPath(p: PlannedNode): string {
    const base = componentPathOf(p.module);
    if (!this.opts.namespace) return base;
    return base === '/' ? `/${this.opts.namespace}` : `/${this.opts.namespace}${base}`;
  }

  private async buildNode(p: PlannedNode): Promise<void> {
    const abort = new AbortController();
    const live: LiveNode = {
      plan: p,
      metrics: componentRegistry(p.localId, this.componentPath(p)),
      abort,
      exports: Object.fromEntries(Object.keys(p.def.exports).map((k) => [k, undefined])),
      args: undefined,
      reported: { state: 'unknown', message: 'starting', updatedTime: now() },
    };
    this.nodes.set(p.id, live);
    const started = performance.now();
    try {
      const args = decodeBlock(p.block.body, p.def.args, this.scopeFor(p), p.block.pos);
      live.args = args;
      await p.def.load?.();
      const instance = p.def.build(this.contextFor(live), args);
      live.instance = instance;
      await instance.update(args);
      this.afterUpdate(live, args);
      live.evalError = undefined;
      if (live.reported.state === 'unknown' && live.reported.message === 'starting') {
        live.reported = { state: 'healthy', message: 'started', updatedTime: now() };
      }
    } catch (e) {
      this.setEvalError(live, e);
    } finally {
      this.evalSeconds.observe({ component_id: p.id }, (performance.now() - started) / 1000);
    }
  }

  /** Re-decodes a node's arguments and hands them over only when they changed. */
  private async evaluateNode(live: LiveNode): Promise<void> {
    if (!live.instance) {
      // A node whose build failed: try building again with fresh inputs.
      this.nodes.delete(live.plan.id);
      await this.buildNode(live.plan);
      return;
    }
    const started = performance.now();
    try {
      const args = decodeBlock(live.plan.block.body, live.plan.def.args, this.scopeFor(live.plan), live.plan.block.pos);
      if (!deepEqual(args, live.args)) {
        await live.instance.update(args);
        live.args = args;
        this.afterUpdate(live, args);
      } else if (live.plan.kind === 'instance') {
        this.pruneInstanceExports(live);
      }
      live.evalError = undefined;
    } catch (e) {
      this.setEvalError(live, e);
    } finally {
      this.evalSeconds.observe({ component_id: live.plan.id }, (performance.now() - started) / 1000);
    }
  }

  /** What the runtime itself does with new arguments of instances and foreach blocks. */
  private afterUpdate(live: LiveNode, args: Record<string, unknown>): void {
    const p = live.plan;
    if (p.kind === 'instance') {
      // The body reads argument.NAME.value: its readers are the instance's dependants.
      this.pruneInstanceExports(live);
      for (const d of this.dependants.get(p.id) ?? []) this.dirty.add(d);
      if (!this.applying) this.scheduleFlush();
    } else if (p.kind === 'foreach') {
      this.onInput(live, 'foreach', foreachState(args as unknown as ForeachArgs));
    }
  }

  /** An instance's exports are its declare's export blocks (a reload may have renamed them). */
  private pruneInstanceExports(live: LiveNode): void {
    const names = Object.keys(live.plan.def.exports);
    if (Object.keys(live.exports).every((k) => names.includes(k)) && names.every((k) => k in live.exports)) return;
    live.exports = Object.fromEntries(names.map((k) => [k, live.exports[k]]));
  }

  /** An import's new module or a foreach's new children: re-plan when it is news. */
  private onInput(live: LiveNode, kind: 'modules' | 'foreach', value: ModuleSource | ForeachState): void {
    if (this.nodes.get(live.plan.id) !== live) return; // a stopped node
    const verdict = this.inputs.offer(kind, live.plan.id, value);
    // Back to what runs: nothing is refused any more.
    if (verdict === 'recovered') live.structureError = undefined;
    if (verdict === 'replan') this.requestReplan();
  }

  private setEvalError(live: LiveNode, e: unknown): void {
    const message = e instanceof Diagnostic ? e.message : `${live.plan.id}: ${(e as Error)?.message ?? String(e)}`;
    live.evalError = { state: 'unhealthy', message, updatedTime: now() };
    live.lastError = e instanceof Diagnostic ? e : new Diagnostic(live.plan.block.pos, `${live.plan.id}: ${(e as Error)?.message ?? String(e)}`);
    this.log.error({ component: live.plan.id, err: message }, 'component evaluation failed');
  }

  private contextFor(live: LiveNode): ComponentContext {
    const id = live.plan.id;
    let dir: string | undefined;
    return {
      id,
      name: live.plan.name,
      label: live.plan.label,
      logger: this.log.child({ component: id }),
      dataPath: () => {
        if (!dir) {
          dir = path.join(this.opts.storagePath, id);
          fs.mkdirSync(dir, { recursive: true });
        }
        return dir;
      },
      setExports: (exports) => this.onExports(live, exports),
      liveDebugging: this.opts.liveDebugging?.publisher(this.opts.namespace ? `${this.opts.namespace}/${id}` : id),
      setHealth: (state, message = '') => {
        live.reported = { state, message, updatedTime: now() };
      },
      setModuleContent: (source) => {
        if (live.plan.kind === 'import') this.onInput(live, 'modules', source);
      },
      metrics: live.metrics,
      cluster: this.opts.cluster,
      signal: live.abort.signal,
    };
  }

  private onExports(live: LiveNode, exports: Record<string, unknown>): void {
    if (this.nodes.get(live.plan.id) !== live) return; // a stopped node
    const merged = { ...live.exports, ...exports };
    if (deepEqual(merged, live.exports)) return;
    live.exports = merged;
    const exportOf = live.plan.exportOf;
    if (exportOf) {
      // An export block's value is its instance's export of that name.
      const inst = this.nodes.get(exportOf.instance);
      if (inst) inst.exports = { ...inst.exports, [exportOf.name]: merged.value };
    }
    for (const d of this.dependants.get(live.plan.id) ?? []) this.dirty.add(d);
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    this.serialize(async () => {
      this.flushScheduled = false;
      // Evaluate dirty nodes in dependency order; exports they publish while
      // updating mark their own dependants, which come later in the order.
      for (const id of this.order) {
        if (!this.dirty.delete(id)) continue;
        const live = this.nodes.get(id);
        if (live && !this.stopped) await this.evaluateNode(live);
      }
    }).catch((e) => this.log.error({ err: String(e) }, 'propagation failed'));
  }

  private serialize<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** The scope of a node's module, over the running nodes' exports and the instances' arguments. */
  private scopeFor(p: PlannedNode): Scope {
    return evaluationScope(p.module, {
      exportsOf: (id) => this.nodes.get(id)?.exports,
      argumentsOf: (id) => {
        const inst = this.nodes.get(id);
        return withDefaults(inst?.plan, inst?.args as Record<string, unknown> | undefined);
      },
    });
  }

  private async stopNode(live: LiveNode): Promise<void> {
    this.nodes.delete(live.plan.id);
    live.abort.abort();
    try {
      await live.instance?.stop?.();
    } catch (e) {
      this.log.warn({ component: live.plan.id, err: String(e) }, 'component stop failed');
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.serialize(() => this.stopAll());
  }

  private health(live: LiveNode): Health {
    if (live.evalError) return live.evalError;
    if (live.structureError) return live.structureError;
    if (live.plan.kind === 'instance') return this.instanceHealth(live);
    return live.reported;
  }

  /** A custom component is as healthy as the least healthy component of its body. */
  private instanceHealth(live: LiveNode): Health {
    const prefix = `${live.plan.id}/`;
    let worst: Health = { state: 'healthy', message: 'custom component evaluated', updatedTime: live.reported.updatedTime };
    for (const [id, n] of this.nodes) {
      if (!id.startsWith(prefix) || n.plan.kind === 'instance') continue;
      const h = n.evalError ?? n.structureError ?? n.reported;
      if (rank(h.state) > rank(worst.state)) worst = { ...h, message: `${n.plan.id}: ${h.message}` };
    }
    return worst;
  }

  /** Health of every component; used by /-/healthy. */
  unhealthy(): { id: string; message: string }[] {
    return [...this.nodes.values()]
      .filter((n) => this.health(n).state === 'unhealthy')
      .map((n) => ({ id: n.plan.id, message: this.health(n).message }));
  }

  list(): NodeView[] {
    return this.order.filter((id) => this.nodes.has(id)).map((id) => this.view(id, false)!);
  }

  view(id: string, detailed = true): NodeView | undefined {
    const live = this.nodes.get(id);
    if (!live) return undefined;
    let debugInfo: unknown = undefined;
    if (detailed && live.instance?.debugInfo) {
      try {
        debugInfo = live.instance.debugInfo();
      } catch (e) {
        debugInfo = { error: String(e) };
      }
    }
    return {
      id,
      localId: live.plan.localId,
      moduleId: live.plan.module.path,
      createdModuleIds: this.createdModules(live.plan),
      name: live.plan.name,
      label: live.plan.label,
      health: this.health(live),
      references: live.plan.deps,
      referencedBy: this.dependants.get(id) ?? [],
      arguments: detailed ? live.args : undefined,
      exports: detailed ? live.exports : {},
      debugInfo,
    };
  }

  private createdModules(p: PlannedNode): string[] {
    if (p.kind === 'instance') return p.pending === undefined ? [p.id] : [];
    if (p.kind === 'foreach') return (this.inputs.goodForeach(p.id)?.children ?? []).map((c) => `${p.id}/${c.id}`);
    return [];
  }

  /** The metric registries of the running components (merged into /metrics). */
  componentRegistries(): Registry[] {
    // A foreach with enable_metrics = false keeps its children's metrics out (Alloy's default).
    return [...this.nodes.values()].filter((n) => n.plan.module.exposeMetrics).map((n) => n.metrics);
  }

  /** The running instance (tests and in-process tools). */
  instance(id: string): Component | undefined {
    return this.nodes.get(id)?.instance;
  }
}

const rank = (s: HealthState) => (s === 'unhealthy' ? 2 : s === 'unknown' ? 1 : 0);

/** An instance's argument values with the declare's defaults for the ones not given. */
function withDefaults(p: PlannedNode | undefined, args: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!p?.shape) return args;
  const out: Record<string, unknown> = { ...(args ?? {}) };
  for (const a of p.shape.arguments) if (out[a.name] === undefined && a.optional) out[a.name] = a.default;
  return out;
}

/** `module_path` of the main config: its directory (or the directory itself when a whole directory is loaded). */
function modulePathOf(filename: string): string {
  const full = path.resolve(filename);
  try {
    if (fs.statSync(full).isDirectory()) return full;
  } catch {
    // not on disk (tests, stdin): its would-be directory
  }
  return path.dirname(full);
}
