// The exporter self-metrics of the OTel Collector's exporterhelper, as Alloy
// exposes them: items sent, items whose send finally failed, items the queue
// refused, and the queue's size and capacity.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Signal } from '../../pipeline/otel.js';

const UNIT: Record<Signal, string> = { traces: 'spans', metrics: 'metric_points', logs: 'log_records' };
const WHAT: Record<Signal, string> = { traces: 'spans', metrics: 'metric points', logs: 'log records' };

export class ExporterMetrics {
  readonly #sent: Record<Signal, Counter>;
  readonly #failed: Record<Signal, Counter>;
  readonly #enqueueFailed: Record<Signal, Counter>;
  readonly queueSize: Gauge;
  readonly queueCapacity: Gauge;
  readonly exporter: string;

  constructor(registry: Registry, exporter: string) {
    this.exporter = exporter;
    const per = (name: (u: string) => string, help: (w: string) => string) => {
      const out = {} as Record<Signal, Counter>;
      for (const s of ['traces', 'metrics', 'logs'] as Signal[]) out[s] = new Counter({ name: name(UNIT[s]), help: help(WHAT[s]), labelNames: ['exporter'], registers: [registry] });
      return out;
    };
    this.#sent = per((u) => `otelcol_exporter_sent_${u}_total`, (w) => `Number of ${w} successfully sent to destination.`);
    this.#failed = per((u) => `otelcol_exporter_send_failed_${u}_total`, (w) => `Number of ${w} in failed attempts to send to destination.`);
    this.#enqueueFailed = per((u) => `otelcol_exporter_enqueue_failed_${u}_total`, (w) => `Number of ${w} failed to be added to the sending queue.`);
    this.queueSize = new Gauge({ name: 'otelcol_exporter_queue_size', help: 'Current size of the retry queue (in batches)', labelNames: ['exporter'], registers: [registry] });
    this.queueCapacity = new Gauge({ name: 'otelcol_exporter_queue_capacity', help: 'Fixed capacity of the retry queue (in batches)', labelNames: ['exporter'], registers: [registry] });
  }

  sent(s: Signal, n: number): void {
    this.#sent[s].inc({ exporter: this.exporter }, n);
  }
  failed(s: Signal, n: number): void {
    this.#failed[s].inc({ exporter: this.exporter }, n);
  }
  enqueueFailed(s: Signal, n: number): void {
    this.#enqueueFailed[s].inc({ exporter: this.exporter }, n);
  }
}
