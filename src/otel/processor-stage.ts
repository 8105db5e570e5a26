// The shape every otelcol.processor.* that works request by request shares: a
// step turns the incoming data into what goes on (or nothing, when every item
// was dropped), which is handed to the output block's consumers; a failure
// downstream or in the step rejects, so the receiver answers with an error.
import { fanoutSignal, otelConsumer, type OtelConsumer, type OtelContext, type OtelOutput, type Signal, type SignalData } from '../pipeline/otel.js';
import { itemCount } from './model.js';

export type Step = <S extends Signal>(signal: S, data: SignalData[S], ctx?: OtelContext) => SignalData[S] | undefined;

export class ProcessorStage {
  #output: OtelOutput;
  #step: Step;
  readonly input: OtelConsumer;

  constructor(step: Step, output: OtelOutput) {
    this.#step = step;
    this.#output = output;
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
    const out = this.#step(signal, data, ctx);
    // As the Collector's processors do, data with nothing left is not passed on.
    if (out === undefined || itemCount(signal, out) === 0) return;
    const consumers = this.#output[signal];
    if (consumers.length > 0) await fanoutSignal(consumers, signal, out, ctx);
  }
}

/** The signals an output block sends on. */
export function outputSignals(o: OtelOutput): Signal[] {
  return (['traces', 'metrics', 'logs'] as const).filter((s) => o[s].length > 0);
}
