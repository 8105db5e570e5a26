// Public face of the Alloy configuration language: parse, evaluate, format.
export type { Attribute, BinaryOp, Block, Expr, File, Pos, Statement } from './ast.js';
export { Diagnostic, isDiagnostic } from './diagnostic.js';
export { lex, isValidIdentifier, type Token, type TokenKind, type Comment } from './lexer.js';
export { parse, parseExpression, MAX_NESTING, MAX_EXPR_DEPTH } from './parser.js';
export { evaluate, references, nameChains, isStdlibRoot, type Scope, type EvalOptions } from './eval.js';
export { stdlib } from './stdlib.js';
export { format, formatExpr } from './format.js';
export { quote } from './strings.js';
export { typeOf, valuesEqual, isObject, type Value, type AlloyFunction } from './value.js';
