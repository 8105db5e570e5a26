// loki.write's metrics (names follow Alloy's loki_write_* family).
import type { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { counter, gauge, histogram } from '../metrics.js';

type L = 'component_id' | 'host';

export interface WriteMetrics {
  sentEntries: Counter<L>;
  sentBytes: Counter<L>;
  droppedEntries: Counter<L | 'reason'>;
  droppedBytes: Counter<L | 'reason'>;
  retries: Counter<L>;
  requestDuration: Histogram<L | 'status_code'>;
  buffered: Gauge<L>;
}

export function writeMetrics(r: Registry): WriteMetrics {
  const base = ['component_id', 'host'] as const;
  return {
    sentEntries: counter(r, 'loki_write_sent_entries_total', 'Log entries pushed to Loki.', base),
    sentBytes: counter(r, 'loki_write_sent_bytes_total', 'Log line bytes pushed to Loki.', base),
    droppedEntries: counter(r, 'loki_write_dropped_entries_total', 'Log entries dropped (not retryable, or retries exhausted).', [...base, 'reason']),
    droppedBytes: counter(r, 'loki_write_dropped_bytes_total', 'Log line bytes dropped.', [...base, 'reason']),
    retries: counter(r, 'loki_write_batch_retries_total', 'Push requests retried.', base),
    requestDuration: histogram(r, 'loki_write_request_duration_seconds', 'Duration of push requests (batch latency).', [...base, 'status_code'], [0.005, 0.025, 0.1, 0.25, 1, 2.5, 10, 30]),
    buffered: gauge(r, 'loki_write_buffered_bytes', 'Approximate bytes queued in memory, waiting to be pushed.', base),
  };
}
