// Executes a parsed Go template against a data map, with Go's rules for what
// loki.process templates can see: a missing map key is "no value" (printed
// as <no value>, false in if, an error when passed to a function), values
// print as Go's fmt would print them, and a failing call fails the whole
// execution (the stage then leaves its data unchanged, as Alloy does).
import { TemplateError, type Command, type Operand, type Pipeline, type TNode } from './parse.js';

/** Go's invalid reflect.Value: what a missing map key evaluates to. */
export const NO_VALUE: unique symbol = Symbol('no value');
export type TValue = unknown;

/** An integer as Go's template literals make them (int), kept apart from float64. */
export class GoInt {
  constructor(readonly v: number) {}
}

export type TemplateFunc = (...args: TValue[]) => TValue;

export interface FuncDef {
  fn: TemplateFunc;
  /** Expected argument count (undefined: variadic, checked by the function). */
  arity?: number;
  /** Parameters are interface{} in Go: a missing value arrives as nil instead of failing the call. */
  loose?: boolean;
}

export class ExecError extends TemplateError {}

export function goPrint(v: TValue): string {
  if (v === NO_VALUE) return '<no value>';
  if (v === null || v === undefined) return '<nil>';
  if (v instanceof GoInt) return String(v.v);
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return formatFloat(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (Array.isArray(v)) return `[${v.map(goPrint).join(' ')}]`;
  if (typeof v === 'object') {
    const o = v as Record<string, TValue>;
    return `map[${Object.keys(o)
      .sort()
      .map((k) => `${k}:${goPrint(o[k])}`)
      .join(' ')}]`;
  }
  return String(v);
}

/** fmt's %v of a float64: shortest repr, exponent form from 1e21 / below 1e-4 like Go's %g. */
function formatFloat(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return String(n);
  const s = String(n);
  return s.replace(/e\+?(-?)(\d)$/, 'e$1+0$2').replace('e+-', 'e-').replace(/e(-?)(\d)$/, 'e$10$2');
}

export function truthy(v: TValue): boolean {
  if (v === NO_VALUE || v === null || v === undefined) return false;
  if (v instanceof GoInt) return v.v !== 0;
  if (typeof v === 'string') return v !== '';
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'boolean') return v;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v as object).length > 0;
  return true;
}

interface Scope {
  dot: TValue;
  vars: Map<string, TValue>[];
}

export class Executor {
  #steps = 0;
  constructor(
    private readonly funcs: Record<string, FuncDef>,
    private readonly maxSteps = 100_000,
  ) {}

  run(nodes: TNode[], data: TValue): string {
    this.#steps = 0;
    const scope: Scope = { dot: data, vars: [new Map([['$', data]])] };
    const out: string[] = [];
    this.#list(nodes, scope, out);
    return out.join('');
  }

  #tick(): void {
    if (++this.#steps > this.maxSteps) throw new ExecError('template execution exceeded its step budget');
  }

  #list(nodes: TNode[], scope: Scope, out: string[]): void {
    for (const n of nodes) {
      this.#tick();
      switch (n.kind) {
        case 'text':
          out.push(n.text);
          break;
        case 'action': {
          const v = this.#pipeline(n.pipe, scope);
          if (!n.pipe.decl) out.push(goPrint(v));
          break;
        }
        case 'if':
        case 'with': {
          scope.vars.push(new Map());
          const v = this.#pipeline(n.pipe, scope);
          if (truthy(v)) this.#list(n.then, n.kind === 'with' ? { dot: v, vars: scope.vars } : scope, out);
          else this.#list(n.else, scope, out);
          scope.vars.pop();
          break;
        }
        case 'range': {
          scope.vars.push(new Map());
          const v = this.#pipeline({ ...n.pipe, decl: undefined }, scope);
          const items: [TValue, TValue][] = Array.isArray(v)
            ? v.map((x, i) => [new GoInt(i), x])
            : v instanceof GoInt
              ? Array.from({ length: Math.max(0, v.v) }, (_, i) => [new GoInt(i), new GoInt(i)])
              : v && typeof v === 'object'
                ? Object.keys(v as object)
                    .sort()
                    .map((k) => [k, (v as Record<string, TValue>)[k]])
                : v === NO_VALUE || v === null
                  ? []
                  : (() => {
                      throw new ExecError(`range can't iterate over ${goPrint(v)}`);
                    })();
          if (items.length === 0) this.#list(n.else, scope, out);
          for (const [k, x] of items) {
            this.#tick();
            const names = n.pipe.decl?.names ?? [];
            const frame = scope.vars[scope.vars.length - 1];
            if (names.length === 1) frame.set(names[0], x);
            if (names.length === 2) {
              frame.set(names[0], k);
              frame.set(names[1], x);
            }
            this.#list(n.then, { dot: x, vars: scope.vars }, out);
          }
          scope.vars.pop();
          break;
        }
      }
    }
  }

  #lookupVar(name: string, scope: Scope): TValue {
    for (let i = scope.vars.length - 1; i >= 0; i--) if (scope.vars[i].has(name)) return scope.vars[i].get(name);
    throw new ExecError(`undefined variable: ${name}`);
  }

  #pipeline(pipe: Pipeline, scope: Scope): TValue {
    let v: TValue = NO_VALUE;
    let first = true;
    for (const cmd of pipe.cmds) {
      v = this.#command(cmd, scope, first ? undefined : { value: v });
      first = false;
    }
    if (pipe.decl) {
      for (const name of pipe.decl.names) {
        if (pipe.decl.assign) {
          const frame = [...scope.vars].reverse().find((f) => f.has(name));
          if (!frame) throw new ExecError(`undefined variable: ${name}`);
          frame.set(name, v);
        } else scope.vars[scope.vars.length - 1].set(name, v);
      }
    }
    return v;
  }

  #command(cmd: Command, scope: Scope, piped?: { value: TValue }): TValue {
    const [head, ...rest] = cmd.args;
    if (head.kind === 'ident') {
      const def = this.funcs[head.name];
      if (!def) throw new ExecError(`function "${head.name}" not defined`);
      if (head.name === 'and' || head.name === 'or') return this.#andOr(head.name, rest, scope, piped);
      let args = rest.map((a) => this.#operand(a, scope));
      if (piped) args.push(piped.value);
      if (def.loose) args = args.map((a) => (a === NO_VALUE ? null : a));
      if (def.arity !== undefined && args.length !== def.arity) throw new ExecError(`wrong number of args for ${head.name}: want ${def.arity} got ${args.length}`);
      return def.fn(...args);
    }
    if (rest.length > 0 || piped) {
      if (head.kind === 'field' || head.kind === 'var') throw new ExecError(`can't give argument to non-function ${describe(head)}`);
      throw new ExecError(`can't give argument to non-function ${describe(head)}`);
    }
    return this.#operand(head, scope);
  }

  /** and/or stop at the first falsy/truthy argument (Go 1.18+). */
  #andOr(name: 'and' | 'or', args: Operand[], scope: Scope, piped?: { value: TValue }): TValue {
    const thunks: (() => TValue)[] = args.map((a) => () => this.#operand(a, scope));
    if (piped) thunks.push(() => piped.value);
    if (thunks.length === 0) throw new ExecError(`wrong number of args for ${name}: want at least 1 got 0`);
    let v: TValue = NO_VALUE;
    for (const t of thunks) {
      v = t();
      if (name === 'and' ? !truthy(v) : truthy(v)) return v;
    }
    return v;
  }

  #operand(op: Operand, scope: Scope): TValue {
    switch (op.kind) {
      case 'dot':
        return scope.dot;
      case 'field':
        return fieldChain(op.base ? this.#operand(op.base, scope) : scope.dot, op.chain);
      case 'var':
        return fieldChain(this.#lookupVar(op.name, scope), op.chain);
      case 'string':
        return op.value;
      case 'number':
        return op.isInt ? new GoInt(op.value) : op.value;
      case 'bool':
        return op.value;
      case 'nil':
        throw new ExecError('nil is not a command');
      case 'ident': {
        const def = this.funcs[op.name];
        if (!def) throw new ExecError(`function "${op.name}" not defined`);
        if (def.arity !== undefined && def.arity !== 0) throw new ExecError(`wrong number of args for ${op.name}: want ${def.arity} got 0`);
        return def.fn();
      }
      case 'pipe':
        return this.#pipeline(op.pipe, scope);
    }
  }
}

function describe(op: Operand): string {
  if (op.kind === 'field') return '.' + op.chain.join('.');
  if (op.kind === 'var') return op.name + op.chain.map((c) => '.' + c).join('');
  return op.kind;
}

function fieldChain(v: TValue, chain: string[]): TValue {
  let cur = v;
  for (const name of chain) {
    if (cur === NO_VALUE) return NO_VALUE; // a field of a missing key is missing too
    if (cur === null || cur === undefined) throw new ExecError(`nil pointer evaluating .${name}`);
    if (typeof cur !== 'object' || Array.isArray(cur) || cur instanceof GoInt) throw new ExecError(`can't evaluate field ${name} in type ${goType(cur)}`);
    const o = cur as Record<string, TValue>;
    cur = Object.prototype.hasOwnProperty.call(o, name) ? o[name] : NO_VALUE;
  }
  return cur;
}

export function goType(v: TValue): string {
  if (v instanceof GoInt) return 'int';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return 'float64';
  if (typeof v === 'boolean') return 'bool';
  if (Array.isArray(v)) return '[]interface {}';
  if (v === null) return 'nil';
  if (v === NO_VALUE) return 'invalid';
  return 'map[string]interface {}';
}
