// Go-compatible string literal handling: Alloy strings use Go's escapes, where
// `\xHH` and octal `\NNN` denote raw bytes (so "\xc3\xa9" is "é"), while `\u`
// and `\U` denote code points. Decoding therefore goes through UTF-8 bytes.

/** A problem inside a string literal, at `offset` characters into the literal text. */
export class StringLiteralError extends Error {
  constructor(
    readonly offset: number,
    reason: string,
  ) {
    super(reason);
  }
}

const SIMPLE_ESCAPES: Record<string, number> = {
  a: 0x07,
  b: 0x08,
  f: 0x0c,
  n: 0x0a,
  r: 0x0d,
  t: 0x09,
  v: 0x0b,
  '\\': 0x5c,
  '"': 0x22,
  "'": 0x27, // Alloy accepts \' in double-quoted strings too.
};

const utf8 = new TextEncoder();
// ignoreBOM: a decoded "\ufeff..." must keep its leading U+FEFF.
const utf8Decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/**
 * Decodes the text of a double-quoted literal (including its quotes).
 * Throws StringLiteralError with the offset of the offending escape.
 */
export function unquoteDouble(lit: string): string {
  // Fast path: no escapes, so the text between the quotes is the value.
  const inner = lit.slice(1, -1);
  if (!inner.includes('\\')) return inner;

  const bytes: number[] = [];
  let i = 1;
  const end = lit.length - 1;
  while (i < end) {
    const ch = lit[i];
    if (ch !== '\\') {
      const cp = lit.codePointAt(i)!;
      const n = cp > 0xffff ? 2 : 1;
      for (const b of utf8.encode(lit.slice(i, i + n))) bytes.push(b);
      i += n;
      continue;
    }
    const start = i;
    const kind = lit[i + 1];
    if (kind === undefined || i + 1 >= end) throw new StringLiteralError(start, 'escape sequence not terminated');
    if (Object.hasOwn(SIMPLE_ESCAPES, kind)) {
      bytes.push(SIMPLE_ESCAPES[kind]);
      i += 2;
      continue;
    }
    let digits: number;
    let base: number;
    let max: number;
    let first = i + 2;
    if (kind >= '0' && kind <= '7') {
      digits = 3;
      base = 8;
      max = 255;
      first = i + 1;
    } else if (kind === 'x') {
      digits = 2;
      base = 16;
      max = 255;
    } else if (kind === 'u') {
      digits = 4;
      base = 16;
      max = 0x10ffff;
    } else if (kind === 'U') {
      digits = 8;
      base = 16;
      max = 0x10ffff;
    } else {
      throw new StringLiteralError(start, `unknown escape sequence \\${kind}`);
    }
    let value = 0;
    for (let k = 0; k < digits; k++) {
      const c = lit[first + k]; // may be the closing quote
      const d = c === undefined ? -1 : digitValue(c);
      if (d < 0 || d >= base) {
        throw new StringLiteralError(
          start,
          c === undefined ? 'escape sequence not terminated' : `illegal character ${describeChar(c)} in escape sequence`,
        );
      }
      value = value * base + d;
    }
    if (value > max || (value >= 0xd800 && value < 0xe000 && (kind === 'u' || kind === 'U'))) {
      throw new StringLiteralError(start, 'escape sequence is invalid Unicode code point');
    }
    if (kind === 'u' || kind === 'U') {
      for (const b of utf8.encode(String.fromCodePoint(value))) bytes.push(b);
    } else {
      bytes.push(value);
    }
    i = first + digits;
  }
  // Invalid UTF-8 produced by byte escapes becomes U+FFFD, as when Go text is shown.
  return utf8Decoder.decode(Uint8Array.from(bytes));
}

/** Go's %#U: U+0022 '"'. */
export function describeChar(c: string): string {
  const cp = c.codePointAt(0)!;
  const hex = 'U+' + cp.toString(16).toUpperCase().padStart(4, '0');
  return cp >= 0x20 && cp !== 0x7f ? `${hex} '${String.fromCodePoint(cp)}'` : hex;
}

function digitValue(c: string): number {
  const code = c.charCodeAt(0);
  if (code >= 48 && code <= 57) return code - 48;
  const lower = code | 0x20;
  if (lower >= 97 && lower <= 102) return lower - 97 + 10;
  return -1;
}

/**
 * Go's strconv.Quote (what `%q` prints): printable characters stay as they are,
 * the rest become `\n`-style, `\xHH`, `\uXXXX` or `\UXXXXXXXX` escapes.
 */
export function quote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    switch (ch) {
      case '"':
        out += '\\"';
        continue;
      case '\\':
        out += '\\\\';
        continue;
      case '\x07':
        out += '\\a';
        continue;
      case '\b':
        out += '\\b';
        continue;
      case '\f':
        out += '\\f';
        continue;
      case '\n':
        out += '\\n';
        continue;
      case '\r':
        out += '\\r';
        continue;
      case '\t':
        out += '\\t';
        continue;
      case '\v':
        out += '\\v';
        continue;
    }
    if (cp >= 0xd800 && cp <= 0xdfff) {
      // A lone surrogate cannot be UTF-8; Go would print the replacement character.
      out += '\ufffd';
    } else if (isPrintable(ch)) {
      out += ch;
    } else if (cp < 0x80) {
      out += '\\x' + cp.toString(16).padStart(2, '0');
    } else if (cp <= 0xffff) {
      out += '\\u' + cp.toString(16).padStart(4, '0');
    } else {
      out += '\\U' + cp.toString(16).padStart(8, '0');
    }
  }
  return out + '"';
}

// Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the
// ASCII space; everything else (controls, format, unassigned, other spaces) is escaped.
const NON_PRINTABLE = /[\p{C}\p{Z}]/u;

function isPrintable(ch: string): boolean {
  return ch === ' ' || !NON_PRINTABLE.test(ch);
}
