// Shared informers: any number of components asking for the same (cluster,
// resource, scope, selectors) share ONE list+watch in the process. Ref-counted:
// the watch stops when the last holder releases it.
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { kubeIdentity } from './client.js';
import { informerMetrics } from './metrics.js';
import { Reflector, type InformerEvent, type InformerHealth, type KubeObj } from './reflector.js';
import type { ResourceRef } from './resource.js';

export type { InformerEvent, InformerHealth, KubeObj };

export interface InformerRequest extends ResourceRef {
  kubeConfig: KubeConfig;
  labelSelector?: string;
  fieldSelector?: string;
  logger?: Logger;
  /** Test hook: first retry delay (default 500 ms). */
  initialBackoffMs?: number;
}

export interface InformerHandle {
  /** Every cached object. */
  objects(): KubeObj[];
  /** One object by "namespace/name" (or "name" when cluster-scoped). */
  get(key: string): KubeObj | undefined;
  readonly synced: boolean;
  whenSynced(): Promise<void>;
  /** Batches of changes; after a re-list the batch holds the full difference. Returns an unsubscribe. */
  onChange(cb: (events: InformerEvent[]) => void): () => void;
  health(): InformerHealth;
  onHealth(cb: (h: InformerHealth) => void): () => void;
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
  return {
    objects: () => [...reflector.cache.values()],
    get: (k) => reflector.cache.get(k),
    get synced() {
      return reflector.synced;
    },
    whenSynced: () => reflector.whenSynced(),
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
