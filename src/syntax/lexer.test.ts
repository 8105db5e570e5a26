import { Diagnostic } from './diagnostic.js';
import { isValidIdentifier, lex } from './lexer.js';

const kinds = (src: string) => lex(src, 't.alloy').tokens.map((t) => t.kind);
const values = (src: string) => lex(src, 't.alloy').tokens.filter((t) => t.value !== undefined).map((t) => t.value);

function lexError(src: string): { where: string; reason: string } {
  try {
    lex(src, 't.alloy');
  } catch (e) {
    if (!(e instanceof Diagnostic)) throw e;
    return { where: `${e.pos.line}:${e.pos.col}`, reason: e.reason };
  }
  throw new Error(`no error for ${JSON.stringify(src)}`);
}

describe('lexer: tokens', () => {
  test.each([
    ['a.b "x" {', ['ident', '.', 'ident', 'string', '{', 'eof']],
    ['|| && == != < <= > >= + - * / % ^ !', ['||', '&&', '==', '!=', '<', '<=', '>', '>=', '+', '-', '*', '/', '%', '^', '!', 'eof']],
    ['{ } [ ] ( ) , . =', ['{', '}', '[', ']', '(', ')', ',', '.', '=', 'eof']],
    ['true false null nullx', ['true', 'false', 'null', 'ident', 'eof']],
    ['a\n\nb', ['ident', 'newline', 'newline', 'ident', 'eof']],
    ['a // c\nb /* x\ny */ c', ['ident', 'newline', 'ident', 'ident', 'eof']],
    ['héllo_1 日本', ['ident', 'ident', 'eof']],
    ['a\r\nb', ['ident', 'newline', 'ident', 'eof']],
  ])('%j', (src, want) => {
    expect(kinds(src)).toEqual(want);
  });

  test('positions are 1-based line and column, counting characters', () => {
    const { tokens } = lex('a = 1\n  "é" + b', 'f.alloy');
    const where = tokens.map((t) => `${t.kind}@${t.pos.line}:${t.pos.col}`);
    expect(where).toEqual(['ident@1:1', '=@1:3', 'number@1:5', 'newline@1:6', 'string@2:3', '+@2:7', 'ident@2:9', 'eof@2:10']);
    expect(tokens[0].pos.file).toBe('f.alloy');
  });

  test('comments are kept with their positions and text', () => {
    const { comments } = lex('// one\na = 1 /* two\nlines */\n', 'f');
    expect(comments).toEqual([
      { text: '// one', pos: { file: 'f', line: 1, col: 1 } },
      { text: '/* two\nlines */', pos: { file: 'f', line: 2, col: 7 } },
    ]);
  });

  test('a leading byte order mark is ignored', () => {
    expect(kinds('\ufeffa')).toEqual(['ident', 'eof']);
  });
});

describe('lexer: numbers', () => {
  test.each([
    ['0', 0],
    ['42', 42],
    ['3.25', 3.25],
    ['.5', 0.5],
    ['1.', 1],
    ['1e3', 1000],
    ['2.5E-2', 0.025],
    ['7e+1', 70],
  ])('%s', (src, want) => {
    expect(values(src)).toEqual([want]);
  });
});

describe('lexer: strings', () => {
  test.each([
    ['"plain"', 'plain'],
    ['"tab\\there"', 'tab\there'],
    ['"q\\"uote\\\\"', 'q"uote\\'],
    ['"\\a\\b\\f\\n\\r\\v"', '\x07\b\f\n\r\v'],
    ['"\\u00e9\\U0001F600"', 'é😀'],
    ['"\\x41\\101"', 'AA'], // hex and octal byte escapes
    ['"\\xc3\\xa9"', 'é'], // byte escapes are UTF-8 bytes, as in Go
    ['"\\\'"', "'"],
    ['"日本"', '日本'],
    ['`raw \\n "q"`', 'raw \\n "q"'],
    ['`multi\nline`', 'multi\nline'],
  ])('%s', (src, want) => {
    expect(values(src)).toEqual([want]);
  });
});

describe('lexer: errors carry exact positions', () => {
  test.each([
    ['"abc', '1:1', 'string literal not terminated'],
    ['x = "a\nb"', '1:5', 'string literal not terminated'],
    ['x = "a\\qb"', '1:7', 'unknown escape sequence \\q'],
    ['"\\x4"', '1:2', `illegal character U+0022 '"' in escape sequence`],
    ['"\\xZZ"', '1:2', "illegal character U+005A 'Z' in escape sequence"],
    ['"\\uD800"', '1:2', 'escape sequence is invalid Unicode code point'],
    ['"\\400"', '1:2', 'escape sequence is invalid Unicode code point'],
    ['a\n  `open', '2:3', 'raw string literal not terminated'],
    ['/* never closed', '1:1', 'block comment not terminated'],
    ["x = 'a'", '1:5', 'illegal single-quoted string; use double quotes'],
    ['a | b', '1:3', 'missing second | in ||'],
    ['a & b', '1:3', 'missing second & in &&'],
    ['1e', '1:1', 'exponent has no digits'],
    ['a = @', '1:5', "illegal character U+0040 '@'"],
    ['a = \x00', '1:5', 'illegal character U+0000'],
  ])('%j', (src, where, reason) => {
    expect(lexError(src)).toEqual({ where, reason });
  });
});

describe('isValidIdentifier', () => {
  test.each([
    ['default', true],
    ['_x1', true],
    ['é', true],
    ['1a', false],
    ['with space', false],
    ['a-b', false],
    ['', false],
    ['true', false],
  ])('%j -> %s', (s, ok) => {
    expect(isValidIdentifier(s)).toBe(ok);
  });
});
