// Queries compare by syntax, not layout; syntax errors are found before a
// group is sent.
import { canonicalExpr, exprSyntaxError } from './expr-canon.js';
import { groupsOf, normalGroup } from './groups.js';
import { diffRules } from './diff.js';

describe('canonicalExpr (PromQL)', () => {
  const same = (a: string, b: string) => expect(canonicalExpr(a, 'promql')).toBe(canonicalExpr(b, 'promql'));
  const differ = (a: string, b: string) => expect(canonicalExpr(a, 'promql')).not.toBe(canonicalExpr(b, 'promql'));

  test("a multi-line query equals Mimir's one-line printed form (Alloy #5461)", () => {
    same('( rate(metric[5m])\n  * on (pod) group_left\n  kube_pod_labels ) > 0.8\n', '(rate(metric[5m]) * on (pod) group_left () kube_pod_labels) > 0.8');
  });
  test('modifier position, comments, numbers, durations and quotes', () => {
    same('sum(rate(x[5m])) by (job)', 'sum by (job) (rate(x[5m]))');
    same('up # the target\n== 0', 'up == 0');
    same('x > 1e3', 'x > 1000');
    same('rate(x[300s])', 'rate(x[5m])');
    same("x{a='b'}", 'x{a="b"}');
  });
  test('different queries stay different', () => {
    differ('sum by (job) (x)', 'sum by (instance) (x)');
    differ('rate(x[5m])', 'rate(x[1m])');
    differ('a * on (pod) b', 'a * b');
    differ('x{a="b c"}', 'x{a="bc"}');
    differ('x > 1', 'x >= 1');
  });
});

describe('canonicalExpr (LogQL)', () => {
  test('layout does not matter, strings do', () => {
    const a = 'sum(\n  rate({app="shop"} |= "error" [5m])\n) > 10';
    expect(canonicalExpr(a, 'logql')).toBe(canonicalExpr('sum(rate({app="shop"} |= "error"[5m])) > 10', 'logql'));
    expect(canonicalExpr(a, 'logql')).not.toBe(canonicalExpr('sum(rate({app="shop"} |= "Error" [5m])) > 10', 'logql'));
  });
});

describe('exprSyntaxError', () => {
  test.each([
    ['promql', 'sum(rate(x[5m])'],
    ['promql', 'x > bool'],
    ['promql', 'up{job="a"'],
    ['logql', 'sum(rate({app="shop"} |= [5m]))'],
  ] as const)('%s %s is refused', (lang, q) => {
    expect(exprSyntaxError(q, lang)).toMatch(/^could not parse expression: \d+:\d+: parse error/);
  });
  test.each([
    ['promql', 'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{job=~"api.*"}[5m])))'],
    ['promql', 'max_over_time(up[1h:5m] offset 1d) unless on (instance) absent(x)'],
    ['promql', 'label_replace(up, "a", "$1", "b", "(.*)") and ignoring (c) group_right () y'],
    ['logql', 'sum by (level) (count_over_time({app="shop"} | json | level="error" | line_format "{{.msg}}" [5m])) > 0'],
    ['logql', 'rate({job="x"} |~ "timeout|refused" [1m])'],
  ] as const)('%s %s parses', (lang, q) => {
    expect(exprSyntaxError(q, lang)).toBeUndefined();
  });
});

describe('groups and diff with a query language', () => {
  const cr = (expr: string) => ({ metadata: { name: 'r', namespace: 'ns', uid: 'u' }, spec: { groups: [{ name: 'g', rules: [{ alert: 'Bad', expr }] }] } });

  test('a rule with a query that does not parse names the CR field and rule', () => {
    expect(() => groupsOf(cr('sum(rate(x[5m])'), { language: 'promql' })).toThrow(/^spec\.groups\[0\]\.rules\[0\]\.expr: Bad: could not parse expression: 1:\d+: parse error/);
    expect(groupsOf(cr('sum(rate(x[5m]))'), { language: 'promql' })[0].rules[0].expr).toBe('sum(rate(x[5m]))');
  });

  test('a group the ruler printed differently is not updated; a real change is', () => {
    const ours = groupsOf(cr('sum(\n  rate(x[5m])\n) by (job)\n  > 1\n'), { language: 'promql' })[0];
    const ruler = { name: 'g', rules: [{ alert: 'Bad', expr: 'sum by (job) (rate(x[5m])) > 1', labels: {}, annotations: {} }] };
    expect(normalGroup(ruler, 'promql')).toBe(normalGroup(ours, 'promql'));
    const actual = new Map([['ns1', new Map([['g', ruler]])]]);
    expect(diffRules(new Map([['ns1', [ours]]]), actual, new Set(), 'promql')).toEqual([]);
    // Without the language the old text comparison sees a change (what Alloy does).
    expect(diffRules(new Map([['ns1', [ours]]]), actual)).toHaveLength(1);
    const changed = groupsOf(cr('sum by (job) (rate(x[5m])) > 2'), { language: 'promql' })[0];
    expect(diffRules(new Map([['ns1', [changed]]]), actual, new Set(), 'promql').map((o) => o.op)).toEqual(['update']);
  });
});
