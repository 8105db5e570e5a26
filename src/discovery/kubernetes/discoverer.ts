// Wires shared informers to the pure role functions: acquires the watches a
// role needs, rebuilds target groups on (debounced) changes, and reports the
// flattened targets and the informers' health.
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { acquireInformer, type InformerHandle } from '../../kube/informers.js';
import { MAIN_RESOURCE, selectorFor, type DiscoveryArgs, type Role } from './arguments.js';
import { endpointSliceTargets } from './endpointslice.js';
import { endpointsTargets } from './endpoints.js';
import { ingressTargets } from './ingress.js';
import { flattenGroups, nm, ns } from './labels.js';
import { nodeGroupAfterUpdate, nodeSource, nodeTargets } from './node.js';
import { podTargets } from './pod.js';
import { scopeToNamespace } from './scope.js';
import { serviceTargets } from './service.js';
import type { KubeObject, Node, RoleContext, Target, TargetGroup } from './types.js';

interface Res {
  group: string;
  version: string;
  resource: string;
  namespaced: boolean;
}
const R: Record<string, Res> = {
  pods: { group: '', version: 'v1', resource: 'pods', namespaced: true },
  services: { group: '', version: 'v1', resource: 'services', namespaced: true },
  endpoints: { group: '', version: 'v1', resource: 'endpoints', namespaced: true },
  endpointslices: { group: 'discovery.k8s.io', version: 'v1', resource: 'endpointslices', namespaced: true },
  nodes: { group: '', version: 'v1', resource: 'nodes', namespaced: false },
  namespaces: { group: '', version: 'v1', resource: 'namespaces', namespaced: false },
  ingresses: { group: 'networking.k8s.io', version: 'v1', resource: 'ingresses', namespaced: true },
  replicasets: { group: 'apps', version: 'v1', resource: 'replicasets', namespaced: true },
  jobs: { group: 'batch', version: 'v1', resource: 'jobs', namespaced: true },
};

const BUILD: Record<Role, (o: any, ctx: RoleContext) => TargetGroup> = {
  pod: podTargets,
  service: serviceTargets,
  endpoints: endpointsTargets,
  endpointslice: endpointSliceTargets,
  node: nodeTargets,
  ingress: ingressTargets,
};

/** Informers of one resource, one per watched namespace (or one for all / cluster-scoped). */
class ResourceSet {
  constructor(
    readonly name: string,
    readonly handles: Map<string, InformerHandle>,
  ) {}
  get(namespace: string, name: string): KubeObject | undefined {
    const h = this.handles.get(namespace) ?? this.handles.get('');
    return h?.get(namespace ? `${namespace}/${name}` : name) as KubeObject | undefined;
  }
  objects(): KubeObject[] {
    return [...this.handles.values()].flatMap((h) => h.objects() as KubeObject[]);
  }
}

export interface DiscovererOptions {
  args: DiscoveryArgs;
  kubeConfig: KubeConfig;
  namespaces: (string | undefined)[];
  logger?: Logger;
  debounceMs?: number;
  /** Called with the full target list whenever it really changed. */
  onTargets(targets: Target[]): void;
  onHealth(state: 'healthy' | 'unhealthy', message: string): void;
  /** Test hook for informer retry delays. */
  initialBackoffMs?: number;
}

export class KubeDiscoverer {
  readonly #sets = new Map<string, ResourceSet>();
  readonly #all: InformerHandle[] = [];
  #timer: NodeJS.Timeout | undefined;
  #last: string | undefined;
  #lastHealth = '';
  #stopped = false;
  #targets: Target[] = [];
  /** role node: the last group of each node (kept while a node has no address, as Prometheus does). */
  #nodeGroups = new Map<string, TargetGroup>();

  constructor(private readonly o: DiscovererOptions) {
    const a = o.args;
    const am = a.attach_metadata ?? {};
    const want: [string, Role | undefined][] = [[MAIN_RESOURCE[a.role], a.role]];
    if (a.role === 'endpoints' || a.role === 'endpointslice') want.push(['services', 'service'], ['pods', 'pod']);
    const nodeMeta = am.node && ['pod', 'endpoints', 'endpointslice'].includes(a.role);
    if (nodeMeta) want.push(['nodes', 'node']);
    if (am.namespace && a.role !== 'node') want.push(['namespaces', undefined]);
    const podMeta = ['pod', 'endpoints', 'endpointslice'].includes(a.role);
    if (podMeta && am.deployment) want.push(['replicasets', undefined]);
    if (podMeta && (am.job || am.cronjob)) want.push(['jobs', undefined]);

    for (const [res, selRole] of want) {
      if (this.#sets.has(res)) continue;
      const r = R[res];
      const sel = selRole ? selectorFor(a, selRole) : {};
      const scopes = r.namespaced ? o.namespaces : [undefined];
      const handles = new Map<string, InformerHandle>();
      for (const ns of scopes) {
        const h = acquireInformer({
          kubeConfig: o.kubeConfig,
          group: r.group,
          version: r.version,
          resource: r.resource,
          namespace: ns,
          ...sel,
          logger: o.logger,
          initialBackoffMs: o.initialBackoffMs,
        });
        h.onChange(() => this.#schedule());
        h.onHealth(() => this.#schedule());
        handles.set(ns ?? '', h);
        this.#all.push(h);
      }
      this.#sets.set(res, new ResourceSet(res, handles));
    }
    this.#schedule();
  }

  get targets(): Target[] {
    return this.#targets;
  }

  get informerCount(): number {
    return this.#all.length;
  }

  #schedule(): void {
    if (this.#stopped || this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#recompute();
    }, this.o.debounceMs ?? 150);
  }

  #context(): RoleContext {
    const a = this.o.args;
    const am = a.attach_metadata ?? {};
    const s = (n: string) => this.#sets.get(n);
    const ctx: RoleContext = {};
    const pods = s('pods');
    if (pods && a.role !== 'pod') ctx.pod = (ns, name) => pods.get(ns, name);
    const svcs = s('services');
    if (svcs && a.role !== 'service') ctx.service = (ns, name) => svcs.get(ns, name);
    const nodes = s('nodes');
    if (nodes && a.role !== 'node') ctx.node = (name) => nodes.get('', name);
    const nss = s('namespaces');
    if (nss) ctx.namespace = (name) => nss.get('', name);
    const rs = s('replicasets');
    if (rs) ctx.replicaSet = (ns, name) => rs.get(ns, name);
    const jobs = s('jobs');
    if (jobs && am.cronjob) ctx.job = (ns, name) => jobs.get(ns, name);
    if (am.job) ctx.jobName = true;
    return ctx;
  }

  /** One target group per object, with the lookups Prometheus's discoverer of that object would have. */
  #groups(objects: KubeObject[]): TargetGroup[] {
    const role = this.o.args.role;
    const ctx = this.#context();
    if (role === 'node') {
      const next = new Map<string, TargetGroup>();
      for (const o of objects) {
        const g = nodeGroupAfterUpdate(o as Node, this.#nodeGroups.get(nodeSource(nm(o.metadata))));
        if (g) next.set(g.source, g);
      }
      this.#nodeGroups = next;
      return [...next.values()];
    }
    const build = BUILD[role];
    // Explicit namespaces mean one Prometheus discoverer per namespace (see scope.ts).
    const perNamespace = this.o.namespaces.some((n) => n !== undefined);
    return objects.map((o) => build(o, perNamespace ? scopeToNamespace(ctx, ns(o.metadata)) : ctx));
  }

  #recompute(): void {
    if (this.#stopped) return;
    const bad = this.#all.map((h) => h.health()).filter((h) => h.state === 'unhealthy');
    const health = bad.length > 0 ? `unhealthy:${[...new Set(bad.map((b) => b.message))].join('; ')}` : 'healthy:';
    // Publish nothing until every cache holds a first full list: a partial view would drop targets.
    const synced = this.#all.every((h) => h.synced);
    if (synced) {
      const groups = this.#groups(this.#sets.get(MAIN_RESOURCE[this.o.args.role])?.objects() ?? []);
      groups.sort((x, y) => (x.source < y.source ? -1 : x.source > y.source ? 1 : 0));
      const targets = flattenGroups(groups);
      const key = JSON.stringify(targets);
      if (key !== this.#last) {
        this.#last = key;
        this.#targets = targets;
        this.o.onTargets(targets);
      }
    }
    if (health !== this.#lastHealth) {
      this.#lastHealth = health;
      if (bad.length > 0) this.o.onHealth('unhealthy', health.slice('unhealthy:'.length));
      else if (synced) this.o.onHealth('healthy', '');
      else this.#lastHealth = '';
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    await Promise.all(this.#all.map((h) => h.release()));
  }
}
