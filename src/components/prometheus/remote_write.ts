// prometheus.remote_write: samples handed to the `receiver` export are made
// durable in a WAL under <storage.path>/<component id>/wal, then every
// endpoint reads the WAL from its own checkpoint and sends over remote
// write 1.0 or 2.0 (protobuf_message; protobuf + snappy) with sharding and
// retries, its credentials (including sigv4, azuread, google_iam) from src/net.
import path from 'node:path';
import { promises as fsp } from 'node:fs';
import { registerComponent } from '../../runtime/registry.js';
import { Secret } from '../../syntax/secret.js';
import { t, type Component, type ComponentContext, type ComponentDefinition } from '../../runtime/types.js';
import { type BatchMetricsReceiver, METRICS_RECEIVER, type MetricsExtras, metricsReceiver, type Sample, type SampleBatch } from '../../pipeline/metrics.js';
import { argsSchema, resolveArgs, type RemoteWriteArgs, type ResolvedArgs } from '../../remotewrite/args.js';
import { Checkpoint } from '../../remotewrite/checkpoint.js';
import { endpointMetrics, remoteWriteMetrics, type RemoteWriteMetrics } from '../../remotewrite/metrics.js';
import { EndpointQueue } from '../../remotewrite/queue-manager.js';
import type { HttpSenderOptions } from '../../remotewrite/http-sender.js';
import { MetadataStore } from '../../remotewrite/metadata.js';
import { Wal } from '../../remotewrite/wal.js';

/**
 * At most ~20 fdatasyncs a second: scrapes finishing within 50 ms of each
 * other share one (each sync costs kernel time; Prometheus's WAL does not
 * sync appends at all). An append is acknowledged at most this much later.
 */
const WAL_SYNC_SPACING_MS = 50;

/** Internal knobs for tests (not part of the Alloy config). */
export interface RemoteWriteTuning {
  shardUpdateIntervalMs?: number;
  /** The HTTP sender's hooks: round_robin_dns resolver, credential environment. */
  sender?: HttpSenderOptions;
}

/** The `receiver` export: a batch is acknowledged once it is durable in the WAL. */
export class WalReceiver implements BatchMetricsReceiver {
  constructor(private readonly wal: () => Wal | Promise<Wal>) {}

  async append(samples: Sample[]): Promise<void> {
    const wal = await this.wal();
    await wal.append(samples);
  }

  /** Native histograms, exemplars and metadata: one WAL record (sent with remote write 1.0's histograms, exemplars and metadata fields). */
  async appendExtras(extras: MetricsExtras): Promise<void> {
    const wal = await this.wal();
    await wal.appendExtras(extras);
  }

  appendBatch(batch: SampleBatch): Promise<void> {
    const w = this.wal();
    if (w instanceof Wal) return w.appendBatch(batch);
    // Labels are only valid now: resolve them before waiting for the WAL to open.
    const samples = materialize(batch);
    return w.then((wal) => wal.append(samples));
  }
}

/** A columnar batch as Sample objects (slow path). */
export function materialize(b: SampleBatch): Sample[] {
  const out: Sample[] = [];
  for (let i = 0; i < b.length; i++) {
    const labels = b.labels(b.refs[i]!);
    if (labels) out.push({ labels, t: b.ts[i]!, v: b.values[i]! });
  }
  return out;
}

export class RemoteWriteComponent implements Component<RemoteWriteArgs> {
  private wal: Wal | undefined;
  private readonly ready: Promise<Wal>;
  private queues = new Map<string, { key: string; q: EndpointQueue }>();
  private args: ResolvedArgs;
  private updating: Promise<void> = Promise.resolve();
  private truncTimer: NodeJS.Timeout | undefined;
  private gaugeTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  readonly receiver: BatchMetricsReceiver;
  private readonly metrics: RemoteWriteMetrics;
  /** Metric metadata handed in by producers (metadata_config, 2.0 series metadata); update() it with entries. */
  readonly metadata = new MetadataStore();

  constructor(
    private readonly ctx: ComponentContext,
    args: RemoteWriteArgs,
    private readonly tuning: RemoteWriteTuning = {},
  ) {
    this.args = resolveArgs(args);
    const m = remoteWriteMetrics(ctx.metrics);
    this.metrics = m;
    const walDir = path.join(ctx.dataPath(), 'wal');
    this.ready = Wal.open({
      dir: walDir,
      logger: ctx.logger,
      segmentSize: this.args.wal.segment_size,
      maxSize: this.args.wal.max_size,
      minKeepaliveMs: this.args.wal.min_keepalive_time,
      maxKeepaliveMs: this.args.wal.max_keepalive_time,
      minSyncIntervalMs: WAL_SYNC_SPACING_MS,
    });
    this.ready.then(
      (wal) => {
        this.wal = wal;
        const updateGauges = () => {
          m.walSize.set(wal.totalSize());
          m.walSegments.set(wal.segments().length);
        };
        wal.on('segments', updateGauges);
        let last = 0;
        wal.on('flushed', () => {
          m.walAppended.inc(wal.appendedSamples - last);
          last = wal.appendedSamples;
        });
        this.gaugeTimer = setInterval(updateGauges, 5000);
        this.gaugeTimer.unref();
        updateGauges();
      },
      (e) => ctx.setHealth('unhealthy', `cannot open WAL in ${walDir}: ${(e as Error).message}`),
    );
    this.ready.catch(() => undefined);
    this.receiver = metricsReceiver(new WalReceiver(() => this.wal ?? this.ready));
    ctx.setExports({ receiver: this.receiver });
  }

  update(raw: RemoteWriteArgs): Promise<void> {
    const args = resolveArgs(raw);
    this.args = args;
    // Updates run one after another; each waits for the WAL to be open.
    this.updating = this.updating.then(() => this.apply(args)).catch((e) => {
      this.ctx.logger.error({ err: e }, 'applying prometheus.remote_write arguments failed');
      this.ctx.setHealth('unhealthy', (e as Error).message);
    });
    return this.updating;
  }

  private async apply(args: ResolvedArgs): Promise<void> {
    const wal = await this.ready;
    if (this.stopped) return;
    wal.setLimits({
      segmentSize: args.wal.segment_size,
      maxSize: args.wal.max_size,
      minKeepaliveMs: args.wal.min_keepalive_time,
      maxKeepaliveMs: args.wal.max_keepalive_time,
    });
    const checkpointDir = path.join(wal.dir, 'positions');
    const next = new Map<string, { key: string; q: EndpointQueue }>();
    const keep = new Set<string>();
    for (const ep of args.endpoints) {
      // Any change of the endpoint or of the external labels restarts its queue
      // from the checkpoint (in-flight batches may be sent again).
      const key = JSON.stringify({ ep, rules: ep.write_relabel_config ?? [], ext: args.externalLabels }, secretsToText);
      const old = this.queues.get(ep.remoteName);
      if (old && old.key === key) {
        next.set(ep.remoteName, old);
        keep.add(ep.remoteName);
        continue;
      }
      if (old) {
        await old.q.stop();
        keep.add(ep.remoteName);
      }
      const q = new EndpointQueue({
        ep,
        wal,
        externalLabels: args.externalLabels,
        checkpointFile: Checkpoint.fileFor(checkpointDir, ep.remoteName),
        logger: this.ctx.logger,
        metrics: endpointMetrics(this.metrics, ep.remoteName, ep.url),
        shardUpdateIntervalMs: this.tuning.shardUpdateIntervalMs,
        sender: this.tuning.sender,
        metadata: this.metadata,
        registry: this.ctx.metrics,
      });
      q.start();
      next.set(ep.remoteName, { key, q });
    }
    for (const [name, old] of this.queues) {
      if (keep.has(name)) continue;
      await old.q.stop();
      await old.q.forget();
    }
    this.queues = next;
    await this.removeStalePositions(checkpointDir, new Set(next.keys()));
    if (this.truncTimer) clearInterval(this.truncTimer);
    this.truncTimer = setInterval(() => void wal.truncate('truncate_frequency'), args.wal.truncate_frequency);
    this.truncTimer.unref();
    for (const ep of args.endpoints) {
      // Accepted for Alloy compatibility, but this client only speaks HTTP/1.1.
      if (ep.enable_http2 === true) this.ctx.logger.warn({ endpoint: ep.remoteName }, 'prometheus.remote_write: enable_http2 = true is accepted but requests use HTTP/1.1');
    }
    this.ctx.setHealth('healthy', `${next.size} endpoint(s)`);
  }

  /** Positions of endpoints no longer configured would otherwise pin nothing but linger. */
  private async removeStalePositions(dir: string, names: Set<string>): Promise<void> {
    const files = await fsp.readdir(dir).catch(() => [] as string[]);
    const wanted = new Set([...names].map((n) => path.basename(Checkpoint.fileFor(dir, n))));
    for (const f of files) if (f.endsWith('.json') && !wanted.has(f)) await fsp.rm(path.join(dir, f), { force: true });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.updating;
    if (this.truncTimer) clearInterval(this.truncTimer);
    if (this.gaugeTimer) clearInterval(this.gaugeTimer);
    for (const { q } of this.queues.values()) await q.stop();
    this.queues.clear();
    const wal = await this.ready.catch(() => undefined);
    await wal?.close();
  }

  debugInfo(): unknown {
    const wal = this.wal;
    return {
      wal: wal
        ? { dir: wal.dir, size_bytes: wal.totalSize(), segments: wal.segments().length, head_segment: wal.headIndex() }
        : { state: 'opening' },
      endpoints: [...this.queues.values()].map(({ q }) => q.debugInfo()),
    };
  }
}

function secretsToText(this: Record<string, unknown>, k: string, v: unknown): unknown {
  // Secrets serialise as "(secret)" (toJSON runs before a replacer), so look
  // at the holder's raw value: a changed secret must restart the queue.
  const raw = this[k];
  return raw instanceof Secret ? `secret:${raw.reveal()}` : v;
}

export const remoteWrite: ComponentDefinition<RemoteWriteArgs> = {
  name: 'prometheus.remote_write',
  args: argsSchema,
  exports: { receiver: t.capsule(METRICS_RECEIVER) },
  labelRequired: true,
  build(ctx: ComponentContext, args: RemoteWriteArgs) {
    return new RemoteWriteComponent(ctx, args);
  },
};

registerComponent(remoteWrite);
