// OTTL syntax trees to closures over one context's items. Every path, enum,
// function and argument is checked here, so an unsupported one fails when the
// config loads, with the statement and column, instead of at run time.
import { OttlSyntaxError, parseCondition, parseStatement, type BoolExpr, type Expr } from './parse.js';
import { ENUMS, OttlEvalError, resolvePath, type ContextName, type Getter, type Target, type TCtx } from './paths.js';
import { CONVERTERS, EDITORS, type ArgKind, type CompiledArg } from './functions.js';
import { compare, MapRef, typeName, type Val } from './values.js';

export type { Getter, Target };

export interface CompiledStatement {
  text: string;
  /** Runs the editor when the where clause (if any) holds. */
  run(tc: TCtx): void;
}
export interface CompiledCondition {
  text: string;
  test(tc: TCtx): boolean;
}

/** A compile error at a column of the statement. */
class At extends Error {
  constructor(
    readonly column: number,
    message: string,
  ) {
    super(message);
  }
}

function fail(kind: string, text: string, e: unknown): never {
  const col = e instanceof At || e instanceof OttlSyntaxError ? e.column : undefined;
  const msg = e instanceof OttlSyntaxError ? e.message.replace(/^column \d+: /, '') : (e as Error).message;
  throw new Error(`OTTL ${kind} ${JSON.stringify(text)}: ${col !== undefined ? `column ${col}: ` : ''}${msg}`);
}

export function compileStatement(ctx: ContextName, text: string): CompiledStatement {
  try {
    const st = parseStatement(text);
    const ed = EDITORS[st.editor.name];
    if (!ed) throw new At(st.editor.pos, `unsupported function ${JSON.stringify(st.editor.name)} (supported editors: ${Object.keys(EDITORS).join(', ')})`);
    const args = compileArgs(ctx, st.editor.name, ed.args, st.editor.args, st.editor.pos);
    const exec = ed.build(args);
    const where = st.where ? compileBool(ctx, st.where) : undefined;
    return { text, run: (tc) => (!where || where(tc) ? exec(tc) : undefined) };
  } catch (e) {
    fail('statement', text, e);
  }
}

export function compileCondition(ctx: ContextName, text: string): CompiledCondition {
  try {
    const test = compileBool(ctx, parseCondition(text));
    return { text, test };
  } catch (e) {
    fail('condition', text, e);
  }
}

function compileArgs(ctx: ContextName, fn: string, kinds: readonly ArgKind[], args: Expr[], pos: number): CompiledArg[] {
  const required = kinds.filter((k) => !k.endsWith('?')).length;
  if (args.length < required || args.length > kinds.length) {
    throw new At(pos, `${fn} takes ${required === kinds.length ? required : `${required} to ${kinds.length}`} arguments, got ${args.length}`);
  }
  return args.map((a, i) => compileArg(ctx, fn, kinds[i].replace('?', '') as ArgKind, a, i + 1));
}

function literal(e: Expr): Val | undefined {
  return e.k === 'lit' ? e.v : undefined;
}

function compileArg(ctx: ContextName, fn: string, kind: ArgKind, e: Expr, n: number): CompiledArg {
  const where = `${fn} argument ${n}`;
  switch (kind) {
    case 'target':
      return compileTarget(ctx, e, where);
    case 'str': {
      const v = literal(e);
      if (typeof v !== 'string') throw new At(e.pos, `${where} must be a string literal`);
      return v;
    }
    case 'int': {
      const v = literal(e);
      if (typeof v !== 'bigint') throw new At(e.pos, `${where} must be an integer literal`);
      return v;
    }
    case 'strlist': {
      if (e.k !== 'list' || e.items.some((x) => typeof literal(x) !== 'string')) throw new At(e.pos, `${where} must be a list of string literals`);
      return e.items.map((x) => literal(x) as string);
    }
    case 'getterlist': {
      if (e.k !== 'list') throw new At(e.pos, `${where} must be a list`);
      return e.items.map((x) => compileExpr(ctx, x));
    }
    default:
      return compileExpr(ctx, e);
  }
}

function compileTarget(ctx: ContextName, e: Expr, where: string): Target {
  if (e.k !== 'path') throw new At(e.pos, `${where} must be a path (such as attributes["key"])`);
  const acc = resolvePath(ctx, e.segs);
  if (typeof acc === 'string') throw new At(e.pos, acc);
  const keys = e.keys.map((k) => compileExpr(ctx, k));
  const get = withKeys(acc.get, keys, e.text);
  if (keys.length === 0) {
    if (!acc.set) throw new At(e.pos, `path ${JSON.stringify(e.text)} is read-only`);
    return { get, set: acc.set, text: e.text };
  }
  const set = (tc: TCtx, v: Val) => {
    let m = acc.get(tc);
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i](tc);
      if (!(m instanceof MapRef)) throw new OttlEvalError(`${e.text}: cannot set a key in a ${typeName(m)}`);
      if (typeof k !== 'string') throw new OttlEvalError(`${e.text}: map keys are strings, got ${typeName(k)}`);
      if (i === keys.length - 1) return m.set(k, v);
      if (!(m.get(k) instanceof MapRef)) m.set(k, new MapRef([]));
      m = m.get(k);
    }
  };
  return { get, set, text: e.text };
}

function withKeys(base: Getter, keys: Getter[], text: string): Getter {
  if (keys.length === 0) return base;
  return (tc) => {
    let v = base(tc);
    for (const kg of keys) {
      if (v === null) return null;
      const k = kg(tc);
      if (v instanceof MapRef && typeof k === 'string') v = v.get(k);
      else if (Array.isArray(v) && typeof k === 'bigint') v = v[Number(k)] ?? null;
      else throw new OttlEvalError(`${text}: cannot index a ${typeName(v)} with a ${typeName(k)}`);
    }
    return v;
  };
}

export function compileExpr(ctx: ContextName, e: Expr): Getter {
  switch (e.k) {
    case 'lit': {
      const v = e.v;
      return () => v;
    }
    case 'enum': {
      const v = ENUMS[e.name];
      if (v === undefined) throw new At(e.pos, `unknown enum ${e.name}`);
      return () => v;
    }
    case 'list': {
      const items = e.items.map((x) => compileExpr(ctx, x));
      return (tc) => items.map((g) => g(tc));
    }
    case 'path': {
      const acc = resolvePath(ctx, e.segs);
      if (typeof acc === 'string') throw new At(e.pos, acc);
      return withKeys(acc.get, e.keys.map((k) => compileExpr(ctx, k)), e.text);
    }
    case 'call': {
      const conv = CONVERTERS[e.name];
      if (!conv) throw new At(e.pos, `unsupported function ${JSON.stringify(e.name)} (supported converters: ${Object.keys(CONVERTERS).join(', ')})`);
      const args = compileArgs(ctx, e.name, conv.args, e.args, e.pos);
      return withKeys(conv.build(args), e.keys.map((k) => compileExpr(ctx, k)), e.name);
    }
    case 'math': {
      const l = compileExpr(ctx, e.l);
      const r = compileExpr(ctx, e.r);
      return (tc) => arithmetic(e.op, l(tc), r(tc));
    }
  }
}

function arithmetic(op: '+' | '-' | '*' | '/', a: Val, b: Val): Val {
  if (typeof a === 'bigint' && typeof b === 'bigint') {
    if (op === '/' && b === 0n) throw new OttlEvalError('division by zero');
    return op === '+' ? a + b : op === '-' ? a - b : op === '*' ? a * b : a / b;
  }
  if ((typeof a === 'bigint' || typeof a === 'number') && (typeof b === 'bigint' || typeof b === 'number')) {
    const x = Number(a);
    const y = Number(b);
    if (op === '/' && y === 0) throw new OttlEvalError('division by zero');
    return op === '+' ? x + y : op === '-' ? x - y : op === '*' ? x * y : x / y;
  }
  throw new OttlEvalError(`cannot compute ${typeName(a)} ${op} ${typeName(b)}`);
}

function compileBool(ctx: ContextName, b: BoolExpr): (tc: TCtx) => boolean {
  switch (b.k) {
    case 'or': {
      const items = b.items.map((x) => compileBool(ctx, x));
      return (tc) => items.some((f) => f(tc));
    }
    case 'and': {
      const items = b.items.map((x) => compileBool(ctx, x));
      return (tc) => items.every((f) => f(tc));
    }
    case 'not': {
      const f = compileBool(ctx, b.e);
      return (tc) => !f(tc);
    }
    case 'cmp': {
      const l = compileExpr(ctx, b.l);
      const r = compileExpr(ctx, b.r);
      return (tc) => compare(b.op, l(tc), r(tc));
    }
    case 'value': {
      const lit = b.e.k === 'lit' ? b.e.v : undefined;
      if (b.e.k === 'lit' && typeof lit !== 'boolean') throw new At(b.pos, `a condition needs a boolean, not ${typeName(lit ?? null)}`);
      const g = compileExpr(ctx, b.e);
      return (tc) => {
        const v = g(tc);
        if (typeof v !== 'boolean') throw new OttlEvalError(`condition value is ${typeName(v)}, not bool`);
        return v;
      };
    }
  }
}
