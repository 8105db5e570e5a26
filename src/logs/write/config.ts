// Arguments of loki.write's endpoint block, as decoded by the runtime
// (Alloy attribute names; durations already in milliseconds).
import type { FullHttpClientArgs } from '../../net/client-schema.js';

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
