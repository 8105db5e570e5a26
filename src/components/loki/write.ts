// loki.write: receives log entries and pushes them to one or more Loki
// endpoints (snappy + protobuf). See write/endpoint.ts for batching,
// retries and backpressure.
import { registerComponent } from '../../runtime/registry.js';
import { t, type BlockSchema, type ComponentContext, type ComponentDefinition } from '../../runtime/types.js';
import { httpClientSchema, validateHttpClient } from '../../net/client-schema.js';
import { EndpointClient } from '../../logs/write/endpoint.js';
import type { EndpointArgs } from '../../logs/write/config.js';
import { writeMetrics } from '../../logs/write/write-metrics.js';
import { LOGS_RECEIVER, type LogEntry, logsReceiver, type LogsReceiver } from '../../pipeline/logs.js';

export interface LokiWriteArgs {
  endpoint?: EndpointArgs[];
  external_labels?: Record<string, string>;
  max_streams?: number;
}

export interface LokiWriteExports {
  receiver: LogsReceiver;
}

export const endpointSchema: BlockSchema = {
  attrs: {
    url: { type: t.string(), required: true },
    name: { type: t.string() },
    tenant_id: { type: t.string() },
    headers: { type: t.map(t.string()) },
    ...httpClientSchema().attrs,
    batch_size: { type: t.any(), default: '1MiB' },
    batch_wait: { type: t.duration(), default: 1000 },
    remote_timeout: { type: t.duration(), default: 10_000 },
    min_backoff_period: { type: t.duration(), default: 500 },
    max_backoff_period: { type: t.duration(), default: 300_000 },
    max_backoff_retries: { type: t.number(), default: 10 },
    retry_on_http_429: { type: t.bool(), default: true },
  },
  blocks: {
    ...httpClientSchema().blocks,
  },
  validate(e: EndpointArgs) {
    validateHttpClient(e);
  },
};

class LokiWrite {
  #endpoints: EndpointClient[] = [];
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
    const eps = this.#endpoints;
    if (eps.length === 1) return eps[0].append(entries);
    await Promise.all(eps.map((e) => e.append(entries)));
  }

  async update(args: LokiWriteArgs): Promise<void> {
    const key = JSON.stringify(args, (_k, v) => (typeof v === 'object' && v !== null && 'reveal' in v ? `secret:${(v as { reveal(): string }).reveal()}` : v));
    if (key === this.#lastArgs) return;
    this.#lastArgs = key;
    const next = (args.endpoint ?? []).map(
      (ep, i) =>
        new EndpointClient(ep, {
          externalLabels: args.external_labels ?? {},
          logger: this.ctx.logger.child({ endpoint: ep.name || i }),
          metrics: this.#metrics,
          componentId: this.ctx.id,
        }),
    );
    const old = this.#endpoints;
    this.#endpoints = next;
    // Entries queued at the old endpoints are rejected; their sources re-read them.
    await Promise.all(old.map((e) => e.stop()));
    this.ctx.setHealth('healthy', next.length ? `${next.length} endpoint(s)` : 'no endpoint configured: entries are discarded');
  }

  async stop(): Promise<void> {
    const old = this.#endpoints;
    this.#endpoints = [];
    await Promise.all(old.map((e) => e.stop()));
  }

  debugInfo(): unknown {
    return {
      endpoints: this.#endpoints.map((e) => ({ host: e.host, queued_bytes: e.queuedBytes, max_buffered_bytes: e.maxBuffered, ...e.state(), last_error: e.lastError || undefined })),
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
    blocks: { endpoint: { schema: endpointSchema, multiple: true } },
  },
  exports: { receiver: t.capsule(LOGS_RECEIVER) },
  build(ctx, _args) {
    return new LokiWrite(ctx);
  },
};

registerComponent(lokiWrite);
