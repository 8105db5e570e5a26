// loki.source.kubernetes's metrics, in the component's own registry (which
// labels every series with component_id).
import { Counter, Gauge, type Registry } from 'prom-client';

export interface TailMetrics {
  entries: Counter;
  bytes: Counter;
  skipped: Counter;
  opens: Counter<'reason'>;
  errors: Counter;
  streams: Gauge;
}

export function tailMetrics(r: Registry): TailMetrics {
  const registers = [r];
  return {
    entries: new Counter({ name: 'loki_source_kubernetes_entries_total', help: 'Log lines read and delivered downstream.', registers }),
    bytes: new Counter({ name: 'loki_source_kubernetes_bytes_total', help: 'Bytes of log lines delivered downstream.', registers }),
    skipped: new Counter({ name: 'loki_source_kubernetes_resume_skipped_total', help: 'Lines skipped on resume because their position was already delivered.', registers }),
    opens: new Counter({ name: 'loki_source_kubernetes_stream_opens_total', help: 'pods/log streams opened, by why the previous one ended.', labelNames: ['reason'] as const, registers }),
    errors: new Counter({ name: 'loki_source_kubernetes_stream_errors_total', help: 'pods/log stream errors (retried with backoff).', registers }),
    streams: new Gauge({ name: 'loki_source_kubernetes_tailers', help: 'Container log streams tailed by this replica.', registers }),
  };
}
