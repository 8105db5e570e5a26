// Parser for the subset of Go's text/template that loki.process stages
// (stage.template, stage.replace) use: text, {{ pipelines }} with `|`,
// fields (.a.b), variables ($, $x := ...), literals, parentheses, if /
// else if / else, with, range over lists, comments and the {{- -}} trim
// markers. Function names are checked when the template is parsed, as Go
// does ("function X not defined").

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

export class TemplateError extends Error {}

interface RawAction {
  body: string;
  pos: number;
}

type Piece = { text: string } | RawAction;

/** Splits the source into text and action bodies, applying trim markers. */
function split(src: string): Piece[] {
  const out: Piece[] = [];
  let i = 0;
  let trimNext = false;
  while (i <= src.length) {
    const open = src.indexOf('{{', i);
    let text = open < 0 ? src.slice(i) : src.slice(i, open);
    if (trimNext) text = text.replace(/^\s+/, '');
    trimNext = false;
    if (open < 0) {
      if (text) out.push({ text });
      break;
    }
    let start = open + 2;
    if (src.startsWith('- ', start) || src.startsWith('-\t', start) || src.startsWith('-\n', start) || src.startsWith('-\r', start)) {
      text = text.replace(/\s+$/, '');
      start += 1;
    }
    if (text) out.push({ text });
    // Find the closing }} outside string literals (and comments).
    let j = start;
    let close = -1;
    while (j < src.length) {
      const c = src[j];
      if (src.startsWith('/*', j)) {
        const end = src.indexOf('*/', j + 2);
        if (end < 0) throw new TemplateError('unclosed comment');
        j = end + 2;
        continue;
      }
      if (c === '"' || c === "'") {
        j++;
        while (j < src.length && src[j] !== c) {
          if (src[j] === '\\') j++;
          if (src[j] === '\n') throw new TemplateError('unterminated quoted string');
          j++;
        }
        if (j >= src.length) throw new TemplateError('unterminated quoted string');
        j++;
        continue;
      }
      if (c === '`') {
        const end = src.indexOf('`', j + 1);
        if (end < 0) throw new TemplateError('unterminated raw quoted string');
        j = end + 1;
        continue;
      }
      if (src.startsWith('}}', j)) {
        close = j;
        break;
      }
      j++;
    }
    if (close < 0) throw new TemplateError('unclosed action');
    let body = src.slice(start, close);
    if (/\s-$/.test(body)) {
      body = body.slice(0, -1);
      trimNext = true;
    } else if (body === '-') {
      body = '';
      trimNext = true;
    }
    out.push({ body, pos: start });
    i = close + 2;
  }
  return out;
}

type Tok =
  | { t: 'field'; name: string }
  | { t: 'dot' }
  | { t: 'var'; name: string }
  | { t: 'string'; value: string }
  | { t: 'number'; value: number; isInt: boolean }
  | { t: 'ident'; name: string }
  | { t: 'pipe' }
  | { t: 'lparen' }
  | { t: 'rparen' }
  | { t: 'declare' }
  | { t: 'assign' }
  | { t: 'comma' }
  | { t: 'space' };

function unquote(lit: string): string {
  if (lit[0] === '`') return lit.slice(1, -1);
  const inner = lit.slice(1, -1);
  if (lit[0] === "'") {
    const s = unquote(`"${inner.replace(/"/g, '\\"')}"`);
    return String(s.codePointAt(0) ?? 0); // a char constant is its code point (a number in Go)
  }
  let out = '';
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i];
    if (c !== '\\') {
      out += c;
      continue;
    }
    const n = inner[++i];
    const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', "'": "'", a: '\x07', b: '\b', f: '\f', v: '\v' };
    if (n in simple) out += simple[n];
    else if (n === 'x') {
      out += String.fromCharCode(parseInt(inner.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (n === 'u' || n === 'U') {
      const len = n === 'u' ? 4 : 8;
      out += String.fromCodePoint(parseInt(inner.slice(i + 1, i + 1 + len), 16));
      i += len;
    } else if (/[0-7]/.test(n)) {
      out += String.fromCharCode(parseInt(inner.slice(i, i + 3), 8));
      i += 2;
    } else throw new TemplateError(`invalid escape \\${n} in string`);
  }
  return out;
}

function lex(body: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  while (i < body.length) {
    const c = body[i];
    if (/\s/.test(c)) {
      while (i < body.length && /\s/.test(body[i])) i++;
      toks.push({ t: 'space' });
      continue;
    }
    if (body.startsWith('/*', i)) {
      const end = body.indexOf('*/', i + 2);
      i = end + 2;
      continue;
    }
    if (c === '|') {
      toks.push({ t: 'pipe' });
      i++;
      continue;
    }
    if (c === '(') {
      toks.push({ t: 'lparen' });
      i++;
      continue;
    }
    if (c === ')') {
      toks.push({ t: 'rparen' });
      i++;
      continue;
    }
    if (c === ',') {
      toks.push({ t: 'comma' });
      i++;
      continue;
    }
    if (body.startsWith(':=', i)) {
      toks.push({ t: 'declare' });
      i += 2;
      continue;
    }
    if (c === '=') {
      toks.push({ t: 'assign' });
      i++;
      continue;
    }
    if (c === '"' || c === "'" || c === '`') {
      let j = i + 1;
      while (j < body.length && body[j] !== c) {
        if (c !== '`' && body[j] === '\\') j++;
        j++;
      }
      const lit = body.slice(i, j + 1);
      const v = unquote(lit);
      if (c === "'") toks.push({ t: 'number', value: Number(v), isInt: true });
      else toks.push({ t: 'string', value: v });
      i = j + 1;
      continue;
    }
    if (c === '.') {
      const m = /^\.([A-Za-z_][A-Za-z0-9_]*)/.exec(body.slice(i));
      if (m) {
        toks.push({ t: 'field', name: m[1] });
        i += m[0].length;
      } else if (/[0-9]/.test(body[i + 1] ?? '')) {
        const n = /^\.[0-9]+(?:[eE][+-]?[0-9]+)?/.exec(body.slice(i))!;
        toks.push({ t: 'number', value: Number(n[0]), isInt: false });
        i += n[0].length;
      } else {
        toks.push({ t: 'dot' });
        i++;
      }
      continue;
    }
    if (c === '$') {
      const m = /^\$[A-Za-z0-9_]*/.exec(body.slice(i))!;
      toks.push({ t: 'var', name: m[0] });
      i += m[0].length;
      continue;
    }
    const num = /^[+-]?(?:0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO]?[0-7_]+|(?:[0-9][0-9_]*)?\.?[0-9_]*(?:[eE][+-]?[0-9]+)?)/.exec(body.slice(i));
    if (num && num[0] !== '' && /[0-9]/.test(num[0])) {
      const text = num[0].replace(/_/g, '');
      const isInt = !/[.eE]/.test(text) || /^[+-]?0[xX]/.test(text);
      let value: number;
      if (/^[+-]?0[bB]/.test(text)) value = (text.startsWith('-') ? -1 : 1) * parseInt(text.replace(/^[+-]?0[bB]/, ''), 2);
      else if (/^[+-]?0[oO]/.test(text) || /^[+-]?0[0-7]+$/.test(text)) value = (text.startsWith('-') ? -1 : 1) * parseInt(text.replace(/^[+-]?0[oO]?/, ''), 8);
      else value = Number(text);
      if (Number.isNaN(value)) throw new TemplateError(`bad number syntax: "${num[0]}"`);
      toks.push({ t: 'number', value, isInt });
      i += num[0].length;
      continue;
    }
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(body.slice(i));
    if (id) {
      toks.push({ t: 'ident', name: id[0] });
      i += id[0].length;
      // Fields directly after a parenthesised or identifier operand are not supported.
      continue;
    }
    throw new TemplateError(`unexpected "${c}" in command`);
  }
  return toks;
}

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
