// The shape every otelcol.processor.* that works request by request shares: a
// step turns the incoming data into what goes on (or nothing, when every item
// was dropped), which is handed to the output block's consumers; a failure
// downstream or in the step rejects, so the receiver answers with an error.
// With metrics, every request is counted as the Collector's processorhelper
// does: items in, items out (0 when the step failed or dropped everything),
// and the step's duration; `onDropped` hears how many items the step removed.
import { fanoutSignal, otelConsumer, type OtelConsumer, type OtelContext, type OtelOutput, type Signal, type SignalData } from '../pipeline/otel.js';
import { itemCount } from './model.js';
import type { ProcessorMetrics } from './processor-metrics.js';

export type Step = <S extends Signal>(signal: S, data: SignalData[S], ctx?: OtelContext) => SignalData[S] | undefined;

export class ProcessorStage {
  #output: OtelOutput;
  #step: Step;
  readonly input: OtelConsumer;

  readonly #metrics?: ProcessorMetrics;
  readonly #onDropped?: (signal: Signal, n: number) => void;

  constructor(step: Step, output: OtelOutput, metrics?: ProcessorMetrics, onDropped?: (signal: Signal, n: number) => void) {
    this.#step = step;
    this.#output = output;
    this.#metrics = metrics;
    this.#onDropped = onDropped;
    this.input = otelConsumer({
      consumeTraces: (d, c) => this.#consume('traces', d, c),
      consumeMetrics: (d, c) => this.#consume('metrics', d, c),
      consumeLogs: (d, c) => this.#consume('logs', d, c),
    });
  }

  update(step: Step, output: OtelOutput): void {
    this.#step = step;
    this.#output = output;
  }

  async #consume<S extends Signal>(signal: S, data: SignalData[S], ctx?: OtelContext): Promise<void> {
    const incoming = this.#metrics || this.#onDropped ? itemCount(signal, data) : 0;
    const start = performance.now();
    let out: SignalData[S] | undefined;
    try {
      out = this.#step(signal, data, ctx);
    } catch (e) {
      this.#metrics?.record(signal, incoming, 0, (performance.now() - start) / 1000);
      throw e;
    }
    const outgoing = out === undefined ? 0 : itemCount(signal, out);
    this.#metrics?.record(signal, incoming, outgoing, (performance.now() - start) / 1000);
    this.#onDropped?.(signal, Math.max(0, incoming - outgoing));
    // As the Collector's processors do, data with nothing left is not passed on.
    if (out === undefined || outgoing === 0) return;
    const consumers = this.#output[signal];
    if (consumers.length > 0) await fanoutSignal(consumers, signal, out, ctx);
  }
}

/** The signals an output block sends on. */
export function outputSignals(o: OtelOutput): Signal[] {
  return (['traces', 'metrics', 'logs'] as const).filter((s) => o[s].length > 0);
}
