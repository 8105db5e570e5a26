// AST of Alloy configuration syntax. Every node carries its source position so
// that any later error (evaluation, schema, graph) can be reported as file:line:col.

export interface Pos {
  file: string;
  line: number; // 1-based
  col: number; // 1-based
}

export type Expr =
  | { kind: 'literal'; value: null | boolean | number | string; raw?: string; pos: Pos }
  | { kind: 'array'; elements: Expr[]; pos: Pos }
  | { kind: 'object'; fields: { key: string; quoted: boolean; value: Expr; pos: Pos }[]; pos: Pos }
  | { kind: 'ident'; name: string; pos: Pos }
  | { kind: 'access'; target: Expr; name: string; pos: Pos } // a.b
  | { kind: 'index'; target: Expr; index: Expr; pos: Pos } // a[0]
  | { kind: 'call'; callee: Expr; args: Expr[]; pos: Pos }
  | { kind: 'unary'; op: '!' | '-'; operand: Expr; pos: Pos }
  | { kind: 'binary'; op: BinaryOp; left: Expr; right: Expr; pos: Pos }
  | { kind: 'paren'; inner: Expr; pos: Pos };

export type BinaryOp =
  | '||' | '&&'
  | '==' | '!=' | '<' | '<=' | '>' | '>='
  | '+' | '-' | '*' | '/' | '%' | '^';

export interface Attribute {
  kind: 'attribute';
  name: string;
  value: Expr;
  pos: Pos;
}

export interface Block {
  kind: 'block';
  /** Full dotted name, e.g. "discovery.kubernetes" or "rule". */
  name: string;
  label?: string;
  body: Statement[];
  pos: Pos;
}

export type Statement = Attribute | Block;

export interface File {
  name: string;
  body: Statement[];
  /** Comments kept so the formatter can re-emit them. */
  comments?: { text: string; pos: Pos }[];
}
