import os from 'node:os';
import { Secret } from './secret.js';
import { Diagnostic } from './diagnostic.js';
import { evaluate } from './eval.js';
import { parseExpression } from './parser.js';
import { stdlib } from './stdlib.js';
import type { Value } from './value.js';

const secret = new Secret('hunter2');
const ev = (src: string) => evaluate(parseExpression(src, 's.alloy'), { lookup: (n) => (n === 'secret' ? secret : undefined) });

function evalError(src: string): string {
  try {
    ev(src);
  } catch (e) {
    if (!(e instanceof Diagnostic)) throw e;
    return e.reason;
  }
  throw new Error(`no error for ${src}`);
}

describe('sys and constants', () => {
  const saved = process.env.ALLOY_TS_TEST_VAR;
  beforeAll(() => {
    process.env.ALLOY_TS_TEST_VAR = 'from-env';
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.ALLOY_TS_TEST_VAR;
    else process.env.ALLOY_TS_TEST_VAR = saved;
  });

  test('sys.env and the deprecated env', () => {
    expect(ev('sys.env("ALLOY_TS_TEST_VAR")')).toBe('from-env');
    expect(ev('env("ALLOY_TS_TEST_VAR")')).toBe('from-env');
    expect(ev('sys.env("ALLOY_TS_TEST_VAR_THAT_IS_NOT_SET")')).toBe('');
  });

  test('constants use Go names', () => {
    expect(ev('constants.hostname')).toBe(os.hostname());
    expect(ev('constants.os')).toBe(process.platform === 'win32' ? 'windows' : process.platform);
    const arch = ev('constants.arch');
    expect(process.arch === 'x64' ? arch === 'amd64' : typeof arch === 'string').toBe(true);
    expect(ev('constants.version')).toMatch(/^v\d+\.\d+\.\d+/);
  });
});

describe('coalesce and concat', () => {
  test.each<[string, Value]>([
    ['coalesce()', null],
    ['coalesce("a")', 'a'],
    ['coalesce("", "b")', 'b'],
    ['coalesce(null, 0, false, "", [], {}, "x")', 'x'],
    ['coalesce(0, 1, 2)', 1],
    ['coalesce(false, true)', true],
    ['coalesce([], ["fallback"])', ['fallback']],
    ['coalesce(json_decode("{}"), false)', false], // all zero: the last argument
    ['coalesce([], null)', null],
    ['concat()', []],
    ['concat([1], [], [true, "a"])', [1, true, 'a']],
    ['array.concat([[1]], [[2]])', [[1], [2]]],
  ])('%s', (src, want) => {
    expect(ev(src)).toEqual(want);
  });

  test('concat rejects non-arrays, naming the argument', () => {
    expect(evalError('concat([1], "x")')).toBe('concat: argument 2: expected array, got string');
  });

  test('array.combine_maps joins objects that agree on the keys', () => {
    const v = ev(`array.combine_maps(
      [{a = "1", x = "l1"}, {a = "2", x = "l2"}],
      [{a = "1", y = "r1"}, {a = "3", y = "r3"}],
      ["a"])`);
    expect(v).toEqual([{ a: '1', x: 'l1', y: 'r1' }]);
    expect(evalError('array.combine_maps([], [], [])')).toBe('array.combine_maps: merge conditions must not be empty');
  });
});

describe('encoding', () => {
  test('json', () => {
    expect(ev('json_decode("{\\"a\\": [1, 2.5, null, true]}")')).toEqual({ a: [1, 2.5, null, true] });
    expect(ev('encoding.from_json("\\"s\\"")')).toBe('s');
    expect(evalError('encoding.from_json("{oops")')).toMatch(/^encoding\.from_json: invalid JSON: /);
    expect(evalError('json_decode(1)')).toBe('json_decode: argument 1: expected string, got number');
  });

  test('yaml', () => {
    expect(ev('encoding.from_yaml("a: 1\\nb: [x, y]\\n")')).toEqual({ a: 1, b: ['x', 'y'] });
    expect(evalError('encoding.from_yaml("a: [")')).toMatch(/^encoding\.from_yaml: invalid YAML: /);
  });

  test('base64', () => {
    expect(ev('encoding.from_base64("aGVsbG8gd29ybGQ=")')).toBe('hello world');
    expect(ev('encoding.to_base64("hello world")')).toBe('aGVsbG8gd29ybGQ=');
    expect(ev('encoding.from_URLbase64("_-8=")')).toBe(Buffer.from([0xff, 0xef]).toString('utf8'));
    expect(ev('encoding.to_URLbase64("??>")')).toBe('Pz8-'); // URL alphabet, padded like Go's URLEncoding
    expect(ev('encoding.to_URLbase64("a")')).toBe('YQ==');
    expect(evalError('encoding.from_base64("aGVsbG8")')).toMatch(/^encoding\.from_base64: illegal base64 data at input byte \d+$/);
    expect(evalError('encoding.from_base64("a$==")')).toBe('encoding.from_base64: illegal base64 data at input byte 1');
  });
});

describe('string functions', () => {
  test.each<[string, Value]>([
    ['string.join(["a", "b", "c"], ",")', 'a,b,c'],
    ['string.join([], ",")', ''],
    ['string.split("a,b,,c", ",")', ['a', 'b', '', 'c']],
    ['string.split("", ",")', ['']],
    ['string.split("héllo", "")', ['h', 'é', 'l', 'l', 'o']],
    ['string.replace("a.b.c", ".", "$&")', 'a$&b$&c'],
    ['string.replace("ab", "", "-")', '-a-b-'],
    ['string.to_lower("MiXeD")', 'mixed'],
    ['string.to_upper("MiXeD")', 'MIXED'],
    ['string.trim("xxhixx", "x")', 'hi'],
    ['string.trim("  a  ", " ")', 'a'],
    ['string.trim_prefix("prefix-body", "prefix-")', 'body'],
    ['string.trim_prefix("body", "x")', 'body'],
    ['string.trim_suffix("body.txt", ".txt")', 'body'],
    ['string.trim_space("\\t a b \\n")', 'a b'],
    ['string.trim_space("\\ufeffa")', '\ufeffa'], // BOM is not a space in Go
    ['join(["x"], "")', 'x'],
    ['split("a b", " ")', ['a', 'b']],
    ['replace("aa", "a", "b")', 'bb'],
    ['to_lower("A")', 'a'],
    ['to_upper("a")', 'A'],
    ['trim("--a--", "-")', 'a'],
    ['trim_prefix("ab", "a")', 'b'],
    ['trim_suffix("ab", "b")', 'a'],
    ['trim_space(" a ")', 'a'],
    ['file.path_join("/etc", "", "alloy/", "../x.alloy")', '/etc/x.alloy'],
    ['file.path_join("", "")', ''],
  ])('%s', (src, want) => {
    expect(ev(src)).toEqual(want);
  });

  test('argument checks', () => {
    expect(evalError('string.join(["a", 1], ",")')).toBe('string.join: argument 1[1]: expected string, got number');
    expect(evalError('string.split("a")')).toBe('string.split: expected 2 arguments, got 1');
    expect(evalError('string.to_upper(secret)')).toBe('string.to_upper: argument 1: expected string, got secret');
  });
});

describe('string.format (Go fmt verbs)', () => {
  test.each<[string, string]>([
    ['string.format("Hello %s", "World")', 'Hello World'],
    ['format("%d/%d", 1, -2)', '1/-2'],
    ['format("%v %v %v %v", 1, 1.5, true, null)', '1 1.5 true <nil>'],
    ['format("%v", [1, "a"])', '[1 a]'],
    ['format("%v", {b = 1, a = "x"})', 'map[a:x b:1]'],
    ['format("%q", "hello\\n")', '"hello\\n"'],
    ['format("%q", ["a", "b"])', '["a" "b"]'],
    ['format("%#v", 1)', '1'],
    ['format("%#v", true)', 'true'],
    ['format("%f", 3.14159)', '3.141590'],
    ['format("%.2f", 3.14159)', '3.14'],
    ['format("%8.3f|", 3.14159)', '   3.142|'],
    ['format("%-8.1f|", 3.14159)', '3.1     |'],
    ['format("%e", 123456.789)', '1.234568e+05'],
    ['format("%g %g", 0.000012, 1234567.5)', '1.2e-05 1.2345675e+06'],
    ['format("%v", 0.1)', '0.1'],
    ['format("%5d|%-5d|%05d", 42, 42, -42)', '   42|42   |-0042'],
    ['format("%+d % d", 5, 5)', '+5  5'],
    ['format("%x %X %o %b", 255, 255, 8, 5)', 'ff FF 10 101'],
    ['format("%#x", 255)', '0xff'],
    ['format("%x", "hi")', '6869'],
    ['format("%t", false)', 'false'],
    ['format("%c", 65)', 'A'],
    ['format("%5s|%-5s|%.2s", "ab", "ab", "abc")', '   ab|ab   |ab'],
    ['format("%*d", 4, 7)', '   7'],
    ['format("%T %T %T %T", "s", 1, 1.5, [1])', 'string int float64 []interface {}'],
    ['format("100%%")', '100%'],
    ['format("%d", "x")', '%!d(string=x)'],
    ['format("%s", 3)', '%!s(int=3)'],
    ['format("%s", null)', '%!s(<nil>)'],
    ['format("%d %d", 1)', '1 %!d(MISSING)'],
    ['format("%d", 1, "x")', '1%!(EXTRA string=x)'],
    ['format("%z", 1)', '%!z(int=1)'],
    ['format("trailing %")', 'trailing %!(NOVERB)'],
    ['format("%s", secret)', '(secret)'],
  ])('%s', (src, want) => {
    expect(ev(src)).toBe(want);
  });

  test('format needs a format string', () => {
    expect(evalError('format()')).toBe('format: expected at least 1 argument, got 0');
  });
});

describe('convert.nonsensitive', () => {
  test('reveals a secret; a plain string passes through', () => {
    expect(ev('convert.nonsensitive(secret)')).toBe('hunter2');
    expect(ev('nonsensitive(secret) + "!"')).toBe('hunter2!');
    expect(ev('convert.nonsensitive("plain")')).toBe('plain');
    expect(evalError('convert.nonsensitive(1)')).toBe('convert.nonsensitive: argument 1: expected secret, got number');
  });
});

describe('stdlib object', () => {
  test('namespaces cannot be modified and expose no prototype members', () => {
    expect(Object.isFrozen(stdlib)).toBe(true);
    expect((stdlib as Record<string, unknown>).constructor).toBeUndefined();
    expect(Object.keys(stdlib)).toEqual(expect.arrayContaining(['sys', 'constants', 'string', 'array', 'encoding', 'convert', 'coalesce', 'concat', 'json_decode']));
  });
});
