// Canonical formatting, with the rules `alloy fmt` applies:
// - tabs for indentation; "=" aligned across runs of one-line attributes
//   (and object fields); trailing comments on consecutive lines aligned;
// - a blank line before every block that is not first in its body, blank lines
//   between statements kept (at most one), none at the ends of a body;
// - arrays, objects and calls keep the author's line breaks, and get a
//   trailing comma when their closing bracket is on its own line;
// - comments stay where they were, at the indentation of what follows;
// - string and number literals keep their spelling; labels and quoted object
//   keys are re-quoted; empty blocks print as `name { }`.
//
// The printer sees AST positions (where the author put each token) and a
// buffer of pending whitespace requests; comments are written whenever the
// next token comes after them in the source. Alignment is left to an
// elastic-tabstop writer: "\v" separates the columns that may be aligned.
import type { Attribute, Block, Expr, File, Pos, Statement } from './ast.js';
import { ElasticWriter } from './elastic.js';
import { isValidIdentifier } from './lexer.js';
import { quote, unquoteDouble } from './strings.js';

/** Formats a whole file; the result ends with a newline. */
export function format(file: File): string {
  const p = new Printer(file.comments ?? []);
  walkStmts(p, file.body);
  return p.finish() + '\n';
}

/** Formats one expression (without comments), e.g. for display. */
export function formatExpr(expr: Expr): string {
  const p = new Printer([]);
  walkExpr(p, expr);
  return p.finish();
}

// ---- printer ------------------------------------------------------------------

/** Whitespace requests: blank, vtab (alignment break), newline, formfeed (newline ending alignment), indent, unindent. */
type WS = ' ' | '\v' | '\n' | '\f' | '>' | '<' | 'x'; // 'x' = dropped

interface Loc {
  line: number;
  col: number;
}

const before = (a: Loc, b: Loc) => a.line < b.line || (a.line === b.line && a.col <= b.col);
const valid = (p: Pos | undefined): p is Pos => !!p && p.line > 0;

type TokKind = 'ident' | 'number' | 'string' | 'op' | 'eof';

class Printer {
  private readonly w = new ElasticWriter();
  private ws: WS[] = [];
  private indent = 0;
  private written = false;
  /** Estimated position in the source of what is being written. */
  private pos: Loc = { line: 1, col: 1 };
  /** Source position just after the last thing written. */
  private last: Loc = { line: 0, col: 0 };
  private atLineStart = true;
  private lastTok: TokKind | 'space' = 'space';
  private ci = 0;
  /** Line breaks written so far (whitespace, comments, multi-line literals). */
  lineBreaks = 0;

  constructor(private readonly comments: { text: string; pos: Pos }[]) {
    this.comments = comments.filter((c) => valid(c.pos)).sort((a, b) => a.pos.line - b.pos.line || a.pos.col - b.pos.col);
  }

  space(...items: WS[]): void {
    for (const item of items) this.ws.push(item);
    if (items.length) this.lastTok = 'space';
  }

  /** Whether the next token's position came from the AST (else it is estimated). */
  private exact = false;

  /** The source position of the next token, when known. */
  at(pos: Pos | undefined): void {
    if (valid(pos)) {
      this.pos = { line: pos.line, col: pos.col };
      this.exact = true;
    }
  }

  /**
   * Writes a token. A `glued` token (a block's label or "{") must stay on the
   * line of what precedes it, so comments pending before it wait for the next
   * token instead (they end up inside the block body).
   */
  token(text: string, kind: TokKind, glued = false): void {
    // "1" followed by "." would lex as the float "1."; keep them apart.
    if (this.lastTok === 'number' && text.startsWith('.')) this.ws.push(' ');
    this.lastTok = kind;
    let next = { ...this.pos };
    if (glued) this.writeWhitespace(this.ws.length);
    else next = this.flush(next, kind);
    this.exact = false;
    this.writeString(next, text, kind === 'string');
  }

  finish(): string {
    this.flush({ line: Number.MAX_SAFE_INTEGER, col: Number.MAX_SAFE_INTEGER }, 'eof');
    return this.w.finish();
  }

  private commentBefore(next: Loc): boolean {
    if (this.ci >= this.comments.length) return false;
    const c = this.comments[this.ci].pos;
    // An estimated position is the end of the previous token: a comment that
    // starts right there is written after the token, so the outcome does not
    // depend on how much space the source had.
    return this.exact ? before(c, next) : c.line < next.line || (c.line === next.line && c.col < next.col);
  }

  /** Writes pending comments and whitespace; returns the position of the next token. */
  private flush(next: Loc, tok: TokKind): Loc {
    if (this.commentBefore(next)) return this.injectComments(next, tok);
    if (tok !== 'eof') this.writeWhitespace(this.ws.length);
    return next;
  }

  private injectComments(next: Loc, tok: TokKind): Loc {
    let lastComment: { text: string; pos: Pos } | undefined;
    while (this.commentBefore(next)) {
      const c = this.comments[this.ci++];
      this.commentPrefix(next, c.pos);
      this.writeString(c.pos, c.text, true);
      lastComment = c;
    }
    // Tokens without a recorded position ("=", ",") only have an estimate,
    // which can fall inside a multi-line comment: they follow the comment.
    const after = this.last.line > next.line || (this.last.line === next.line && this.last.col > next.col) ? { ...this.last } : next;
    if (lastComment) this.commentSuffix(after, tok, lastComment);
    return after;
  }

  /** Whitespace before a comment: a separator on the same line, else the source's line breaks (at most one blank line). */
  private commentPrefix(next: Loc, c: Pos): void {
    if (!this.written) return; // the comment opens the file
    if (c.line === this.last.line) {
      // A trailing comment: "\t" so that comments on consecutive lines align;
      // a block comment followed by code on the same printed line gets a plain space.
      const breakPending = this.ws.some((w) => w === '\n' || w === '\f');
      if (c.line === next.line && !breakPending) this.writeByte(' ');
      else this.writeByte('\t');
      return;
    }
    // Keep indentation changes queued before the last pending whitespace, drop the rest.
    let count = 0;
    this.ws.forEach((w, i) => {
      if (w === '>' || w === '<') return;
      this.ws[i] = 'x';
      count = i;
    });
    this.writeWhitespace(count);
    const newlines = Math.min(2, Math.max(1, c.line - this.last.line));
    this.writeByte('\f', newlines);
  }

  private commentSuffix(next: Loc, tok: TokKind, lastComment: { text: string; pos: Pos }): void {
    if (tok === 'eof') return;
    const isBlock = lastComment.text.startsWith('/*');
    if (isBlock && next.line === this.last.line) this.writeByte(' ');
    let newlines = next.line - this.last.line;
    // A line comment runs to the end of its line: what follows must start a new one.
    if (!isBlock && newlines < 1) newlines = 1;
    let droppedFormfeed = false;
    this.ws.forEach((w, i) => {
      if (w === '>' || w === '<') return;
      if (w === '\f') droppedFormfeed = true;
      // The layout wanted a line break here (e.g. before a closing bracket):
      // a comment may replace it but not remove it, or the next run would differ.
      if ((w === '\n' || w === '\f') && newlines < 1) newlines = 1;
      this.ws[i] = 'x';
    });
    this.writeWhitespace(this.ws.length);
    if (newlines > 0) this.writeByte(droppedFormfeed ? '\f' : '\n', Math.min(2, newlines));
  }

  private writeWhitespace(n: number): void {
    for (let i = 0; i < n; i++) {
      const w = this.ws[i];
      if (w === 'x') continue;
      if (w === '>') this.indent++;
      else if (w === '<') this.indent = Math.max(0, this.indent - 1);
      else this.writeByte(w);
    }
    this.ws = this.ws.slice(n);
  }

  private writeIndent(): void {
    for (let i = 0; i < this.indent; i++) this.w.cellEnd(true);
    this.pos.col += this.indent;
  }

  private writeByte(ch: ' ' | '\t' | '\v' | '\n' | '\f', n = 1): void {
    if (this.atLineStart) this.writeIndent();
    for (let i = 0; i < n; i++) {
      if (ch === '\n' || ch === '\f') this.w.newline(ch === '\f');
      else if (ch === ' ') this.w.text(' ');
      else this.w.cellEnd(ch === '\t');
    }
    if (ch === '\n' || ch === '\f') {
      this.lineBreaks += n;
      this.pos = { line: this.pos.line + n, col: 1 };
      this.atLineStart = true;
    } else {
      this.pos.col += n;
      this.atLineStart = false;
    }
  }

  private writeString(pos: Loc, s: string, escaped: boolean): void {
    if (this.atLineStart) this.writeIndent();
    this.pos = { ...pos };
    this.w.text(s, escaped);
    this.written = true;
    this.atLineStart = false;
    const nl = s.lastIndexOf('\n');
    if (nl >= 0) {
      const breaks = s.split('\n').length - 1;
      this.lineBreaks += breaks;
      this.pos.line += breaks;
      this.pos.col = [...s.slice(nl)].length;
    } else {
      this.pos.col += [...s].length;
    }
    this.last = { ...this.pos };
  }
}

// ---- layout helpers ------------------------------------------------------------

function startLine(n: Expr | Statement): number {
  return n.pos.line;
}

function endLine(e: Expr | Statement): number {
  switch (e.kind) {
    case 'attribute':
      return endLine(e.value);
    case 'block':
      return valid(e.end) ? e.end.line : e.body.length ? endLine(e.body[e.body.length - 1]) : e.pos.line;
    case 'literal':
      return e.pos.line + (literalText(e).split('\n').length - 1);
    case 'ident':
      return e.pos.line;
    case 'access':
      return valid(e.namePos) ? e.namePos.line : endLine(e.target);
    case 'index':
      return valid(e.end) ? e.end.line : endLine(e.index);
    case 'call':
      return valid(e.end) ? e.end.line : e.args.length ? endLine(e.args[e.args.length - 1]) : endLine(e.callee);
    case 'unary':
      return endLine(e.operand);
    case 'binary':
      return endLine(e.right);
    case 'paren':
      return valid(e.end) ? e.end.line : endLine(e.inner);
    case 'array':
      return valid(e.end) ? e.end.line : e.elements.length ? endLine(e.elements[e.elements.length - 1]) : e.pos.line;
    case 'object':
      return valid(e.end) ? e.end.line : e.fields.length ? endLine(e.fields[e.fields.length - 1].value) : e.pos.line;
  }
}

/** The literal as written when its spelling still matches its value, else a canonical spelling. */
function literalText(e: Extract<Expr, { kind: 'literal' }>): string {
  const v = e.value;
  if (e.raw !== undefined && rawMatches(e.raw, v)) return e.raw;
  if (v === null) return 'null';
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'string') return quote(v);
  if (!Number.isFinite(v)) throw new Error(`cannot format the number ${v}: Alloy has no literal for it`);
  return String(v); // negative numbers come out as unary minus when parsed back
}

function rawMatches(raw: string, v: null | boolean | number | string): boolean {
  if (typeof v === 'string') {
    if (raw.length < 2) return false;
    if (raw[0] === '`' && raw.endsWith('`')) return raw.slice(1, -1).replace(/\r/g, '') === v;
    if (raw[0] !== '"' || !raw.endsWith('"')) return false;
    try {
      return unquoteDouble(raw) === v;
    } catch {
      return false;
    }
  }
  if (typeof v === 'number') return /^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(raw) && Number(raw) === v;
  return raw === String(v);
}

// ---- walker ----------------------------------------------------------------------

function walkStmts(p: Printer, stmts: Statement[]): void {
  stmts.forEach((s, i) => {
    if (i > 0) {
      if (s.kind === 'block') p.space('\f'); // blocks are always set apart by a blank line
      else if (startLine(s) - endLine(stmts[i - 1]) > 1) p.space('\f'); // keep the author's blank line
    }
    const multiLine = s.kind === 'attribute' ? walkAttribute(p, s) : walkBlock(p, s);
    // A statement printed over several lines ends the alignment run. (Alloy
    // asks whether it spanned lines in the source, which is not idempotent:
    // "a =\n  1" prints on one line and would align on the next run.)
    p.space(multiLine ? '\f' : '\n');
  });
}

/** Prints an attribute; true when it took more than one line. */
function walkAttribute(p: Printer, s: Attribute): boolean {
  p.at(s.pos);
  p.token(s.name, 'ident');
  const mark = p.lineBreaks;
  p.space('\v');
  p.at(s.eqPos);
  p.token('=', 'op');
  p.space(' ');
  walkExpr(p, s.value);
  return p.lineBreaks > mark;
}

/** Prints a block; true when it took more than one line. */
function walkBlock(p: Printer, s: Block): boolean {
  p.at(s.pos);
  p.token(s.name, 'ident');
  const mark = p.lineBreaks;
  if (s.label !== undefined) {
    p.space(' ');
    p.at(s.labelPos);
    p.token(quote(s.label), 'string', true);
  }
  p.space(' ');
  p.at(s.lbrace);
  p.token('{', 'op', true);
  p.space('>');
  if (s.body.length > 0) {
    p.space('\f');
    walkStmts(p, s.body);
  } else {
    p.space(' ');
  }
  p.space('<');
  p.at(s.end);
  p.token('}', 'op');
  return p.lineBreaks > mark;
}

const PRECEDENCE: Record<string, number> = {
  '||': 1, '&&': 2, '==': 3, '!=': 3, '<': 3, '<=': 3, '>': 3, '>=': 3, '+': 4, '-': 4, '*': 5, '/': 5, '%': 5, '^': 6,
};

/** Whether `child` must be parenthesised at this place (only matters for hand-built ASTs). */
function needsParens(child: Expr, parent: Expr, side: 'left' | 'right' | 'operand' | 'target'): boolean {
  if (side === 'target') return child.kind === 'binary' || child.kind === 'unary';
  if (child.kind !== 'binary') return false;
  if (side === 'operand') return true;
  if (parent.kind !== 'binary') return false;
  const pc = PRECEDENCE[child.op];
  const pp = PRECEDENCE[parent.op];
  if (parent.op === '^') return side === 'left' ? pc <= pp : pc < pp; // right-associative
  return side === 'left' ? pc < pp : pc <= pp;
}

function walkSub(p: Printer, child: Expr, parent: Expr, side: 'left' | 'right' | 'operand' | 'target'): void {
  if (!needsParens(child, parent, side)) return walkExpr(p, child);
  p.token('(', 'op');
  walkExpr(p, child);
  p.token(')', 'op');
}

function walkExpr(p: Printer, e: Expr): void {
  switch (e.kind) {
    case 'literal':
      p.at(e.pos);
      p.token(literalText(e), typeof e.value === 'number' ? 'number' : 'string');
      return;
    case 'ident':
      p.at(e.pos);
      p.token(e.name, 'ident');
      return;
    case 'array':
      return walkArray(p, e);
    case 'object':
      return walkObject(p, e);
    case 'access':
      walkSub(p, e.target, e, 'target');
      p.token('.', 'op');
      p.at(e.namePos);
      p.token(e.name, 'ident');
      return;
    case 'index':
      walkSub(p, e.target, e, 'target');
      p.at(e.lbrack);
      p.token('[', 'op');
      walkExpr(p, e.index);
      p.at(e.end);
      p.token(']', 'op');
      return;
    case 'call':
      return walkCall(p, e);
    case 'unary':
      p.at(e.pos);
      p.token(e.op, 'op');
      walkSub(p, e.operand, e, 'operand');
      return;
    case 'binary':
      walkSub(p, e.left, e, 'left');
      p.space(' ');
      p.at(e.opPos);
      p.token(e.op, 'op');
      p.space(' ');
      walkSub(p, e.right, e, 'right');
      return;
    case 'paren':
      p.at(e.pos);
      p.token('(', 'op');
      walkExpr(p, e.inner);
      p.at(e.end);
      p.token(')', 'op');
      return;
  }
}

function walkArray(p: Printer, e: Extract<Expr, { kind: 'array' }>): void {
  p.at(e.pos);
  p.token('[', 'op');
  let prevLine = e.pos.line;
  e.elements.forEach((el, i) => {
    let brokeLine = false;
    if (startLine(el) !== prevLine) {
      // Indent before the newline so comments written before the element are indented too.
      p.space('>', '\f');
      brokeLine = true;
    } else if (i > 0) {
      p.space(' ');
    }
    prevLine = endLine(el);
    walkExpr(p, el);
    if (i + 1 < e.elements.length) p.token(',', 'op');
    if (brokeLine) p.space('<');
  });
  const endPos = valid(e.end) ? e.end.line : prevLine;
  if (e.elements.length > 0 && endPos !== prevLine) {
    p.token(',', 'op');
    p.space('>', '\f', '<');
  }
  p.at(e.end);
  p.token(']', 'op');
}

function walkObject(p: Printer, e: Extract<Expr, { kind: 'object' }>): void {
  p.at(e.pos);
  p.token('{', 'op');
  p.space('>');
  let prevLine = e.pos.line;
  let prevMultiLine = false;
  e.fields.forEach((f, i) => {
    if (f.pos.line !== prevLine) {
      // Fields after a one-line field keep aligning their "=".
      p.space(i > 0 && !prevMultiLine ? '\n' : '\f');
    } else if (i > 0) {
      p.space(' ');
    }
    prevLine = f.pos.line;
    p.at(f.pos);
    if (f.quoted || !isValidIdentifier(f.key)) p.token(quote(f.key), 'string');
    else p.token(f.key, 'ident');
    const mark = p.lineBreaks;
    p.space('\v');
    p.at(f.eqPos);
    p.token('=', 'op');
    p.space(' ');
    walkExpr(p, f.value);
    prevMultiLine = p.lineBreaks > mark;
    if (i + 1 < e.fields.length) p.token(',', 'op');
  });
  const endPos = valid(e.end) ? e.end.line : prevLine;
  if (e.fields.length > 0 && endPos !== prevLine) {
    p.token(',', 'op');
    p.space('\f');
  }
  p.space('<');
  p.at(e.end);
  p.token('}', 'op');
}

function walkCall(p: Printer, e: Extract<Expr, { kind: 'call' }>): void {
  walkSub(p, e.callee, e, 'target');
  p.at(e.lparen);
  p.token('(', 'op');
  let prevLine = valid(e.lparen) ? e.lparen.line : endLine(e.callee);
  e.args.forEach((arg, i) => {
    let brokeLine = false;
    if (startLine(arg) !== prevLine) {
      p.space('\f', '>');
      brokeLine = true;
    }
    walkExpr(p, arg);
    prevLine = endLine(arg);
    if (i + 1 < e.args.length) {
      p.token(',', 'op');
      p.space(' ');
    }
    if (brokeLine) p.space('<');
  });
  const endPos = valid(e.end) ? e.end.line : prevLine;
  if (e.args.length > 0 && endPos !== prevLine) {
    p.token(',', 'op');
    p.space('\f');
  }
  p.at(e.end);
  p.token(')', 'op');
}
