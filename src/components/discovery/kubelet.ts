// discovery.kubelet: the pods of one node from its kubelet's /pods endpoint,
// as the same targets discovery.kubernetes role "pod" gives, with no API
// server list or watch (for DaemonSets: every node asks only its own kubelet).
import { registerComponent } from '../../runtime/registry.js';
import { Secret } from '../../syntax/secret.js';
import { t, type Component, type ComponentContext, type ComponentDefinition } from '../../runtime/types.js';
import type { Target } from '../../discovery/kubernetes/types.js';
import { kubeletArgsSchema, validateKubeletArgs, type KubeletArgs } from '../../kubelet/arguments.js';
import type { KubeletError } from '../../kubelet/client.js';
import { kubeletMetrics, type KubeletMetrics } from '../../kubelet/metrics.js';
import { KubeletPoller, type PollResult } from '../../kubelet/poller.js';

export type { KubeletArgs };

/** A comparable form of the arguments (secrets revealed: it never leaves memory). */
function argsKey(a: KubeletArgs): string {
  return JSON.stringify(a, (_k, v) => (v instanceof Secret ? { secret: v.reveal() } : v));
}

export interface DiscoveryKubeletOptions {
  /** Test hooks. */
  timeoutMs?: number;
  defaultTokenFile?: string;
}

export class DiscoveryKubelet implements Component<KubeletArgs> {
  #poller: KubeletPoller | undefined;
  #key: string | undefined;
  #lastTargets: string | undefined;
  #targets: Target[] = [];
  #lastError: string | undefined;
  #lastSuccess: string | undefined;
  #pods = 0;
  readonly #metrics: KubeletMetrics;

  constructor(
    private readonly ctx: ComponentContext,
    private readonly opts: DiscoveryKubeletOptions = {},
  ) {
    this.#metrics = kubeletMetrics(ctx.metrics);
    // Nothing known yet: an empty list, so references resolve before the first answer.
    this.#lastTargets = '[]';
    ctx.setExports({ targets: [] });
  }

  async update(args: KubeletArgs): Promise<void> {
    try {
      validateKubeletArgs(args);
    } catch (e) {
      const msg = `discovery.kubelet: ${(e as Error).message}`;
      this.ctx.setHealth('unhealthy', msg);
      throw new Error(msg);
    }
    const key = argsKey(args);
    if (key === this.#key) return;
    this.#key = key;
    await this.#poller?.stop();
    const poller = new KubeletPoller({
      args,
      timeoutMs: this.opts.timeoutMs,
      defaultTokenFile: this.opts.defaultTokenFile,
      onResult: (r) => this.#onResult(poller, r),
      onError: (e) => this.#onError(poller, e),
    });
    this.#poller = poller;
    if (this.#lastSuccess === undefined) this.ctx.setHealth('unknown', `waiting for the first answer of ${poller.url.href}`);
    poller.start();
  }

  #onResult(from: KubeletPoller, r: PollResult): void {
    if (from !== this.#poller) return;
    this.#metrics.polls.inc({ outcome: 'success' });
    this.#pods = r.pods;
    this.#lastSuccess = new Date().toISOString();
    if (this.#lastError !== undefined) this.ctx.logger.info({ url: from.url.href }, 'kubelet answers again');
    this.#lastError = undefined;
    // Re-export only on a real change: dependants (scrape) re-evaluate on every export.
    const key = JSON.stringify(r.targets);
    if (key !== this.#lastTargets) {
      this.#lastTargets = key;
      this.#targets = r.targets;
      this.#metrics.targets.set(r.targets.length);
      this.ctx.setExports({ targets: r.targets });
    }
    this.ctx.setHealth('healthy', `${r.pods} pods, ${r.targets.length} targets from ${from.url.href}`);
  }

  #onError(from: KubeletPoller, e: KubeletError): void {
    if (from !== this.#poller) return;
    this.#metrics.polls.inc({ outcome: e.kind });
    // The last good targets stay exported: a brief kubelet restart should not drop every scrape.
    const msg = `discovery.kubelet: ${e.message}`;
    if (msg !== this.#lastError) this.ctx.logger.warn({ kind: e.kind }, msg);
    this.#lastError = msg;
    this.ctx.setHealth('unhealthy', msg);
  }

  async stop(): Promise<void> {
    const p = this.#poller;
    this.#poller = undefined;
    await p?.stop();
  }

  debugInfo(): unknown {
    return {
      url: this.#poller?.url.href,
      polls: this.#poller?.polls ?? 0,
      pods: this.#pods,
      targets: this.#targets.length,
      last_success: this.#lastSuccess,
      last_error: this.#lastError,
    };
  }
}

export const discoveryKubelet: ComponentDefinition<KubeletArgs> = {
  name: 'discovery.kubelet',
  args: kubeletArgsSchema,
  exports: { targets: t.targets() },
  labelRequired: true,
  build(ctx: ComponentContext) {
    const c = new DiscoveryKubelet(ctx);
    ctx.signal.addEventListener('abort', () => void c.stop(), { once: true });
    return c;
  },
};

registerComponent(discoveryKubelet);
