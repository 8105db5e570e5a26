// Context inference for OTTL blocks without a `context` (transform's
// `statements`, filter's *_conditions): paths then carry their context's name
// (`span.name`, `resource.attributes["k"]`), and the lowest level named by any
// of them is the context, as in the Collector. Unprefixed paths cannot be
// placed and fail with a message saying so.
import type { Signal } from '../../pipeline/otel.js';
import { parseCondition, parseStatement, type BoolExpr, type Expr } from './parse.js';
import type { ContextName } from './paths.js';

/** Lowest level first. */
const ORDER: Record<Signal, readonly ContextName[]> = {
  traces: ['spanevent', 'span', 'scope', 'resource'],
  metrics: ['datapoint', 'metric', 'scope', 'resource'],
  logs: ['log', 'scope', 'resource'],
};
const ALIASES: Record<string, ContextName> = { instrumentation_scope: 'scope' };

function pathsOfExpr(e: Expr, out: Expr[]): void {
  if (e.k === 'path') {
    out.push(e);
    e.keys.forEach((k) => pathsOfExpr(k, out));
  } else if (e.k === 'call') [...e.args, ...e.keys].forEach((x) => pathsOfExpr(x, out));
  else if (e.k === 'list') e.items.forEach((x) => pathsOfExpr(x, out));
  else if (e.k === 'math') [e.l, e.r].forEach((x) => pathsOfExpr(x, out));
}
function pathsOfBool(b: BoolExpr, out: Expr[]): void {
  if (b.k === 'or' || b.k === 'and') b.items.forEach((x) => pathsOfBool(x, out));
  else if (b.k === 'not') pathsOfBool(b.e, out);
  else if (b.k === 'cmp') [b.l, b.r].forEach((x) => pathsOfExpr(x, out));
  else pathsOfExpr(b.e, out);
}

/** The context for texts of a signal (statements or conditions); throws naming the text it cannot place. */
export function inferContext(signal: Signal, texts: string[], kind: 'statement' | 'condition'): ContextName {
  const named = new Set<ContextName>();
  for (const text of texts) {
    const paths: Expr[] = [];
    try {
      if (kind === 'statement') {
        const st = parseStatement(text);
        st.editor.args.forEach((a) => pathsOfExpr(a, paths));
        if (st.where) pathsOfBool(st.where, paths);
      } else pathsOfBool(parseCondition(text), paths);
    } catch (e) {
      throw new Error(`OTTL ${kind} ${JSON.stringify(text)}: ${(e as Error).message}`);
    }
    for (const p of paths) {
      if (p.k !== 'path' || (p.segs.length === 1 && p.segs[0] === 'cache')) continue;
      const first = ALIASES[p.segs[0]] ?? (p.segs[0] as ContextName);
      if (p.segs.length < 2 || !ORDER[signal].includes(first)) {
        throw new Error(`OTTL ${kind} ${JSON.stringify(text)}: column ${p.pos}: path ${JSON.stringify(p.text)} has no context prefix (${ORDER[signal].join(', ')}); prefix it or set context`);
      }
      named.add(first);
    }
  }
  const ctx = ORDER[signal].find((c) => named.has(c));
  if (!ctx) throw new Error(`cannot infer the OTTL context of ${JSON.stringify(texts)}: no path names one (${ORDER[signal].join(', ')})`);
  return ctx;
}
