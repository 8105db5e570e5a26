// Self-metrics of the bridge components, with the names Alloy gives them:
// the Prometheus fanout's forwarded-samples counter (otelcol.exporter.prometheus)
// and the Loki converter's entry counters (otelcol.exporter.loki).
import { Counter, type Registry } from 'prom-client';

export class FanoutMetrics {
  readonly forwarded: Counter;
  constructor(registry: Registry) {
    this.forwarded = new Counter({ name: 'prometheus_forwarded_samples_total', help: 'Total number of samples sent to downstream components.', registers: [registry] });
  }
}

export class LokiConverterMetrics {
  readonly total: Counter;
  readonly failed: Counter;
  readonly processed: Counter;
  constructor(registry: Registry) {
    this.total = new Counter({ name: 'otelcol_exporter_loki_entries_total', help: 'Total number of log entries passed through the converter', registers: [registry] });
    this.failed = new Counter({ name: 'otelcol_exporter_loki_entries_failed', help: 'Total number of log entries failed to convert', registers: [registry] });
    this.processed = new Counter({ name: 'otelcol_exporter_loki_entries_processed', help: 'Total number of log entries successfully converted', registers: [registry] });
  }
}
