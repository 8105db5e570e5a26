// otelcol.processor.filter's mechanism (the Collector's filterprocessor): an
// item for which any OTTL condition of its level holds is dropped. Higher
// levels are checked first (a dropped span's events are not looked at); a
// metric whose data points were all dropped goes too; resources can be
// dropped whole (resource context of the *_conditions blocks); scopes and resources
// left empty are removed. Data is copied before it is changed.
import type { Logger } from 'pino';
import type { Logs, Metrics, Resource, Scope, Signal, SignalData, Traces } from '../../pipeline/otel.js';
import { compileCondition, type CompiledCondition } from '../ottl/compile.js';
import { guarded, type ErrorMode } from '../ottl/error-mode.js';
import type { ContextName, TCtx } from '../ottl/paths.js';
import { removeWhere } from '../ottl/values.js';
import { dataPointsOf } from '../ottl/walk.js';
import { inferContext } from '../ottl/infer.js';

export interface ConditionsBlock {
  context?: string;
  conditions: string[];
}

export interface FilterArgs {
  error_mode: ErrorMode;
  traces?: { span: string[]; spanevent: string[] };
  metrics?: { metric: string[]; datapoint: string[] };
  logs?: { log_record: string[] };
  trace_conditions?: ConditionsBlock[];
  metric_conditions?: ConditionsBlock[];
  log_conditions?: ConditionsBlock[];
}

type Obj = Record<string, any>;
type Levels = Partial<Record<ContextName, CompiledCondition[]>>;

/** The contexts filter conditions may drop at, per signal. */
const FILTER_CONTEXTS: Record<Signal, readonly ContextName[]> = { traces: ['resource', 'span', 'spanevent'], metrics: ['resource', 'metric', 'datapoint'], logs: ['resource', 'log'] };
const CONDITIONS_BLOCK: Record<Signal, 'trace_conditions' | 'metric_conditions' | 'log_conditions'> = { traces: 'trace_conditions', metrics: 'metric_conditions', logs: 'log_conditions' };

function compileAll(ctx: ContextName, list: string[] | undefined, where: string): CompiledCondition[] {
  return (list ?? []).map((c, i) => {
    try {
      return compileCondition(ctx, c);
    } catch (e) {
      throw new Error(`${where}[${i}]: ${(e as Error).message}`);
    }
  });
}

function levelsOf(args: FilterArgs, signal: Signal): Levels {
  const levels: Levels = {};
  const add = (ctx: ContextName, list: string[] | undefined, where: string) => {
    const c = compileAll(ctx, list, where);
    if (c.length > 0) levels[ctx] = [...(levels[ctx] ?? []), ...c];
  };
  const blocks = args[CONDITIONS_BLOCK[signal]] ?? [];
  const legacy = signal === 'traces' ? args.traces : signal === 'metrics' ? args.metrics : args.logs;
  if (blocks.length > 0 && legacy) throw new Error(`${CONDITIONS_BLOCK[signal]} cannot be used together with the ${signal} block`);
  if (args.traces && signal === 'traces') {
    add('span', args.traces.span, 'traces.span');
    add('spanevent', args.traces.spanevent, 'traces.spanevent');
  }
  if (args.metrics && signal === 'metrics') {
    add('metric', args.metrics.metric, 'metrics.metric');
    add('datapoint', args.metrics.datapoint, 'metrics.datapoint');
  }
  if (args.logs && signal === 'logs') add('log', args.logs.log_record, 'logs.log_record');
  blocks.forEach((b, i) => {
    const where = `${CONDITIONS_BLOCK[signal]}[${i}]`;
    let ctx: ContextName;
    if (b.context) {
      if (!(FILTER_CONTEXTS[signal] as readonly string[]).includes(b.context)) throw new Error(`${where}: context ${JSON.stringify(b.context)} is not valid (want one of ${FILTER_CONTEXTS[signal].join(', ')})`);
      ctx = b.context as ContextName;
    } else {
      try {
        ctx = inferContext(signal, b.conditions, 'condition');
      } catch (e) {
        throw new Error(`${where}: ${(e as Error).message}`);
      }
      if (!FILTER_CONTEXTS[signal].includes(ctx)) throw new Error(`${where}: conditions in the ${ctx} context cannot filter ${signal} (want ${FILTER_CONTEXTS[signal].join(', ')})`);
    }
    add(ctx, b.conditions, `${where}.conditions`);
  });
  return levels;
}

export class Filter {
  readonly #levels: Record<Signal, Levels>;

  constructor(
    readonly args: FilterArgs,
    readonly logger: Logger,
  ) {
    this.#levels = { traces: levelsOf(args, 'traces'), metrics: levelsOf(args, 'metrics'), logs: levelsOf(args, 'logs') };
  }

  /** Whether the signal has any conditions (without, data passes untouched). */
  filters(signal: Signal): boolean {
    return Object.keys(this.#levels[signal]).length > 0;
  }

  #drop(conds: CompiledCondition[] | undefined, tc: TCtx): boolean {
    if (!conds) return false;
    return conds.some((c) => guarded(this.args.error_mode, this.logger, c.text, () => c.test(tc), false));
  }

  /** The data without the dropped items (a copy; the input is not modified). */
  apply<S extends Signal>(signal: S, input: SignalData[S]): SignalData[S] {
    if (!this.filters(signal)) return input;
    const data = structuredClone(input) as Obj;
    const lv = this.#levels[signal];
    const tc = (resource: Resource, scope: Scope, rest: Partial<TCtx>): TCtx => ({ resource, scope, cache: [], ...rest });
    if (signal === 'traces') {
      removeWhere(((data as Traces).resourceSpans ??= []), (rs) => {
        const resource = (rs.resource ??= { attributes: [] });
        if (this.#drop(lv.resource, tc(resource, {}, {}))) return true;
        removeWhere((rs.scopeSpans ??= []), (ss) => {
          const scope = (ss.scope ??= {});
          removeWhere((ss.spans ??= []), (span) => {
            if (this.#drop(lv.span, tc(resource, scope, { span }))) return true;
            if (lv.spanevent) removeWhere(((span.events as Obj[] | undefined) ?? []), (ev) => this.#drop(lv.spanevent, tc(resource, scope, { span, spanevent: ev })));
            return false;
          });
          return ss.spans.length === 0;
        });
        return rs.scopeSpans.length === 0;
      });
    } else if (signal === 'metrics') {
      removeWhere(((data as Metrics).resourceMetrics ??= []), (rm) => {
        const resource = (rm.resource ??= { attributes: [] });
        if (this.#drop(lv.resource, tc(resource, {}, {}))) return true;
        removeWhere((rm.scopeMetrics ??= []), (sm) => {
          const scope = (sm.scope ??= {});
          removeWhere((sm.metrics ??= []), (metric) => {
            if (this.#drop(lv.metric, tc(resource, scope, { metric }))) return true;
            if (!lv.datapoint) return false;
            const points = dataPointsOf(metric);
            removeWhere(points, (dp) => this.#drop(lv.datapoint, tc(resource, scope, { metric, datapoint: dp })));
            return points.length === 0;
          });
          return sm.metrics.length === 0;
        });
        return rm.scopeMetrics.length === 0;
      });
    } else {
      removeWhere(((data as Logs).resourceLogs ??= []), (rl) => {
        const resource = (rl.resource ??= { attributes: [] });
        if (this.#drop(lv.resource, tc(resource, {}, {}))) return true;
        removeWhere((rl.scopeLogs ??= []), (sl) => {
          const scope = (sl.scope ??= {});
          removeWhere((sl.logRecords ??= []), (log) => this.#drop(lv.log, tc(resource, scope, { log })));
          return sl.logRecords.length === 0;
        });
        return rl.scopeLogs.length === 0;
      });
    }
    return data as SignalData[S];
  }
}
