// Shared informers: any number of components asking for the same (cluster,
// resource, scope, selectors) share ONE list+watch in the process. Ref-counted:
// the watch stops when the last holder releases it. What the shared cache keeps
// is per holder (retention.ts): whole objects unless every holder gives a
// RetentionPolicy, in which case objects none retains are index entries.
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { kubeIdentity } from './client.js';
import { informerMetrics } from './metrics.js';
import { Reflector, type InformerEvent, type InformerHealth, type KubeObj } from './reflector.js';
import type { ResourceRef } from './resource.js';
import { isIndexEntry, type RetentionPolicy } from './retention.js';
import type { FillStats } from './reflector.js';

export type { FillStats, InformerEvent, InformerHealth, KubeObj, RetentionPolicy };
export { IndexEntry, isIndexEntry } from './retention.js';

export interface InformerRequest extends ResourceRef {
  kubeConfig: KubeConfig;
  labelSelector?: string;
  fieldSelector?: string;
  logger?: Logger;
  /** Test hook: first retry delay (default 500 ms). */
  initialBackoffMs?: number;
  /** Test hook: items per list page (default 500). */
  pageSize?: number;
  /**
   * What this holder needs whole (retention.ts). Absent: every object. With a policy,
   * objects() and get() also return IndexEntry values for objects no holder retains.
   */
  retention?: RetentionPolicy;
}

export interface InformerHandle {
  /** Every cached object (holders with a retention policy: index entries too). */
  objects(): KubeObj[];
  /** One object by "namespace/name" (or "name" when cluster-scoped). */
  get(key: string): KubeObj | undefined;
  /** Synced; for a holder without a policy, also every object whole. */
  readonly synced: boolean;
  whenSynced(): Promise<void>;
  /** Batches of changes; after a re-list the batch holds the full difference. Returns an unsubscribe. */
  onChange(cb: (events: InformerEvent[]) => void): () => void;
  health(): InformerHealth;
  onHealth(cb: (h: InformerHealth) => void): () => void;
  /** The holder's policy changed its mind: shrink and fetch (resolves when fetched). */
  retentionChanged(): Promise<void>;
  /** Index entries held, and what filling them has cost so far (shared by the holders). */
  retentionStats(): { indexed: number } & FillStats;
  /** Idempotent. */
  release(): Promise<void>;
}

interface Shared {
  reflector: Reflector;
  refs: number;
  req: InformerRequest;
}

const shared = new Map<string, Shared>();

export function informerKey(r: InformerRequest): string {
  return JSON.stringify([kubeIdentity(r.kubeConfig), r.group, r.version, r.resource, r.namespace ?? '', r.labelSelector ?? '', r.fieldSelector ?? '']);
}

export function acquireInformer(r: InformerRequest): InformerHandle {
  const key = informerKey(r);
  let s = shared.get(key);
  if (!s) {
    const reflector = new Reflector({ ...r, metrics: informerMetrics });
    s = { reflector, refs: 0, req: r };
    shared.set(key, s);
    reflector.start();
  }
  s.refs++;
  const entry = s;
  const unsubs: (() => void)[] = [];
  let released = false;
  const reflector = entry.reflector;
  const policy = r.retention;
  unsubs.push(reflector.hold(policy));
  // A holder without a policy never sees an index entry (there are none once it is complete).
  const whole = (o: KubeObj | undefined) => (o === undefined || isIndexEntry(o) ? undefined : o);
  return {
    objects: policy ? () => [...reflector.cache.values()] : () => [...reflector.cache.values()].filter((o) => !isIndexEntry(o)),
    get: policy ? (k) => reflector.cache.get(k) : (k) => whole(reflector.cache.get(k)),
    get synced() {
      return policy ? reflector.synced : reflector.complete;
    },
    whenSynced: () => (policy ? reflector.whenSynced() : reflector.whenComplete()),
    retentionChanged: () => reflector.reapplyRetention(),
    retentionStats: () => ({ indexed: reflector.indexedCount, ...reflector.fillStats }),
    onChange(cb) {
      const u = reflector.onChange(cb);
      unsubs.push(u);
      return u;
    },
    health: () => reflector.health,
    onHealth(cb) {
      const u = reflector.onHealth(cb);
      unsubs.push(u);
      return u;
    },
    async release() {
      if (released) return;
      released = true;
      for (const u of unsubs.splice(0)) u();
      entry.refs--;
      if (entry.refs === 0) {
        if (shared.get(key) === entry) shared.delete(key);
        await reflector.stop();
      }
    },
  };
}

/** The list+watch loops running in this process as "group/version/resource ns=<namespace or *>" (for tests and debug info). */
export function activeInformers(): string[] {
  return [...shared.values()].map(({ req: r }) => `${r.group || 'core'}/${r.version}/${r.resource} ns=${r.namespace || '*'}`).sort();
}

/** Number of distinct list+watch loops running in this process (for tests and debug info). */
export function activeInformerCount(): number {
  return shared.size;
}
