// AST helpers that ignore where things were written: comparing two configs
// for meaning (reload: did anything change?) and compact debug rendering.
import type { Expr, File, Statement } from './ast.js';

const POSITION_KEYS = new Set(['pos', 'end', 'namePos', 'lbrack', 'lparen', 'opPos', 'labelPos', 'lbrace', 'eqPos', 'raw']);

/** A deep copy without positions and literal spellings (so `0x` spelling or layout changes compare equal). */
export function withoutPositions<T extends File | Statement | Expr | Statement[]>(node: T): T {
  return strip(node) as T;
}

function strip(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(strip);
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    if (POSITION_KEYS.has(k) || k === 'comments') continue;
    out[k] = strip(x);
  }
  return out;
}

/** Lisp-like rendering that makes grouping explicit: `1 + 2 * 3` -> `(+ 1 (* 2 3))`. */
export function sexpr(e: Expr): string {
  switch (e.kind) {
    case 'literal':
      return typeof e.value === 'string' ? JSON.stringify(e.value) : String(e.value);
    case 'ident':
      return e.name;
    case 'array':
      return `[${e.elements.map(sexpr).join(' ')}]`;
    case 'object':
      return `{${e.fields.map((f) => `${f.quoted ? JSON.stringify(f.key) : f.key}=${sexpr(f.value)}`).join(' ')}}`;
    case 'access':
      return `(. ${sexpr(e.target)} ${e.name})`;
    case 'index':
      return `(idx ${sexpr(e.target)} ${sexpr(e.index)})`;
    case 'call':
      return `(call ${[e.callee, ...e.args].map(sexpr).join(' ')})`;
    case 'unary':
      return `(${e.op} ${sexpr(e.operand)})`;
    case 'binary':
      return `(${e.op} ${sexpr(e.left)} ${sexpr(e.right)})`;
    case 'paren':
      return `(paren ${sexpr(e.inner)})`;
  }
}
