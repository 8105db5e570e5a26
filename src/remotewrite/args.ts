// prometheus.remote_write arguments: the Alloy schema (names and defaults as
// in Alloy) and the normalised, fully-defaulted form the component works with.
import { createHash } from 'node:crypto';
import { t, type BlockSchema } from '../runtime/types.js';
import type { Secret } from '../syntax/secret.js';
import { type FullHttpClientArgs, httpClientSchema, validateHttpClient } from '../net/client-schema.js';
import { ruleBlockSchema, rulesFromConfig, type RuleBlock } from '../relabel/index.js';
import type { CompiledRule } from '../relabel/index.js';

export interface QueueArgs {
  capacity: number;
  min_shards: number;
  max_shards: number;
  max_samples_per_send: number;
  batch_send_deadline: number;
  min_backoff: number;
  max_backoff: number;
  retry_on_http_429: boolean;
  sample_age_limit: number;
}

export interface MetadataArgs {
  send: boolean;
  send_interval: number;
  max_samples_per_send: number;
}

/** The two `protobuf_message` values: remote write 1.0 and 2.0. */
export const PROTO_V1 = 'prometheus.WriteRequest';
export const PROTO_V2 = 'io.prometheus.write.v2.Request';
export type ProtobufMessage = typeof PROTO_V1 | typeof PROTO_V2;

export interface EndpointArgs extends FullHttpClientArgs {
  url: string;
  name?: string;
  headers?: Record<string, string | Secret>;
  remote_timeout: number;
  send_exemplars?: boolean;
  send_native_histograms?: boolean;
  /** Default prometheus.WriteRequest (remote write 1.0). */
  protobuf_message?: ProtobufMessage;
  round_robin_dns?: boolean;
  queue_config: QueueArgs;
  metadata_config?: MetadataArgs;
  write_relabel_config?: RuleBlock[];
}

export interface WalArgs {
  truncate_frequency: number;
  min_keepalive_time: number;
  max_keepalive_time: number;
  /** alloy-ts extension: bytes on disk before the oldest unsent data is dropped. */
  max_size: number;
  /** alloy-ts extension: bytes per segment file. */
  segment_size: number;
}

/** An endpoint block as decoded (nested blocks absent unless written). */
export type RawEndpoint = Partial<Omit<EndpointArgs, 'queue_config' | 'metadata_config'>> & { queue_config?: Partial<QueueArgs>; metadata_config?: Partial<MetadataArgs> };

export interface RemoteWriteArgs {
  endpoint?: RawEndpoint[];
  external_labels?: Record<string, string>;
  wal?: Partial<WalArgs>;
}

/** One endpoint after defaults, with its stable name and compiled rules. */
export interface ResolvedEndpoint extends EndpointArgs {
  protobuf_message: ProtobufMessage;
  metadata_config: MetadataArgs;
  remoteName: string;
  rules: CompiledRule[];
}

export interface ResolvedArgs {
  endpoints: ResolvedEndpoint[];
  externalLabels: [string, string][];
  wal: WalArgs;
}

const SEC = 1000;
export const QUEUE_DEFAULTS: QueueArgs = {
  capacity: 10000,
  min_shards: 1,
  max_shards: 50,
  max_samples_per_send: 2000,
  batch_send_deadline: 5 * SEC,
  min_backoff: 30,
  max_backoff: 5 * SEC,
  retry_on_http_429: true,
  sample_age_limit: 0,
};
export const METADATA_DEFAULTS: MetadataArgs = { send: true, send_interval: 60 * SEC, max_samples_per_send: 2000 };
export const WAL_DEFAULTS: WalArgs = {
  truncate_frequency: 2 * 3600 * SEC,
  min_keepalive_time: 5 * 60 * SEC,
  max_keepalive_time: 8 * 3600 * SEC,
  max_size: 1024 * 1024 * 1024,
  // Prometheus's segment size. Each segment repeats the definitions of the
  // series it uses, so small segments would spend much of their bytes (and
  // the writer's CPU) on labels; see resolveArgs for small max_size values.
  segment_size: 128 * 1024 * 1024,
};
const REMOTE_TIMEOUT = 30 * SEC;

const queueSchema: BlockSchema = {
  attrs: {
    capacity: { type: t.number(), default: QUEUE_DEFAULTS.capacity },
    min_shards: { type: t.number(), default: QUEUE_DEFAULTS.min_shards },
    max_shards: { type: t.number(), default: QUEUE_DEFAULTS.max_shards },
    max_samples_per_send: { type: t.number(), default: QUEUE_DEFAULTS.max_samples_per_send },
    batch_send_deadline: { type: t.duration(), default: QUEUE_DEFAULTS.batch_send_deadline },
    min_backoff: { type: t.duration(), default: QUEUE_DEFAULTS.min_backoff },
    max_backoff: { type: t.duration(), default: QUEUE_DEFAULTS.max_backoff },
    retry_on_http_429: { type: t.bool(), default: QUEUE_DEFAULTS.retry_on_http_429 },
    sample_age_limit: { type: t.duration(), default: QUEUE_DEFAULTS.sample_age_limit },
  },
};

const endpointSchema: BlockSchema = {
  attrs: {
    url: { type: t.string(), required: true },
    name: { type: t.string() },
    headers: { type: t.map(t.secret()) },
    remote_timeout: { type: t.duration(), default: REMOTE_TIMEOUT },
    send_exemplars: { type: t.bool(), default: true },
    send_native_histograms: { type: t.bool(), default: false },
    protobuf_message: { type: t.string(), default: PROTO_V1 },
    round_robin_dns: { type: t.bool(), default: false },
    ...httpClientSchema({ cloudAuth: true }).attrs,
    // Alloy's remote_write default since Prometheus 3.4 (the shared block's is true).
    enable_http2: { type: t.bool(), default: false },
  },
  blocks: {
    ...httpClientSchema({ cloudAuth: true }).blocks,
    queue_config: { schema: queueSchema },
    metadata_config: {
      schema: {
        attrs: {
          send: { type: t.bool(), default: METADATA_DEFAULTS.send },
          send_interval: { type: t.duration(), default: METADATA_DEFAULTS.send_interval },
          max_samples_per_send: { type: t.number(), default: METADATA_DEFAULTS.max_samples_per_send },
        },
      },
    },
    write_relabel_config: { schema: ruleBlockSchema, multiple: true },
  },
};

export const argsSchema: BlockSchema = {
  attrs: {
    external_labels: { type: t.map(t.string()) },
  },
  blocks: {
    endpoint: { schema: endpointSchema, multiple: true },
    wal: {
      schema: {
        attrs: {
          truncate_frequency: { type: t.duration(), default: WAL_DEFAULTS.truncate_frequency },
          min_keepalive_time: { type: t.duration(), default: WAL_DEFAULTS.min_keepalive_time },
          max_keepalive_time: { type: t.duration(), default: WAL_DEFAULTS.max_keepalive_time },
          max_size: { type: t.number(), default: WAL_DEFAULTS.max_size },
          segment_size: { type: t.number() },
        },
      },
    },
  },
  validate: (a: RemoteWriteArgs) => {
    resolveArgs(a);
  },
};

function positive(v: number, what: string, min = 1): void {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min) throw new Error(`${what} must be a number >= ${min}, got ${String(v)}`);
}

/** Fills defaults and checks every bound; errors name the endpoint and the attribute. */
export function resolveArgs(a: RemoteWriteArgs): ResolvedArgs {
  const given = stripUndefined(a.wal ?? {});
  const wal: WalArgs = { ...WAL_DEFAULTS, ...given };
  // Unset segment_size: the default, but at least 8 segments within max_size.
  if (given.segment_size === undefined) wal.segment_size = Math.min(WAL_DEFAULTS.segment_size, Math.max(4096, Math.floor(wal.max_size / 8)));
  if (wal.truncate_frequency === 0) throw new Error('wal.truncate_frequency must not be 0');
  positive(wal.truncate_frequency, 'wal.truncate_frequency');
  positive(wal.min_keepalive_time, 'wal.min_keepalive_time', 0);
  positive(wal.max_keepalive_time, 'wal.max_keepalive_time');
  if (wal.max_keepalive_time <= wal.min_keepalive_time) throw new Error('wal: min_keepalive_time must be smaller than max_keepalive_time');
  positive(wal.segment_size, 'wal.segment_size', 4096);
  positive(wal.max_size, 'wal.max_size', 2 * wal.segment_size);

  const seen = new Set<string>();
  const endpoints = (a.endpoint ?? []).map((raw, i) => {
    const where = `endpoint ${raw.name ? JSON.stringify(raw.name) : i + 1}`;
    if (typeof raw.url !== 'string' || raw.url === '') throw new Error(`${where}: url is required`);
    let u: URL;
    try {
      u = new URL(raw.url);
    } catch {
      throw new Error(`${where}: url ${JSON.stringify(raw.url)} is not a valid URL`);
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`${where}: url scheme must be http or https`);
    const q: QueueArgs = { ...QUEUE_DEFAULTS, ...stripUndefined(raw.queue_config ?? {}) };
    positive(q.capacity, `${where}: queue_config.capacity`);
    positive(q.min_shards, `${where}: queue_config.min_shards`);
    positive(q.max_shards, `${where}: queue_config.max_shards`);
    if (q.min_shards > q.max_shards) throw new Error(`${where}: queue_config.min_shards must not exceed max_shards`);
    positive(q.max_samples_per_send, `${where}: queue_config.max_samples_per_send`);
    positive(q.batch_send_deadline, `${where}: queue_config.batch_send_deadline`);
    positive(q.min_backoff, `${where}: queue_config.min_backoff`, 0);
    positive(q.max_backoff, `${where}: queue_config.max_backoff`, 0);
    positive(q.sample_age_limit, `${where}: queue_config.sample_age_limit`, 0);
    const md: MetadataArgs = { ...METADATA_DEFAULTS, ...stripUndefined(raw.metadata_config ?? {}) };
    positive(md.send_interval, `${where}: metadata_config.send_interval`);
    positive(md.max_samples_per_send, `${where}: metadata_config.max_samples_per_send`);
    const proto = raw.protobuf_message ?? PROTO_V1;
    if (proto !== PROTO_V1 && proto !== PROTO_V2) {
      throw new Error(`${where}: invalid protobuf_message ${JSON.stringify(proto)}: must be ${JSON.stringify(PROTO_V1)} or ${JSON.stringify(PROTO_V2)}`);
    }
    try {
      validateHttpClient(raw as FullHttpClientArgs);
    } catch (e) {
      throw new Error(`${where}: ${(e as Error).message}`);
    }
    let rules: CompiledRule[];
    try {
      rules = rulesFromConfig(raw.write_relabel_config ?? []);
    } catch (e) {
      throw new Error(`${where}: write_relabel_config: ${(e as Error).message}`);
    }
    const remoteName = raw.name || createHash('sha256').update(raw.url).digest('hex').slice(0, 6);
    if (seen.has(remoteName)) throw new Error(`${where}: duplicate endpoint name ${remoteName} (set distinct names)`);
    seen.add(remoteName);
    const ep: ResolvedEndpoint = {
      ...(raw as unknown as EndpointArgs),
      remote_timeout: raw.remote_timeout ?? REMOTE_TIMEOUT,
      protobuf_message: proto,
      queue_config: q,
      metadata_config: md,
      remoteName,
      rules,
    };
    positive(ep.remote_timeout, `${where}: remote_timeout`);
    return ep;
  });

  const externalLabels = Object.entries(a.external_labels ?? {})
    .map(([k, v]) => {
      if (typeof v !== 'string') throw new Error(`external_labels.${k}: value must be a string`);
      return [k, v] as [string, string];
    })
    .sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
  return { endpoints, externalLabels, wal };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
