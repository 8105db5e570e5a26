import { Secret } from './secret.js';
import { Diagnostic } from './diagnostic.js';
import { evaluate, isStdlibRoot, references, type Scope } from './eval.js';
import { parseExpression } from './parser.js';
import type { Value } from './value.js';

const receiver = { kind: 'receiver' }; // stands for an opaque capsule (e.g. a metrics receiver)
const roots: Record<string, Value> = {
  discovery: { kubernetes: { pods: { targets: [{ __address__: '10.0.0.1:9100' }, { __address__: '10.0.0.2:9100' }] } } },
  prometheus: { remote_write: { default: { receiver } } },
  token: new Secret('s3cr3t'),
  nums: [10, 20, 30],
  obj: { a: 1, 'b c': 'x' },
  add: ((a: Value, b: Value) => (a as number) + (b as number)) as Value,
  boom: (() => {
    throw new Error('went wrong');
  }) as Value,
};
const scope: Scope = { lookup: (name) => roots[name] };
const ev = (src: string) => evaluate(parseExpression(src, 'e.alloy'), scope);

function evalError(src: string): string {
  try {
    ev(src);
  } catch (e) {
    if (!(e instanceof Diagnostic)) throw e;
    return `${e.pos.line}:${e.pos.col}: ${e.reason}`;
  }
  throw new Error(`no error for ${src}`);
}

describe('evaluate: values and operators', () => {
  test.each<[string, Value]>([
    ['null', null],
    ['true', true],
    ['"a" + "b"', 'ab'],
    ['1 + 2 * 3', 7],
    ['(1 + 2) * 3', 9],
    ['7 / 2', 3], // whole numbers divide as integers, like Alloy ints
    ['7.5 / 2.5', 3],
    ['1.5 / 2', 0.75],
    ['-7 / 2', -3],
    ['7 % 3', 1],
    ['-7 % 3', -1],
    ['5.5 % 2', 1.5],
    ['2 ^ 10', 1024],
    ['2 ^ 3 ^ 2', 512],
    ['-2 ^ 2', 4],
    ['-(2 ^ 2)', -4],
    ['!true', false],
    ['true && false || true', true],
    ['1 < 2', true],
    ['2 <= 2', true],
    ['"a" < "b"', true],
    ['"b" >= "a"', true],
    ['"Z" < "a"', true],
    ['1 == 1.0', true],
    ['1 == "1"', false], // different types are never equal
    ['null == null', true],
    ['[1, [2, {a = 3}]] == [1, [2, {a = 3}]]', true],
    ['{a = 1, b = 2} == {b = 2, a = 1}', true],
    ['{a = 1} != {a = 1, b = 2}', true],
    ['[1, 2] != [1, 2]', false],
    ['nums[1]', 20],
    ['nums[2.9]', 30],
    ['obj["b c"]', 'x'],
    ['obj["missing"]', null],
    ['obj.a', 1],
    ['obj.missing', null],
    ['{ "a b" = 1, c = [2] }', { 'a b': 1, c: [2] }],
    ['discovery.kubernetes.pods.targets[1].__address__', '10.0.0.2:9100'],
    ['add(2, 3)', 5],
    ['token == token', true],
  ])('%s', (src, want) => {
    expect(ev(src)).toEqual(want);
  });

  test('capsules pass through untouched and compare by identity', () => {
    expect(ev('prometheus.remote_write.default.receiver')).toBe(receiver);
    expect(ev('[prometheus.remote_write.default.receiver]')).toEqual([receiver]);
    expect(ev('prometheus.remote_write.default.receiver == prometheus.remote_write.default.receiver')).toBe(true);
    expect(ev('token')).toBeInstanceOf(Secret);
  });

  test('the stdlib is reachable even when the scope does not provide it', () => {
    expect(ev('string.to_upper("a")')).toBe('A');
    expect(ev('coalesce("", "b")')).toBe('b');
  });

  test('an object key "__proto__" is an ordinary field', () => {
    const v = ev('{ "__proto__" = 1 }') as Record<string, Value>;
    expect(Object.keys(v)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
  });

  test('names inherited from Object.prototype are neither identifiers nor fields', () => {
    const plainObjectScope: Scope = { lookup: (n) => (({}) as Record<string, Value>)[n] };
    expect(() => evaluate(parseExpression('constructor'), plainObjectScope)).toThrow('identifier "constructor" does not exist');
    expect(evaluate(parseExpression('x.toString'), { lookup: () => ({}) })).toBeNull();
    expect(evaluate(parseExpression('{ constructor = 1 }.constructor'), scope)).toBe(1);
  });

  test('strictFields gives Alloy\'s error for a missing field', () => {
    expect(() => evaluate(parseExpression('obj.missing'), scope, { strictFields: true })).toThrow('field "missing" does not exist');
  });
});

describe('evaluate: errors are Diagnostics at the offending expression', () => {
  test.each([
    ['1 + "a"', '1:5: invalid operand for "+": expected number, got string'],
    ['"a" - "b"', '1:1: invalid operand for "-": expected number, got string'],
    ['true + true', '1:1: invalid operand for "+": expected number or string, got bool'],
    ['1 && true', '1:1: invalid operand for "&&": expected bool, got number'],
    ['[1] < [2]', '1:1: invalid operand for "<": expected number or string, got array'],
    ['!1', '1:2: invalid operand for "!": expected bool, got number'],
    ['-"a"', '1:2: invalid operand for "-": expected number, got string'],
    ['nope', '1:1: identifier "nope" does not exist'],
    ['obj.a.b', '1:7: cannot access field "b" on value of type number'],
    ['nums[3]', '1:6: index 3 is out of range of array with length 3'],
    ['nums[-1]', '1:6: index -1 is out of range of array with length 3'],
    ['nums["a"]', '1:6: expected number, got string'],
    ['obj[1]', '1:5: expected string, got number'],
    ['"abc"[0]', '1:1: expected object or array, got string'],
    ['obj.a(1)', '1:1: expected function, got number'],
    ['boom()', '1:1: boom: went wrong'],
    ['string.join("a", ",")', '1:1: string.join: argument 1: expected array, got string'],
    ['1 / 0', '1:5: integer division by zero'],
    ['token + "x"', '1:1: cannot use secret as string in "+" (convert.nonsensitive reveals a secret)'],
    ['"Bearer " + token', '1:13: cannot use secret as string in "+" (convert.nonsensitive reveals a secret)'],
    ['[1,\n  2 + "x"]', '2:7: invalid operand for "+": expected number, got string'],
  ])('%s', (src, want) => {
    expect(evalError(src)).toBe(want);
  });

  test('float division by zero follows IEEE like Go floats', () => {
    expect(ev('1.5 / 0')).toBe(Infinity);
  });
});

describe('references', () => {
  const refs = (src: string) => references(parseExpression(src)).map((r) => r.path.join('.'));

  test.each([
    ['discovery.kubernetes.pods.targets', ['discovery.kubernetes.pods.targets']],
    ['concat(discovery.a.b.targets, discovery.c.d.targets)', ['discovery.a.b.targets', 'discovery.c.d.targets']],
    ['[prometheus.remote_write.default.receiver]', ['prometheus.remote_write.default.receiver']],
    ['sys.env("X") + local.file.token.content', ['local.file.token.content']],
    ['string.format("%s", a.b) == c', ['a.b', 'c']],
    ['x.y[0].z', ['x.y']],
    ['m[k.v]', ['m', 'k.v']],
    ['{ a = b.c, d = -e.f }', ['b.c', 'e.f']],
    ['(a.b).c', ['a.b']],
    ['1 + 2', []],
    ['coalesce(x.y, "d")', ['x.y']],
  ])('%s', (src, want) => {
    expect(refs(src)).toEqual(want);
  });

  test('references carry the position of the chain', () => {
    const [r] = references(parseExpression('[1,\n  a.b.c]', 'f'));
    expect(r.pos).toEqual({ file: 'f', line: 2, col: 3 });
  });

  test('isStdlibRoot', () => {
    for (const n of ['sys', 'constants', 'string', 'array', 'encoding', 'convert', 'coalesce', 'concat', 'json_decode', 'env', 'format', 'file']) {
      expect(isStdlibRoot(n)).toBe(true);
    }
    for (const n of ['discovery', 'prometheus', 'local', 'constructor', 'toString']) expect(isStdlibRoot(n)).toBe(false);
  });
});
