// AST of Alloy configuration syntax. Every node carries its source position so
// that any later error (evaluation, schema, graph) can be reported as file:line:col.

export interface Pos {
  file: string;
  line: number; // 1-based
  col: number; // 1-based
}

export type Expr =
  | { kind: 'literal'; value: null | boolean | number | string; raw?: string; pos: Pos }
  | { kind: 'array'; elements: Expr[]; pos: Pos; end?: Pos }
  | { kind: 'object'; fields: { key: string; quoted: boolean; value: Expr; pos: Pos; eqPos?: Pos }[]; pos: Pos; end?: Pos }
  | { kind: 'ident'; name: string; pos: Pos }
  | { kind: 'access'; target: Expr; name: string; pos: Pos; namePos?: Pos } // a.b
  | { kind: 'index'; target: Expr; index: Expr; pos: Pos; lbrack?: Pos; end?: Pos } // a[0]
  | { kind: 'call'; callee: Expr; args: Expr[]; pos: Pos; lparen?: Pos; end?: Pos }
  | { kind: 'unary'; op: '!' | '-'; operand: Expr; pos: Pos }
  | { kind: 'binary'; op: BinaryOp; left: Expr; right: Expr; pos: Pos; opPos?: Pos }
  | { kind: 'paren'; inner: Expr; pos: Pos; end?: Pos };
// Optional positions (`end`, `namePos`, `lbrack`, `lparen`, `opPos`, `eqPos`) are set by
// the parser and used by the formatter to keep the author's line breaks and
// comments in place; hand-built ASTs may omit them. For a postfix or binary
// node `pos` is where the whole expression starts (its leftmost token); `end`
// is the position of the closing bracket.

export type BinaryOp =
  | '||' | '&&'
  | '==' | '!=' | '<' | '<=' | '>' | '>='
  | '+' | '-' | '*' | '/' | '%' | '^';

export interface Attribute {
  kind: 'attribute';
  name: string;
  value: Expr;
  pos: Pos;
  /** Position of the "=" (set by the parser; lets the formatter keep comments on the right side of it). */
  eqPos?: Pos;
}

export interface Block {
  kind: 'block';
  /** Full dotted name, e.g. "discovery.kubernetes" or "rule". */
  name: string;
  label?: string;
  body: Statement[];
  pos: Pos;
  /** Positions of the label string, the "{" and the closing "}" (set by the parser). */
  labelPos?: Pos;
  lbrace?: Pos;
  end?: Pos;
}

export type Statement = Attribute | Block;

export interface File {
  name: string;
  body: Statement[];
  /** Comments kept so the formatter can re-emit them. */
  comments?: { text: string; pos: Pos }[];
}
