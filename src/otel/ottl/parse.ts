// OTTL text to syntax trees: statements (`editor(args) where condition`) and
// conditions. The grammar follows pkg/ottl's: or/and/not over comparisons,
// values are literals, paths (`attributes["k"]`, `resource.attributes["k"]`),
// enums (UPPER_CASE), converter calls (`Capitalized(...)`), lists and + - * /.
import type { CompareOp } from './values.js';

export class OttlSyntaxError extends Error {
  constructor(
    readonly column: number,
    message: string,
  ) {
    super(`column ${column}: ${message}`);
  }
}

export type Expr =
  | { k: 'lit'; v: null | string | boolean | number | bigint; pos: number }
  | { k: 'path'; segs: string[]; keys: Expr[]; pos: number; text: string }
  | { k: 'enum'; name: string; pos: number }
  | { k: 'call'; name: string; args: Expr[]; keys: Expr[]; pos: number }
  | { k: 'list'; items: Expr[]; pos: number }
  | { k: 'math'; op: '+' | '-' | '*' | '/'; l: Expr; r: Expr; pos: number };

export type BoolExpr =
  | { k: 'or'; items: BoolExpr[] }
  | { k: 'and'; items: BoolExpr[] }
  | { k: 'not'; e: BoolExpr }
  | { k: 'cmp'; op: CompareOp; l: Expr; r: Expr; pos: number }
  | { k: 'value'; e: Expr; pos: number };

export interface Statement {
  editor: { name: string; args: Expr[]; pos: number };
  where?: BoolExpr;
}

type Tok = { t: 'str' | 'num' | 'ident' | 'punct' | 'end'; v: string; pos: number };

const PUNCT = ['==', '!=', '<=', '>=', '<', '>', '(', ')', '[', ']', '{', '}', ',', '.', '+', '-', '*', '/', '='];

function lex(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const pos = i + 1;
    if (c === '"') {
      let s = '';
      i++;
      for (;;) {
        if (i >= src.length) throw new OttlSyntaxError(pos, 'unterminated string');
        const d = src[i];
        if (d === '"') break;
        if (d === '\\' && i + 1 < src.length) {
          const e = src[i + 1];
          s += e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : e === '"' || e === '\\' ? e : `\\${e}`;
          i += 2;
          continue;
        }
        s += d;
        i++;
      }
      i++;
      out.push({ t: 'str', v: s, pos });
      continue;
    }
    const num = /^\d+(\.\d+)?([eE][+-]?\d+)?/.exec(src.slice(i));
    if (num) {
      out.push({ t: 'num', v: num[0], pos });
      i += num[0].length;
      continue;
    }
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i));
    if (id) {
      out.push({ t: 'ident', v: id[0], pos });
      i += id[0].length;
      continue;
    }
    const p = PUNCT.find((x) => src.startsWith(x, i));
    if (!p) throw new OttlSyntaxError(pos, `unexpected character ${JSON.stringify(c)}`);
    out.push({ t: 'punct', v: p, pos });
    i += p.length;
  }
  out.push({ t: 'end', v: '', pos: src.length + 1 });
  return out;
}

const COMPARE = new Set(['==', '!=', '<', '<=', '>', '>=']);
const KEYWORDS = new Set(['where', 'and', 'or', 'not', 'true', 'false', 'nil']);

class Parser {
  i = 0;
  constructor(
    readonly src: string,
    readonly toks: Tok[],
  ) {}

  peek(o = 0): Tok {
    return this.toks[Math.min(this.i + o, this.toks.length - 1)];
  }
  next(): Tok {
    return this.toks[this.i++];
  }
  is(v: string, o = 0): boolean {
    const t = this.peek(o);
    return (t.t === 'punct' || t.t === 'ident') && t.v === v;
  }
  expect(v: string): Tok {
    const t = this.next();
    if ((t.t === 'punct' || t.t === 'ident') && t.v === v) return t;
    throw new OttlSyntaxError(t.pos, `expected ${JSON.stringify(v)}, found ${describe(t)}`);
  }
  end(): void {
    const t = this.peek();
    if (t.t !== 'end') throw new OttlSyntaxError(t.pos, `unexpected ${describe(t)}`);
  }

  statement(): Statement {
    const t = this.next();
    if (t.t !== 'ident' || !/^[a-z]/.test(t.v) || !this.is('(')) throw new OttlSyntaxError(t.pos, `a statement starts with an editor call such as set(...), found ${describe(t)}`);
    const args = this.args();
    const st: Statement = { editor: { name: t.v, args, pos: t.pos } };
    if (this.is('where')) {
      this.next();
      st.where = this.or();
    }
    this.end();
    return st;
  }

  args(): Expr[] {
    this.expect('(');
    const args: Expr[] = [];
    while (!this.is(')')) {
      if (this.peek().t === 'ident' && this.is('=', 1)) throw new OttlSyntaxError(this.peek().pos, `named arguments (${this.peek().v} = ...) are not supported; pass arguments by position`);
      args.push(this.value());
      if (!this.is(')')) this.expect(',');
    }
    this.expect(')');
    return args;
  }

  or(): BoolExpr {
    const items = [this.and()];
    while (this.is('or')) {
      this.next();
      items.push(this.and());
    }
    return items.length === 1 ? items[0] : { k: 'or', items };
  }

  and(): BoolExpr {
    const items = [this.boolValue()];
    while (this.is('and')) {
      this.next();
      items.push(this.boolValue());
    }
    return items.length === 1 ? items[0] : { k: 'and', items };
  }

  boolValue(): BoolExpr {
    if (this.is('not')) {
      this.next();
      return { k: 'not', e: this.boolValue() };
    }
    if (this.is('(')) {
      // A parenthesised condition, unless it is a math group starting a comparison.
      const save = this.i;
      try {
        this.next();
        const inner = this.or();
        this.expect(')');
        if (!COMPARE.has(this.peek().v) && !['+', '-', '*', '/'].includes(this.peek().v)) return inner;
      } catch {
        /* fall through to a value */
      }
      this.i = save;
    }
    const pos = this.peek().pos;
    const l = this.value();
    const op = this.peek();
    if (op.t === 'punct' && COMPARE.has(op.v)) {
      this.next();
      return { k: 'cmp', op: op.v as CompareOp, l, r: this.value(), pos: op.pos };
    }
    return { k: 'value', e: l, pos };
  }

  value(): Expr {
    let l = this.term();
    while (this.is('+') || this.is('-')) {
      const op = this.next();
      l = { k: 'math', op: op.v as '+' | '-', l, r: this.term(), pos: op.pos };
    }
    return l;
  }

  term(): Expr {
    let l = this.factor();
    while (this.is('*') || this.is('/')) {
      const op = this.next();
      l = { k: 'math', op: op.v as '*' | '/', l, r: this.factor(), pos: op.pos };
    }
    return l;
  }

  factor(): Expr {
    const t = this.peek();
    if (t.t === 'punct' && t.v === '-' && this.peek(1).t === 'num') {
      this.next();
      const n = this.next();
      return numberLit(`-${n.v}`, t.pos);
    }
    if (t.t === 'punct' && t.v === '(') {
      this.next();
      const e = this.value();
      this.expect(')');
      return e;
    }
    if (t.t === 'str') {
      this.next();
      return { k: 'lit', v: t.v, pos: t.pos };
    }
    if (t.t === 'num') {
      this.next();
      return numberLit(t.v, t.pos);
    }
    if (t.t === 'punct' && t.v === '[') {
      this.next();
      const items: Expr[] = [];
      while (!this.is(']')) {
        items.push(this.value());
        if (!this.is(']')) this.expect(',');
      }
      this.expect(']');
      return { k: 'list', items, pos: t.pos };
    }
    if (t.t === 'punct' && t.v === '{') throw new OttlSyntaxError(t.pos, 'map literals are not supported');
    if (t.t !== 'ident') throw new OttlSyntaxError(t.pos, `expected a value, found ${describe(t)}`);
    this.next();
    if (t.v === 'true' || t.v === 'false') return { k: 'lit', v: t.v === 'true', pos: t.pos };
    if (t.v === 'nil') return { k: 'lit', v: null, pos: t.pos };
    if (KEYWORDS.has(t.v)) throw new OttlSyntaxError(t.pos, `expected a value, found ${JSON.stringify(t.v)}`);
    if (this.is('(')) {
      if (!/^[A-Z]/.test(t.v)) throw new OttlSyntaxError(t.pos, `${t.v}(...) is an editor; only converters (capitalised, such as Concat) return values`);
      const args = this.args();
      return { k: 'call', name: t.v, args, keys: this.keys(), pos: t.pos };
    }
    if (/^[A-Z][A-Z0-9_]*$/.test(t.v)) return { k: 'enum', name: t.v, pos: t.pos };
    const segs = [t.v];
    while (this.is('.')) {
      this.next();
      const f = this.next();
      if (f.t !== 'ident') throw new OttlSyntaxError(f.pos, `expected a field name after ".", found ${describe(f)}`);
      segs.push(f.v);
    }
    const keys = this.keys();
    const endPos = this.peek().pos;
    return { k: 'path', segs, keys, pos: t.pos, text: this.src.slice(t.pos - 1, endPos - 1).trim() };
  }

  keys(): Expr[] {
    const keys: Expr[] = [];
    while (this.is('[')) {
      this.next();
      keys.push(this.value());
      this.expect(']');
    }
    return keys;
  }
}

function numberLit(text: string, pos: number): Expr {
  return { k: 'lit', v: /^-?\d+$/.test(text) ? BigInt(text) : Number(text), pos };
}

function describe(t: Tok): string {
  if (t.t === 'end') return 'the end of the statement';
  return t.t === 'str' ? `string ${JSON.stringify(t.v)}` : JSON.stringify(t.v);
}

export function parseStatement(src: string): Statement {
  return new Parser(src, lex(src)).statement();
}

export function parseCondition(src: string): BoolExpr {
  const p = new Parser(src, lex(src));
  const c = p.or();
  p.end();
  return c;
}
