// Arguments of loki.write's endpoint, queue_config and wal blocks, as decoded
// by the runtime (Alloy attribute names; durations already in milliseconds),
// with Alloy's documented defaults.
import type { FullHttpClientArgs } from '../../net/client-schema.js';

export interface QueueConfigArgs {
  /** Bytes one shard may hold queued ("10MiB"). */
  capacity?: string | number;
  drain_timeout?: number;
  min_shards?: number;
  block_on_overflow?: boolean;
}

export interface EndpointArgs extends FullHttpClientArgs {
  url: string;
  name?: string;
  tenant_id?: string;
  headers?: Record<string, string>;
  batch_size?: string | number;
  batch_wait?: number;
  remote_timeout?: number;
  min_backoff_period?: number;
  max_backoff_period?: number;
  max_backoff_retries?: number;
  retry_on_http_429?: boolean;
  queue_config?: QueueConfigArgs;
}

export interface WalArgs {
  enabled?: boolean;
  max_segment_age?: number;
  min_read_frequency?: number;
  max_read_frequency?: number;
  drain_timeout?: number;
}

export const ENDPOINT_DEFAULTS = {
  batch_size: '1MiB',
  batch_wait: 1000,
  remote_timeout: 10_000,
  min_backoff_period: 500,
  max_backoff_period: 5 * 60_000,
  max_backoff_retries: 10,
  retry_on_http_429: true,
} as const;

/** Alloy's reference documents drain_timeout "1m" (its code has 15s); the document is our contract. */
export const QUEUE_DEFAULTS = {
  capacity: '10MiB',
  drain_timeout: 60_000,
  min_shards: 1,
  block_on_overflow: true,
} as const;

/** Alloy's reference documents the WAL drain_timeout as "30s". */
export const WAL_DEFAULTS = {
  enabled: false,
  max_segment_age: 3_600_000,
  min_read_frequency: 250,
  max_read_frequency: 1000,
  drain_timeout: 30_000,
} as const;

const UNITS: Record<string, number> = {
  '': 1, b: 1,
  kb: 1e3, mb: 1e6, gb: 1e9,
  kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3,
  k: 1024, m: 1024 ** 2, g: 1024 ** 3,
};

/** "1MiB", "512KB", "100" -> bytes (the go-units forms Alloy accepts). */
export function parseByteSize(what: string, v: string | number): number {
  if (typeof v === 'number') {
    if (!Number.isFinite(v) || v < 0) throw new Error(`${what}: invalid size ${v}`);
    return Math.floor(v);
  }
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(v);
  const unit = m ? UNITS[m[2].toLowerCase()] : undefined;
  if (!m || unit === undefined) throw new Error(`${what}: invalid size "${v}" (expected e.g. "1MiB", "512KB")`);
  return Math.floor(Number(m[1]) * unit);
}
