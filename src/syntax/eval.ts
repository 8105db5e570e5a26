// Evaluates Alloy expressions to values. Every failure (type mismatch, unknown
// identifier, a stdlib function rejecting its arguments) is a Diagnostic at
// the position of the offending sub-expression.
import type { BinaryOp, Expr, Pos } from './ast.js';
import { Diagnostic, isDiagnostic } from './diagnostic.js';
import { stdlib } from './stdlib.js';
import { getField, isObject, isSecret, makeObject, typeOf, valuesEqual, type Value } from './value.js';

export type { Value } from './value.js';

/** Resolves root identifiers (component namespaces, module arguments...). */
export interface Scope {
  lookup(name: string): Value | undefined;
}

export interface EvalOptions {
  /**
   * Alloy reports `a.b` on an object without field "b" as an error; by default
   * we yield null (so optional exports read as null). Set to get Alloy's error.
   */
  strictFields?: boolean;
}

/** Deepest evaluation recursion allowed (the parser already limits trees to 1000 levels). */
const MAX_EVAL_DEPTH = 2000;

export function evaluate(expr: Expr, scope: Scope, options: EvalOptions = {}): Value {
  return new Evaluator(scope, options).eval(expr, 0);
}

/** True for root names that belong to the standard library (sys, string, coalesce, ...). */
export function isStdlibRoot(name: string): boolean {
  return Object.prototype.hasOwnProperty.call(stdlib, name);
}

/**
 * Every maximal chain `ident(.name)*` in an expression, e.g.
 * `discovery.kubernetes.pods.targets` -> ["discovery","kubernetes","pods","targets"].
 * Chains rooted in the standard library (`sys.env`, `string.join`, ...) are skipped.
 */
export function references(expr: Expr): { path: string[]; pos: Pos }[] {
  return nameChains(expr).filter((r) => !isStdlibRoot(r.path[0]));
}

/** Like references(), stdlib chains (`array.group_by`, `sys.env`) included. */
export function nameChains(expr: Expr): { path: string[]; pos: Pos }[] {
  const out: { path: string[]; pos: Pos }[] = [];
  collectReferences(expr, out);
  return out;
}

function collectReferences(e: Expr, out: { path: string[]; pos: Pos }[]): void {
  const chain = nameChain(e);
  if (chain) {
    out.push({ path: chain, pos: e.pos });
    return;
  }
  switch (e.kind) {
    case 'literal':
    case 'ident':
      return;
    case 'array':
      for (const el of e.elements) collectReferences(el, out);
      return;
    case 'object':
      for (const f of e.fields) collectReferences(f.value, out);
      return;
    case 'access':
      collectReferences(e.target, out);
      return;
    case 'index':
      collectReferences(e.target, out);
      collectReferences(e.index, out);
      return;
    case 'call':
      collectReferences(e.callee, out);
      for (const a of e.args) collectReferences(a, out);
      return;
    case 'unary':
      collectReferences(e.operand, out);
      return;
    case 'binary':
      collectReferences(e.left, out);
      collectReferences(e.right, out);
      return;
    case 'paren':
      collectReferences(e.inner, out);
      return;
  }
}

/** ["a","b","c"] for `a.b.c`; undefined when the expression is not a pure name chain. */
function nameChain(e: Expr): string[] | undefined {
  const names: string[] = [];
  let cur = e;
  while (cur.kind === 'access') {
    names.push(cur.name);
    cur = cur.target;
  }
  if (cur.kind !== 'ident') return undefined;
  names.push(cur.name);
  return names.reverse();
}

/** Dotted source name of a callee, for error messages ("string.join"). */
function calleeName(e: Expr): string | undefined {
  return nameChain(e)?.join('.');
}

class Evaluator {
  constructor(
    private readonly scope: Scope,
    private readonly options: EvalOptions,
  ) {}

  eval(e: Expr, depth: number): Value {
    if (depth > MAX_EVAL_DEPTH) throw new Diagnostic(e.pos, `expression too deep to evaluate (more than ${MAX_EVAL_DEPTH} levels)`);
    const d = depth + 1;
    switch (e.kind) {
      case 'literal':
        return e.value;
      case 'array':
        return e.elements.map((el) => this.eval(el, d));
      case 'object':
        return makeObject(e.fields.map((f) => [f.key, this.eval(f.value, d)]));
      case 'paren':
        return this.eval(e.inner, d);
      case 'ident':
        return this.lookup(e.name, e.pos);
      case 'access':
        return this.access(e, this.eval(e.target, d));
      case 'index':
        return this.index(e, this.eval(e.target, d), this.eval(e.index, d));
      case 'call':
        return this.call(e, d);
      case 'unary':
        return this.unary(e.op, this.eval(e.operand, d), e.operand.pos);
      case 'binary':
        return this.binary(e.op, this.eval(e.left, d), this.eval(e.right, d), e);
    }
    throw new Diagnostic((e as Expr).pos, `unknown expression kind "${(e as { kind: string }).kind}"`);
  }

  private lookup(name: string, pos: Pos): Value {
    let v = this.scope.lookup(name);
    // A scope backed by a plain object would otherwise hand out "constructor", "toString"...
    if (v !== undefined && v === (Object.prototype as Record<string, unknown>)[name]) v = undefined;
    if (v === undefined && isStdlibRoot(name)) v = stdlib[name];
    if (v === undefined) throw new Diagnostic(pos, `identifier "${name}" does not exist`);
    return v;
  }

  private access(e: Extract<Expr, { kind: 'access' }>, target: Value): Value {
    const pos = e.namePos ?? e.pos;
    if (isObject(target)) {
      const v = getField(target, e.name);
      if (v !== undefined) return v;
      if (this.options.strictFields) throw new Diagnostic(pos, `field "${e.name}" does not exist`);
      return null;
    }
    throw new Diagnostic(pos, `cannot access field "${e.name}" on value of type ${typeOf(target)}`);
  }

  private index(e: Extract<Expr, { kind: 'index' }>, target: Value, idx: Value): Value {
    if (Array.isArray(target)) {
      if (typeof idx !== 'number' || Number.isNaN(idx)) throw new Diagnostic(e.index.pos, `expected number, got ${typeOf(idx)}`);
      const i = Math.trunc(idx);
      if (i < 0 || i >= target.length) {
        throw new Diagnostic(e.index.pos, `index ${i} is out of range of array with length ${target.length}`);
      }
      return target[i];
    }
    if (isObject(target)) {
      if (typeof idx !== 'string') throw new Diagnostic(e.index.pos, `expected string, got ${typeOf(idx)}`);
      return getField(target, idx) ?? null; // Alloy: a missing key read with [] is null
    }
    throw new Diagnostic(e.target.pos, `expected object or array, got ${typeOf(target)}`);
  }

  private call(e: Extract<Expr, { kind: 'call' }>, d: number): Value {
    const fn = this.eval(e.callee, d);
    if (typeof fn !== 'function') throw new Diagnostic(e.callee.pos, `expected function, got ${typeOf(fn)}`);
    const args = e.args.map((a) => this.eval(a, d));
    try {
      const result = (fn as (...a: Value[]) => Value)(...args);
      return result === undefined ? null : result;
    } catch (err) {
      if (isDiagnostic(err)) throw err;
      const reason = err instanceof Error ? err.message : String(err);
      const name = calleeName(e.callee);
      throw new Diagnostic(e.pos, name ? `${name}: ${reason}` : reason);
    }
  }

  private unary(op: '!' | '-', v: Value, pos: Pos): Value {
    if (op === '!') {
      if (typeof v !== 'boolean') throw new Diagnostic(pos, `invalid operand for "!": expected bool, got ${typeOf(v)}`);
      return !v;
    }
    if (typeof v !== 'number') throw new Diagnostic(pos, `invalid operand for "-": expected number, got ${typeOf(v)}`);
    return -v;
  }

  private binary(op: BinaryOp, l: Value, r: Value, e: Extract<Expr, { kind: 'binary' }>): Value {
    if (op === '==') return valuesEqual(l, r);
    if (op === '!=') return !valuesEqual(l, r);

    const allowed = ALLOWED[op];
    for (const [v, pos] of [
      [l, e.left.pos],
      [r, e.right.pos],
    ] as const) {
      if (isSecret(v)) {
        throw new Diagnostic(pos, `cannot use secret as string in "${op}" (convert.nonsensitive reveals a secret)`);
      }
      const t = typeOf(v);
      if (!allowed.includes(t)) {
        throw new Diagnostic(pos, `invalid operand for "${op}": expected ${allowed.join(' or ')}, got ${t}`);
      }
    }
    if (typeOf(l) !== typeOf(r)) {
      throw new Diagnostic(e.right.pos, `invalid operand for "${op}": expected ${typeOf(l)}, got ${typeOf(r)}`);
    }

    switch (op) {
      case '||':
        return (l as boolean) || (r as boolean);
      case '&&':
        return (l as boolean) && (r as boolean);
      case '+':
        return typeof l === 'string' ? l + (r as string) : (l as number) + (r as number);
      case '<':
        return compare(l as number | string, r as number | string) < 0;
      case '<=':
        return compare(l as number | string, r as number | string) <= 0;
      case '>':
        return compare(l as number | string, r as number | string) > 0;
      case '>=':
        return compare(l as number | string, r as number | string) >= 0;
    }
    return arithmetic(op, l as number, r as number, e.right.pos);
  }
}

const ALLOWED: Record<Exclude<BinaryOp, '==' | '!='>, string[]> = {
  '||': ['bool'],
  '&&': ['bool'],
  '+': ['number', 'string'],
  '-': ['number'],
  '*': ['number'],
  '/': ['number'],
  '%': ['number'],
  '^': ['number'],
  '<': ['number', 'string'],
  '<=': ['number', 'string'],
  '>': ['number', 'string'],
  '>=': ['number', 'string'],
};

function arithmetic(op: BinaryOp, a: number, b: number, rightPos: Pos): number {
  // Alloy keeps integers and floats apart; JS has one number type, so integer
  // semantics apply when both operands are whole numbers (7 / 2 == 3, as in Alloy).
  const ints = Number.isInteger(a) && Number.isInteger(b);
  switch (op) {
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      if (ints) {
        if (b === 0) throw new Diagnostic(rightPos, 'integer division by zero');
        return Math.trunc(a / b);
      }
      return a / b;
    case '%':
      if (ints && b === 0) throw new Diagnostic(rightPos, 'integer division by zero');
      return a % b; // truncated remainder, like Go's % and math.Mod
    case '^':
      return Math.pow(a, b);
  }
  throw new Diagnostic(rightPos, `unsupported operator "${op}"`);
}

/** Numbers numerically; strings by code point (Go compares UTF-8 bytes, which orders the same). */
function compare(a: number | string, b: number | string): number {
  if (typeof a === 'number') return a < (b as number) ? -1 : a > (b as number) ? 1 : 0;
  const x = a;
  const y = b as string;
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) {
    const cx = x.codePointAt(i)!;
    const cy = y.codePointAt(i)!;
    if (cx !== cy) return cx - cy;
    if (cx > 0xffff) i++;
  }
  return x.length - y.length;
}
