import type { Attribute, Block } from './ast.js';
import { sexpr } from './astutil.js';
import { Diagnostic } from './diagnostic.js';
import { MAX_EXPR_DEPTH, MAX_NESTING, parse, parseExpression } from './parser.js';

const expr = (src: string) => sexpr(parseExpression(src));

function parseError(src: string): string {
  try {
    parse(src, 'c.alloy');
  } catch (e) {
    if (!(e instanceof Diagnostic)) throw e;
    return `${e.pos.line}:${e.pos.col}: ${e.reason}`;
  }
  throw new Error(`no error for ${JSON.stringify(src)}`);
}

describe('parser: expressions and precedence', () => {
  test.each([
    ['1 + 2 * 3', '(+ 1 (* 2 3))'],
    ['1 * 2 + 3', '(+ (* 1 2) 3)'],
    ['1 - 2 - 3', '(- (- 1 2) 3)'], // left-associative
    ['2 ^ 3 ^ 2', '(^ 2 (^ 3 2))'], // right-associative
    ['-2 ^ 2', '(^ (- 2) 2)'], // unary binds tighter than ^
    ['2 * 3 ^ 2', '(* 2 (^ 3 2))'],
    ['a || b && c', '(|| a (&& b c))'],
    ['a && b || c', '(|| (&& a b) c)'],
    ['1 < 2 == true', '(== (< 1 2) true)'],
    ['1 + 2 < 3 * 4', '(< (+ 1 2) (* 3 4))'],
    ['!a && !b', '(&& (! a) (! b))'],
    ['- -1', '(- (- 1))'],
    ['a.b.c', '(. (. a b) c)'],
    ['a[0][1]', '(idx (idx a 0) 1)'],
    ['f(1, 2)(3)', '(call (call f 1 2) 3)'],
    ['a.b(1).c[2]', '(idx (. (call (. a b) 1) c) 2)'],
    ['-a.b', '(- (. a b))'],
    ['(1 + 2) * 3', '(* (paren (+ 1 2)) 3)'],
    ['7 % 4 / 2', '(/ (% 7 4) 2)'],
    ['[]', '[]'],
    ['[1, "a", true, null,]', '[1 "a" true null]'],
    ['{}', '{}'],
    ['{ a = 1, "b c" = [2], }', '{a=1 "b c"=[2]}'],
    ['f()', '(call f)'],
    ['f(1,)', '(call f 1)'],
    ['(a.b)(1, 3 * l[i * 2]).r', '(. (call (paren (. a b)) 1 (* 3 (idx l (* i 2)))) r)'],
  ])('%s', (src, want) => {
    expect(expr(src)).toBe(want);
  });

  test('newlines are free inside brackets and after operators', () => {
    expect(expr('[\n1,\n2\n]')).toBe('[1 2]');
    expect(expr('{\n a = 1\n ,\n b = 2\n}')).toBe('{a=1 b=2}');
    expect(expr('f(\n1\n)')).toBe('(call f 1)');
    expect(expr('(1\n+ 2)')).toBe('(paren (+ 1 2))');
    expect(expr('1 +\n2')).toBe('(+ 1 2)');
    expect(expr('a.\nb')).toBe('(. a b)');
  });

  test('every node carries its start position; postfix and binary nodes start at their leftmost token', () => {
    const e = parseExpression('foo.bar[1] + -x', 'p');
    expect(e.kind).toBe('binary');
    if (e.kind !== 'binary') return;
    expect(e.pos).toEqual({ file: 'p', line: 1, col: 1 });
    expect(e.opPos).toEqual({ file: 'p', line: 1, col: 12 });
    expect(e.right.pos).toEqual({ file: 'p', line: 1, col: 14 });
    expect(e.left.kind === 'index' && e.left.index.pos.col).toBe(9);
  });

  test('literals keep their spelling in raw', () => {
    const e = parseExpression('[1.50, `x`, "\\u0041"]');
    expect(e.kind === 'array' && e.elements.map((x) => (x.kind === 'literal' ? [x.value, x.raw] : null))).toEqual([
      [1.5, '1.50'],
      ['x', '`x`'],
      ['A', '"\\u0041"'],
    ]);
  });
});

describe('parser: statements', () => {
  test('attributes, blocks, labels, nesting and positions', () => {
    const src = [
      'logging { level = "debug" }',
      '',
      'discovery.kubernetes "pods" {',
      '  role = "pod"',
      '  selectors {',
      '    role  = "pod"',
      '    field = "spec.nodeName=x"',
      '  }',
      '}',
    ].join('\n');
    const f = parse(src, 'main.alloy');
    expect(f.name).toBe('main.alloy');
    expect(f.body.map((s) => [s.kind, s.name, (s as Block).label])).toEqual([
      ['block', 'logging', undefined],
      ['block', 'discovery.kubernetes', 'pods'],
    ]);
    const k8s = f.body[1] as Block;
    expect(k8s.pos).toEqual({ file: 'main.alloy', line: 3, col: 1 });
    expect(k8s.labelPos).toEqual({ file: 'main.alloy', line: 3, col: 22 });
    expect(k8s.end).toEqual({ file: 'main.alloy', line: 9, col: 1 });
    const [role, selectors] = k8s.body;
    expect(role).toMatchObject({ kind: 'attribute', name: 'role', value: { kind: 'literal', value: 'pod' }, pos: { line: 4, col: 3 } });
    expect((selectors as Block).body.map((s) => (s as Attribute).name)).toEqual(['role', 'field']);
  });

  test('an empty label is kept; one-line blocks with one statement are fine', () => {
    const f = parse('a "" { }\nb { c = 1 }\n', 'f');
    expect((f.body[0] as Block).label).toBe('');
    expect((f.body[1] as Block).body).toHaveLength(1);
  });

  test('comments are returned with the file', () => {
    const f = parse('// top\na = 1 // trailing\n', 'f');
    expect(f.comments?.map((c) => c.text)).toEqual(['// top', '// trailing']);
  });

  test('empty and comment-only files parse to no statements', () => {
    expect(parse('', 'f').body).toEqual([]);
    expect(parse('\n\n// only a comment\n', 'f').body).toEqual([]);
  });
});

describe('parser: errors are Diagnostics at the offending token', () => {
  test.each([
    ['a = ', '1:5: expected expression, got end of file'],
    ['a = 1 +', '1:8: expected expression, got end of file'],
    ['a = 1 + + 2', '1:9: expected expression, got "+"'],
    ['a }', '1:3: expected "=" or "{" after "a", got "}"'],
    ['a.b "x" 1', '1:9: expected "{" after block name "a.b "x"", got number 1'],
    ['a = 1 }', '1:7: expected a newline after attribute "a", got "}"'],
    ['b { c = 1 d = 2 }', '1:11: expected a newline after attribute "c", got identifier "d"'],
    ['a.b = 1', '1:1: attribute names may only consist of a single identifier with no ".", got "a.b"'],
    ['a "x" = 1', '1:3: attribute names may not have labels'],
    ['a `x` { }', '1:3: expected block label to be a double quoted string, but got string `x`'],
    ['a "with space" { }', '1:3: expected block label to be a valid identifier (letters, digits and _), but got "with space"'],
    ['a b { }', '1:3: expected "=" or "{" after "a", got identifier "b"'],
    ['= 1', '1:1: expected attribute or block name, got "="'],
    ['a {\n  b = 1\n', '3:1: expected "}" to close block "a" opened at 1:1, got end of file'],
    ['a = [1, 2', '1:10: expected "," or "]" in array, got end of file'],
    ['a = [1 2]', '1:8: expected "," or "]" in array, got number 2'],
    ['a = { b = 1 c = 2 }', '1:13: expected "," or "}" in object, got identifier "c"'],
    ['a = { 1 = 2 }', '1:7: expected field name (string or identifier), got number 1'],
    ['a = { b 2 }', '1:9: expected "=" after field "b", got number 2'],
    ['a = f(1', '1:8: expected "," or ")" in argument list, got end of file'],
    ['a = (1', '1:7: expected ")" to close the "(" at 1:5, got end of file'],
    ['a = x[1', '1:8: expected "]" to close the index opened at 1:6, got end of file'],
    ['a = x.true', '1:7: expected field name after ".", got "true"'],
    ['a = f(())', '1:8: expected expression, got ")"'],
    ['a = 1\n+ 2', '2:1: expected attribute or block name, got "+"'],
    ['x = prometheus.remote_write "default" {\n}', '1:5: cannot use a block as an expression'],
    ['a = "x\\q"', '1:7: unknown escape sequence \\q'],
    ['a = 1\n\n  b = @', '3:7: illegal character U+0040 \'@\''],
  ])('%j', (src, want) => {
    expect(parseError(src)).toBe(want);
  });

  test('nesting deeper than the limit is a Diagnostic, not a stack overflow', () => {
    const deepArray = 'a = ' + '['.repeat(MAX_NESTING + 5) + ']'.repeat(MAX_NESTING + 5);
    expect(parseError(deepArray)).toMatch(/nesting too deep/);
    const deepBlocks = 'b {\n'.repeat(MAX_NESTING + 5) + '}\n'.repeat(MAX_NESTING + 5);
    expect(parseError(deepBlocks)).toMatch(/nesting too deep/);
    const deepUnary = 'a = ' + '!'.repeat(MAX_NESTING + 5) + 'true';
    expect(parseError(deepUnary)).toMatch(/nesting too deep/);
    const longChain = 'a = ' + Array.from({ length: MAX_EXPR_DEPTH + 5 }, (_, i) => String(i)).join(' + ');
    expect(parseError(longChain)).toMatch(/expression too deep/);
  });

  test('nesting within the limit parses', () => {
    const ok = 'a = ' + '['.repeat(MAX_NESTING - 1) + ']'.repeat(MAX_NESTING - 1);
    expect(parse(ok, 'f').body).toHaveLength(1);
    const chain = 'a = ' + Array.from({ length: 500 }, () => '1').join(' + ');
    expect(parse(chain, 'f').body).toHaveLength(1);
  });

  test('a non-string source is rejected with a Diagnostic', () => {
    expect(() => parse(undefined as unknown as string, 'f')).toThrow(Diagnostic);
  });
});
