// `sharding { enabled = true }` (an alloy-ts extension, experimental): in a
// cluster, each replica keeps and exports only the targets whose object it
// owns on the cluster ring. Every replica still watches every resource once,
// but for object-keyed roles (pod, service, node, ingress) the shared cache
// keeps whole only the owned objects (src/kube/retention.ts); the others are
// index entries (namespace, name, uid, resourceVersion), unless another
// component holding the same informer needs them whole. When a member joins
// or leaves, objects no longer owned shrink at once and newly owned ones are
// fetched (GETs or per-namespace lists, whichever costs fewer requests).
//
// Why the object and not the final target: consumers (prometheus.scrape,
// loki.source.kubernetes) decide ownership by the target's labels after
// relabeling, which discovery cannot know. So the shard key here is the
// Kubernetes object a target comes from, and consumers fed by a sharded
// discovery must not filter again (see docs/components/discovery.kubernetes.md).
import type { ClusterOwnership } from '../../clustering/ownership.js';
import { isIndexEntry } from '../../kube/retention.js';
import { META, nm, ns } from './labels.js';
import type { KubeObject, Target, TargetGroup } from './types.js';

/** The ring key of an object: the same pod is owned by the same replica whichever role finds it. */
export function objectShardKey(resource: string, o: KubeObject): string {
  const namespace = ns(o.metadata);
  return namespace ? `${resource}/${namespace}/${nm(o.metadata)}` : `${resource}/${nm(o.metadata)}`;
}

/**
 * The ring key of one endpoints/endpointslice target: the pod it is joined
 * with (so its key equals that pod's key in the pod role), else its address.
 * One endpoints object can hold thousands of targets: keying them by the
 * object would put a whole service on one replica.
 */
export function targetShardKey(groupLabels: Target, t: Target): string {
  const pod = t[`${META}pod_name`];
  if (pod !== undefined) return `pods/${groupLabels[`${META}namespace`] ?? ''}/${pod}`;
  return `address/${t.__address__ ?? ''}`;
}

/** Counts of what this replica keeps and what it leaves to others (debug info). */
export interface ShardStats {
  ownedObjects: number;
  otherObjects: number;
  ownedTargets: number;
  otherTargets: number;
  /** Owned objects still index entries (their fetch after a takeover is under way): no targets yet. */
  pendingObjects: number;
  /** The role's informer caches: index entries held, and what takeovers fetched (GETs, list pages, objects). */
  index?: { indexed: number; gets: number; listPages: number; filled: number };
}

/**
 * Applies ownership while groups are built: no labels are built or held for
 * targets this replica does not own, except transiently for per-target roles
 * (endpoints, endpointslice).
 */
export class ShardFilter {
  stats: ShardStats = { ownedObjects: 0, otherObjects: 0, ownedTargets: 0, otherTargets: 0, pendingObjects: 0 };

  constructor(
    private readonly ownership: ClusterOwnership,
    private readonly resource: string,
    /** Roles whose objects each hold many unrelated targets (endpoints, endpointslice). */
    private readonly perTarget: boolean,
  ) {}

  /** Called before each full rebuild. */
  reset(): void {
    this.stats = { ownedObjects: 0, otherObjects: 0, ownedTargets: 0, otherTargets: 0, pendingObjects: 0 };
  }

  /** Whether to build `o`'s group at all (per-target roles always build, then filter). */
  buildObject(o: KubeObject): boolean {
    if (this.perTarget) return true;
    const mine = this.ownership.owns(objectShardKey(this.resource, o));
    if (!mine) this.stats.otherObjects++;
    else if (isIndexEntry(o)) this.stats.pendingObjects++;
    else this.stats.ownedObjects++;
    return mine && !isIndexEntry(o);
  }

  /** The group reduced to the targets this replica owns. */
  keep(g: TargetGroup): TargetGroup {
    if (!this.perTarget) {
      this.stats.ownedTargets += g.targets.length;
      return g;
    }
    const targets = g.targets.filter((t) => this.ownership.owns(targetShardKey(g.labels, t)));
    this.stats.ownedTargets += targets.length;
    this.stats.otherTargets += g.targets.length - targets.length;
    if (targets.length > 0) this.stats.ownedObjects++;
    else this.stats.otherObjects++;
    return { ...g, targets };
  }
}
