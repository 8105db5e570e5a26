import type { Pos } from './ast.js';

/** An error tied to a place in a config file; printed as `file:line:col: reason`. */
export class Diagnostic extends Error {
  constructor(
    readonly pos: Pos,
    readonly reason: string,
  ) {
    super(`${pos.file}:${pos.line}:${pos.col}: ${reason}`);
    this.name = 'Diagnostic';
  }
}

export function isDiagnostic(e: unknown): e is Diagnostic {
  return e instanceof Diagnostic;
}
