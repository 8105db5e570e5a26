// The component graph at run time: builds components in dependency order,
// re-evaluates only the dependants of a component whose exports changed, and
// applies reloads while keeping unchanged components (and their state) alive.
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
import { stdlib } from '../syntax/stdlib.js';
import type { ClusterOwnership } from '../clustering/ownership.js';
import { decodeBlock, zeroValue } from './decode.js';
import { planGraph, type PlannedNode } from './graph.js';
import { checkStability, type StabilityLevel } from './stability.js';
import type { Component, ComponentContext, Health, HealthState } from './types.js';
import { deepEqual } from './values.js';

export interface ControllerOptions {
  logger: Logger;
  metrics: Registry;
  storagePath: string;
  cluster: ClusterOwnership;
  /** --stability.level: features below it are refused (generally-available by default). */
  minStability?: StabilityLevel;
}

export interface NodeView {
  id: string;
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
  lastError?: unknown;
}

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
  private readonly evalSeconds: Histogram;
  private readonly loadFailures: Counter;
  private readonly lastLoadOk: Gauge;
  private readonly log: Logger;
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
        await this.apply(source, filename);
        this.lastLoadOk.set(1);
      } catch (e) {
        this.loadFailures.inc();
        this.lastLoadOk.set(0);
        throw e;
      }
    });
  }

  private async apply(source: string | File, filename: string): Promise<void> {
    const file = typeof source === 'string' ? parse(source, filename) : source; // a File: several config files as one
    checkStability(file.body, this.opts.minStability ?? 'generally-available');
    const plan = planGraph(file);

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
    const dryScope = this.scopeOf([...dryExports.keys()], (id) => dryExports.get(id));
    const skip = (expr: Expr) => references(expr).some((r) => referencesAny(r.path, pending));
    for (const p of plan.nodes) decodeBlock(p.block.body, p.def.args, dryScope, p.block.pos, { skip });
    for (const b of plan.configBlocks) this.onLoggingBlock?.(b);

    // Apply: stop removed (or re-typed) nodes, then build/update in order.
    const wanted = new Set(plan.nodes.map((p) => p.id));
    for (const [id, live] of this.nodes) {
      const next = plan.nodes.find((p) => p.id === id);
      if (!wanted.has(id) || (next && next.name !== live.plan.name)) await this.stopNode(live);
    }
    this.order = plan.nodes.map((p) => p.id);
    this.dependants = new Map(plan.nodes.map((p) => [p.id, [] as string[]]));
    for (const p of plan.nodes) for (const d of p.deps) this.dependants.get(d)!.push(p.id);

    const firstLoad = !this.loaded;
    const errors: string[] = [];
    let firstError: unknown;
    for (const p of plan.nodes) {
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
      for (const id of [...this.order].reverse()) {
        const live = this.nodes.get(id);
        if (live) await this.stopNode(live);
      }
      throw firstError;
    }
    this.loaded = true;
    this.log.info({ components: this.order.length, file: filename }, 'config loaded');
    if (errors.length) this.log.warn({ errors }, 'some components failed to evaluate');
  }

  private async buildNode(p: PlannedNode): Promise<void> {
    const abort = new AbortController();
    const live: LiveNode = {
      plan: p,
      metrics: componentRegistry(p.id),
      abort,
      exports: Object.fromEntries(Object.keys(p.def.exports).map((k) => [k, undefined])),
      args: undefined,
      reported: { state: 'unknown', message: 'starting', updatedTime: now() },
    };
    this.nodes.set(p.id, live);
    const started = performance.now();
    try {
      const args = decodeBlock(p.block.body, p.def.args, this.scope(), p.block.pos);
      live.args = args;
      const instance = p.def.build(this.contextFor(live), args);
      live.instance = instance;
      await instance.update(args);
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
      const args = decodeBlock(live.plan.block.body, live.plan.def.args, this.scope(), live.plan.block.pos);
      if (!deepEqual(args, live.args)) {
        await live.instance.update(args);
        live.args = args;
      }
      live.evalError = undefined;
    } catch (e) {
      this.setEvalError(live, e);
    } finally {
      this.evalSeconds.observe({ component_id: live.plan.id }, (performance.now() - started) / 1000);
    }
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
      setHealth: (state, message = '') => {
        live.reported = { state, message, updatedTime: now() };
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

  private scope(): Scope {
    return this.scopeOf([...this.nodes.keys()], (id) => this.nodes.get(id)?.exports);
  }

  /** Root identifiers resolve to the namespace tree of component exports, then to the stdlib. */
  private scopeOf(ids: string[], exportsOf: (id: string) => Record<string, unknown> | undefined): Scope {
    // Prototype-free objects: a component named like an Object built-in must not resolve to it.
    const tree: Record<string, any> = Object.create(null);
    for (const id of ids) {
      const parts = id.split('.');
      let cur = tree;
      for (const part of parts.slice(0, -1)) cur = cur[part] ??= Object.create(null);
      cur[parts[parts.length - 1]] = exportsOf(id) ?? {};
    }
    const lib = stdlib as Record<string, any>;
    return { lookup: (name: string) => (name in tree ? tree[name] : Object.prototype.hasOwnProperty.call(lib, name) ? lib[name] : undefined) };
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
    await this.serialize(async () => {
      for (const id of [...this.order].reverse()) {
        const live = this.nodes.get(id);
        if (live) await this.stopNode(live);
      }
    });
  }

  private health(live: LiveNode): Health {
    return live.evalError ?? live.reported;
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

  /** The metric registries of the running components (merged into /metrics). */
  componentRegistries(): Registry[] {
    return [...this.nodes.values()].map((n) => n.metrics);
  }

  /** The running instance (tests and in-process tools). */
  instance(id: string): Component | undefined {
    return this.nodes.get(id)?.instance;
  }
}
