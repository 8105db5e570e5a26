// The shape of a discovery role. Each role file (pod.ts, service.ts, ...)
// exports one RoleDescriptor; roles.ts lists them. Argument validation and the
// discoverer read only descriptors, so a role is added by writing its file and
// listing it there.
import type { KubeObject, RoleContext, TargetGroup } from './types.js';

/** A Kubernetes API resource, as the informers list and watch it. */
export interface ResourceRef {
  /** '' for the core group. */
  group: string;
  version: string;
  /** Plural resource name, as in the API path ('pods'). */
  resource: string;
  namespaced: boolean;
}

/** The attach_metadata flags of discovery.kubernetes (the block's attributes, all default false). */
export const ATTACH_METADATA_FLAGS = ['node', 'namespace', 'deployment', 'job', 'cronjob'] as const;
export type AttachMetadataFlag = (typeof ATTACH_METADATA_FLAGS)[number];
export type AttachMetadata = Partial<Record<AttachMetadataFlag, boolean>>;

/** The RoleContext members that look an object up in another watch's cache. */
export type LookupName = {
  [K in keyof RoleContext]-?: NonNullable<RoleContext[K]> extends (...args: never[]) => unknown ? K : never;
}[keyof RoleContext];

/** The RoleContext members that are plain settings (no watch behind them). */
export type RoleOptions = Omit<RoleContext, LookupName>;

/**
 * How each lookup is keyed: namespaced lookups take (namespace, name), the
 * others a name. A watch backing a lookup must be of the same scope (checked
 * by roles.test.ts); scope.ts narrows the namespaced ones per namespace.
 */
export const LOOKUP_NAMESPACED: Record<LookupName, boolean> = {
  pod: true,
  service: true,
  replicaSet: true,
  job: true,
  node: false,
  namespace: false,
};

/** A watch a role needs besides its own resource. */
export interface ExtraWatch {
  resource: ResourceRef;
  /** The RoleContext lookup this watch's cache answers; none when the watch only has to exist. */
  lookup?: LookupName;
  /**
   * The `selectors` role whose selector filters this watch (Prometheus's
   * mapSelector: a selector names the role whose resource it selects).
   */
  selectorRole?: string;
  /** Watched only when one of these attach_metadata flags is on; always when absent. */
  attachMetadata?: AttachMetadataFlag[];
}

export interface RoleDescriptor<O extends KubeObject = any> {
  /** The `role` argument value. */
  role: string;
  /** The resource whose objects become target groups (filtered by this role's own selector). */
  resource: ResourceRef;
  /** Other watches, whose caches the target builder reads through RoleContext lookups. */
  extraWatches: ExtraWatch[];
  /** Settings of RoleContext that need no watch (attach_metadata.job's job name). */
  options?(am: AttachMetadata): RoleOptions;
  /** The target group of one object. */
  build(o: O, ctx: RoleContext): TargetGroup;
  /**
   * When set, the group held after an update of `o`, given the group held
   * before (undefined: none); used instead of `build` by roles that keep an
   * old group (node: Prometheus never sends the nil group of a node without address).
   */
  next?(o: O, previous: TargetGroup | undefined, ctx: RoleContext): TargetGroup | undefined;
  /**
   * With sharding on, own each target by its backing pod or address rather than by the object
   * (an endpoints object may hold a whole service's targets; see shard.ts).
   */
  shardPerTarget?: boolean;
}

/** The extra watches `d` needs with these attach_metadata settings. */
export function activeWatches(d: RoleDescriptor, am: AttachMetadata = {}): ExtraWatch[] {
  return d.extraWatches.filter((w) => !w.attachMetadata || w.attachMetadata.some((f) => am[f]));
}

/** The informer identity of a resource (version-independent, as the API server stores objects). */
export function resourceKey(r: ResourceRef): string {
  return `${r.group}/${r.resource}`;
}
