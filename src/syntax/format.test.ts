import type { Expr, File } from './ast.js';
import { withoutPositions } from './astutil.js';
import { format, formatExpr } from './format.js';
import { parse } from './parser.js';

/** Golden cases: [name, input, expected]. Expected text uses real tabs. */
const cases: [string, string, string][] = [
  ['spaces around operators and "="', 'a=1+2*-3\nb=!x&&y', 'a = 1 + 2 * -3\nb = !x && y\n'],
  [
    'runs of attributes align "="; a blank line starts a new run',
    'short = 1\nmuch_longer_name = 2\n\n\n\nx = 3\n',
    'short            = 1\nmuch_longer_name = 2\n\nx = 3\n',
  ],
  [
    'blocks are set apart by one blank line and indented with tabs',
    'a { b = 1 }\nc "lbl" {\nd { e = "f" }\n}',
    'a {\n\tb = 1\n}\n\nc "lbl" {\n\td {\n\t\te = "f"\n\t}\n}\n',
  ],
  ['empty blocks print on one line', 'a {\n\n}\nb "x" {}\n', 'a { }\n\nb "x" { }\n'],
  [
    'an attribute after a block in the same body is not aligned with attributes before it',
    'outer {\n  aa = 1\n  b = 2\n  inner { }\n  cccc = 3\n}',
    'outer {\n\taa = 1\n\tb  = 2\n\n\tinner { }\n\tcccc = 3\n}\n',
  ],
  [
    'trailing comments on consecutive lines are aligned',
    'a = "x" // one\nlonger = "yy" // two\n',
    'a      = "x"  // one\nlonger = "yy" // two\n',
  ],
  [
    'own-line comments keep their place and take the indentation of what follows',
    '// head\n\nblock {\n// before\n    attr = 1\n      // after\n}\n// tail\n',
    '// head\n\nblock {\n\t// before\n\tattr = 1\n\t// after\n}\n// tail\n',
  ],
  ['a comment in an otherwise empty block keeps the block open', 'b {\n  // note\n}', 'b {\n\t// note\n}\n'],
  ['a comment on the header line of a block', 'b { // note\n  x = 1\n}', 'b { // note\n\tx = 1\n}\n'],
  ['block comments inline', 'a = /* lead */ 1 + /* mid */ 2', 'a = /* lead */ 1 + /* mid */ 2\n'],
  ['one-line arrays and objects stay on one line', 'a = [1,2,  3]\nb = {x=1,"y z"=2}', 'a = [1, 2, 3]\nb = {x = 1, "y z" = 2}\n'],
  [
    'multi-line arrays get one element per author line, indented, with a trailing comma',
    'a = [\n1, 2,\n    3\n]',
    'a = [\n\t1, 2,\n\t3,\n]\n',
  ],
  [
    'multi-line objects align their fields',
    'o = {\n  a = 1,\n  long_key = "v",\n  nested = {\n    x = true,\n  },\n  z = [0, 1]\n}',
    'o = {\n\ta        = 1,\n\tlong_key = "v",\n\tnested   = {\n\t\tx = true,\n\t},\n\tz = [0, 1],\n}\n',
  ],
  [
    'calls keep their line breaks',
    'v = f(1,\n2, 3)\nw = g(\n"a",\n"b"\n)',
    'v = f(1,\n\t2, 3)\nw = g(\n\t"a",\n\t"b",\n)\n',
  ],
  [
    'the chart pipeline example',
    [
      'discovery.kubernetes "pods" { role = "pod" }',
      'discovery.relabel "annotated" {',
      '  targets = discovery.kubernetes.pods.targets',
      '  rule {',
      '    source_labels = ["__meta_kubernetes_pod_annotation_prometheus_io_scrape"]',
      '    regex = "true"',
      '    action = "keep"',
      '  }',
      '}',
      'prometheus.scrape "pods" {',
      '  targets = discovery.relabel.annotated.output',
      '  forward_to = [prometheus.remote_write.default.receiver]',
      '  clustering { enabled = true }',
      '}',
    ].join('\n'),
    [
      'discovery.kubernetes "pods" {',
      '\trole = "pod"',
      '}',
      '',
      'discovery.relabel "annotated" {',
      '\ttargets = discovery.kubernetes.pods.targets',
      '',
      '\trule {',
      '\t\tsource_labels = ["__meta_kubernetes_pod_annotation_prometheus_io_scrape"]',
      '\t\tregex         = "true"',
      '\t\taction        = "keep"',
      '\t}',
      '}',
      '',
      'prometheus.scrape "pods" {',
      '\ttargets    = discovery.relabel.annotated.output',
      '\tforward_to = [prometheus.remote_write.default.receiver]',
      '',
      '\tclustering {',
      '\t\tenabled = true',
      '\t}',
      '}',
      '',
    ].join('\n'),
  ],
  [
    'string and number literals keep their spelling; quoted keys are re-quoted',
    'a = "\\x41\\u00e9"\nb = 1.50e3\nc = {"k\\u0041" = 1}',
    'a = "\\x41\\u00e9"\nb = 1.50e3\nc = {"kA" = 1}\n',
  ],
  [
    'raw strings are kept byte for byte, trailing blanks and tabs included',
    'b {\n  s = `line one  \n\tline two`\n}',
    'b {\n\ts = `line one  \n\tline two`\n}\n',
  ],
  ['parentheses are kept', 'a = (1 + 2) * (3)', 'a = (1 + 2) * (3)\n'],
  [
    'a value continued on the next line prints on one line and aligns at once (idempotent, unlike Alloy)',
    'a =\n  0\nbb = 1\no = {\n  x = 1 +\n  2,\n  yyy = 3,\n}\n',
    'a  = 0\nbb = 1\no  = {\n\tx   = 1 + 2,\n\tyyy = 3,\n}\n',
  ],
  [
    'a comment inside a dotted block name moves into the block body',
    'discovery.// c\nkubernetes "pods" { role = "pod" }\n',
    'discovery.kubernetes "pods" {\n\t// c\n\trole = "pod"\n}\n',
  ],
  ['a comment touching a name stays before "="', 'obj/* x */ = 1\nzz = 2\n', 'obj /* x */ = 1\nzz = 2\n'],
  [
    'a multi-line comment between a key and "="',
    'o = { k/* a\nb */ = 1, j = 2 }\n',
    'o = {k /* a\nb */ = 1,\n\tj = 2}\n', // "j" started on a later source line
  ],
  [
    'a comment before a closing bracket that moves to its own line keeps the break',
    'a = [f({k = 1 +\n 2/* x */})]\n',
    'a = [f({k = 1 + 2, /* x */\n})]\n',
  ],
  ['CRLF input and trailing blanks', 'a = 1   \r\n\r\nb = 2\r\n', 'a = 1\n\nb = 2\n'],
  ['an empty file stays empty', '', '\n'],
  ['a comment-only file', '// just this\n', '// just this\n'],
];

describe('format: golden files', () => {
  test.each(cases)('%s', (_name, input, expected) => {
    const out = format(parse(input, 'in.alloy'));
    expect(out).toBe(expected);
    // Canonical output is a fixed point and means the same as the input.
    expect(format(parse(out, 'out.alloy'))).toBe(out);
    expect(withoutPositions(parse(out, 'x').body)).toEqual(withoutPositions(parse(input, 'x').body));
  });
});

describe('format: hand-built ASTs', () => {
  const pos = { file: 'h', line: 1, col: 1 };
  const num = (value: number): Expr => ({ kind: 'literal', value, pos });
  const bin = (op: '+' | '*' | '-' | '^', left: Expr, right: Expr): Expr => ({ kind: 'binary', op, left, right, pos });

  test('parentheses are added where precedence needs them', () => {
    expect(formatExpr(bin('*', bin('+', num(1), num(2)), num(3)))).toBe('(1 + 2) * 3');
    expect(formatExpr(bin('-', num(1), bin('-', num(2), num(3))))).toBe('1 - (2 - 3)');
    expect(formatExpr(bin('^', bin('^', num(2), num(3)), num(2)))).toBe('(2 ^ 3) ^ 2');
    expect(formatExpr(bin('^', num(2), bin('^', num(3), num(2))))).toBe('2 ^ 3 ^ 2');
    expect(formatExpr({ kind: 'unary', op: '-', operand: bin('+', num(1), num(2)), pos })).toBe('-(1 + 2)');
    expect(formatExpr({ kind: 'access', target: num(1), name: 'x', pos })).toBe('1 .x');
  });

  test('values without spelling get a canonical one; keys that are not identifiers are quoted', () => {
    const file: File = {
      name: 'h',
      body: [
        {
          kind: 'block',
          name: 'a.b',
          label: 'x',
          pos,
          body: [
            { kind: 'attribute', name: 's', value: { kind: 'literal', value: 'tab\there "q"', pos }, pos },
            { kind: 'attribute', name: 'o', value: { kind: 'object', fields: [{ key: 'not ident', quoted: false, value: num(1), pos }], pos }, pos },
            { kind: 'attribute', name: 'n', value: { kind: 'literal', value: 2.5, raw: '999', pos }, pos },
          ],
        },
      ],
    };
    expect(format(file)).toBe('a.b "x" {\n\ts = "tab\\there \\"q\\""\n\to = {"not ident" = 1}\n\tn = 2.5\n}\n');
  });

  test('a number without a literal form is refused', () => {
    expect(() => formatExpr(num(NaN))).toThrow('cannot format the number NaN');
  });
});
