// discovery.kubernetes: Prometheus kubernetes_sd_configs target groups,
// flattened into targets, from shared informers.
import { loadKubeClient, makeKubeConfig } from '../../kube/client.js';
import { registerComponent } from '../../runtime/registry.js';
import { Secret } from '../../syntax/secret.js';
import { t, type Component, type ComponentContext, type ComponentDefinition } from '../../runtime/types.js';
import { argsSchema, namespacesToWatch, validateDiscoveryArgs, type DiscoveryArgs } from '../../discovery/kubernetes/arguments.js';
import { KubeDiscoverer } from '../../discovery/kubernetes/discoverer.js';

export type { DiscoveryArgs };

/** A comparable form of the arguments (secrets revealed: it never leaves memory). */
function argsKey(a: DiscoveryArgs): string {
  return JSON.stringify(a, (_k, v) => (v instanceof Secret ? { secret: v.reveal() } : v));
}

export class DiscoveryKubernetes implements Component<DiscoveryArgs> {
  #discoverer: KubeDiscoverer | undefined;
  #key: string | undefined;
  /** Accepted-but-questionable settings of the current arguments (shown in debug info). */
  #warnings: string[] = [];
  /** Warnings already logged: each is logged once per component, not on every update. */
  readonly #logged = new Set<string>();

  constructor(
    private readonly ctx: ComponentContext,
    /** Test hooks. */
    private readonly opts: { debounceMs?: number; initialBackoffMs?: number } = {},
  ) {}

  async update(args: DiscoveryArgs): Promise<void> {
    this.#warnings = validateDiscoveryArgs(args);
    for (const w of this.#warnings) {
      if (this.#logged.has(w)) continue;
      this.#logged.add(w);
      this.ctx.logger.warn(`${this.ctx.id}: ${w}`);
    }
    const key = argsKey(args);
    if (key === this.#key) return;
    this.#key = key;
    const old = this.#discoverer;
    this.#discoverer = undefined;
    await old?.stop();
    try {
      const kubeConfig = makeKubeConfig(args);
      const namespaces = namespacesToWatch(args);
      this.ctx.setHealth('unknown', 'waiting for the first list of every watched resource');
      this.#discoverer = new KubeDiscoverer({
        args,
        kubeConfig,
        namespaces,
        logger: this.ctx.logger,
        debounceMs: this.opts.debounceMs,
        initialBackoffMs: this.opts.initialBackoffMs,
        ownership: args.sharding?.enabled ? this.ctx.cluster : undefined,
        onTargets: (targets) => this.ctx.setExports({ targets }),
        onHealth: (state, message) => this.ctx.setHealth(state, message),
      });
    } catch (e) {
      // Bad client settings (unreadable kubeconfig, not in a cluster): report, keep the process up.
      this.#key = undefined;
      const msg = `discovery.kubernetes: ${(e as Error).message}`;
      this.ctx.setHealth('unhealthy', msg);
      throw new Error(msg);
    }
  }

  async stop(): Promise<void> {
    const d = this.#discoverer;
    this.#discoverer = undefined;
    await d?.stop();
  }

  debugInfo(): unknown {
    return { informers: this.#discoverer?.informerCount ?? 0, targets: this.#discoverer?.targets.length ?? 0, shard: this.#discoverer?.shardStats, warnings: [...this.#warnings] };
  }
}

export const discoveryKubernetes: ComponentDefinition<DiscoveryArgs> = {
  name: 'discovery.kubernetes',
  load: loadKubeClient,
  args: argsSchema,
  exports: { targets: t.targets() },
  labelRequired: true,
  build(ctx: ComponentContext, _args: DiscoveryArgs) {
    ctx.setExports({ targets: [] });
    const c = new DiscoveryKubernetes(ctx);
    ctx.signal.addEventListener('abort', () => void c.stop(), { once: true });
    return c;
  },
};

registerComponent(discoveryKubernetes);
