// Parser for the subset of Go's text/template that loki.process stages
// (stage.template, stage.replace) use: text, {{ pipelines }} with `|`,
// fields (.a.b), variables ($, $x := ...), literals, parentheses, if /
// else if / else, with, range over lists, comments and the {{- -}} trim
// markers. Function names are checked when the template is parsed, as Go
// does ("function X not defined").
import { TemplateError } from './errors.js';
import { lex, split, type Tok } from './lex.js';

export type Operand =
  | { kind: 'field'; chain: string[]; base?: Operand } // .a.b, or (x).a
  | { kind: 'dot' }
  | { kind: 'var'; name: string; chain: string[] } // $ / $x, then fields
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number; isInt: boolean }
  | { kind: 'bool'; value: boolean }
  | { kind: 'nil' }
  | { kind: 'ident'; name: string } // function name
  | { kind: 'pipe'; pipe: Pipeline };

export interface Command {
  args: Operand[];
}

export interface Pipeline {
  decl?: { names: string[]; assign: boolean };
  cmds: Command[];
}

export type TNode =
  | { kind: 'text'; text: string }
  | { kind: 'action'; pipe: Pipeline }
  | { kind: 'if' | 'with'; pipe: Pipeline; then: TNode[]; else: TNode[] }
  | { kind: 'range'; pipe: Pipeline; then: TNode[]; else: TNode[] };

export { TemplateError } from './errors.js';

class ActionParser {
  #i = 0;
  constructor(
    private readonly toks: Tok[],
    private readonly isFunc: (name: string) => boolean,
  ) {}

  #peek(skipSpace = true): Tok | undefined {
    let i = this.#i;
    if (skipSpace) while (this.toks[i]?.t === 'space') i++;
    return this.toks[i];
  }

  #next(): Tok | undefined {
    while (this.toks[this.#i]?.t === 'space') this.#i++;
    return this.toks[this.#i++];
  }

  atEnd(): boolean {
    return this.#peek() === undefined;
  }

  pipeline(inParens = false, allowDecl = true): Pipeline {
    const pipe: Pipeline = { cmds: [] };
    // Declaration: $x := ... or $x, $y := ... (range) or $x = ...
    if (allowDecl && this.#peek()?.t === 'var') {
      const save = this.#i;
      const names: string[] = [];
      let ok = false;
      let assign = false;
      for (;;) {
        const v = this.#next();
        if (v?.t !== 'var') break;
        names.push(v.name);
        const n = this.#peek();
        if (n?.t === 'declare' || n?.t === 'assign') {
          assign = n.t === 'assign';
          this.#next();
          ok = true;
          break;
        }
        if (n?.t === 'comma') {
          this.#next();
          continue;
        }
        break;
      }
      if (ok) pipe.decl = { names, assign };
      else this.#i = save;
    }
    for (;;) {
      const cmd = this.#command(inParens);
      if (cmd.args.length === 0) throw new TemplateError('missing value for command');
      pipe.cmds.push(cmd);
      const n = this.#peek();
      if (n?.t === 'pipe') {
        this.#next();
        continue;
      }
      break;
    }
    return pipe;
  }

  #command(inParens: boolean): Command {
    const args: Operand[] = [];
    for (;;) {
      const n = this.#peek();
      if (!n || n.t === 'pipe') break;
      if (n.t === 'rparen') {
        if (!inParens) throw new TemplateError('unexpected right paren');
        break;
      }
      args.push(this.#operand());
    }
    return { args };
  }

  #operand(): Operand {
    const tok = this.#next()!;
    let op: Operand;
    switch (tok.t) {
      case 'field': {
        const chain = [tok.name];
        while (this.toks[this.#i]?.t === 'field') chain.push((this.toks[this.#i++] as { name: string }).name);
        return { kind: 'field', chain };
      }
      case 'dot':
        return { kind: 'dot' };
      case 'var': {
        const chain: string[] = [];
        while (this.toks[this.#i]?.t === 'field') chain.push((this.toks[this.#i++] as { name: string }).name);
        return { kind: 'var', name: tok.name, chain };
      }
      case 'string':
        return { kind: 'string', value: tok.value };
      case 'number':
        return { kind: 'number', value: tok.value, isInt: tok.isInt };
      case 'ident':
        if (tok.name === 'true' || tok.name === 'false') return { kind: 'bool', value: tok.name === 'true' };
        if (tok.name === 'nil') return { kind: 'nil' };
        if (!this.isFunc(tok.name)) throw new TemplateError(`function "${tok.name}" not defined`);
        return { kind: 'ident', name: tok.name };
      case 'lparen': {
        const pipe = this.pipeline(true, false);
        const close = this.#next();
        if (close?.t !== 'rparen') throw new TemplateError('unclosed left paren');
        op = { kind: 'pipe', pipe };
        const chain: string[] = [];
        while (this.toks[this.#i]?.t === 'field') chain.push((this.toks[this.#i++] as { name: string }).name);
        return chain.length ? { kind: 'field', chain, base: op } : op;
      }
      default:
        throw new TemplateError(`unexpected ${tok.t} in operand`);
    }
  }
}

type Frame = { kind: 'if' | 'with' | 'range'; node: Extract<TNode, { kind: 'if' | 'with' | 'range' }>; inElse: boolean; root: Extract<TNode, { kind: 'if' | 'with' | 'range' }> };

/** Parses a template; throws TemplateError with Go-like messages. */
export function parseTemplate(src: string, isFunc: (name: string) => boolean): TNode[] {
  const top: TNode[] = [];
  const stack: Frame[] = [];
  const cur = (): TNode[] => {
    const f = stack[stack.length - 1];
    if (!f) return top;
    return f.inElse ? f.node.else : f.node.then;
  };
  const parsePipe = (body: string, what: string): Pipeline => {
    const p = new ActionParser(lex(body), isFunc);
    if (p.atEnd()) throw new TemplateError(`missing value for ${what}`);
    const pipe = p.pipeline();
    if (!p.atEnd()) throw new TemplateError(`unexpected token in ${what}`);
    return pipe;
  };
  for (const piece of split(src)) {
    if ('text' in piece) {
      cur().push({ kind: 'text', text: piece.text });
      continue;
    }
    const body = piece.body.trim();
    if (body.startsWith('/*')) {
      if (!body.endsWith('*/')) throw new TemplateError('comment ends before closing delimiter');
      continue;
    }
    const kw = /^([a-z]+)\b/.exec(body)?.[1];
    switch (kw) {
      case 'if':
      case 'with':
      case 'range': {
        const node = { kind: kw, pipe: parsePipe(body.slice(kw.length), kw), then: [], else: [] } as Extract<TNode, { kind: 'if' | 'with' | 'range' }>;
        cur().push(node);
        stack.push({ kind: kw, node, inElse: false, root: node });
        break;
      }
      case 'else': {
        const f = stack[stack.length - 1];
        if (!f || f.inElse) throw new TemplateError('unexpected {{else}}');
        const rest = body.slice(4).trim();
        const chained = /^(if|with)\b/.exec(rest)?.[1] as 'if' | 'with' | undefined;
        if (chained) {
          // {{else if x}} is {{else}}{{if x}} whose {{end}} closes both.
          const node = { kind: chained, pipe: parsePipe(rest.slice(chained.length), chained), then: [], else: [] } as Extract<TNode, { kind: 'if' | 'with' }>;
          f.node.else.push(node);
          f.inElse = true;
          stack.pop();
          stack.push({ kind: chained, node, inElse: false, root: f.root });
        } else {
          if (rest) throw new TemplateError('unexpected tokens after else');
          f.inElse = true;
        }
        break;
      }
      case 'end': {
        if (body !== 'end') throw new TemplateError('unexpected tokens after end');
        if (!stack.pop()) throw new TemplateError('unexpected {{end}}');
        break;
      }
      case 'define':
      case 'template':
      case 'block':
      case 'break':
      case 'continue':
        throw new TemplateError(`{{${kw}}} is not supported in loki.process templates`);
      default: {
        const p = new ActionParser(lex(piece.body), isFunc);
        if (p.atEnd()) throw new TemplateError('missing value for command');
        const pipe = p.pipeline();
        if (!p.atEnd()) throw new TemplateError('unexpected token in command');
        cur().push({ kind: 'action', pipe });
      }
    }
  }
  if (stack.length > 0) throw new TemplateError(`unexpected EOF: {{${stack[stack.length - 1].kind}}} has no {{end}}`);
  return top;
}
