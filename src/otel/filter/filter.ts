// otelcol.processor.filter's mechanism (the Collector's filterprocessor): an
// item for which any OTTL condition of its level holds is dropped. Higher
// levels are checked first (a dropped span's events are not looked at); a
// metric whose data points were all dropped goes too; scopes and resources
// left empty are removed. Data is copied before it is changed.
import type { Logger } from 'pino';
import type { Logs, Metrics, Resource, Scope, Signal, SignalData, Traces } from '../../pipeline/otel.js';
import { compileCondition, type CompiledCondition } from '../ottl/compile.js';
import { guarded, type ErrorMode } from '../ottl/error-mode.js';
import type { ContextName, TCtx } from '../ottl/paths.js';
import { removeWhere } from '../ottl/values.js';
import { dataPointsOf } from '../ottl/walk.js';

export interface FilterArgs {
  error_mode: ErrorMode;
  traces?: { span: string[]; spanevent: string[] };
  metrics?: { metric: string[]; datapoint: string[] };
  logs?: { log_record: string[] };
}

type Obj = Record<string, any>;

function compileAll(ctx: ContextName, list: string[] | undefined, where: string): CompiledCondition[] {
  return (list ?? []).map((c, i) => {
    try {
      return compileCondition(ctx, c);
    } catch (e) {
      throw new Error(`${where}[${i}]: ${(e as Error).message}`);
    }
  });
}

export class Filter {
  readonly #span: CompiledCondition[];
  readonly #spanevent: CompiledCondition[];
  readonly #metric: CompiledCondition[];
  readonly #datapoint: CompiledCondition[];
  readonly #log: CompiledCondition[];

  constructor(
    readonly args: FilterArgs,
    readonly logger: Logger,
  ) {
    this.#span = compileAll('span', args.traces?.span, 'traces.span');
    this.#spanevent = compileAll('spanevent', args.traces?.spanevent, 'traces.spanevent');
    this.#metric = compileAll('metric', args.metrics?.metric, 'metrics.metric');
    this.#datapoint = compileAll('datapoint', args.metrics?.datapoint, 'metrics.datapoint');
    this.#log = compileAll('log', args.logs?.log_record, 'logs.log_record');
  }

  /** Whether the signal has any conditions (without, data passes untouched). */
  filters(signal: Signal): boolean {
    if (signal === 'traces') return this.#span.length + this.#spanevent.length > 0;
    if (signal === 'metrics') return this.#metric.length + this.#datapoint.length > 0;
    return this.#log.length > 0;
  }

  #drop(conds: CompiledCondition[], tc: TCtx): boolean {
    return conds.some((c) => guarded(this.args.error_mode, this.logger, c.text, () => c.test(tc), false));
  }

  /** The data without the dropped items (a copy; the input is not modified). */
  apply<S extends Signal>(signal: S, input: SignalData[S]): SignalData[S] {
    if (!this.filters(signal)) return input;
    const data = structuredClone(input) as Obj;
    const tc = (resource: Resource, scope: Scope, rest: Partial<TCtx>): TCtx => ({ resource, scope, cache: [], ...rest });
    if (signal === 'traces') {
      removeWhere(((data as Traces).resourceSpans ??= []), (rs) => {
        const resource = (rs.resource ??= { attributes: [] });
        removeWhere((rs.scopeSpans ??= []), (ss) => {
          const scope = (ss.scope ??= {});
          removeWhere((ss.spans ??= []), (span) => {
            if (this.#drop(this.#span, tc(resource, scope, { span }))) return true;
            if (this.#spanevent.length > 0) removeWhere(((span.events as Obj[] | undefined) ?? []), (ev) => this.#drop(this.#spanevent, tc(resource, scope, { span, spanevent: ev })));
            return false;
          });
          return ss.spans.length === 0;
        });
        return rs.scopeSpans.length === 0;
      });
    } else if (signal === 'metrics') {
      removeWhere(((data as Metrics).resourceMetrics ??= []), (rm) => {
        const resource = (rm.resource ??= { attributes: [] });
        removeWhere((rm.scopeMetrics ??= []), (sm) => {
          const scope = (sm.scope ??= {});
          removeWhere((sm.metrics ??= []), (metric) => {
            if (this.#drop(this.#metric, tc(resource, scope, { metric }))) return true;
            if (this.#datapoint.length === 0) return false;
            const points = dataPointsOf(metric);
            removeWhere(points, (dp) => this.#drop(this.#datapoint, tc(resource, scope, { metric, datapoint: dp })));
            return points.length === 0;
          });
          return sm.metrics.length === 0;
        });
        return rm.scopeMetrics.length === 0;
      });
    } else {
      removeWhere(((data as Logs).resourceLogs ??= []), (rl) => {
        const resource = (rl.resource ??= { attributes: [] });
        removeWhere((rl.scopeLogs ??= []), (sl) => {
          const scope = (sl.scope ??= {});
          removeWhere((sl.logRecords ??= []), (log) => this.#drop(this.#log, tc(resource, scope, { log })));
          return sl.logRecords.length === 0;
        });
        return rl.scopeLogs.length === 0;
      });
    }
    return data as SignalData[S];
  }
}
