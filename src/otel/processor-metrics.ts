// The processor self-metrics of the OTel Collector's processorhelper, as Alloy
// exposes them (OTel Go's Prometheus exporter: counters gain _total, the unit
// "s" gains _seconds, the attribute otel.signal becomes otel_signal): items in,
// items out (0 when the processor failed or dropped everything) and the time
// the processing took, per signal. Filter's own counters of what it dropped
// (otelcol_processor_filter_{spans,datapoints,logs}.filtered) are here too.
import { Counter, Histogram, type Registry } from 'prom-client';
import type { Signal } from '../pipeline/otel.js';

/** The OTel SDK's default explicit histogram boundaries (processorhelper sets none of its own). */
const OTEL_DEFAULT_BUCKETS = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];

export class ProcessorMetrics {
  readonly #incoming: Counter;
  readonly #outgoing: Counter;
  readonly #duration: Histogram;
  readonly #processor: string;

  constructor(registry: Registry, processor: string) {
    this.#processor = processor;
    const labelNames = ['processor', 'otel_signal'];
    this.#incoming = new Counter({ name: 'otelcol_processor_incoming_items_total', help: 'Number of items passed to the processor.', labelNames, registers: [registry] });
    this.#outgoing = new Counter({ name: 'otelcol_processor_outgoing_items_total', help: 'Number of items emitted from the processor.', labelNames, registers: [registry] });
    this.#duration = new Histogram({
      name: 'otelcol_processor_internal_duration_seconds',
      help: 'Duration of time taken to process a batch of telemetry data through the processor.',
      labelNames,
      buckets: OTEL_DEFAULT_BUCKETS,
      registers: [registry],
    });
  }

  /** One request: `incoming` items went in, `outgoing` came out, processing took `seconds`. */
  record(signal: Signal, incoming: number, outgoing: number, seconds: number): void {
    const labels = { processor: this.#processor, otel_signal: signal };
    this.#incoming.inc(labels, incoming);
    this.#outgoing.inc(labels, outgoing);
    this.#duration.observe(labels, seconds);
  }
}

const FILTERED: Record<Signal, { name: string; help: string }> = {
  traces: { name: 'otelcol_processor_filter_spans_filtered_total', help: 'Number of spans dropped by the filter processor' },
  metrics: { name: 'otelcol_processor_filter_datapoints_filtered_total', help: 'Number of metric data points dropped by the filter processor' },
  logs: { name: 'otelcol_processor_filter_logs_filtered_total', help: 'Number of logs dropped by the filter processor' },
};

/** The filter processor's counters of dropped items, labelled `filter` with the processor's id (as the Collector does). */
export class FilterMetrics {
  readonly #counters: Record<Signal, Counter>;
  readonly #filter: string;

  constructor(registry: Registry, filter: string) {
    this.#filter = filter;
    const make = (s: Signal) => new Counter({ ...FILTERED[s], labelNames: ['filter'], registers: [registry] });
    this.#counters = { traces: make('traces'), metrics: make('metrics'), logs: make('logs') };
  }

  dropped(signal: Signal, n: number): void {
    this.#counters[signal].inc({ filter: this.#filter }, n);
  }
}
