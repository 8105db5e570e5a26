// loki.source.kubernetes: tails the logs of the containers in `targets`
// (discovery.kubernetes role "pod") through the API server's pods/log
// endpoint, one tailer per container this replica owns, and forwards the
// lines. Positions (positions/) make restarts and hand-offs between
// replicas lossless and free of duplicates.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { targetKey } from '../../../clustering/ownership.js';
import { kubeClientSchema, loadKubeClient, makeKubeConfig, validateKubeClientArgs, type KubeClientArgs } from '../../../kube/client.js';
import { registerComponent } from '../../../runtime/registry.js';
import { t, type ComponentContext, type ComponentDefinition } from '../../../runtime/types.js';
import { KubeApi } from '../../../logs/kube/api.js';
import { waitForRelease } from '../../../logs/positions/handoff.js';
import { ConfigMapPositions } from '../../../logs/positions/shared.js';
import { PositionStore } from '../../../logs/positions/store.js';
import { tailMetrics, type TailMetrics } from '../../../logs/tail/tail-metrics.js';
import { DEFAULT_TAIL_OPTIONS, Tailer, type TailOptions, type TailTarget, type TurnResult } from '../../../logs/tail/tailer.js';
import { sourceTuningFromEnv, type SourceTuning } from '../../../logs/tuning.js';
import { LOGS_RECEIVER, type LogsReceiver } from '../../../pipeline/logs.js';

export interface LokiSourceKubernetesArgs {
  targets: Record<string, string>[];
  forward_to: LogsReceiver[];
  client?: KubeClientArgs;
  clustering?: { enabled?: boolean };
}

const SA_NAMESPACE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

/**
 * Build a tail target from a discovery target; undefined when it lacks the pod
 * coordinates. As in Alloy, each coordinate comes from discovery's
 * __meta_kubernetes_* label or from the __pod_*__ label a relabel can set.
 */
export function toTailTarget(labels: Record<string, string>): TailTarget | undefined {
  const namespace = labels.__meta_kubernetes_namespace || labels.__pod_namespace__;
  const pod = labels.__meta_kubernetes_pod_name || labels.__pod_name__;
  const container = labels.__meta_kubernetes_pod_container_name || labels.__pod_container_name__;
  if (!namespace || !pod || !container) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels)) if (!k.startsWith('__')) out[k] = v;
  out.namespace = namespace;
  out.pod = pod;
  out.container = container;
  out.job ??= `${namespace}/${container}`;
  out.instance ??= `${namespace}/${pod}:${container}`;
  return { key: `${namespace}/${pod}:${container}`, namespace, pod, container, uid: labels.__meta_kubernetes_pod_uid || labels.__pod_uid__ || undefined, labels: out };
}

class LokiSourceKubernetes {
  readonly #tailers = new Map<string, Tailer>();
  /** Streams that finished (pod deleted/done) and must not be reopened while their target lingers. */
  readonly #finished = new Set<string>();
  #targets = new Map<string, TailTarget>();
  #forward: LogsReceiver[] = [];
  #clustered = false;
  #api: KubeApi | undefined;
  #clientKey = '';
  #positions: PositionStore | undefined;
  #ready: Promise<void> | undefined;
  #unsubscribe: (() => void) | undefined;
  readonly #metrics: TailMetrics;
  #stopped = false;
  #reconciling: Promise<void> = Promise.resolve();
  readonly #tuning: SourceTuning;
  readonly #tailOptions: TailOptions;

  constructor(private readonly ctx: ComponentContext) {
    this.#metrics = tailMetrics(ctx.metrics);
    this.#tuning = sourceTuningFromEnv();
    const t = this.#tuning;
    this.#tailOptions = { ...DEFAULT_TAIL_OPTIONS, minBackoffMs: t.minBackoffMs, maxBackoffMs: t.maxBackoffMs, drainMs: t.drainMs, silenceMs: t.silenceMs, recycleMs: t.recycleMs };
  }

  async update(args: LokiSourceKubernetesArgs): Promise<void> {
    this.#forward = args.forward_to ?? [];
    const targets = new Map<string, TailTarget>();
    let skipped = 0;
    for (const labels of args.targets ?? []) {
      const tt = toTailTarget(labels);
      if (!tt) skipped++;
      // Several targets per container (one per port) collapse into one stream.
      else if (!targets.has(tt.key)) targets.set(tt.key, tt);
    }
    this.#targets = targets;
    this.#clustered = !!args.clustering?.enabled;
    const clientKey = JSON.stringify(args.client ?? {}, (_k, v) => (v && typeof v === 'object' && 'reveal' in v ? `s:${(v as { reveal(): string }).reveal()}` : v));
    if (clientKey !== this.#clientKey || !this.#api) {
      // A new API client: every stream restarts on it (positions make that seamless).
      await this.#stopAll();
      await this.#positions?.stop();
      this.#api?.close();
      this.#clientKey = clientKey;
      this.#api = new KubeApi(makeKubeConfig(args.client ?? {}));
      this.#positions = this.#makeStore(this.#api);
      this.#ready = this.#positions.load();
    }
    this.#unsubscribe ??= this.ctx.cluster.onChange(() => void this.#reconcile(true));
    await this.#ready;
    await this.#reconcile(false);
    this.ctx.setHealth('healthy', `${this.#tailers.size} stream(s) tailed, ${targets.size} target container(s)${skipped ? `, ${skipped} target(s) without pod labels ignored` : ''}`);
  }

  #makeStore(api: KubeApi): PositionStore {
    const tune = this.#tuning;
    let shared: ConfigMapPositions | undefined;
    if (tune.sharedPositions) {
      const ns = tune.positionsNamespace ?? process.env.POD_NAMESPACE ?? (existsSync(SA_NAMESPACE) ? readFileSync(SA_NAMESPACE, 'utf8').trim() : undefined) ?? api.contextNamespace ?? 'default';
      shared = new ConfigMapPositions(api, ns, this.ctx.id, this.ctx.cluster.self, this.ctx.logger);
    }
    return new PositionStore({
      file: join(this.ctx.dataPath(), 'positions.json'),
      shared,
      logger: this.ctx.logger,
      localFlushMs: tune.fileIntervalMs,
      sharedFlushMs: tune.sharedIntervalMs,
    });
  }

  /** Wait until no other live replica tails the stream (see positions/handoff.ts). */
  #awaitTurn(positions: PositionStore, key: string, handoff: boolean, signal: AbortSignal): Promise<TurnResult> {
    const cluster = this.ctx.cluster;
    return waitForRelease(positions, key, {
      handoff,
      signal,
      timeoutMs: this.#tuning.handoffTimeoutMs,
      // Without shared positions the old owner's flush cannot be seen: give it a moment.
      blindDelayMs: Math.min(3000, this.#tuning.handoffTimeoutMs),
      liveMembers: () => new Set(cluster.peers().filter((p) => !p.isSelf).map((p) => p.name)),
    });
  }

  #owns(tt: TailTarget): boolean {
    if (!this.#clustered) return true;
    return this.ctx.cluster.owns(targetKey({ namespace: tt.namespace, pod: tt.pod, container: tt.container }));
  }

  /** Start tailers for owned targets, stop the others. `handoff`: ownership changed. Serialised. */
  #reconcile(handoff: boolean): Promise<void> {
    this.#reconciling = this.#reconciling.then(() => this.#reconcileNow(handoff)).catch((err: Error) => {
      this.ctx.logger.error({ err: err.message }, 'reconciling log streams failed');
    });
    return this.#reconciling;
  }

  async #reconcileNow(handoff: boolean): Promise<void> {
    if (this.#stopped || !this.#api || !this.#positions) return;
    const api = this.#api;
    const positions = this.#positions;
    const stops: Promise<void>[] = [];
    let lost = false;
    for (const [key, tailer] of this.#tailers) {
      const tt = this.#targets.get(key);
      const keep = tt && this.#owns(tt) && tt.uid === tailer.target.uid && sameLabels(tt.labels, tailer.target.labels);
      if (keep) continue;
      this.#tailers.delete(key);
      const moved = !!tt && !this.#owns(tt);
      lost ||= moved;
      // Released only once the tailer committed its last batch: the published
      // release must carry the final position.
      stops.push(tailer.stop().then(() => (moved || !tt ? positions.release(key) : undefined)));
    }
    for (const key of this.#finished) if (!this.#targets.has(key)) this.#finished.delete(key);
    // Hand-off: persist what the stopped tailers delivered so the new owner resumes exactly there.
    if (stops.length) {
      await Promise.all(stops);
      if (lost) await positions.flush();
    }
    for (const [key, tt] of this.#targets) {
      if (this.#tailers.has(key) || this.#finished.has(key) || !this.#owns(tt)) continue;
      const tailer = new Tailer(tt, {
        api,
        positions,
        forward: () => this.#forward,
        logger: this.ctx.logger,
        metrics: this.#metrics,
        options: this.#tailOptions,
        awaitTurn: (k, h, signal) => this.#awaitTurn(positions, k, h, signal),
        onFinished: (k) => {
          if (this.#tailers.get(k) === tailer) {
            this.#tailers.delete(k);
            this.#finished.add(k);
            void tailer.stop();
          }
        },
      });
      this.#tailers.set(key, tailer);
      tailer.start(handoff);
    }
  }

  async #stopAll(): Promise<void> {
    const all = [...this.#tailers.values()];
    this.#tailers.clear();
    await Promise.all(all.map((t) => t.stop()));
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#unsubscribe?.();
    await this.#stopAll();
    await this.#positions?.stop();
    this.#api?.close();
  }

  debugInfo(): unknown {
    return {
      targets: this.#targets.size,
      streams: [...this.#tailers.values()].map((t) => t.info()),
      finished: [...this.#finished],
      shared_positions: this.#positions?.shared ?? false,
      shared_positions_error: this.#positions?.lastSharedError || undefined,
    };
  }
}

function sameLabels(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => a[k] === b[k]);
}

export const lokiSourceKubernetes: ComponentDefinition<LokiSourceKubernetesArgs> = {
  name: 'loki.source.kubernetes',
  load: loadKubeClient,
  labelRequired: true,
  args: {
    attrs: {
      targets: { type: t.targets(), required: true },
      forward_to: { type: t.array(t.capsule(LOGS_RECEIVER)), required: true },
    },
    blocks: {
      client: { schema: { ...kubeClientSchema, validate: validateKubeClientArgs } },
      // Alloy: `enabled` is required when the block is present.
      clustering: { schema: { attrs: { enabled: { type: t.bool(), required: true } } } },
    },
  },
  exports: {},
  build(ctx: ComponentContext) {
    return new LokiSourceKubernetes(ctx);
  },
};

registerComponent(lokiSourceKubernetes);
