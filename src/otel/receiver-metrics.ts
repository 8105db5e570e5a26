// The receiver self-metrics of the OTel Collector's obsreport, as Alloy exposes
// them: items pushed into the pipeline (accepted) or refused by it, per
// transport. Malformed requests never reach the pipeline and so count in
// neither (as in the Collector): they are answered with a protocol error.
import { Counter, type Registry } from 'prom-client';
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
