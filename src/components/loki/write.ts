// loki.write: receives log entries and pushes them to one or more Loki
// endpoints (snappy + protobuf). See logs/write/endpoint.ts for batching,
// sharding, retries and backpressure, and logs/write/wal/ for the optional
// write-ahead log (entries are on disk before they are acknowledged, and
// re-sent after a restart).
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { registerComponent } from '../../runtime/registry.js';
import { t, type BlockSchema, type ComponentContext, type ComponentDefinition } from '../../runtime/types.js';
import { httpClientSchema, validateHttpClient } from '../../net/client-schema.js';
import { EndpointClient } from '../../logs/write/endpoint.js';
import { parseByteSize, QUEUE_DEFAULTS, WAL_DEFAULTS, type EndpointArgs, type QueueConfigArgs, type WalArgs } from '../../logs/write/config.js';
import { writeMetrics } from '../../logs/write/write-metrics.js';
import { LogWal } from '../../logs/write/wal/log-wal.js';
import { WalWatcher } from '../../logs/write/wal/watcher.js';
import { Checkpoint } from '../../remotewrite/checkpoint.js';
import { LOGS_RECEIVER, type LogEntry, logsReceiver, type LogsReceiver } from '../../pipeline/logs.js';

export interface LokiWriteArgs {
  endpoint?: EndpointArgs[];
  external_labels?: Record<string, string>;
  max_streams?: number;
  wal?: WalArgs;
}

export interface LokiWriteExports {
  receiver: LogsReceiver;
}

const queueConfigSchema: BlockSchema = {
  attrs: {
    capacity: { type: t.string(), default: QUEUE_DEFAULTS.capacity },
    drain_timeout: { type: t.duration(), default: QUEUE_DEFAULTS.drain_timeout },
    min_shards: { type: t.number(), default: QUEUE_DEFAULTS.min_shards },
    block_on_overflow: { type: t.bool(), default: QUEUE_DEFAULTS.block_on_overflow },
  },
  validate(q: QueueConfigArgs) {
    if (parseByteSize('capacity', q.capacity ?? QUEUE_DEFAULTS.capacity) <= 0) throw new Error('capacity must be positive');
    if (q.min_shards !== undefined && (!Number.isInteger(q.min_shards) || q.min_shards < 1)) throw new Error(`min_shards must be a positive integer, got ${q.min_shards}`);
    if ((q.drain_timeout ?? 0) < 0) throw new Error('drain_timeout must not be negative');
  },
};

export const endpointSchema: BlockSchema = {
  attrs: {
    url: { type: t.string(), required: true },
    name: { type: t.string() },
    tenant_id: { type: t.string() },
    headers: { type: t.map(t.string()) },
    ...httpClientSchema().attrs,
    batch_size: { type: t.string(), default: '1MiB' },
    batch_wait: { type: t.duration(), default: 1000 },
    remote_timeout: { type: t.duration(), default: 10_000 },
    min_backoff_period: { type: t.duration(), default: 500 },
    max_backoff_period: { type: t.duration(), default: 300_000 },
    max_backoff_retries: { type: t.number(), default: 10 },
    retry_on_http_429: { type: t.bool(), default: true },
  },
  blocks: {
    ...httpClientSchema().blocks,
    queue_config: { schema: queueConfigSchema, stability: 'experimental' },
  },
  validate(e: EndpointArgs) {
    try {
      const u = new URL(e.url);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('scheme');
    } catch {
      throw new Error(`url ${JSON.stringify(e.url)} is not a valid http(s) URL`);
    }
    if (parseByteSize('batch_size', e.batch_size ?? '1MiB') <= 0) throw new Error('batch_size must be positive');
    if (e.max_backoff_retries !== undefined && (!Number.isInteger(e.max_backoff_retries) || e.max_backoff_retries < 0)) {
      throw new Error(`max_backoff_retries must be a non-negative integer, got ${e.max_backoff_retries}`);
    }
    validateHttpClient(e);
  },
};

const walSchema: BlockSchema = {
  attrs: {
    enabled: { type: t.bool(), default: WAL_DEFAULTS.enabled },
    max_segment_age: { type: t.duration(), default: WAL_DEFAULTS.max_segment_age },
    min_read_frequency: { type: t.duration(), default: WAL_DEFAULTS.min_read_frequency },
    max_read_frequency: { type: t.duration(), default: WAL_DEFAULTS.max_read_frequency },
    drain_timeout: { type: t.duration(), default: WAL_DEFAULTS.drain_timeout },
  },
  validate(w: WalArgs) {
    const min = w.min_read_frequency ?? WAL_DEFAULTS.min_read_frequency;
    const max = w.max_read_frequency ?? WAL_DEFAULTS.max_read_frequency;
    // Alloy's rule, with its wording.
    if (min >= max) throw new Error('WAL min read frequency should be lower than max read frequency');
    if ((w.max_segment_age ?? 1) <= 0) throw new Error('max_segment_age must be positive');
  },
};

/** The file name part identifying an endpoint across restarts: its name, or a hash of its URL and tenant. */
function endpointId(ep: EndpointArgs): string {
  if (ep.name) return ep.name;
  return createHash('sha256').update(`${ep.url}\n${ep.tenant_id ?? ''}`).digest('hex').slice(0, 12);
}

interface WalState {
  key: string;
  wal: LogWal;
  watchers: WalWatcher[];
  opts: Required<WalArgs>;
}

class LokiWrite {
  #endpoints: EndpointClient[] = [];
  #wal: WalState | undefined;
  #lastArgs = '';
  readonly #metrics;
  readonly receiver: LogsReceiver;

  constructor(private readonly ctx: ComponentContext) {
    this.#metrics = writeMetrics(ctx.metrics);
    // A stable object: re-configuration swaps endpoints behind it, so
    // dependants are not re-evaluated when an endpoint changes.
    this.receiver = logsReceiver({ append: (entries: LogEntry[]) => this.#append(entries) });
    ctx.setExports({ receiver: this.receiver } satisfies LokiWriteExports);
  }

  async #append(entries: LogEntry[]): Promise<void> {
    // With the WAL, an append is acknowledged once it is on disk; the watchers deliver it.
    if (this.#wal) return this.#wal.wal.append(entries);
    const eps = this.#endpoints;
    if (eps.length === 1) return eps[0].append(entries);
    await Promise.all(eps.map((e) => e.append(entries)));
  }

  async update(args: LokiWriteArgs): Promise<void> {
    const key = JSON.stringify(args, (_k, v) => (typeof v === 'object' && v !== null && 'reveal' in v ? `secret:${(v as { reveal(): string }).reveal()}` : v));
    if (key === this.#lastArgs) return;
    this.#lastArgs = key;
    const maxStreams = args.max_streams ?? 0;
    if (!Number.isInteger(maxStreams) || maxStreams < 0) throw new Error(`max_streams must be a non-negative integer, got ${maxStreams}`);
    const next = (args.endpoint ?? []).map(
      (ep, i) =>
        new EndpointClient(ep, {
          externalLabels: args.external_labels ?? {},
          logger: this.ctx.logger.child({ endpoint: ep.name || i }),
          metrics: this.#metrics,
          componentId: this.ctx.id,
          maxStreams,
        }),
    );
    // Stop the old readers before the endpoints they feed; their positions are saved.
    const oldWal = this.#wal;
    if (oldWal) await Promise.all(oldWal.watchers.splice(0).map((w) => w.stop()));
    const old = this.#endpoints;
    this.#endpoints = next;
    // Entries queued at the old endpoints are rejected; their sources (or the WAL) re-read them.
    await Promise.all(old.map((e) => e.stop()));
    await this.#configureWal(args.wal, args.endpoint ?? [], next);
    const mode = this.#wal ? ', write-ahead log enabled' : '';
    this.ctx.setHealth('healthy', next.length ? `${next.length} endpoint(s)${mode}` : `no endpoint configured: entries are discarded${mode}`);
  }

  async #configureWal(w: WalArgs | undefined, eps: EndpointArgs[], clients: EndpointClient[]): Promise<void> {
    const opts: Required<WalArgs> = { ...WAL_DEFAULTS, ...w };
    if (!opts.enabled) {
      const old = this.#wal;
      this.#wal = undefined;
      await old?.wal.close();
      return;
    }
    const dir = join(this.ctx.dataPath(), 'wal');
    const walKey = String(opts.max_segment_age);
    if (!this.#wal || this.#wal.key !== walKey) {
      await this.#wal?.wal.close();
      this.#wal = { key: walKey, wal: await LogWal.open({ dir, logger: this.ctx.logger, maxSegmentAgeMs: opts.max_segment_age }), watchers: [], opts };
    }
    this.#wal.opts = opts;
    const seen = new Set<string>();
    for (let i = 0; i < clients.length; i++) {
      let id = endpointId(eps[i]);
      while (seen.has(id)) id += '_';
      seen.add(id);
      const watcher = new WalWatcher(this.#wal.wal, clients[i], Checkpoint.fileFor(join(dir, 'positions'), id), {
        logger: this.ctx.logger.child({ endpoint: eps[i].name || i }),
        minReadMs: opts.min_read_frequency,
        maxReadMs: opts.max_read_frequency,
      });
      watcher.start();
      this.#wal.watchers.push(watcher);
    }
  }

  async stop(): Promise<void> {
    const wal = this.#wal;
    this.#wal = undefined;
    const old = this.#endpoints;
    this.#endpoints = [];
    if (wal) {
      // Deliver what the WAL holds for up to its drain_timeout; the rest waits on disk.
      await wal.wal.close();
      await Promise.all(wal.watchers.map((w) => w.stop(wal.opts.drain_timeout)));
      await Promise.all(old.map((e) => e.stop()));
      return;
    }
    // Push what is queued for up to queue_config.drain_timeout before giving up.
    await Promise.all(old.map((e) => e.stop(true)));
  }

  debugInfo(): unknown {
    return {
      endpoints: this.#endpoints.map((e) => ({ host: e.host, shards: e.shards, queued_bytes: e.queuedBytes, max_buffered_bytes: e.maxBuffered, ...e.state(), last_error: e.lastError || undefined })),
      wal: this.#wal ? { segments: this.#wal.wal.segments().length, head: this.#wal.wal.headIndex, positions: this.#wal.watchers.map((w) => w.position()) } : undefined,
    };
  }
}

export const lokiWrite: ComponentDefinition<LokiWriteArgs> = {
  name: 'loki.write',
  labelRequired: true,
  args: {
    attrs: {
      external_labels: { type: t.map(t.string()) },
      max_streams: { type: t.number(), default: 0 },
    },
    blocks: {
      endpoint: { schema: endpointSchema, multiple: true },
      wal: { schema: walSchema },
    },
    validate(a: LokiWriteArgs) {
      if (a.max_streams !== undefined && (!Number.isInteger(a.max_streams) || a.max_streams < 0)) throw new Error(`max_streams must be a non-negative integer, got ${a.max_streams}`);
    },
  },
  exports: { receiver: t.capsule(LOGS_RECEIVER) },
  build(ctx, _args) {
    return new LokiWrite(ctx);
  },
};

registerComponent(lokiWrite);
