import type { Counter, Gauge, Registry } from 'prom-client';
import { counter, gauge } from '../metrics.js';

type L = 'component_id';

export interface TailMetrics {
  entries: Counter<L>;
  bytes: Counter<L>;
  skipped: Counter<L>;
  opens: Counter<L | 'reason'>;
  errors: Counter<L>;
  streams: Gauge<L>;
}

export function tailMetrics(r: Registry): TailMetrics {
  return {
    entries: counter(r, 'loki_source_kubernetes_entries_total', 'Log lines read and delivered downstream.', ['component_id']),
    bytes: counter(r, 'loki_source_kubernetes_bytes_total', 'Bytes of log lines delivered downstream.', ['component_id']),
    skipped: counter(r, 'loki_source_kubernetes_resume_skipped_total', 'Lines skipped on resume because their position was already delivered.', ['component_id']),
    opens: counter(r, 'loki_source_kubernetes_stream_opens_total', 'pods/log streams opened, by why the previous one ended.', ['component_id', 'reason']),
    errors: counter(r, 'loki_source_kubernetes_stream_errors_total', 'pods/log stream errors (retried with backoff).', ['component_id']),
    streams: gauge(r, 'loki_source_kubernetes_tailers', 'Container log streams tailed by this replica.', ['component_id']),
  };
}
