// Recursive-descent parser for Alloy syntax. The first syntax error is thrown
// as a Diagnostic at the offending token; nothing else ever escapes `parse`.
//
// Newlines: a newline ends an attribute or block statement. Like Alloy, a line
// break is allowed after "=", after a binary or unary operator and after ".".
// Inside (), [] and object literals every newline is insignificant (Alloy
// additionally demands a trailing comma before a closing bracket on its own
// line; we accept either, and the formatter always writes the comma).
import type { Attribute, BinaryOp, Block, Expr, File, Pos, Statement } from './ast.js';
import { Diagnostic } from './diagnostic.js';
import { isValidIdentifier, lex, type Token, type TokenKind } from './lexer.js';

/** Deepest nesting of blocks, brackets and unary operators the parser accepts. */
export const MAX_NESTING = 200;
/** Deepest expression tree (e.g. a chain of 1000 "+" operands) the parser accepts. */
export const MAX_EXPR_DEPTH = 1000;

const BINARY_PRECEDENCE: Partial<Record<TokenKind, number>> = {
  '||': 1,
  '&&': 2,
  '==': 3,
  '!=': 3,
  '<': 3,
  '<=': 3,
  '>': 3,
  '>=': 3,
  '+': 4,
  '-': 4,
  '*': 5,
  '/': 5,
  '%': 5,
};

export function parse(source: string, filename: string): File {
  if (typeof source !== 'string') throw new Diagnostic({ file: filename, line: 1, col: 1 }, 'config source is not text');
  const { tokens, comments } = lex(source, filename);
  const parser = new Parser(tokens);
  const body = parser.parseFile();
  return { name: filename, body, comments };
}

/** Parses a single expression (used by tests and tools; the whole input must be one expression). */
export function parseExpression(source: string, filename = 'expr'): Expr {
  const { tokens } = lex(source, filename);
  const parser = new Parser(tokens);
  return parser.parseStandaloneExpr();
}

/** Human description of a token for error messages. */
export function describe(tok: Token): string {
  switch (tok.kind) {
    case 'ident':
      return `identifier "${tok.text}"`;
    case 'number':
      return `number ${tok.text}`;
    case 'string':
      return `string ${tok.text.length > 40 ? tok.text.slice(0, 37) + '...' : tok.text}`;
    case 'newline':
      return 'newline';
    case 'eof':
      return 'end of file';
    default:
      return `"${tok.text}"`;
  }
}

const where = (p: Pos) => `${p.line}:${p.col}`;

class Parser {
  private i = 0;
  /** >0 while inside (), [] or an object literal, where newlines do not matter. */
  private nest = 0;
  /** Recursion depth of blocks, brackets and unary operators. */
  private depth = 0;
  private readonly exprDepth = new WeakMap<Expr, number>();

  constructor(private readonly tokens: Token[]) {}

  // ---- token helpers -------------------------------------------------------

  private cur(): Token {
    if (this.nest > 0) {
      while (this.tokens[this.i].kind === 'newline') this.i++;
    }
    return this.tokens[this.i];
  }

  private next(): Token {
    const t = this.cur();
    if (t.kind !== 'eof') this.i++;
    return t;
  }

  private skipNewlines(): void {
    while (this.tokens[this.i].kind === 'newline') this.i++;
  }

  private fail(tok: Token, reason: string): never {
    throw new Diagnostic(tok.pos, reason);
  }

  private expect(kind: TokenKind, context = ''): Token {
    const t = this.cur();
    if (t.kind !== kind) this.fail(t, `expected "${kind}"${context}, got ${describe(t)}`);
    return this.next();
  }

  private enter(tok: Token): void {
    if (++this.depth > MAX_NESTING) this.fail(tok, `nesting too deep: more than ${MAX_NESTING} levels of blocks, brackets or operators`);
  }

  private leave(): void {
    this.depth--;
  }

  /** Records the tree depth of a new node and rejects trees deep enough to exhaust the stack later. */
  private node<E extends Expr>(e: E, ...children: Expr[]): E {
    let d = 0;
    for (const c of children) d = Math.max(d, this.exprDepth.get(c) ?? 1);
    if (d + 1 > MAX_EXPR_DEPTH) throw new Diagnostic(e.pos, `expression too deep: more than ${MAX_EXPR_DEPTH} nested operations`);
    this.exprDepth.set(e, d + 1);
    return e;
  }

  // ---- statements ----------------------------------------------------------

  parseFile(): Statement[] {
    return this.parseBody(undefined);
  }

  parseStandaloneExpr(): Expr {
    this.skipNewlines();
    const e = this.parseExpr();
    this.skipNewlines();
    const t = this.cur();
    if (t.kind !== 'eof') this.fail(t, `expected end of expression, got ${describe(t)}`);
    return e;
  }

  /** Statements up to the "}" that closes `open` (or to the end of file at top level). */
  private parseBody(open: { block: string; pos: Pos } | undefined): Statement[] {
    const body: Statement[] = [];
    for (;;) {
      this.skipNewlines();
      const t = this.cur();
      if (open && t.kind === '}') return body;
      if (t.kind === 'eof') {
        if (open) this.fail(t, `expected "}" to close block "${open.block}" opened at ${where(open.pos)}, got end of file`);
        return body;
      }
      const st = this.parseStatement();
      body.push(st);
      const after = this.cur();
      if (after.kind === 'newline' || after.kind === 'eof' || (open && after.kind === '}')) continue;
      const what = st.kind === 'attribute' ? `attribute "${st.name}"` : `block "${st.name}"`;
      this.fail(after, `expected a newline after ${what}, got ${describe(after)}`);
    }
  }

  private parseStatement(): Statement {
    const first = this.cur();
    if (first.kind !== 'ident') this.fail(first, `expected attribute or block name, got ${describe(first)}`);
    this.next();
    const fragments = [first.text];
    while (this.cur().kind === '.') {
      this.next();
      this.skipNewlines();
      const part = this.cur();
      if (part.kind !== 'ident') this.fail(part, `expected identifier after "." in name "${fragments.join('.')}", got ${describe(part)}`);
      fragments.push(part.text);
      this.next();
    }
    const name = fragments.join('.');

    let label: string | undefined;
    let labelTok: Token | undefined;
    const maybeLabel = this.cur();
    if (maybeLabel.kind === 'string') {
      labelTok = maybeLabel;
      if (maybeLabel.text[0] !== '"') {
        this.fail(maybeLabel, `expected block label to be a double quoted string, but got ${describe(maybeLabel)}`);
      }
      label = maybeLabel.value as string;
      if (label !== '' && !isValidIdentifier(label)) {
        this.fail(maybeLabel, `expected block label to be a valid identifier (letters, digits and _), but got ${JSON.stringify(label)}`);
      }
      this.next();
    }

    const t = this.cur();
    if (t.kind === '=') {
      if (fragments.length > 1) throw new Diagnostic(first.pos, `attribute names may only consist of a single identifier with no ".", got "${name}"`);
      if (labelTok) throw new Diagnostic(labelTok.pos, `attribute names may not have labels`);
      this.next();
      this.skipNewlines();
      const value = this.parseExpr();
      const attr: Attribute = { kind: 'attribute', name, value, pos: first.pos, eqPos: t.pos };
      return attr;
    }
    if (t.kind === '{') {
      this.enter(t);
      this.next();
      const body = this.parseBody({ block: name, pos: first.pos });
      const close = this.expect('}');
      this.leave();
      const block: Block = { kind: 'block', name, body, pos: first.pos, lbrace: t.pos, end: close.pos };
      if (label !== undefined) block.label = label;
      if (labelTok) block.labelPos = labelTok.pos;
      return block;
    }
    if (fragments.length === 1 && !labelTok) this.fail(t, `expected "=" or "{" after "${name}", got ${describe(t)}`);
    this.fail(t, `expected "{" after block name "${name}${label !== undefined ? ` "${label}"` : ''}", got ${describe(t)}`);
  }

  // ---- expressions ---------------------------------------------------------

  private parseExpr(): Expr {
    return this.parseBinary(1);
  }

  /** Left-associative binary operators by precedence climbing; "^" is handled in parsePow. */
  private parseBinary(minPrec: number): Expr {
    let lhs = this.parsePow();
    for (;;) {
      const op = this.cur();
      const prec = BINARY_PRECEDENCE[op.kind];
      if (prec === undefined || prec < minPrec) return lhs;
      this.next();
      this.skipNewlines();
      this.enter(op);
      const rhs = this.parseBinary(prec + 1);
      this.leave();
      lhs = this.node({ kind: 'binary', op: op.kind as BinaryOp, left: lhs, right: rhs, pos: lhs.pos, opPos: op.pos }, lhs, rhs);
    }
  }

  /** "^" is right-associative and binds tighter than the other binary operators. */
  private parsePow(): Expr {
    const lhs = this.parseUnary();
    const op = this.cur();
    if (op.kind !== '^') return lhs;
    this.next();
    this.skipNewlines();
    this.enter(op);
    const rhs = this.parsePow();
    this.leave();
    return this.node({ kind: 'binary', op: '^', left: lhs, right: rhs, pos: lhs.pos, opPos: op.pos }, lhs, rhs);
  }

  private parseUnary(): Expr {
    const t = this.cur();
    if (t.kind === '!' || t.kind === '-') {
      this.next();
      this.skipNewlines();
      this.enter(t);
      const operand = this.parseUnary();
      this.leave();
      return this.node({ kind: 'unary', op: t.kind, operand, pos: t.pos }, operand);
    }
    return this.parsePostfix();
  }

  private parsePostfix(): Expr {
    let e = this.parsePrimary();
    for (;;) {
      const t = this.cur();
      if (t.kind === '.') {
        this.next();
        this.skipNewlines();
        const name = this.cur();
        if (name.kind !== 'ident') this.fail(name, `expected field name after ".", got ${describe(name)}`);
        this.next();
        e = this.node({ kind: 'access', target: e, name: name.text, pos: e.pos, namePos: name.pos }, e);
      } else if (t.kind === '[') {
        this.enter(t);
        this.nest++;
        this.next();
        const index = this.parseExpr();
        const close = this.cur();
        if (close.kind !== ']') this.fail(close, `expected "]" to close the index opened at ${where(t.pos)}, got ${describe(close)}`);
        this.nest--;
        this.next();
        this.leave();
        e = this.node({ kind: 'index', target: e, index, pos: e.pos, lbrack: t.pos, end: close.pos }, e, index);
      } else if (t.kind === '(') {
        const { items, close } = this.parseList(t, ')', () => this.parseExpr(), 'argument list');
        e = this.node({ kind: 'call', callee: e, args: items, pos: e.pos, lparen: t.pos, end: close.pos }, e, ...items);
      } else if ((t.kind === '{' || t.kind === 'string') && this.nest === 0 && isNameChain(e)) {
        // `x = prometheus.remote_write "default" { ... }`: a block written where a value belongs.
        throw new Diagnostic(e.pos, 'cannot use a block as an expression');
      } else {
        return e;
      }
    }
  }

  private parsePrimary(): Expr {
    const t = this.cur();
    switch (t.kind) {
      case 'ident':
        this.next();
        return this.node({ kind: 'ident', name: t.text, pos: t.pos });
      case 'number':
      case 'string':
        this.next();
        return this.node({ kind: 'literal', value: t.value!, raw: t.text, pos: t.pos });
      case 'true':
      case 'false':
        this.next();
        return this.node({ kind: 'literal', value: t.kind === 'true', raw: t.text, pos: t.pos });
      case 'null':
        this.next();
        return this.node({ kind: 'literal', value: null, raw: t.text, pos: t.pos });
      case '(': {
        this.enter(t);
        this.nest++;
        this.next();
        const inner = this.parseExpr();
        const close = this.cur();
        if (close.kind !== ')') this.fail(close, `expected ")" to close the "(" at ${where(t.pos)}, got ${describe(close)}`);
        this.nest--;
        this.next();
        this.leave();
        return this.node({ kind: 'paren', inner, pos: t.pos, end: close.pos }, inner);
      }
      case '[': {
        const { items, close } = this.parseList(t, ']', () => this.parseExpr(), 'array');
        return this.node({ kind: 'array', elements: items, pos: t.pos, end: close.pos }, ...items);
      }
      case '{': {
        const { items, close } = this.parseList(t, '}', () => this.parseField(), 'object');
        return this.node({ kind: 'object', fields: items, pos: t.pos, end: close.pos }, ...items.map((f) => f.value));
      }
      default:
        this.fail(t, `expected expression, got ${describe(t)}`);
    }
  }

  /** A comma-separated list with optional trailing comma; `open` is the current token. */
  private parseList<T>(open: Token, close: ')' | ']' | '}', item: () => T, what: string): { items: T[]; close: Token } {
    this.enter(open);
    this.nest++;
    this.next();
    const items: T[] = [];
    for (;;) {
      const t = this.cur();
      if (t.kind === close) break;
      if (t.kind === 'eof') this.fail(t, `expected "${close}" to close the ${what} opened at ${where(open.pos)}, got end of file`);
      items.push(item());
      const sep = this.cur();
      if (sep.kind === ',') {
        this.next();
        continue;
      }
      if (sep.kind !== close) this.fail(sep, `expected "," or "${close}" in ${what}, got ${describe(sep)}`);
    }
    const end = this.cur();
    this.nest--;
    this.next();
    this.leave();
    return { items, close: end };
  }

  private parseField(): { key: string; quoted: boolean; value: Expr; pos: Pos; eqPos: Pos } {
    const k = this.cur();
    let key: string;
    let quoted = false;
    if (k.kind === 'ident') {
      key = k.text;
    } else if (k.kind === 'string') {
      key = k.value as string;
      quoted = true;
    } else {
      this.fail(k, `expected field name (string or identifier), got ${describe(k)}`);
    }
    this.next();
    const eq = this.expect('=', ` after field "${key}"`);
    const value = this.parseExpr();
    return { key, quoted, value, pos: k.pos, eqPos: eq.pos };
  }
}

function isNameChain(e: Expr): boolean {
  while (e.kind === 'access') e = e.target;
  return e.kind === 'ident';
}
