// Secrets and ConfigMaps referenced by monitors (bearer tokens, basic auth,
// TLS material, OAuth2 clients). Watched through the shared informers, one
// per namespace that holds a referencing monitor, so an edited Secret reaches
// the scrape workers without a restart; released when no monitor needs them.
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { acquireInformer, type InformerHandle } from '../../kube/informers.js';
import type { KeyRef } from './monitor.js';

export class PendingError extends Error {}

type Kind = 'secrets' | 'configmaps';

export class RefStore {
  private readonly handles = new Map<string, InformerHandle>();
  private used = new Set<string>();

  constructor(
    private readonly o: { kubeConfig: KubeConfig; logger?: Logger; onChange: () => void },
  ) {}

  /** Start a recompute: references made until sweep() keep their watches. */
  begin(): void {
    this.used = new Set();
  }

  /** Release watches nobody referenced since begin(). */
  async sweep(): Promise<void> {
    const gone = [...this.handles.keys()].filter((k) => !this.used.has(k));
    for (const k of gone) {
      const h = this.handles.get(k)!;
      this.handles.delete(k);
      await h.release();
    }
  }

  private handle(kind: Kind, namespace: string): InformerHandle {
    const key = `${kind}/${namespace}`;
    this.used.add(key);
    let h = this.handles.get(key);
    if (!h) {
      h = acquireInformer({ kubeConfig: this.o.kubeConfig, group: '', version: 'v1', resource: kind, namespace, logger: this.o.logger });
      h.onChange(() => this.o.onChange());
      h.onHealth(() => this.o.onChange());
      this.handles.set(key, h);
    }
    return h;
  }

  /**
   * The value of a key. Throws PendingError while the namespace's first list
   * is loading, Error(reason) when the object or key is missing (unless optional: undefined).
   */
  value(kind: 'Secret' | 'ConfigMap', namespace: string, ref: KeyRef): string | undefined {
    const h = this.handle(kind === 'Secret' ? 'secrets' : 'configmaps', namespace);
    if (!h.synced) {
      const health = h.health();
      if (health.state === 'unhealthy') throw new Error(`cannot read ${kind}s in namespace ${namespace}: ${health.message}`);
      throw new PendingError(`waiting for ${kind}s of namespace ${namespace}`);
    }
    const obj = h.get(`${namespace}/${ref.name}`) as { data?: Record<string, string>; stringData?: Record<string, string> } | undefined;
    if (!obj) {
      if (ref.optional) return undefined;
      throw new Error(`${kind} ${namespace}/${ref.name} not found`);
    }
    if (kind === 'Secret') {
      if (obj.stringData && typeof obj.stringData[ref.key] === 'string') return obj.stringData[ref.key];
      const b64 = obj.data?.[ref.key];
      if (typeof b64 === 'string') return Buffer.from(b64, 'base64').toString('utf8');
    } else {
      const v = obj.data?.[ref.key];
      if (typeof v === 'string') return v;
    }
    if (ref.optional) return undefined;
    throw new Error(`key ${JSON.stringify(ref.key)} not found in ${kind} ${namespace}/${ref.name}`);
  }

  async close(): Promise<void> {
    this.begin();
    await this.sweep();
  }
}
