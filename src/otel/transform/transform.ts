// otelcol.processor.transform's mechanism (the Collector's transformprocessor):
// blocks of OTTL statements, each block in its context, run in order over a
// copy of the data. A block's `conditions` (ORed) gate every statement of it
// for an item; each statement's own where clause still applies. The
// `statements` block's lists run after them, in the context their paths name.
import type { Logger } from 'pino';
import type { Signal, SignalData } from '../../pipeline/otel.js';
import { compileCondition, compileStatement, type CompiledCondition, type CompiledStatement } from '../ottl/compile.js';
import { checkErrorMode, guarded, type ErrorMode } from '../ottl/error-mode.js';
import type { ContextName } from '../ottl/paths.js';
import { forEachItem, SIGNAL_CONTEXTS } from '../ottl/walk.js';
import { inferContext } from '../ottl/infer.js';

export interface StatementsBlock {
  context: string;
  statements: string[];
  conditions: string[];
  error_mode?: string;
}

export interface TransformArgs {
  error_mode: ErrorMode;
  trace_statements: StatementsBlock[];
  metric_statements: StatementsBlock[];
  log_statements: StatementsBlock[];
  /** Statements whose context is inferred from their paths, per signal. */
  statements?: { trace: string[]; metric: string[]; log: string[] };
}

const BLOCK: Record<Signal, 'trace_statements' | 'metric_statements' | 'log_statements'> = { traces: 'trace_statements', metrics: 'metric_statements', logs: 'log_statements' };

interface Group {
  ctx: ContextName;
  statements: CompiledStatement[];
  conditions: CompiledCondition[];
  mode: ErrorMode;
}

function compileGroup(signal: Signal, b: StatementsBlock, i: number, topMode: ErrorMode, at?: string): Group {
  const where = at ?? `${BLOCK[signal]}[${i}]`;
  const allowed = SIGNAL_CONTEXTS[signal];
  if (!(allowed as readonly string[]).includes(b.context)) throw new Error(`${where}: context ${JSON.stringify(b.context)} is not valid for ${signal} (want one of ${allowed.join(', ')})`);
  const ctx = b.context as ContextName;
  const mode = b.error_mode !== undefined && b.error_mode !== '' ? checkErrorMode(`${where}.error_mode`, b.error_mode) : topMode;
  const wrap = <T>(kind: string, list: string[], f: (s: string) => T) =>
    list.map((s, j) => {
      try {
        return f(s);
      } catch (e) {
        throw new Error(`${where}.${kind}[${j}]: ${(e as Error).message}`);
      }
    });
  return { ctx, mode, statements: wrap('statements', b.statements, (s) => compileStatement(ctx, s)), conditions: wrap('conditions', b.conditions, (s) => compileCondition(ctx, s)) };
}

export class Transformer {
  readonly #groups: Record<Signal, Group[]>;

  constructor(
    args: TransformArgs,
    readonly logger: Logger,
  ) {
    const inferred = (s: Signal, list: string[] | undefined): Group[] => {
      if (!list || list.length === 0) return [];
      const where = `statements.${s === 'traces' ? 'trace' : s === 'metrics' ? 'metric' : 'log'}`;
      let context: string;
      try {
        context = inferContext(s, list, 'statement');
      } catch (e) {
        throw new Error(`${where}: ${(e as Error).message}`);
      }
      return [compileGroup(s, { context, statements: list, conditions: [] }, 0, args.error_mode, where)];
    };
    const st = args.statements;
    const g = (s: Signal) => [...(args[BLOCK[s]] ?? []).map((b, i) => compileGroup(s, b, i, args.error_mode)), ...inferred(s, s === 'traces' ? st?.trace : s === 'metrics' ? st?.metric : st?.log)];
    this.#groups = { traces: g('traces'), metrics: g('metrics'), logs: g('logs') };
  }

  /** The transformed data (a copy; the input is not modified). Throws with error_mode propagate. */
  apply<S extends Signal>(signal: S, input: SignalData[S]): SignalData[S] {
    const groups = this.#groups[signal];
    if (groups.length === 0) return input;
    const data = structuredClone(input);
    for (const g of groups) {
      forEachItem(signal, data, g.ctx, (tc) => {
        if (g.conditions.length > 0 && !g.conditions.some((c) => guarded(g.mode, this.logger, c.text, () => c.test(tc), false))) return;
        for (const st of g.statements) guarded(g.mode, this.logger, st.text, () => st.run(tc), undefined);
      });
    }
    return data;
  }
}
