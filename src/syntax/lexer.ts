// Lexer for Alloy syntax: turns source text into tokens with positions.
// Newlines are emitted as NEWLINE tokens (one per line break outside tokens)
// because they terminate statements; the parser decides where they matter.
// Comments are collected separately so the formatter can put them back.
import type { Pos } from './ast.js';
import { Diagnostic } from './diagnostic.js';
import { describeChar, StringLiteralError, unquoteDouble } from './strings.js';

export type TokenKind =
  | 'ident'
  | 'number'
  | 'string'
  | 'true'
  | 'false'
  | 'null'
  | 'newline'
  | 'eof'
  | '||' | '&&' | '==' | '!=' | '<' | '<=' | '>' | '>=' | '+' | '-' | '*' | '/' | '%' | '^' | '!'
  | '{' | '}' | '[' | ']' | '(' | ')' | ',' | '.' | '=';

export interface Token {
  kind: TokenKind;
  /** Source text of the token (for strings: including quotes or backticks). */
  text: string;
  pos: Pos;
  /** Decoded value of number and string tokens. */
  value?: number | string;
}

export interface Comment {
  text: string;
  pos: Pos;
}

export interface LexResult {
  tokens: Token[];
  comments: Comment[];
}

// A Map, not an object literal: an identifier such as "constructor" must not find Object.prototype members.
const KEYWORDS = new Map<string, TokenKind>([
  ['true', 'true'],
  ['false', 'false'],
  ['null', 'null'],
]);

// Longest match first: two-character operators before their one-character prefixes.
const OPERATORS: TokenKind[] = [
  '||', '&&', '==', '!=', '<=', '>=',
  '<', '>', '+', '-', '*', '/', '%', '^', '!', '{', '}', '[', ']', '(', ')', ',', '.', '=',
];

const LETTER = /\p{L}/u;
const DIGIT = /\p{Nd}/u;

function isIdentStart(ch: string): boolean {
  return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch === '_' || (ch > '\x7f' && LETTER.test(ch));
}

function isIdentPart(ch: string): boolean {
  return isIdentStart(ch) || (ch >= '0' && ch <= '9') || (ch > '\x7f' && DIGIT.test(ch));
}

function isDecimal(ch: string | undefined): boolean {
  return ch !== undefined && ch >= '0' && ch <= '9';
}

/** True when `s` can be written as a bare identifier (block labels must be). */
export function isValidIdentifier(s: string): boolean {
  const chars = [...s];
  if (chars.length === 0 || !isIdentStart(chars[0])) return false;
  if (KEYWORDS.has(s)) return false;
  return chars.every(isIdentPart);
}

/** Tokenizes `source`; the first lexical error is thrown as a Diagnostic. */
export function lex(source: string, filename: string): LexResult {
  return new Lexer(source, filename).run();
}

class Lexer {
  private i = 0;
  private line = 1;
  private col = 1;
  private readonly tokens: Token[] = [];
  private readonly comments: Comment[] = [];

  constructor(
    private readonly src: string,
    private readonly file: string,
  ) {}

  run(): LexResult {
    if (this.src.charCodeAt(0) === 0xfeff) this.advance(1); // a leading byte order mark is allowed
    for (;;) {
      this.skipBlanks();
      const pos = this.pos();
      if (this.i >= this.src.length) {
        this.tokens.push({ kind: 'eof', text: '', pos });
        return { tokens: this.tokens, comments: this.comments };
      }
      const ch = this.src[this.i];
      if (ch === '\n') {
        this.advance(1);
        this.tokens.push({ kind: 'newline', text: '\n', pos });
      } else if (ch === '/' && (this.src[this.i + 1] === '/' || this.src[this.i + 1] === '*')) {
        this.comment(pos);
      } else if (isIdentStart(ch) || (ch > '\x7f' && isIdentStart(this.charAt(this.i)))) {
        this.identifier(pos);
      } else if (isDecimal(ch) || (ch === '.' && isDecimal(this.src[this.i + 1]))) {
        this.number(pos);
      } else if (ch === '"') {
        this.doubleQuoted(pos);
      } else if (ch === '`') {
        this.rawString(pos);
      } else {
        this.operator(pos, ch);
      }
    }
  }

  private pos(): Pos {
    return { file: this.file, line: this.line, col: this.col };
  }

  private error(pos: Pos, reason: string): never {
    throw new Diagnostic(pos, reason);
  }

  /** The whole code point starting at index i. */
  private charAt(i: number): string {
    const cp = this.src.codePointAt(i);
    return cp === undefined ? '' : String.fromCodePoint(cp);
  }

  /** Moves over n UTF-16 units, keeping line and column (columns count code points). */
  private advance(n: number): void {
    const stop = Math.min(this.i + n, this.src.length);
    while (this.i < stop) {
      const code = this.src.charCodeAt(this.i);
      if (code === 10) {
        this.line++;
        this.col = 1;
      } else if (!(code >= 0xdc00 && code <= 0xdfff)) {
        this.col++; // the low half of a surrogate pair does not start a new character
      }
      this.i++;
    }
  }

  private skipBlanks(): void {
    for (;;) {
      const ch = this.src[this.i];
      if (ch === ' ' || ch === '\t' || ch === '\r') this.advance(1);
      else return;
    }
  }

  private comment(pos: Pos): void {
    const start = this.i;
    if (this.src[this.i + 1] === '/') {
      let end = this.src.indexOf('\n', this.i);
      if (end < 0) end = this.src.length;
      this.advance(end - this.i);
      // A CRLF line ending is not part of the comment.
      const text = this.src.slice(start, end).replace(/\r$/, '');
      this.comments.push({ text, pos });
      return;
    }
    const close = this.src.indexOf('*/', this.i + 2);
    if (close < 0) this.error(pos, 'block comment not terminated');
    this.advance(close + 2 - this.i);
    this.comments.push({ text: this.src.slice(start, close + 2).replace(/\r\n/g, '\n'), pos });
  }

  private identifier(pos: Pos): void {
    const start = this.i;
    while (this.i < this.src.length) {
      const ch = this.charAt(this.i);
      if (!isIdentPart(ch)) break;
      this.advance(ch.length);
    }
    const text = this.src.slice(start, this.i);
    this.tokens.push({ kind: KEYWORDS.get(text) ?? 'ident', text, pos });
  }

  private digits(): number {
    let n = 0;
    while (isDecimal(this.src[this.i])) {
      this.advance(1);
      n++;
    }
    return n;
  }

  private number(pos: Pos): void {
    const start = this.i;
    if (this.src[this.i] !== '.') this.digits();
    if (this.src[this.i] === '.') {
      // As in Alloy, a dot right after digits belongs to the number ("1." is a float).
      this.advance(1);
      this.digits();
    }
    const e = this.src[this.i];
    if (e === 'e' || e === 'E') {
      this.advance(1);
      if (this.src[this.i] === '+' || this.src[this.i] === '-') this.advance(1);
      if (this.digits() === 0) this.error(pos, 'exponent has no digits');
    }
    const text = this.src.slice(start, this.i);
    this.tokens.push({ kind: 'number', text, pos, value: Number(text) });
  }

  private doubleQuoted(pos: Pos): void {
    const start = this.i;
    this.advance(1);
    for (;;) {
      const ch = this.src[this.i];
      if (ch === undefined || ch === '\n') this.error(pos, 'string literal not terminated');
      if (ch === '\\') {
        // Skip the escaped character so an escaped quote does not end the string;
        // the escape itself is validated when the literal is decoded.
        this.advance(this.src[this.i + 1] === '\n' ? 1 : 2);
        continue;
      }
      this.advance(1);
      if (ch === '"') break;
    }
    const text = this.src.slice(start, this.i);
    let value: string;
    try {
      value = unquoteDouble(text);
    } catch (e) {
      if (!(e instanceof StringLiteralError)) throw e;
      this.error(this.offsetPos(pos, text, e.offset), e.message);
    }
    this.tokens.push({ kind: 'string', text, pos, value });
  }

  /** Position of the character at UTF-16 offset `off` inside a single-line token. */
  private offsetPos(pos: Pos, text: string, off: number): Pos {
    return { ...pos, col: pos.col + [...text.slice(0, off)].length };
  }

  private rawString(pos: Pos): void {
    const close = this.src.indexOf('`', this.i + 1);
    if (close < 0) this.error(pos, 'raw string literal not terminated');
    const text = this.src.slice(this.i, close + 1);
    this.advance(close + 1 - this.i);
    // Carriage returns inside raw strings are dropped, as in Go.
    this.tokens.push({ kind: 'string', text, pos, value: text.slice(1, -1).replace(/\r/g, '') });
  }

  private operator(pos: Pos, ch: string): void {
    const two = this.src.slice(this.i, this.i + 2);
    for (const op of OPERATORS) {
      if (op === two || op === ch) {
        this.advance(op.length);
        this.tokens.push({ kind: op, text: op, pos });
        return;
      }
    }
    if (ch === "'") this.error(pos, 'illegal single-quoted string; use double quotes');
    if (ch === '|') this.error(pos, 'missing second | in ||');
    if (ch === '&') this.error(pos, 'missing second & in &&');
    this.error(pos, `illegal character ${describeChar(this.charAt(this.i))}`);
  }
}
