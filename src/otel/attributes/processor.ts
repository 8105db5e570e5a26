// otelcol.processor.attributes's mechanism: the actions run over the
// attributes of every span, log record and metric data point that the include
// block admits (when given) and the exclude block does not. Data is copied
// before it is changed.
import type { KeyValue, Logs, Metrics, OtelContext, Signal, SignalData, Traces } from '../../pipeline/otel.js';
import { dataPointsOf } from '../ottl/walk.js';
import { compileAction, type Action, type ActionArgs } from './actions.js';
import { compileMatch, type Matcher, type MatchItem, type MatchProperties } from './match.js';

export interface AttributesArgs {
  action: ActionArgs[];
  include?: MatchProperties;
  exclude?: MatchProperties;
}

export class AttributesProcessor {
  readonly #actions: Action[];
  readonly #include: Partial<Record<Signal, Matcher>> = {};
  readonly #exclude: Partial<Record<Signal, Matcher>> = {};

  /** `signals`: those the output sends on; include/exclude are checked against each. */
  constructor(a: AttributesArgs, signals: readonly Signal[]) {
    this.#actions = a.action.map((x, i) => compileAction(`action[${i}]`, x));
    for (const s of signals) {
      if (a.include) this.#include[s] = compileMatch('include', a.include, s);
      if (a.exclude) this.#exclude[s] = compileMatch('exclude', a.exclude, s);
    }
  }

  #admits(signal: Signal, it: MatchItem): boolean {
    const inc = this.#include[signal];
    const exc = this.#exclude[signal];
    return (!inc || inc(it)) && (!exc || !exc(it));
  }

  #run(attrs: KeyValue[], ctx: OtelContext | undefined): void {
    for (const act of this.#actions) act(attrs, ctx);
  }

  apply<S extends Signal>(signal: S, input: SignalData[S], ctx?: OtelContext): SignalData[S] {
    if (this.#actions.length === 0) return input;
    const data = structuredClone(input);
    if (signal === 'traces') {
      for (const rs of (data as Traces).resourceSpans ?? []) {
        const resource = (rs.resource ??= { attributes: [] });
        for (const ss of rs.scopeSpans ?? []) for (const span of ss.spans ?? []) if (this.#admits(signal, { resource, scope: ss.scope, span })) this.#run((span.attributes ??= []), ctx);
      }
    } else if (signal === 'logs') {
      for (const rl of (data as Logs).resourceLogs ?? []) {
        const resource = (rl.resource ??= { attributes: [] });
        for (const sl of rl.scopeLogs ?? []) for (const log of sl.logRecords ?? []) if (this.#admits(signal, { resource, scope: sl.scope, log })) this.#run((log.attributes ??= []), ctx);
      }
    } else {
      for (const rm of (data as Metrics).resourceMetrics ?? []) {
        const resource = (rm.resource ??= { attributes: [] });
        for (const sm of rm.scopeMetrics ?? []) {
          for (const metric of sm.metrics ?? []) {
            if (!this.#admits(signal, { resource, scope: sm.scope, metric })) continue;
            for (const dp of dataPointsOf(metric)) this.#run(((dp as { attributes?: KeyValue[] }).attributes ??= []), ctx);
          }
        }
      }
    }
    return data;
  }
}
