// extra_query_matchers: the rewrite of PromQL and LogQL selectors
// (replace a matcher on the same label, else append), value_from_label and
// Alloy's validation of the matcher blocks.
import { resolveMatchers, setQueryMatchers, unquote, validateQueryMatcher } from './query-matchers.js';

const prod = [{ name: 'cluster', op: '=~', value: 'prod-.*' }];

describe('setQueryMatchers (PromQL)', () => {
  test.each([
    ['up != 1', 'up{cluster=~"prod-.*"} != 1'],
    ['up{job="a"} == 0', 'up{job="a", cluster=~"prod-.*"} == 0'],
    ['up{cluster="dev", job="a"}', 'up{cluster=~"prod-.*", job="a"}'],
    ['sum by (cluster) (rate(http_total{code=~"5.."}[5m] offset 1m))', 'sum by (cluster) (rate(http_total{code=~"5..", cluster=~"prod-.*"}[5m] offset 1m))'],
    ['a / on(job) group_left b', 'a{cluster=~"prod-.*"} / on(job) group_left b{cluster=~"prod-.*"}'],
    ['max_over_time(x[1h:5m])', 'max_over_time(x{cluster=~"prod-.*"}[1h:5m])'],
    ['{__name__="foo"}', '{__name__="foo", cluster=~"prod-.*"}'],
    ['{"foo.bar", a=\'b\'}', '{"foo.bar", a=\'b\', cluster=~"prod-.*"}'],
    ['vector(1)', 'vector(1)'],
    ['1 > 0', '1 > 0'],
  ])('%s', (q, want) => {
    expect(setQueryMatchers(q, 'promql', prod)).toBe(want);
  });

  test('matchers apply in order; a later one on the same label wins', () => {
    const q = setQueryMatchers('up', 'promql', [
      { name: 'a', op: '=', value: '1' },
      { name: 'a', op: '!=', value: '2' },
      { name: 'b', op: '!~', value: 'x"y' },
    ]);
    expect(q).toBe('up{a!="2", b!~"x\\"y"}');
  });

  test('a matcher on __name__ moves the metric name into the braces', () => {
    expect(setQueryMatchers('up{job="a"}', 'promql', [{ name: '__name__', op: '=~', value: 'up|down' }])).toBe('{__name__=~"up|down", job="a"}');
  });

  test('a query that does not parse is an error naming it', () => {
    expect(() => setQueryMatchers('up{', 'promql', prod)).toThrow('cannot parse PromQL query "up{"');
  });

  test('no matchers: the query is returned as is, even unparsable', () => {
    expect(setQueryMatchers('up{', 'promql', [])).toBe('up{');
  });
});

describe('setQueryMatchers (LogQL)', () => {
  test.each([
    ['{app="foo"}', '{app="foo", cluster=~"prod-.*"}'],
    ['sum(rate({app="foo", cluster="x"} |= "err" | json | cluster="y" [5m])) > 1', 'sum(rate({app="foo", cluster=~"prod-.*"} |= "err" | json | cluster="y" [5m])) > 1'],
    ['count_over_time({app=`x`}[1m]) / count_over_time({app="y"} | line_format "{{.a}}" [1m])', 'count_over_time({app=`x`, cluster=~"prod-.*"}[1m]) / count_over_time({app="y", cluster=~"prod-.*"} | line_format "{{.a}}" [1m])'],
  ])('%s', (q, want) => {
    expect(setQueryMatchers(q, 'logql', prod)).toBe(want);
  });

  test('a query that does not parse is an error', () => {
    expect(() => setQueryMatchers('{app="foo"', 'logql', prod)).toThrow('cannot parse LogQL query');
  });
});

describe('matcher blocks', () => {
  test('value_from_label takes the value from the PrometheusRule labels', () => {
    expect(resolveMatchers([{ name: 'app', match_type: '=', value_from_label: 'application.kubernetes.io/name' }], { 'application.kubernetes.io/name': 'my-app' })).toEqual([
      { name: 'app', op: '=', value: 'my-app' },
    ]);
    expect(() => resolveMatchers([{ name: 'app', match_type: '=', value_from_label: 'missing' }], {})).toThrow('label missing not found');
    expect(() => resolveMatchers([{ name: 'app', match_type: '=', value_from_label: 'e' }], { e: '' })).toThrow('value for label e is empty');
  });

  test("Alloy's validation", () => {
    expect(() => validateQueryMatcher({ name: 'a', match_type: '==', value: 'x' }, { valueFromLabel: true })).toThrow('invalid match type: "=="');
    expect(() => validateQueryMatcher({ name: 'a', match_type: '=' }, { valueFromLabel: true })).toThrow("exactly one of 'value' or 'value_from_label' must be provided, got 0");
    expect(() => validateQueryMatcher({ name: 'a', match_type: '=', value: 'x', value_from_label: 'y' }, { valueFromLabel: true })).toThrow('got 2');
    expect(() => validateQueryMatcher({ name: 'a', match_type: '=', value: '' }, { valueFromLabel: false })).not.toThrow();
  });

  test('string literals unquote with Go escapes', () => {
    expect(unquote('"a\\nb\\x41\\u00e9"')).toBe('a\nbAé');
    expect(unquote("'it\\'s'")).toBe("it's");
    expect(unquote('`raw\\n`')).toBe('raw\\n');
  });
});
