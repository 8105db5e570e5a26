// loki.source.kubernetes_events: Kubernetes Events as log lines (logfmt or
// json), one watcher per namespace (or one for all), positions in the
// component's data path. Clustered: each namespace (or the single "all
// namespaces" watcher) runs on the one node that owns it.
import { join } from 'node:path';
import { targetKey } from '../../../clustering/ownership.js';
import { kubeClientSchema, makeKubeConfig, validateKubeClientArgs, type KubeClientArgs, loadKubeClient } from '../../../kube/client.js';
import { EventWatcher } from '../../../logs/events/watcher.js';
import type { EventLogFormat } from '../../../logs/events/format.js';
import { PositionStore } from '../../../logs/positions/store.js';
import { LOGS_RECEIVER, type LogsReceiver } from '../../../pipeline/logs.js';
import { registerComponent } from '../../../runtime/registry.js';
import { t, type ComponentContext, type ComponentDefinition } from '../../../runtime/types.js';
import { Secret } from '../../../syntax/secret.js';

export interface KubernetesEventsArgs {
  forward_to: LogsReceiver[];
  job_name?: string;
  log_format?: string;
  namespaces?: string[];
  client?: KubeClientArgs;
  clustering?: { enabled?: boolean };
}

class KubernetesEvents {
  readonly #watchers = new Map<string, EventWatcher>();
  #args: KubernetesEventsArgs | undefined;
  #clientKey = '';
  #positions: PositionStore | undefined;
  #unsubscribe: (() => void) | undefined;
  #reconciling: Promise<void> = Promise.resolve();
  #stopped = false;

  constructor(private readonly ctx: ComponentContext) {}

  async update(args: KubernetesEventsArgs): Promise<void> {
    const prev = this.#args;
    this.#args = args;
    const clientKey = JSON.stringify(args.client ?? {}, (_k, v) => (v instanceof Secret ? { secret: v.reveal() } : v));
    // New client, job, instance labels or format: every watcher restarts (from its position).
    const restart = !prev || clientKey !== this.#clientKey || prev.job_name !== args.job_name || prev.log_format !== args.log_format;
    this.#clientKey = clientKey;
    if (!this.#positions) {
      this.#positions = new PositionStore({ file: join(this.ctx.dataPath(), 'positions.json'), logger: this.ctx.logger });
      await this.#positions.load();
    }
    this.#unsubscribe ??= this.ctx.cluster.onChange(() => void this.#reconcile(false));
    await this.#reconcile(restart);
  }

  #wanted(): string[] {
    const a = this.#args!;
    const all = a.namespaces && a.namespaces.length > 0 ? [...new Set(a.namespaces)] : [''];
    if (!a.clustering?.enabled) return all;
    return all.filter((ns) => this.ctx.cluster.owns(targetKey({ namespace: ns })));
  }

  #reconcile(restart: boolean): Promise<void> {
    this.#reconciling = this.#reconciling.then(() => this.#reconcileNow(restart)).catch((e: Error) => this.ctx.logger.error({ err: e.message }, 'reconciling event watchers failed'));
    return this.#reconciling;
  }

  async #reconcileNow(restart: boolean): Promise<void> {
    if (this.#stopped || !this.#args || !this.#positions) return;
    const wanted = new Set(this.#wanted());
    const stops: Promise<void>[] = [];
    for (const [ns, w] of this.#watchers) {
      if (restart || !wanted.has(ns)) {
        this.#watchers.delete(ns);
        stops.push(w.stop());
      }
    }
    await Promise.all(stops);
    if (stops.length) await this.#positions.flush();
    const a = this.#args;
    const kubeConfig = makeKubeConfig(a.client ?? {});
    for (const ns of wanted) {
      if (this.#watchers.has(ns)) continue;
      this.#watchers.set(
        ns,
        new EventWatcher({
          kubeConfig,
          namespace: ns,
          jobName: a.job_name ?? 'loki.source.kubernetes_events',
          instance: this.ctx.id,
          format: (a.log_format ?? 'logfmt') as EventLogFormat,
          positions: this.#positions,
          forward: () => this.#args?.forward_to ?? [],
          logger: this.ctx.logger,
        }),
      );
    }
    this.ctx.setHealth('healthy', `${this.#watchers.size} event watcher(s)${a.clustering?.enabled ? ' owned by this node' : ''}`);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#unsubscribe?.();
    await this.#reconciling;
    await Promise.all([...this.#watchers.values()].map((w) => w.stop()));
    this.#watchers.clear();
    await this.#positions?.stop();
  }

  debugInfo(): unknown {
    return { event_controller: [...this.#watchers.values()].map((w) => w.info()) };
  }
}

export const lokiSourceKubernetesEvents: ComponentDefinition<KubernetesEventsArgs> = {
  name: 'loki.source.kubernetes_events',
  load: loadKubeClient,
  labelRequired: true,
  args: {
    attrs: {
      forward_to: { type: t.array(t.capsule(LOGS_RECEIVER)), required: true },
      job_name: { type: t.string(), default: 'loki.source.kubernetes_events' },
      log_format: { type: t.string(), default: 'logfmt' },
      namespaces: { type: t.array(t.string()), default: [] },
    },
    blocks: {
      client: { schema: { ...kubeClientSchema, validate: validateKubeClientArgs } },
      // Alloy: `enabled` is required when the block is present.
      clustering: { schema: { attrs: { enabled: { type: t.bool(), required: true } } } },
    },
    validate: (a: KubernetesEventsArgs) => {
      if (a.job_name === '') throw new Error('job_name must not be an empty string');
      if (a.log_format !== undefined && a.log_format !== 'logfmt' && a.log_format !== 'json') throw new Error('supported values of log_format are logfmt and json');
    },
  },
  exports: {},
  build(ctx: ComponentContext) {
    return new KubernetesEvents(ctx);
  },
};

registerComponent(lokiSourceKubernetesEvents);
