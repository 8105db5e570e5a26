// loki.source.podlogs' body: watch PodLogs (the component's selector and
// namespace_selector choose which), namespaces and pods (only this node's with
// node_filter), turn them into container streams (targets.ts) and hand those
// to the one stream set of logs/tail. Recomputed, debounced, on any change.
// A bad PodLogs is skipped and reported by name with the reason; the others
// keep running.
import { Secret } from '../../syntax/secret.js';
import type { KubeClientArgs } from '../../kube/client.js';
import { makeKubeConfig } from '../../kube/client.js';
import { acquireInformer, type InformerHandle, type KubeObj } from '../../kube/informers.js';
import { TailStreams } from '../../logs/tail/streams.js';
import type { TailTarget } from '../../logs/tail/tailer.js';
import type { LogsReceiver } from '../../pipeline/logs.js';
import type { ComponentContext } from '../../runtime/types.js';
import { fromBlock, matchesSelector, selectorString, type SelectorBlock } from '../selector.js';
import { parsePodLogs, podLogsName, PODLOGS_GROUP, PODLOGS_RESOURCE, PODLOGS_VERSION } from './spec.js';
import { podLogsStreams, type DiscoveredContainer, type NamespaceObject, type PodObject } from './targets.js';

export interface PodLogsArgs {
  forward_to: LogsReceiver[];
  client?: KubeClientArgs;
  selector?: SelectorBlock;
  namespace_selector?: SelectorBlock;
  tail_from_end?: boolean;
  preserve_discovered_labels?: boolean;
  node_filter?: { enabled?: boolean; node_name?: string };
  clustering?: { enabled?: boolean };
}

export interface PodLogsStatus {
  name: string;
  state: 'ok' | 'error';
  reconcile_error?: string;
  containers: DiscoveredContainer[];
}

/** The node to keep pods of, or undefined when node_filter is off (NODE_NAME when node_name is empty, as Alloy). */
export function nodeFilterName(nf: PodLogsArgs['node_filter']): string | undefined {
  if (!nf?.enabled) return undefined;
  return nf.node_name || process.env.NODE_NAME || undefined;
}

function watchKey(a: PodLogsArgs): string {
  return JSON.stringify([a.client ?? {}, a.selector ?? {}, nodeFilterName(a.node_filter) ?? ''], (_k, v) => (v instanceof Secret ? { secret: v.reveal() } : v));
}

interface Watch {
  key: string;
  podLogs: InformerHandle;
  namespaces: InformerHandle;
  pods: InformerHandle;
}

export class PodLogsController {
  readonly #streams: TailStreams;
  #args: PodLogsArgs | undefined;
  #watch: Watch | undefined;
  #timer: NodeJS.Timeout | undefined;
  #computing: Promise<void> | undefined;
  #again = false;
  #stopped = false;
  #statuses: PodLogsStatus[] = [];
  #reported = new Set<string>();
  #lastHealth = '';
  #unsubscribeCluster: (() => void) | undefined;

  constructor(
    private readonly ctx: ComponentContext,
    private readonly debounceMs = 100,
  ) {
    this.#streams = new TailStreams(ctx);
  }

  async update(args: PodLogsArgs): Promise<void> {
    if (this.#stopped) return;
    this.#args = args;
    const nf = args.node_filter;
    if (nf?.enabled && !nodeFilterName(nf)) this.ctx.logger.warn('node_filter is enabled but neither node_name nor NODE_NAME is set: pods of every node are tailed');
    const key = watchKey(args);
    if (this.#watch?.key !== key) {
      await this.#closeWatch();
      this.#openWatch(args, key);
    }
    // Ownership changes re-run the set's own reconcile; a recompute also follows so the report stays current.
    this.#unsubscribeCluster ??= this.ctx.cluster.onChange(() => this.#schedule());
    this.#schedule(0);
  }

  #openWatch(args: PodLogsArgs, key: string): void {
    const kubeConfig = makeKubeConfig(args.client ?? {});
    const common = { kubeConfig, logger: this.ctx.logger };
    const node = nodeFilterName(args.node_filter);
    const watch: Watch = {
      key,
      podLogs: acquireInformer({ ...common, group: PODLOGS_GROUP, version: PODLOGS_VERSION, resource: PODLOGS_RESOURCE, labelSelector: selectorString(fromBlock(args.selector)) || undefined }),
      namespaces: acquireInformer({ ...common, group: '', version: 'v1', resource: 'namespaces' }),
      pods: acquireInformer({ ...common, group: '', version: 'v1', resource: 'pods', fieldSelector: node ? `spec.nodeName=${node}` : undefined }),
    };
    for (const h of [watch.podLogs, watch.namespaces, watch.pods]) {
      h.onChange(() => this.#schedule());
      h.onHealth(() => this.#schedule());
    }
    this.#watch = watch;
    this.#setHealth('unknown', 'waiting for the first list of PodLogs, namespaces and pods');
  }

  async #closeWatch(): Promise<void> {
    const w = this.#watch;
    this.#watch = undefined;
    if (w) await Promise.all([w.podLogs.release(), w.namespaces.release(), w.pods.release()]);
  }

  #schedule(delay = this.debounceMs): void {
    if (this.#stopped) return;
    if (this.#computing) {
      this.#again = true;
      return;
    }
    if (this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#computing = this.#recompute()
        .catch((e: Error) => this.ctx.logger.error({ err: e.message }, 'reconciling PodLogs failed'))
        .finally(() => {
          this.#computing = undefined;
          if (this.#again) {
            this.#again = false;
            this.#schedule();
          }
        });
    }, delay);
  }

  async #recompute(): Promise<void> {
    const w = this.#watch;
    const args = this.#args;
    if (!w || !args || this.#stopped) return;
    const handles = [w.podLogs, w.namespaces, w.pods];
    const problems = handles.map((h) => h.health()).filter((h) => h.state === 'unhealthy');
    if (!handles.every((h) => h.synced)) {
      if (problems.length) this.#setHealth('unhealthy', `cannot list: ${problems.map((p) => p.message).join('; ')}`);
      return;
    }
    const namespaces = new Map<string, NamespaceObject>();
    for (const ns of w.namespaces.objects()) namespaces.set(ns.metadata?.name ?? '', ns as NamespaceObject);
    const crSelector = fromBlock(args.namespace_selector);
    const pods = w.pods.objects() as PodObject[];
    const targets = new Map<string, TailTarget>();
    const statuses: PodLogsStatus[] = [];
    const objects = [...w.podLogs.objects()].sort((a, b) => podLogsName(a).localeCompare(podLogsName(b)));
    for (const obj of objects) {
      // namespace_selector: which namespaces PodLogs are read from.
      const crNs = namespaces.get(obj.metadata?.namespace ?? '');
      if (!crNs || !matchesSelector(crSelector, crNs.metadata?.labels)) continue;
      statuses.push(this.#one(obj, pods, namespaces, args, targets));
    }
    await this.#streams.sync({ targets, forward: args.forward_to ?? [], client: args.client, clustered: args.clustering?.enabled === true, tailFromEnd: args.tail_from_end === true });
    this.#statuses = statuses;
    this.#report(statuses, problems.map((p) => p.message), targets.size);
  }

  #one(obj: KubeObj, pods: PodObject[], namespaces: Map<string, NamespaceObject>, args: PodLogsArgs, into: Map<string, TailTarget>): PodLogsStatus {
    const name = podLogsName(obj);
    let spec;
    try {
      spec = parsePodLogs(obj);
    } catch (e) {
      return { name, state: 'error', reconcile_error: (e as Error).message, containers: [] };
    }
    const found = podLogsStreams(spec, pods, namespaces, args.preserve_discovered_labels === true);
    // A container selected by two PodLogs is tailed once (the first by name), as one stream per container.
    for (const t of found.targets) if (!into.has(t.key)) into.set(t.key, t);
    const st: PodLogsStatus = { name, state: 'ok', containers: found.containers };
    if (found.errors.length) {
      st.state = 'error';
      st.reconcile_error = found.errors.join('; ');
    }
    return st;
  }

  #report(statuses: PodLogsStatus[], watchProblems: string[], streams: number): void {
    const bad = statuses.filter((s) => s.state !== 'ok');
    if (watchProblems.length) this.#setHealth('unhealthy', `watching PodLogs: ${[...new Set(watchProblems)].join('; ')}`);
    else if (bad.length) {
      const list = bad.map((s) => `${s.name}: ${s.reconcile_error}`);
      this.#setHealth('unhealthy', `${bad.length} of ${statuses.length} PodLogs skipped in whole or part: ${list.slice(0, 5).join('; ')}${list.length > 5 ? `; and ${list.length - 5} more` : ''}`);
    } else this.#setHealth('healthy', `${statuses.length} PodLogs, ${streams} container stream(s), ${this.#streams.size} tailed here`);
    const now = new Set(bad.map((s) => `${s.name}: ${s.reconcile_error}`));
    for (const s of bad) if (!this.#reported.has(`${s.name}: ${s.reconcile_error}`)) this.ctx.logger.warn({ cr: s.name, err: s.reconcile_error }, 'PodLogs skipped');
    this.#reported = now;
  }

  #setHealth(state: 'healthy' | 'unhealthy' | 'unknown', message: string): void {
    const k = `${state}:${message}`;
    if (k === this.#lastHealth) return;
    this.#lastHealth = k;
    this.ctx.setHealth(state, message);
  }

  /** For tests: resolves after pending work (debounce + recompute) has run. */
  async settle(): Promise<void> {
    for (let i = 0; i < 100 && (this.#timer || this.#computing); i++) {
      if (this.#computing) await this.#computing;
      else await new Promise((r) => setTimeout(r, 10));
    }
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#unsubscribeCluster?.();
    await this.#computing;
    await this.#streams.stop();
    await this.#closeWatch();
  }

  debugInfo(): unknown {
    const live = this.#streams.streams();
    return {
      pod_logs: this.#statuses.map((s) => ({
        ...s,
        containers: s.containers.map((c) => ({ ...c, stream: live.get(`${c.pod}:${c.container}`) })),
      })),
      ...this.#streams.debugInfo(),
    };
  }
}
