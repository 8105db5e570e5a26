// The set of container log streams one component follows: one Tailer per
// target this replica owns, sharing one API client and one position store
// (local file plus, when enabled, ConfigMaps shared between replicas).
// loki.source.kubernetes (targets from discovery) and loki.source.podlogs
// (targets from PodLogs) both drive it; each hands over the full target set
// on every change and the set starts, stops and hands off streams.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { targetKey } from '../../clustering/ownership.js';
import { makeKubeConfig, type KubeClientArgs } from '../../kube/client.js';
import type { ComponentContext } from '../../runtime/types.js';
import type { LogsReceiver } from '../../pipeline/logs.js';
import { KubeApi } from '../kube/api.js';
import { waitForRelease } from '../positions/handoff.js';
import { ConfigMapPositions } from '../positions/shared.js';
import { PositionStore } from '../positions/store.js';
import { sourceTuningFromEnv, type SourceTuning } from '../tuning.js';
import { tailMetrics, type TailMetrics } from './tail-metrics.js';
import { DEFAULT_TAIL_OPTIONS, Tailer, type TailOptions, type TailTarget, type TurnResult } from './tailer.js';

const SA_NAMESPACE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

export interface TailStreamsSpec {
  targets: Map<string, TailTarget>;
  forward: LogsReceiver[];
  client: KubeClientArgs | undefined;
  clustered: boolean;
  /** A stream without a saved position starts at "now" instead of the start of the log. */
  tailFromEnd?: boolean;
}

/** Comparable form of a client block (secrets revealed: in memory only). */
function clientKeyOf(client: KubeClientArgs | undefined): string {
  return JSON.stringify(client ?? {}, (_k, v) => (v && typeof v === 'object' && 'reveal' in v ? `s:${(v as { reveal(): string }).reveal()}` : v));
}

export class TailStreams {
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
  #tailOptions: TailOptions;

  constructor(private readonly ctx: ComponentContext) {
    this.#metrics = tailMetrics(ctx.metrics);
    this.#tuning = sourceTuningFromEnv();
    const t = this.#tuning;
    this.#tailOptions = { ...DEFAULT_TAIL_OPTIONS, minBackoffMs: t.minBackoffMs, maxBackoffMs: t.maxBackoffMs, drainMs: t.drainMs, silenceMs: t.silenceMs, recycleMs: t.recycleMs };
  }

  /** Streams being tailed now. */
  get size(): number {
    return this.#tailers.size;
  }

  /** The API client of the last sync (podlogs lists pods with it). */
  get api(): KubeApi | undefined {
    return this.#api;
  }

  async sync(spec: TailStreamsSpec): Promise<void> {
    this.#forward = spec.forward;
    this.#targets = spec.targets;
    this.#clustered = spec.clustered;
    // Read by tailers as they start: a stream already followed keeps its place.
    this.#tailOptions = { ...this.#tailOptions, tailFromEnd: spec.tailFromEnd === true };
    const clientKey = clientKeyOf(spec.client);
    if (clientKey !== this.#clientKey || !this.#api) {
      // A new API client: every stream restarts on it (positions make that seamless).
      await this.#stopAll();
      await this.#positions?.stop();
      this.#api?.close();
      this.#clientKey = clientKey;
      this.#api = new KubeApi(makeKubeConfig(spec.client ?? {}));
      this.#positions = this.#makeStore(this.#api);
      this.#ready = this.#positions.load();
    }
    this.#unsubscribe ??= this.ctx.cluster.onChange(() => void this.#reconcile(true));
    await this.#ready;
    await this.#reconcile(false);
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
    await this.#reconciling;
    await this.#stopAll();
    await this.#positions?.stop();
    this.#api?.close();
  }

  /** Per-stream state (debug info), by stream key. */
  streams(): Map<string, Record<string, unknown>> {
    return new Map([...this.#tailers].map(([k, t]) => [k, t.info()]));
  }

  debugInfo(): Record<string, unknown> {
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
