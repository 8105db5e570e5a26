// loki.write's metrics (names follow Alloy's loki_write_* family), in the
// component's own registry (which labels every series with component_id).
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

type L = 'host';

export interface WriteMetrics {
  sentEntries: Counter<L>;
  sentBytes: Counter<L>;
  droppedEntries: Counter<L | 'reason'>;
  droppedBytes: Counter<L | 'reason'>;
  retries: Counter<L>;
  requestDuration: Histogram<L | 'status_code'>;
  requestSize: Histogram<L>;
  propagationLatency: Histogram<L>;
  buffered: Gauge<L>;
}

export function writeMetrics(r: Registry): WriteMetrics {
  const registers = [r];
  const labelNames = ['host'] as const;
  const withReason = ['host', 'reason'] as const;
  return {
    sentEntries: new Counter({ name: 'loki_write_sent_entries_total', help: 'Log entries pushed to Loki.', labelNames, registers }),
    sentBytes: new Counter({ name: 'loki_write_sent_bytes_total', help: 'Log line bytes pushed to Loki.', labelNames, registers }),
    droppedEntries: new Counter({ name: 'loki_write_dropped_entries_total', help: 'Log entries dropped (not retryable, or retries exhausted).', labelNames: withReason, registers }),
    droppedBytes: new Counter({ name: 'loki_write_dropped_bytes_total', help: 'Log line bytes dropped.', labelNames: withReason, registers }),
    retries: new Counter({ name: 'loki_write_batch_retries_total', help: 'Push requests retried.', labelNames, registers }),
    requestDuration: new Histogram({
      name: 'loki_write_request_duration_seconds',
      help: 'Duration of push requests (batch latency).',
      labelNames: ['host', 'status_code'] as const,
      buckets: [0.005, 0.025, 0.1, 0.25, 1, 2.5, 10, 30],
      registers,
    }),
    requestSize: new Histogram({
      name: 'loki_write_request_size_bytes',
      help: 'Bytes of encoded push requests.',
      labelNames,
      buckets: [1024, 16_384, 65_536, 262_144, 1 << 20, 4 << 20],
      registers,
    }),
    propagationLatency: new Histogram({
      name: 'loki_write_entry_propagation_latency_seconds',
      help: 'Time from an entry\'s timestamp until it was sent or dropped.',
      labelNames,
      buckets: [0.5, 1, 2, 5, 10, 30, 60, 300, 900],
      registers,
    }),
    buffered: new Gauge({ name: 'loki_write_buffered_bytes', help: 'Approximate bytes queued in memory, waiting to be pushed.', labelNames, registers }),
  };
}
