import { parse } from '../syntax/parser.js';
import { Diagnostic } from '../syntax/diagnostic.js';
import { stdlib } from '../syntax/stdlib.js';
import type { Block } from '../syntax/ast.js';
import { decodeBlock } from './decode.js';
import { numberToString, stringToNumber } from './convert-scalar.js';
import { t, type BlockSchema } from './types.js';

const schema: BlockSchema = {
  attrs: {
    capacity: { type: t.number(), default: 2500 },
    name: { type: t.string(), default: 'default-name' },
    url: { type: t.string(), required: false },
    required_n: { type: t.number() },
    labels: { type: t.map(t.string()) },
    list: { type: t.array(t.string()) },
    receivers: { type: t.array(t.capsule('metrics.receiver')) },
    interval: { type: t.duration(), default: 60_000 },
    flag: { type: t.bool(), default: true },
  },
};
const requiredSchema: BlockSchema = { attrs: { url: { type: t.string(), required: true } } };

function decode(body: string, s: BlockSchema = schema): Record<string, any> {
  const file = parse(`x "y" {\n${body}\n}\n`, 'c.alloy');
  const block = file.body[0] as Block;
  return decodeBlock(block.body, s, { lookup: (n) => (stdlib as any)[n] }, block.pos);
}

function decodeError(body: string, s: BlockSchema = schema): string {
  try {
    decode(body, s);
  } catch (e) {
    if (!(e instanceof Diagnostic)) throw e;
    return e.message;
  }
  throw new Error(`no error for ${body}`);
}

describe('string <-> number as Alloy converts them', () => {
  test.each<[string, number]>([
    ['10000', 10000],
    ['-5', -5],
    ['1.5', 1.5],
    ['1.5e3', 1500],
    ['2E2', 200],
    ['.5', 0.5],
    ['18446744073709551615', 18446744073709551615],
  ])('stringToNumber(%j) = %d', (s, n) => {
    expect(stringToNumber(s)).toBe(n);
  });

  test.each(['', '+10', ' 10', '10 ', 'abc', '0x10', '1_000', 'inf', 'NaN', '1e', '--1', '18446744073709551616', '-9223372036854775809'])('stringToNumber(%j) is refused', (s) => {
    expect(stringToNumber(s)).toBeUndefined();
  });

  test.each<[number, string]>([
    [10, '10'],
    [-3, '-3'],
    [2.5, '2.5'],
    [0.1, '0.1'],
    [1e21, '1000000000000000000000'],
    [1.5e22, '15000000000000000000000'],
    [1e-7, '0.0000001'],
    [-1.25e-8, '-0.0000000125'],
  ])('numberToString(%d) = %j (Go strconv, no exponent)', (n, s) => {
    expect(numberToString(n)).toBe(s);
  });
});

describe('decodeBlock conversions', () => {
  test('a string where a number is wanted (the k8s-monitoring chart writes capacity = "10000")', () => {
    expect(decode('capacity = "10000"\nrequired_n = "3"').capacity).toBe(10000);
    expect(decode('required_n = "-1.5"').required_n).toBe(-1.5);
  });

  test('a string that is not a number is a positioned error', () => {
    expect(decodeError('capacity = "lots"\nrequired_n = 1')).toBe('c.alloy:2:12: capacity: expected number, got string "lots" that is not a number');
    expect(decodeError('required_n = ""')).toBe('c.alloy:2:14: required_n: expected number, got string "" that is not a number');
  });

  test('a number where a string is wanted, also inside maps and lists of strings', () => {
    const v = decode('name = 42\nlabels = {port = 8080, ratio = 0.25, s = "x"}\nlist = [1, "two", 3.5]\nrequired_n = 1');
    expect(v.name).toBe('42');
    expect(v.labels).toEqual({ port: '8080', ratio: '0.25', s: 'x' });
    expect(v.list).toEqual(['1', 'two', '3.5']);
  });

  test('a number where a duration is wanted goes through its string, as in Alloy', () => {
    expect(decode('interval = 0\nrequired_n = 1').interval).toBe(0);
    expect(decodeError('interval = 10\nrequired_n = 1')).toMatch(/^c\.alloy:2:12: interval: .*10/);
  });

  test('no other implicit conversions', () => {
    expect(decodeError('name = true\nrequired_n = 1')).toBe('c.alloy:2:8: name: expected string, got bool');
    expect(decodeError('flag = "true"\nrequired_n = 1')).toBe('c.alloy:2:8: flag: expected bool, got string');
    expect(decodeError('labels = {a = [1]}\nrequired_n = 1')).toBe('c.alloy:2:10: labels["a"]: expected string, got list');
  });

  test('null means "use the default"', () => {
    const v = decode('capacity = null\nname = null\ninterval = null\nflag = null\nurl = null\nrequired_n = 1');
    expect(v.capacity).toBe(2500);
    expect(v.name).toBe('default-name');
    expect(v.interval).toBe(60_000);
    expect(v.flag).toBe(true);
    expect('url' in v).toBe(false); // no default: as if not written
  });

  test('null on a required attribute is a positioned error', () => {
    expect(decodeError('url = null', requiredSchema)).toBe('c.alloy:2:7: url: required attribute may not be null');
  });

  test('null still counts as a written attribute for duplicates', () => {
    expect(decodeError('capacity = null\ncapacity = 1\nrequired_n = 1')).toBe('c.alloy:3:1: attribute "capacity" may only be provided once');
  });

  test('null inside a list or map is the element type\'s zero value; a capsule has none', () => {
    const v = decode('labels = {a = null}\nlist = [null, "b"]\nrequired_n = 1');
    expect(v.labels).toEqual({ a: '' });
    expect(v.list).toEqual(['', 'b']);
    expect(decodeError('receivers = [null]\nrequired_n = 1')).toBe('c.alloy:2:13: receivers[0]: expected capsule("metrics.receiver"), got null');
  });
});
