// Table-driven tests of the relabel engine. Cases mirror the facts of
// Prometheus's model/relabel/relabel_test.go plus our own edge cases; each
// runs over both label representations (target objects and sorted pairs).
import { createHash } from 'node:crypto';
import { applyRules, applyRulesToPairs, compileRules, type RawRule } from './index.js';

type Labels = Record<string, string>;
interface Case {
  name: string;
  input: Labels;
  rules: RawRule[];
  output: Labels | null; // null = dropped
}

const cases: Case[] = [
  {
    name: 'replace with ${1} twice',
    input: { a: 'foo', b: 'bar', c: 'baz' },
    rules: [{ sourceLabels: ['a'], regex: 'f(.*)', targetLabel: 'd', replacement: 'ch${1}-ch${1}' }],
    output: { a: 'foo', b: 'bar', c: 'baz', d: 'choo-choo' },
  },
  {
    name: 'chained replaces see earlier results',
    input: { a: 'foo', b: 'bar', c: 'baz' },
    rules: [
      { sourceLabels: ['a', 'b'], regex: 'f(.*);(.*)r', targetLabel: 'a', replacement: 'b${1}${2}m' },
      { sourceLabels: ['c', 'a'], regex: '(b).*b(.*)ba(.*)', targetLabel: 'd', replacement: '$1$2$2$3' },
    ],
    output: { a: 'boobam', b: 'bar', c: 'baz', d: 'boooom' },
  },
  {
    name: 'drop stops before later rules',
    input: { a: 'foo' },
    rules: [
      { sourceLabels: ['a'], regex: '.*o.*', action: 'drop' },
      { sourceLabels: ['a'], regex: 'f(.*)', targetLabel: 'd', replacement: 'ch$1-ch$1' },
    ],
    output: null,
  },
  { name: 'drop on match', input: { a: 'foo', b: 'bar' }, rules: [{ sourceLabels: ['a'], regex: '.*o.*', action: 'drop' }], output: null },
  {
    name: 'replace picks the inner group',
    input: { a: 'abc' },
    rules: [{ sourceLabels: ['a'], regex: '.*(b).*', targetLabel: 'd', replacement: '$1' }],
    output: { a: 'abc', d: 'b' },
  },
  { name: 'drop without match keeps', input: { a: 'foo' }, rules: [{ sourceLabels: ['a'], regex: 'no-match', action: 'drop' }], output: { a: 'foo' } },
  { name: 'drop regex is anchored (f|o vs foo)', input: { a: 'foo' }, rules: [{ sourceLabels: ['a'], regex: 'f|o', action: 'drop' }], output: { a: 'foo' } },
  { name: 'keep without match drops', input: { a: 'foo' }, rules: [{ sourceLabels: ['a'], regex: 'no-match', action: 'keep' }], output: null },
  { name: 'keep on match', input: { a: 'foo' }, rules: [{ sourceLabels: ['a'], regex: 'f.*', action: 'keep' }], output: { a: 'foo' } },
  { name: 'anchoring: "a" does not match "ab"', input: { x: 'ab' }, rules: [{ sourceLabels: ['x'], regex: 'a', action: 'keep' }], output: null },
  { name: 'anchoring: "a" matches "a"', input: { x: 'a' }, rules: [{ sourceLabels: ['x'], regex: 'a', action: 'keep' }], output: { x: 'a' } },
  {
    name: 'no replacement without a match',
    input: { a: 'boo' },
    rules: [{ sourceLabels: ['a'], regex: 'f', targetLabel: 'b', replacement: 'bar' }],
    output: { a: 'boo' },
  },
  {
    name: 'empty replacement deletes the (templated) target',
    input: { a: 'foo', f: 'baz' },
    rules: [{ sourceLabels: ['a'], regex: '(f).*', targetLabel: '$1', replacement: '$2' }],
    output: { a: 'foo' },
  },
  {
    name: 'hashmod of "baz" mod 1000 is 976 (Prometheus)',
    input: { a: 'foo', b: 'bar', c: 'baz' },
    rules: [{ sourceLabels: ['c'], targetLabel: 'd', action: 'hashmod', modulus: 1000 }],
    output: { a: 'foo', b: 'bar', c: 'baz', d: '976' },
  },
  {
    name: 'hashmod of "foo\\nbar" mod 1000 is 734 (Prometheus)',
    input: { a: 'foo\nbar' },
    rules: [{ sourceLabels: ['a'], targetLabel: 'b', action: 'hashmod', modulus: 1000 }],
    output: { a: 'foo\nbar', b: '734' },
  },
  {
    // Expected values computed with Go's crypto/md5 + encoding/binary (go1.19), as Prometheus does.
    name: 'hashmod of "foo" mod 1000 is 696 and "10.0.0.1:9100" is 645 (Go reference)',
    input: { a: 'foo', b: '10.0.0.1:9100' },
    rules: [
      { sourceLabels: ['a'], targetLabel: 'ha', action: 'hashmod', modulus: 1000 },
      { sourceLabels: ['b'], targetLabel: 'hb', action: 'hashmod', modulus: 1000 },
    ],
    output: { a: 'foo', b: '10.0.0.1:9100', ha: '696', hb: '645' },
  },
  {
    name: 'labelmap with a group',
    input: { a: 'foo', b1: 'bar', b2: 'baz' },
    rules: [{ regex: '(b.*)', replacement: 'bar_${1}', action: 'labelmap' }],
    output: { a: 'foo', b1: 'bar', b2: 'baz', bar_b1: 'bar', bar_b2: 'baz' },
  },
  {
    name: 'labelmap of __meta_ labels',
    input: { a: 'foo', __meta_my_bar: 'aaa', __meta_my_baz: 'bbb', __meta_other: 'ccc' },
    rules: [{ regex: '__meta_(my.*)', replacement: '${1}', action: 'labelmap' }],
    output: { a: 'foo', __meta_my_bar: 'aaa', __meta_my_baz: 'bbb', __meta_other: 'ccc', my_bar: 'aaa', my_baz: 'bbb' },
  },
  {
    name: 'labelmap skips an empty result name',
    input: { __meta_: 'x', __meta_a: 'y' },
    rules: [{ regex: '__meta_(.*)', action: 'labelmap' }],
    output: { __meta_: 'x', __meta_a: 'y', a: 'y' },
  },
  {
    name: 'templated target label',
    input: { a: 'some-name-value' },
    rules: [{ sourceLabels: ['a'], regex: 'some-([^-]+)-([^,]+)', replacement: '${2}', targetLabel: '${1}' }],
    output: { a: 'some-name-value', name: 'value' },
  },
  {
    name: 'replacement of a missing group is empty: no label',
    input: { a: 'some-name-value' },
    rules: [{ sourceLabels: ['a'], regex: 'some-([^-]+)-([^,]+)', replacement: '${3}', targetLabel: '${1}' }],
    output: { a: 'some-name-value' },
  },
  {
    name: 'invalid target label after expansion is skipped',
    input: { a: 'some-name-0' },
    rules: [
      { sourceLabels: ['a'], regex: 'some-([^-]+)-([^,]+)', replacement: '${1}', targetLabel: '${3}' },
      { sourceLabels: ['a'], regex: 'some-([^-]+)(-[^,]+)', replacement: '${1}', targetLabel: '${2}' },
      { sourceLabels: ['a'], regex: 'some-([^-]+)-([^,]+)', replacement: '${1}', targetLabel: '${2}' },
    ],
    output: { a: 'some-name-0' },
  },
  {
    name: 'real-life tag parsing',
    input: { __meta_sd_tags: 'path:/secret,job:some-job,label:foo=bar' },
    rules: [
      { sourceLabels: ['__meta_sd_tags'], regex: '(?:.+,|^)path:(/[^,]+).*', replacement: '${1}', targetLabel: '__metrics_path__' },
      { sourceLabels: ['__meta_sd_tags'], regex: '(?:.+,|^)job:([^,]+).*', replacement: '${1}', targetLabel: 'job' },
      { sourceLabels: ['__meta_sd_tags'], regex: '(?:.+,|^)label:([^=]+)=([^,]+).*', replacement: '${2}', targetLabel: '${1}' },
    ],
    output: { __meta_sd_tags: 'path:/secret,job:some-job,label:foo=bar', __metrics_path__: '/secret', job: 'some-job', foo: 'bar' },
  },
  {
    name: 'labeldrop then re-create then keep (prometheus#12283)',
    input: { __meta_kubernetes_pod_container_port_name: 'foo', __meta_kubernetes_pod_annotation_XXX_metrics_port: '9091' },
    rules: [
      { regex: '^__meta_kubernetes_pod_container_port_name$', action: 'labeldrop' },
      { sourceLabels: ['__meta_kubernetes_pod_annotation_XXX_metrics_port'], regex: '(.+)', replacement: 'metrics', targetLabel: '__meta_kubernetes_pod_container_port_name' },
      { sourceLabels: ['__meta_kubernetes_pod_container_port_name'], regex: '^metrics$', action: 'keep' },
    ],
    output: { __meta_kubernetes_pod_annotation_XXX_metrics_port: '9091', __meta_kubernetes_pod_container_port_name: 'metrics' },
  },
  { name: 'labelkeep', input: { a: 'foo', b1: 'bar', b2: 'baz' }, rules: [{ regex: '(b.*)', action: 'labelkeep' }], output: { b1: 'bar', b2: 'baz' } },
  { name: 'labeldrop', input: { a: 'foo', b1: 'bar', b2: 'baz' }, rules: [{ regex: '(b.*)', action: 'labeldrop' }], output: { a: 'foo' } },
  {
    name: 'uppercase and lowercase',
    input: { foo: 'bAr123Foo' },
    rules: [
      { sourceLabels: ['foo'], action: 'uppercase', targetLabel: 'foo_uppercase' },
      { sourceLabels: ['foo'], action: 'lowercase', targetLabel: 'foo_lowercase' },
    ],
    output: { foo: 'bAr123Foo', foo_lowercase: 'bar123foo', foo_uppercase: 'BAR123FOO' },
  },
  {
    name: 'lowercase of a missing label deletes the target',
    input: { t: 'x' },
    rules: [{ sourceLabels: ['missing'], action: 'lowercase', targetLabel: 't' }],
    output: {},
  },
  {
    name: 'keepequal keeps when equal',
    input: { __tmp_port: '1234', __port1: '1234', __port2: '5678' },
    rules: [{ sourceLabels: ['__tmp_port'], action: 'keepequal', targetLabel: '__port1' }],
    output: { __tmp_port: '1234', __port1: '1234', __port2: '5678' },
  },
  {
    name: 'dropequal drops when equal',
    input: { __tmp_port: '1234', __port1: '1234', __port2: '5678' },
    rules: [{ sourceLabels: ['__tmp_port'], action: 'dropequal', targetLabel: '__port1' }],
    output: null,
  },
  {
    name: 'dropequal keeps when different',
    input: { __tmp_port: '1234', __port1: '1234', __port2: '5678' },
    rules: [{ sourceLabels: ['__tmp_port'], action: 'dropequal', targetLabel: '__port2' }],
    output: { __tmp_port: '1234', __port1: '1234', __port2: '5678' },
  },
  {
    name: 'keepequal drops when different',
    input: { __tmp_port: '1234', __port1: '1234', __port2: '5678' },
    rules: [{ sourceLabels: ['__tmp_port'], action: 'keepequal', targetLabel: '__port2' }],
    output: null,
  },
  {
    name: 'keepequal: missing source equals missing target',
    input: { a: 'x' },
    rules: [{ sourceLabels: ['nope'], action: 'keepequal', targetLabel: 'also_nope' }],
    output: { a: 'x' },
  },
  {
    name: 'dot matches newline (?s)',
    input: { a: 'line1\nline2', b: 'bar', c: 'baz' },
    rules: [{ sourceLabels: ['a'], regex: 'line1.*line2', targetLabel: 'd', replacement: 'match${1}' }],
    output: { a: 'line1\nline2', b: 'bar', c: 'baz', d: 'match' },
  },
  {
    name: 'source label with a non-legacy name',
    input: { 'utf-8.label': 'line1\nline2', b: 'bar' },
    rules: [{ sourceLabels: ['utf-8.label'], regex: 'line1.*line2', targetLabel: 'd', replacement: 'match${1}' }],
    output: { 'utf-8.label': 'line1\nline2', b: 'bar', d: 'match' },
  },
  {
    name: 'numbered and named references in target and replacement',
    input: { a: 'line1\nline2' },
    rules: [
      { sourceLabels: ['a'], regex: '(line1).*(?<second>line2)', targetLabel: 'label1_${1}', replacement: 'val_${second}' },
      { sourceLabels: ['a'], regex: '(line1).*(?P<second>line2)', targetLabel: 'label2_$1', replacement: 'val_$second' },
    ],
    output: { a: 'line1\nline2', label1_line1: 'val_line2', label2_line1: 'val_line2' },
  },
  {
    name: 'replace into a double-underscore label',
    input: { __name__: 'http_requests_total' },
    rules: [{ sourceLabels: ['__name__'], regex: '.*_total$', targetLabel: '__type__', replacement: 'counter' }],
    output: { __name__: 'http_requests_total', __type__: 'counter' },
  },
  {
    name: 'missing source labels join as empty strings',
    input: { b: 'x' },
    rules: [{ sourceLabels: ['a', 'b', 'c'], regex: '(.*)', targetLabel: 'joined' }],
    output: { b: 'x', joined: ';x;' },
  },
  {
    name: 'custom separator',
    input: { a: '1', b: '2' },
    rules: [{ sourceLabels: ['a', 'b'], separator: '/', targetLabel: 'j' }],
    output: { a: '1', b: '2', j: '1/2' },
  },
  {
    name: 'no source labels: constant replacement sets a label',
    input: { a: '1' },
    rules: [{ targetLabel: 'cluster', replacement: 'dev' }],
    output: { a: '1', cluster: 'dev' },
  },
  { name: '$1x names group "1x": empty, so the target is deleted', input: { a: 'v', t: 'old' }, rules: [{ sourceLabels: ['a'], regex: '(v)', targetLabel: 't', replacement: '$1x' }], output: { a: 'v' } },
  { name: '${1}x is group 1 then x', input: { a: 'v' }, rules: [{ sourceLabels: ['a'], regex: '(v)', targetLabel: 't', replacement: '${1}x' }], output: { a: 'v', t: 'vx' } },
  { name: '$$ is a literal dollar', input: { a: 'v' }, rules: [{ sourceLabels: ['a'], regex: '(v)', targetLabel: 't', replacement: '$$1-$$$1' }], output: { a: 'v', t: '$1-$v' } },
  { name: 'malformed ${ stays text', input: { a: 'v' }, rules: [{ sourceLabels: ['a'], regex: '(v)', targetLabel: 't', replacement: '${1-$' }], output: { a: 'v', t: '${1-$' } },
  { name: 'unmatched optional group expands empty', input: { a: 'b' }, rules: [{ sourceLabels: ['a'], regex: '(a)?(b)', targetLabel: 't', replacement: '[$1][$2]' }], output: { a: 'b', t: '[][b]' } },
  { name: 'regex "" matches only the empty value', input: { a: 'x' }, rules: [{ sourceLabels: ['missing'], regex: '', targetLabel: 't', replacement: 'empty' }], output: { a: 'x', t: 'empty' } },
  { name: 'literal alternation', input: { phase: 'Failed' }, rules: [{ sourceLabels: ['phase'], regex: 'Succeeded|Failed', action: 'drop' }], output: null },
  { name: '(.+) does not match empty', input: { a: 'x' }, rules: [{ sourceLabels: ['nope'], regex: '(.+)', targetLabel: 'a', replacement: 'y' }], output: { a: 'x' } },
  { name: 'RE2 classes', input: { a: 'Éa1' }, rules: [{ sourceLabels: ['a'], regex: '\\pL+[[:digit:]]', action: 'keep' }], output: { a: 'Éa1' } },
  {
    name: 'labelmap keeps existing label values on overwrite',
    input: { __meta_x_job: 'from_meta', job: 'old' },
    rules: [{ regex: '__meta_x_(.+)', action: 'labelmap' }],
    output: { __meta_x_job: 'from_meta', job: 'from_meta' },
  },
  {
    name: 'set then delete within one run',
    input: { a: '1' },
    rules: [
      { targetLabel: 'tmp', replacement: 'x' },
      { regex: 'tmp', action: 'labeldrop' },
    ],
    output: { a: '1' },
  },
  {
    name: 'empty-valued input labels survive untouched',
    input: { a: '', b: 'x' },
    rules: [{ sourceLabels: ['b'], targetLabel: 'c' }],
    output: { a: '', b: 'x', c: 'x' },
  },
];

function toPairs(l: Labels): string[] {
  return Object.keys(l)
    .sort()
    .flatMap((k) => [k, l[k]!]);
}

describe('relabel engine', () => {
  test.each(cases.map((c) => [c.name, c] as const))('%s (target objects)', (_name, c) => {
    const rules = compileRules(c.rules);
    const input = { ...c.input };
    const out = applyRules(input, rules);
    expect(out).toEqual(c.output);
    expect(input).toEqual(c.input); // input never mutated
  });

  test.each(cases.map((c) => [c.name, c] as const))('%s (sorted pairs)', (_name, c) => {
    const rules = compileRules(c.rules);
    // Pairs cannot carry the empty values some inputs have: strip them as scrapes never produce them.
    const input = toPairs(Object.fromEntries(Object.entries(c.input).filter(([, v]) => v !== '')));
    const before = [...input];
    const out = applyRulesToPairs(input, rules);
    const expected = c.output === null ? null : toPairs(Object.fromEntries(Object.entries(c.output).filter(([, v]) => v !== '')));
    expect(out).toEqual(expected);
    expect(input).toEqual(before);
  });

  test('unchanged label sets are returned as the same object (no allocation)', () => {
    const rules = compileRules([
      { sourceLabels: ['__name__'], regex: 'up', action: 'drop' },
      { sourceLabels: ['job'], targetLabel: 'job' }, // sets the same value
      { regex: 'nothing_matches_.*', action: 'labeldrop' },
    ]);
    const pairs = ['__name__', 'http_requests_total', 'job', 'api'];
    expect(applyRulesToPairs(pairs, rules)).toBe(pairs);
    const target = { __address__: 'a:1', job: 'api' };
    expect(applyRules(target, rules)).toBe(target);
  });

  test('pairs output stays sorted when labels are added before, between and after', () => {
    const rules = compileRules([
      { targetLabel: 'a', replacement: '1' },
      { targetLabel: 'm', replacement: '2' },
      { targetLabel: 'z', replacement: '3' },
      { regex: 'k', action: 'labeldrop' },
    ]);
    expect(applyRulesToPairs(['b', 'x', 'k', 'y', 'n', 'w'], rules)).toEqual(['a', '1', 'b', 'x', 'm', '2', 'n', 'w', 'z', '3']);
  });

  test('a label named __proto__ is an ordinary label', () => {
    const rules = compileRules([{ targetLabel: '__proto__', replacement: 'x' }]);
    const out = applyRules({ a: '1' }, rules)!;
    expect(Object.keys(out).sort()).toEqual(['__proto__', 'a']);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
  });

  test('hashmod equals md5 last-8-bytes big-endian mod m, computed independently', () => {
    const independent = (v: string, m: number) => {
      const d = createHash('md5').update(v).digest();
      let n = 0n;
      for (let i = 8; i < 16; i++) n = (n << 8n) | BigInt(d[i]!);
      return (n % BigInt(m)).toString();
    };
    const inputs: Array<[string, number]> = [
      ['foo', 1000],
      ['10.0.0.1:9100', 3],
      ['', 7],
      ['ns;pod;container', 1 << 30],
      ['ünïcödé', 97],
    ];
    for (const [v, m] of inputs) {
      const rules = compileRules([{ sourceLabels: ['v'], targetLabel: 'h', action: 'hashmod', modulus: m }]);
      const out = v === '' ? applyRules({}, rules) : applyRules({ v }, rules);
      expect(out!.h).toBe(independent(v, m));
    }
  });

  test('a regex fast path and the general path agree', () => {
    // Same semantics with and without the shortcut: "(.*)" vs "(.*)()" (general path).
    const fast = compileRules([{ sourceLabels: ['a'], regex: '(.*)', targetLabel: 'b', replacement: '<$1>' }]);
    const slow = compileRules([{ sourceLabels: ['a'], regex: '(.*)()', targetLabel: 'b', replacement: '<$1>' }]);
    for (const v of ['x', 'multi\nline', 'ü', 'a;b']) {
      expect(applyRules({ a: v }, fast)).toEqual(applyRules({ a: v }, slow));
    }
  });
});
