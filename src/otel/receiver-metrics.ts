// The receiver self-metrics of the OTel Collector's obsreport, as Alloy exposes
// them: items pushed into the pipeline (accepted) or refused by it, per
// transport. Malformed requests never reach the pipeline and so count in
// neither (as in the Collector): they are answered with a protocol error, and
// on gRPC every call, malformed ones included, is counted by its status code in
// the rpc_server_* histograms (RpcServerMetrics below).
import { Counter, Histogram, type Registry } from 'prom-client';
import type { Signal } from '../pipeline/otel.js';

const UNIT: Record<Signal, string> = { traces: 'spans', metrics: 'metric_points', logs: 'log_records' };
const WHAT: Record<Signal, string> = { traces: 'spans', metrics: 'metric points', logs: 'log records' };

export class ReceiverMetrics {
  readonly #accepted: Record<Signal, Counter>;
  readonly #refused: Record<Signal, Counter>;
  readonly #receiver: string;

  constructor(registry: Registry, receiver: string) {
    this.#receiver = receiver;
    const make = (kind: 'accepted' | 'refused', s: Signal) =>
      new Counter({
        name: `otelcol_receiver_${kind}_${UNIT[s]}_total`,
        help: kind === 'accepted' ? `Number of ${WHAT[s]} successfully pushed into the pipeline.` : `Number of ${WHAT[s]} that could not be pushed into the pipeline.`,
        labelNames: ['receiver', 'transport'],
        registers: [registry],
      });
    this.#accepted = { traces: make('accepted', 'traces'), metrics: make('accepted', 'metrics'), logs: make('accepted', 'logs') };
    this.#refused = { traces: make('refused', 'traces'), metrics: make('refused', 'metrics'), logs: make('refused', 'logs') };
  }

  accepted(signal: Signal, transport: string, n: number): void {
    this.#accepted[signal].inc({ receiver: this.#receiver, transport }, n);
  }

  refused(signal: Signal, transport: string, n: number): void {
    this.#refused[signal].inc({ receiver: this.#receiver, transport }, n);
  }
}

/** The OpenTelemetry SDK's default explicit histogram buckets, which the Collector's gRPC instrumentation uses. */
const OTEL_DEFAULT_BUCKETS = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];

/**
 * The gRPC server histograms Alloy lists for otelcol.receiver.otlp (from the
 * Collector's gRPC instrumentation): one observation per unary Export call,
 * labelled with the service, method and the gRPC status code answered
 * ("3" for a request that does not decode, "14" for a refusing pipeline).
 */
export class RpcServerMetrics {
  readonly #duration: Histogram;
  readonly #requestSize: Histogram;

  constructor(registry: Registry) {
    const labelNames = ['rpc_system', 'rpc_service', 'rpc_method', 'rpc_grpc_status_code'];
    this.#duration = new Histogram({ name: 'rpc_server_duration_milliseconds', help: 'Measures the duration of inbound RPC.', labelNames, buckets: OTEL_DEFAULT_BUCKETS, registers: [registry] });
    this.#requestSize = new Histogram({ name: 'rpc_server_request_size_bytes', help: 'Measures size of RPC request messages (uncompressed).', labelNames, buckets: OTEL_DEFAULT_BUCKETS, registers: [registry] });
  }

  observe(service: string, method: string, code: number, durationMs: number, requestBytes: number): void {
    const labels = { rpc_system: 'grpc', rpc_service: service, rpc_method: method, rpc_grpc_status_code: String(code) };
    this.#duration.observe(labels, durationMs);
    this.#requestSize.observe(labels, requestBytes);
  }
}
