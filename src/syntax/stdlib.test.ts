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

  test.each<[string, Value]>([
    // Alloy's examples (docs and syntax/vm/vm_stdlib_test.go).
    ['array.combine_maps([{"instance"="1.1.1.1", "team"="A"}], [{"instance"="1.1.1.1", "team"="B"}], ["instance"])', [{ instance: '1.1.1.1', team: 'B' }]],
    ['array.combine_maps([{"a" = 1, "b" = 2.2}], [{"a" = "1", "b" = "3.3"}], ["a"])', []], // 1 and "1" differ
    ['array.combine_maps([{"a" = 1, "n" = 1.1}, {"n" = 1.2}], [{"a" = 1, "n" = 2.1}], ["a"])', [{ a: 1, n: 2.1 }]],
    ['array.combine_maps([{"a" = 1, "b" = 4.2, "c" = 5}, {"d" = "asdf"}], [{"a" = 2, "b" = "5.3"}], ["a"], true)', [{ a: 1, b: 4.2, c: 5 }, { d: 'asdf' }]],
    [
      'array.combine_maps([{"a" = 1, "b" = 4.2, "c" = 5}, {"d" = "asdf"}, {"a" = 2, "b" = "1", "z" = "z1"}], [{"a" = 2, "b" = "5.3"}], ["a"], true)',
      [{ a: 1, b: 4.2, c: 5 }, { d: 'asdf' }, { a: 2, b: '5.3', z: 'z1' }],
    ],
    ['array.combine_maps([{"a" = 1}], [{"a" = 1, "x" = 1}, {"a" = 1, "x" = 2}], ["a"], true)', [{ a: 1, x: 1 }, { a: 1, x: 2 }]],
    ['array.combine_maps([{"a" = 1}], [{"a" = 2}], ["a"], false)', []],
  ])('%s', (src, want) => {
    expect(ev(src)).toEqual(want);
  });

  test('array.combine_maps argument errors', () => {
    expect(evalError('array.combine_maps([], [])')).toBe('array.combine_maps: expected 3 or 4 arguments, got 2');
    expect(evalError('array.combine_maps([{"a" = "a1"}], "a", ["a"])')).toBe('array.combine_maps: argument 2: expected array, got string');
    expect(evalError('array.combine_maps([{"a" = "a1"}], ["a"], ["a"])')).toBe('array.combine_maps: argument 2[0]: expected object, got string');
    expect(evalError('array.combine_maps([], [], ["a"], "yes")')).toBe('array.combine_maps: argument 4: expected bool, got string');
  });

  test('array.group_by groups by a string key in order of first appearance', () => {
    const items = '[{"type" = "fruit", "name" = "apple"}, {"type" = "fruit", "name" = "banana"}, {"type" = "vegetable", "name" = "carrot"}, {"name" = "rock"}]';
    expect(ev(`array.group_by(${items}, "type", false)`)).toEqual([
      { type: 'fruit', items: [{ type: 'fruit', name: 'apple' }, { type: 'fruit', name: 'banana' }] },
      { type: 'vegetable', items: [{ type: 'vegetable', name: 'carrot' }] },
      { type: '', items: [{ name: 'rock' }] },
    ]);
    expect(ev(`array.group_by(${items}, "type", true)`)).toEqual([
      { type: 'fruit', items: [{ type: 'fruit', name: 'apple' }, { type: 'fruit', name: 'banana' }] },
      { type: 'vegetable', items: [{ type: 'vegetable', name: 'carrot' }] },
    ]);
    expect(ev('array.group_by([], "age", false)')).toEqual([]);
    // A dotted key is a top-level field name, not a path.
    expect(ev('array.group_by([{"address" = {"city" = "NY"}}], "address.city", true)')).toEqual([]);
  });

  test('array.group_by argument errors', () => {
    expect(evalError('array.group_by([{"name" = "alice"}], "age")')).toBe('array.group_by: expected 3 arguments, got 2');
    expect(evalError('array.group_by("not an array", "age", false)')).toBe('array.group_by: argument 1: expected array, got string');
    expect(evalError('array.group_by([{"name" = "alice"}], 123, false)')).toBe('array.group_by: argument 2: expected string, got number');
    expect(evalError('array.group_by([{"name" = "alice"}], "age", "no")')).toBe('array.group_by: argument 3: expected bool, got string');
    expect(evalError('array.group_by(["x"], "age", false)')).toBe('array.group_by: argument 1[0]: expected object, got string');
    expect(evalError('array.group_by([{"age" = 20}], "age", false)')).toBe('array.group_by: argument 1[0]: "age": expected string, got number');
  });
});

describe('json_path', () => {
  test.each<[string, Value]>([
    ['json_path("{\\"key\\": \\"value\\"}", ".key")', ['value']],
    ['json_path("{\\"key\\": \\"value\\"}", ".nonexists")', []],
    ['json_path("{\\"key\\": \\"value\\"}", ".key")[0]', 'value'],
    ['json_path("[{\\"name\\": \\"Department\\",\\"value\\": \\"IT\\"},{\\"name\\":\\"TestStatus\\",\\"value\\":\\"Pending\\"}]", "[?(@.name == \\"Department\\")].value")', ['IT']],
    ['json_path("{\\"a\\": {\\"b\\": [1, 2]}}", "$.a.b[*]")', [1, 2]],
    ['json_path("{\\"a\\": {\\"b\\": 1}, \\"c\\": {\\"b\\": 2}}", "$..b")', [1, 2]],
    ['json_path("{\\"a\\": {\\"b\\": 3}}", "a.b")', [3]],
  ])('%s', (src, want) => {
    expect(ev(src)).toEqual(want);
  });

  test('errors name the problem', () => {
    expect(evalError('json_path("{oops", ".a")')).toMatch(/^json_path: invalid JSON: /);
    expect(evalError('json_path("{}")')).toBe('json_path: expected 2 arguments, got 1');
    expect(evalError('json_path("[1]", "[?(@.name ==")')).toMatch(/^json_path: invalid JSONPath "\[\?\(@\.name ==": /);
    expect(ev('json_path("null", "$")')).toEqual([null]);
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

  test('url_encode / url_decode as Go url.QueryEscape / QueryUnescape', () => {
    expect(ev('encoding.url_encode("string123!?$*&()\'-=@~")')).toBe('string123%21%3F%24%2A%26%28%29%27-%3D%40~');
    expect(ev('encoding.url_decode("string123%21%3F%24%2A%26%28%29%27-%3D%40~")')).toBe("string123!?$*&()'-=@~");
    expect(ev('encoding.url_encode("a b/é")')).toBe('a+b%2F%C3%A9');
    expect(ev('encoding.url_decode("a+b%2f%C3%A9")')).toBe('a b/é');
    expect(evalError('encoding.url_decode("100%zz")')).toBe('encoding.url_decode: invalid URL escape "%zz"');
    expect(evalError('encoding.url_decode("50%")')).toBe('encoding.url_decode: invalid URL escape "%"');
  });

  test('to_json as Go json.Marshal: sorted keys, HTML-safe escapes; objects only', () => {
    process.env.ALLOY_TS_TEST_JSON = 'Hello!';
    try {
      expect(ev('encoding.to_json({"modules"={"http_2xx"={"prober"="http","timeout"="5s","http"={"headers"={"Authorization"=sys.env("ALLOY_TS_TEST_JSON")}}}}})')).toBe(
        '{"modules":{"http_2xx":{"http":{"headers":{"Authorization":"Hello!"}},"prober":"http","timeout":"5s"}}}',
      );
    } finally {
      delete process.env.ALLOY_TS_TEST_JSON;
    }
    expect(ev('encoding.to_json({b = [1, 2.5, null, true], a = "<&>\\n"})')).toBe('{"a":"\\u003c\\u0026\\u003e\\n","b":[1,2.5,null,true]}');
    expect(ev('encoding.to_json({})')).toBe('{}');
    expect(ev('encoding.from_json(encoding.to_json({x = {y = "z"}}))')).toEqual({ x: { y: 'z' } });
    expect(evalError('encoding.to_json(12)')).toBe('encoding.to_json: only an object can be encoded, got number');
    expect(evalError('encoding.to_json({f = sys.env})')).toBe('encoding.to_json: json: unsupported type: function');
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
    // Explicit argument indexes (Go's examples).
    ['format("%[2]d %[1]d", 11, 22)', '22 11'],
    ['format("%[3]*.[2]*[1]f", 12.0, 2, 6)', ' 12.00'],
    ['format("%d %d %#[1]x %#x", 16, 17)', '16 17 0x10 0x11'],
    ['format("%[2]d %[1]s %d", "a", 2, 3)', '2 a 2'], // no EXTRA once reordered
    ['format("%[5]d", 1)', '%!d(BADINDEX)'],
    ['format("%[x]d", 1)', '%!d(BADINDEX)'],
    ['format("%E|%G", 123456.789, 0.0000001)', '1.234568E+05|1E-07'],
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
