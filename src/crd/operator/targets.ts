// Discovered targets for monitor jobs, from the same discovery code and
// shared informers as discovery.kubernetes: one KubeDiscoverer per (role,
// namespace or all, node metadata), created when a job first needs it and
// stopped when no job does. Jobs of many CRs in one namespace share one.
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { KubeDiscoverer } from '../../discovery/kubernetes/discoverer.js';
import type { Target } from '../../discovery/kubernetes/types.js';
import type { DiscoveryRole } from './relabelgen.js';
import type { SelectorArgs } from '../../discovery/kubernetes/arguments.js';

/** Discovery selectors (a RoleSelector monitor's label selector per watched role). */
type Selectors = SelectorArgs[];
/** Monitors' roles plus those Probes (ingress) and ScrapeConfigs (any role) discover with. */
type HubRole = DiscoveryRole | 'ingress' | 'service' | 'node';

interface Entry {
  d: KubeDiscoverer;
  synced: boolean;
  health: { state: 'healthy' | 'unhealthy'; message: string } | undefined;
}

export class TargetHub {
  private readonly entries = new Map<string, Entry>();
  private used = new Set<string>();

  constructor(
    private readonly o: {
      kubeConfig: KubeConfig;
      logger?: Logger;
      onChange: () => void;
      debounceMs?: number;
    },
  ) {}

  begin(): void {
    this.used = new Set();
  }

  async sweep(): Promise<void> {
    for (const [k, e] of [...this.entries]) {
      if (this.used.has(k)) continue;
      this.entries.delete(k);
      await e.d.stop();
    }
  }

  private entry(role: HubRole, namespace: string | undefined, attachNode: boolean, selectors: Selectors | undefined): Entry {
    const key = JSON.stringify([role, namespace ?? null, attachNode, selectors?.length ? selectors : null]);
    this.used.add(key);
    let e = this.entries.get(key);
    if (!e) {
      const entry: Entry = { d: undefined as unknown as KubeDiscoverer, synced: false, health: undefined };
      entry.d = new KubeDiscoverer({
        args: { role, attach_metadata: attachNode ? { node: true } : undefined, selectors },
        kubeConfig: this.o.kubeConfig,
        namespaces: [namespace],
       
        logger: this.o.logger,
        debounceMs: this.o.debounceMs,
        onTargets: () => {
          entry.synced = true;
          this.o.onChange();
        },
        onHealth: (state, message) => {
          entry.health = { state, message };
          if (state === 'healthy') entry.synced = true;
          this.o.onChange();
        },
      });
      e = entry;
      this.entries.set(key, e);
    }
    return e;
  }

  /**
   * Targets of a role in the namespaces (undefined: all). `ready` is false
   * until every needed watch holds a first full list; `problem` carries an
   * unhealthy watch's message.
   */
  targets(role: HubRole, namespaces: string[] | undefined, attachNode: boolean, selectors?: Selectors): { targets: Target[]; ready: boolean; problem?: string } {
    const list = (namespaces ?? [undefined]).map((ns) => this.entry(role, ns, attachNode, selectors));
    const problems = list.filter((e) => e.health?.state === 'unhealthy').map((e) => e.health!.message);
    return {
      targets: list.flatMap((e) => e.d.targets),
      ready: list.every((e) => e.synced),
      problem: problems.length > 0 ? [...new Set(problems)].join('; ') : undefined,
    };
  }

  get size(): number {
    return this.entries.size;
  }

  async close(): Promise<void> {
    this.begin();
    await this.sweep();
  }
}
