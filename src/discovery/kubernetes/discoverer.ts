// Wires shared informers to a role's descriptor (roles.ts): acquires the
// watches it names (its resource and the extra watches its attach_metadata
// settings turn on), backs its lookups with their caches, rebuilds target
// groups on (debounced) changes, and reports the flattened targets and the
// informers' health. Nothing here names a role.
import { createHash } from 'node:crypto';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { acquireInformer, isIndexEntry, type InformerHandle, type RetentionPolicy } from '../../kube/informers.js';
import type { ClusterOwnership } from '../../clustering/ownership.js';
import type { Target } from '../../relabel/targets.js';
import { selectorFor, type DiscoveryArgs } from './arguments.js';
import { flattenGroups, nm, ns } from './labels.js';
import { LOOKUP_NAMESPACED, activeWatches, resourceKey, type ExtraWatch, type RoleDescriptor } from './role.js';
import { roleDescriptor, roleNames } from './roles.js';
import { scopeToNamespace } from './scope.js';
import { ShardFilter, objectShardKey, type ShardStats } from './shard.js';
import type { KubeObject, RoleContext, TargetGroup } from './types.js';

/** Informers of one resource, one per watched namespace (or one for all / cluster-scoped). */
class ResourceSet {
  constructor(
    readonly name: string,
    readonly handles: Map<string, InformerHandle>,
  ) {}
  get(namespace: string, name: string): KubeObject | undefined {
    const h = this.handles.get(namespace) ?? this.handles.get('');
    const o = h?.get(namespace ? `${namespace}/${name}` : name);
    // A lookup never reads an index entry (only the role's own watch holds them, see retention).
    return o === undefined || isIndexEntry(o) ? undefined : (o as KubeObject);
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
  /**
   * sharding { enabled = true }: keep and export only the targets this replica owns (shard.ts).
   * Absent: every target, as Alloy.
   */
  ownership?: ClusterOwnership;
}

export class KubeDiscoverer {
  readonly #sets = new Map<string, ResourceSet>();
  readonly #all: InformerHandle[] = [];
  #timer: NodeJS.Timeout | undefined;
  /** Digest of the last published targets: the JSON itself would hold every label a second time. */
  #last: string | undefined;
  #lastHealth = '';
  #stopped = false;
  #targets: Target[] = [];
  readonly #role: RoleDescriptor;
  readonly #extraWatches: ExtraWatch[];
  /** Roles with `next`: the group last held per object (namespace/name). */
  #previous = new Map<string, TargetGroup>();
  readonly #shard: ShardFilter | undefined;
  #unsubscribeOwnership: (() => void) | undefined;
  /** The role's own informers (those the retention policy applies to). */
  #main: InformerHandle[] = [];

  constructor(private readonly o: DiscovererOptions) {
    const a = o.args;
    const role = roleDescriptor(a.role);
    if (!role) throw new Error(`role ${JSON.stringify(a.role)} is not one of ${roleNames().join(', ')}`);
    this.#role = role;
    this.#extraWatches = activeWatches(role, a.attach_metadata);
    const want = [{ resource: role.resource, selectorRole: role.role }, ...this.#extraWatches];
    // Sharded object roles keep whole only the objects this replica owns; the rest are
    // index entries in the shared cache (unless another holder needs them whole). Per-target
    // roles keep every object whole: an endpoints object holds targets of every replica.
    const ownership = o.ownership;
    const retention: RetentionPolicy | undefined =
      ownership && !role.shardPerTarget ? { retain: (obj) => ownership.owns(objectShardKey(role.resource.resource, obj as KubeObject)) } : undefined;

    for (const [i, { resource: r, selectorRole }] of want.entries()) {
      const key = resourceKey(r);
      if (this.#sets.has(key)) continue;
      const sel = selectorRole ? selectorFor(a, selectorRole) : {};
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
          retention: i === 0 ? retention : undefined,
        });
        if (i === 0) this.#main.push(h);
        h.onChange(() => this.#schedule());
        h.onHealth(() => this.#schedule());
        handles.set(ns ?? '', h);
        this.#all.push(h);
      }
      this.#sets.set(key, new ResourceSet(key, handles));
    }
    if (o.ownership) {
      this.#shard = new ShardFilter(o.ownership, role.resource.resource, role.shardPerTarget === true);
      // A member joining or leaving moves ownership: objects no longer owned shrink to index
      // entries at once, newly owned ones are fetched (their MODIFIED events reschedule).
      this.#unsubscribeOwnership = o.ownership.onChange(() => {
        for (const h of this.#main) void h.retentionChanged();
        this.#schedule();
      });
    }
    this.#schedule();
  }

  get targets(): Target[] {
    return this.#targets;
  }

  get informerCount(): number {
    return this.#all.length;
  }

  /** What sharding kept and left to other replicas at the last rebuild; undefined when not sharding. */
  get shardStats(): ShardStats | undefined {
    if (!this.#shard) return undefined;
    const index = { indexed: 0, gets: 0, listPages: 0, filled: 0 };
    for (const h of this.#main) {
      const s = h.retentionStats();
      index.indexed += s.indexed;
      index.gets += s.gets;
      index.listPages += s.listPages;
      index.filled += s.filled;
    }
    return { ...this.#shard.stats, index };
  }

  #schedule(): void {
    if (this.#stopped || this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#recompute();
    }, this.o.debounceMs ?? 150);
  }

  /** The lookups of the active extra watches, and the role's settings. */
  #context(): RoleContext {
    const ctx: Record<string, unknown> = { ...this.#role.options?.(this.o.args.attach_metadata ?? {}) };
    for (const w of this.#extraWatches) {
      if (!w.lookup) continue;
      const set = this.#sets.get(resourceKey(w.resource))!;
      ctx[w.lookup] = LOOKUP_NAMESPACED[w.lookup]
        ? (namespace: string, name: string) => set.get(namespace, name)
        : (name: string) => set.get('', name);
    }
    return ctx as RoleContext;
  }

  /** One target group per object, with the lookups Prometheus's discoverer of that object would have. */
  #groups(objects: KubeObject[]): TargetGroup[] {
    const role = this.#role;
    const ctx = this.#context();
    // Explicit namespaces mean one Prometheus discoverer per namespace (see scope.ts).
    const perNamespace = this.o.namespaces.some((n) => n !== undefined);
    const ctxOf = (o: KubeObject) => (perNamespace && role.resource.namespaced ? scopeToNamespace(ctx, ns(o.metadata)) : ctx);
    const shard = this.#shard;
    shard?.reset();
    const mine = shard ? objects.filter((o) => shard.buildObject(o)) : objects;
    const keep = (g: TargetGroup) => (shard ? shard.keep(g) : g);
    if (!role.next) return mine.map((o) => keep(role.build(o, ctxOf(o))));
    const next = new Map<string, TargetGroup>();
    for (const o of mine) {
      const key = `${ns(o.metadata)}/${nm(o.metadata)}`;
      const g = role.next(o, this.#previous.get(key), ctxOf(o));
      if (g) next.set(key, keep(g));
    }
    this.#previous = next;
    return [...next.values()];
  }

  #recompute(): void {
    if (this.#stopped) return;
    const bad = this.#all.map((h) => h.health()).filter((h) => h.state === 'unhealthy');
    const health = bad.length > 0 ? `unhealthy:${[...new Set(bad.map((b) => b.message))].join('; ')}` : 'healthy:';
    // Publish nothing until every cache holds a first full list: a partial view would drop targets.
    const synced = this.#all.every((h) => h.synced);
    if (synced) {
      const groups = this.#groups(this.#sets.get(resourceKey(this.#role.resource))?.objects() ?? []);
      groups.sort((x, y) => (x.source < y.source ? -1 : x.source > y.source ? 1 : 0));
      const targets = flattenGroups(groups);
      const key = createHash('sha256').update(JSON.stringify(targets)).digest('base64');
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
    this.#unsubscribeOwnership?.();
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    await Promise.all(this.#all.map((h) => h.release()));
  }
}
