// Lexing of Go templates: splitting the source into text and {{ action }}
// bodies (with the {{- -}} trim markers and comments), and an action body
// into tokens (fields, variables, literals with Go's escapes, operators).
import { TemplateError } from './errors.js';

interface RawAction {
  body: string;
  pos: number;
}

export type Piece = { text: string } | RawAction;

/** Splits the source into text and action bodies, applying trim markers. */
export function split(src: string): Piece[] {
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

export type Tok =
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

export function lex(body: string): Tok[] {
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

