// Property tests: the parser never fails with anything but a Diagnostic that
// points into the input, and the formatter is a meaning-preserving fixed point.
import fc from 'fast-check';
import type { Attribute, BinaryOp, Block, Expr, File, Pos, Statement } from './ast.js';
import { withoutPositions } from './astutil.js';
import { Diagnostic } from './diagnostic.js';
import { format } from './format.js';
import { isValidIdentifier } from './lexer.js';
import { parse } from './parser.js';

// ---- (a) any input: success or a Diagnostic inside the input ----------------

function checkParse(input: string): void {
  let file: File;
  try {
    file = parse(input, 'fuzz.alloy');
  } catch (e) {
    if (!(e instanceof Diagnostic)) throw new Error(`parse threw ${String(e)} for ${JSON.stringify(input)}`);
    const lines = input.split('\n');
    const { line, col, file: name } = e.pos;
    expect(name).toBe('fuzz.alloy');
    expect(line).toBeGreaterThanOrEqual(1);
    expect(line).toBeLessThanOrEqual(lines.length);
    expect(col).toBeGreaterThanOrEqual(1);
    expect(col).toBeLessThanOrEqual([...lines[line - 1]].length + 1);
    expect(e.reason.length).toBeGreaterThan(0);
    return;
  }
  // Whatever parses formats to a fixed point that means the same thing.
  const out = format(file);
  const again = parse(out, 'formatted.alloy');
  expect(withoutPositions(again.body)).toEqual(withoutPositions(file.body));
  expect(format(again)).toBe(out);
  expect(again.comments?.map((c) => c.text.trimEnd())).toEqual(file.comments?.map((c) => c.text.trimEnd().replace(/\r/g, '')));
}

const corpus = [
  [
    '// Annotation-driven pipeline',
    'discovery.kubernetes "pods" { role = "pod" }',
    '',
    'discovery.relabel "annotated" {',
    '  targets = discovery.kubernetes.pods.targets // from the API',
    '  rule {',
    '    source_labels = ["__meta_kubernetes_pod_annotation_prometheus_io_scrape"]',
    '    regex         = "true"',
    '    action        = "keep"',
    '  }',
    '}',
    'prometheus.remote_write "default" {',
    '  endpoint { url = sys.env("REMOTE_WRITE_URL") }',
    '  /* multi',
    '     line */',
    '  external_labels = { cluster = coalesce(sys.env("CLUSTER"), "dev"), "k b" = 1.5e3, }',
    '}',
  ].join('\n'),
  'a = [\n  1, 2, // c\n  -x.y[0] ^ 2 ^ 3,\n  f(`raw\nstr`, {k = !true || false && 1 != 2}),\n]\nb = (1 + 2) * 3 % 4 / 5 - 6\n',
  'x "l" {\n  y { }\n  z = "\\u00e9\\x41\\t"\n}\n',
];

const tokenSoup = fc
  .array(
    fc.constantFrom(
      'a', 'b.c', 'x "l"', '"s"', '`r`', '`r\n`', '{', '}', '[', ']', '(', ')', ',', '=', '==', '+', '-', '*', '^', '!', '.', '&&',
      '||', '\n', ' ', '\t', '// c\n', '/* c */', '/* c\n */', '1', '1.5e3', '.5', 'true', 'null', '"\\x', '\\', '"\\u12"', '@', '\r\n',
    ),
    { maxLength: 40 },
  )
  .map((parts) => parts.join(''));

/** A corpus config with a few random edits: deletions, insertions, duplications. */
const mutated = fc
  .tuple(
    fc.constantFrom(...corpus),
    fc.array(fc.tuple(fc.nat(), fc.nat({ max: 8 }), fc.constantFrom('', '{', '}', '"', '`', '\n', ',', '=', '[', ']', '(', ')', 'x', ' 1 ', '//', '/*')), {
      minLength: 1,
      maxLength: 4,
    }),
  )
  .map(([src, edits]) => {
    let s = src;
    for (const [at, len, insert] of edits) {
      const i = at % (s.length + 1);
      s = s.slice(0, i) + insert + s.slice(i + len);
    }
    return s;
  });

/** A corpus config with comments and line breaks inserted anywhere: mostly still valid, stressing comment placement. */
const commented = fc
  .tuple(
    fc.constantFrom(...corpus),
    fc.array(fc.tuple(fc.nat(), fc.constantFrom(' ', '\n', '\n\n', '\t', '// c\n', '/* x */', '/* a\nb */')), { minLength: 1, maxLength: 10 }),
  )
  .map(([src, edits]) => {
    let s = src;
    for (const [at, insert] of edits) {
      const i = at % (s.length + 1);
      s = s.slice(0, i) + insert + s.slice(i);
    }
    return s;
  });

describe('parse: never throws anything but a Diagnostic located in the input', () => {
  test('arbitrary strings', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 120 }), checkParse), { numRuns: 600 });
  });

  test('token soup', () => {
    fc.assert(fc.property(tokenSoup, checkParse), { numRuns: 1000 });
  });

  test('mutated valid configs', () => {
    fc.assert(fc.property(mutated, checkParse), { numRuns: 1000 });
  });

  test('valid configs with comments and line breaks inserted anywhere', () => {
    fc.assert(fc.property(commented, checkParse), { numRuns: 1000 });
  });

  test('the corpus itself parses and formats', () => {
    for (const src of corpus) expect(() => checkParse(src)).not.toThrow();
    for (const src of corpus) expect(parse(src, 'c').body.length).toBeGreaterThan(0);
  });
});

// ---- (b) generated ASTs: parse(format(ast)) == ast, format idempotent ---------

const P: Pos = { file: 'gen', line: 1, col: 1 };

const identName = fc
  .stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,7}$/)
  .filter((s) => isValidIdentifier(s));

const text = fc.string({ unit: 'binary', maxLength: 12 }).filter((s) => !/\p{Cs}/u.test(s));

const literal: fc.Arbitrary<Expr> = fc.oneof(
  fc.constant<Expr>({ kind: 'literal', value: null, pos: P }),
  fc.boolean().map<Expr>((value) => ({ kind: 'literal', value, pos: P })),
  fc.nat().map<Expr>((value) => ({ kind: 'literal', value, pos: P })),
  fc
    .double({ min: 0, max: 1e300, noNaN: true, noDefaultInfinity: true })
    .filter((v) => !Object.is(v, -0))
    .map<Expr>((value) => ({ kind: 'literal', value, pos: P })),
  text.map<Expr>((value) => ({ kind: 'literal', value, pos: P })),
);

const PREC: Record<BinaryOp, number> = { '||': 1, '&&': 2, '==': 3, '!=': 3, '<': 3, '<=': 3, '>': 3, '>=': 3, '+': 4, '-': 4, '*': 5, '/': 5, '%': 5, '^': 6 };
const paren = (inner: Expr): Expr => ({ kind: 'paren', inner, pos: P });

/** Builders that insert the parentheses a reader of the printed text needs, so the AST is what parsing yields. */
function binary(op: BinaryOp, left: Expr, right: Expr): Expr {
  const p = PREC[op];
  const wrapLeft = left.kind === 'binary' && (op === '^' ? PREC[left.op] <= p : PREC[left.op] < p);
  const wrapRight = right.kind === 'binary' && (op === '^' ? PREC[right.op] < p : PREC[right.op] <= p);
  return { kind: 'binary', op, left: wrapLeft ? paren(left) : left, right: wrapRight ? paren(right) : right, pos: P };
}

const postfixTarget = (e: Expr) => (e.kind === 'binary' || e.kind === 'unary' ? paren(e) : e);

const { expr } = fc.letrec<{ expr: Expr }>((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    literal,
    identName.map<Expr>((name) => ({ kind: 'ident', name, pos: P })),
    fc.array(tie('expr'), { maxLength: 3 }).map<Expr>((elements) => ({ kind: 'array', elements, pos: P })),
    fc
      .array(fc.tuple(fc.oneof(identName.map((k) => [k, false] as const), text.map((k) => [k, true] as const)), tie('expr')), { maxLength: 3 })
      .map<Expr>((fs) => ({ kind: 'object', fields: fs.map(([[key, quoted], value]) => ({ key, quoted, value, pos: P })), pos: P })),
    fc.tuple(tie('expr'), identName).map<Expr>(([t, name]) => ({ kind: 'access', target: postfixTarget(t), name, pos: P })),
    fc.tuple(tie('expr'), tie('expr')).map<Expr>(([t, index]) => ({ kind: 'index', target: postfixTarget(t), index, pos: P })),
    fc.tuple(tie('expr'), fc.array(tie('expr'), { maxLength: 3 })).map<Expr>(([c, args]) => ({ kind: 'call', callee: postfixTarget(c), args, pos: P })),
    fc.tuple(fc.constantFrom<'!' | '-'>('!', '-'), tie('expr')).map<Expr>(([op, e]) => ({ kind: 'unary', op, operand: e.kind === 'binary' ? paren(e) : e, pos: P })),
    fc.tuple(fc.constantFrom(...(Object.keys(PREC) as BinaryOp[])), tie('expr'), tie('expr')).map(([op, l, r]) => binary(op, l, r)),
    tie('expr').map(paren),
  ),
}));

const attribute: fc.Arbitrary<Attribute> = fc.tuple(identName, expr).map(([name, value]) => ({ kind: 'attribute', name, value, pos: P }));

const { body } = fc.letrec<{ body: Statement[] }>((tie) => ({
  body: fc.array(
    fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      attribute,
      fc
        .tuple(fc.array(identName, { minLength: 1, maxLength: 3 }), fc.option(identName, { nil: undefined }), tie('body'))
        .map<Block>(([parts, label, b]) => ({ kind: 'block', name: parts.join('.'), ...(label !== undefined ? { label } : {}), body: b, pos: P })),
    ),
    { maxLength: 4 },
  ),
}));

/**
 * Gives a generated AST plausible source positions: walking in print order,
 * each position is on the same line as the previous one or on a later line
 * (as chosen by `breaks`), so the formatter sees varied line layouts.
 */
function layout(stmts: Statement[], breaks: boolean[]): void {
  let line = 1;
  let k = 0;
  const at = (): Pos => {
    if (breaks.length && breaks[k++ % breaks.length]) line++;
    return { file: 'gen', line, col: 1 };
  };
  const ex = (e: Expr): void => {
    switch (e.kind) {
      case 'literal':
        e.pos = at(); // canonical literals (no raw spelling) are one line
        return;
      case 'ident':
        e.pos = at();
        return;
      case 'array':
        e.pos = at();
        e.elements.forEach(ex);
        e.end = at();
        return;
      case 'object':
        e.pos = at();
        for (const f of e.fields) {
          f.pos = at();
          ex(f.value);
        }
        e.end = at();
        return;
      case 'access':
        ex(e.target);
        e.pos = e.target.pos;
        e.namePos = { ...e.pos, line };
        return;
      case 'index':
        ex(e.target);
        e.pos = e.target.pos;
        e.lbrack = { ...e.pos, line };
        ex(e.index);
        e.end = at();
        return;
      case 'call':
        ex(e.callee);
        e.pos = e.callee.pos;
        e.lparen = { ...e.pos, line };
        e.args.forEach(ex);
        e.end = at();
        return;
      case 'unary':
        e.pos = { file: 'gen', line, col: 1 };
        ex(e.operand);
        return;
      case 'binary':
        ex(e.left);
        e.pos = e.left.pos;
        e.opPos = { file: 'gen', line, col: 1 };
        ex(e.right);
        return;
      case 'paren':
        e.pos = { file: 'gen', line, col: 1 };
        ex(e.inner);
        e.end = { file: 'gen', line, col: 1 };
        return;
    }
  };
  const st = (s: Statement): void => {
    line++;
    s.pos = { file: 'gen', line, col: 1 };
    if (s.kind === 'attribute') {
      ex(s.value);
      return;
    }
    s.body.forEach(st);
    line++;
    s.end = { file: 'gen', line, col: 1 };
  };
  stmts.forEach(st);
}

describe('format: generated ASTs', () => {
  test('parse(format(ast)) equals ast and formatting is idempotent (one-line layout)', () => {
    fc.assert(
      fc.property(body, (stmts) => {
        const file: File = { name: 'gen', body: stmts };
        const out = format(file);
        const back = parse(out, 'gen');
        expect(withoutPositions(back.body)).toEqual(withoutPositions(stmts));
        expect(format(back)).toBe(out);
      }),
      { numRuns: 400 },
    );
  });

  test('the same with varied line breaks inside arrays, objects and calls', () => {
    fc.assert(
      fc.property(body, fc.array(fc.boolean(), { minLength: 1, maxLength: 16 }), (generated, breaks) => {
        // Generated trees may share sub-objects; positions must be per node.
        const stmts = JSON.parse(JSON.stringify(generated)) as Statement[];
        layout(stmts, breaks);
        const file: File = { name: 'gen', body: stmts };
        const out = format(file);
        const back = parse(out, 'gen');
        expect(withoutPositions(back.body)).toEqual(withoutPositions(stmts));
        expect(format(back)).toBe(out);
      }),
      { numRuns: 400 },
    );
  });
});
