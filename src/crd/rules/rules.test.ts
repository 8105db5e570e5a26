// PrometheusRule -> ruler groups, the normal form used for comparison, and
// the diff against the ruler (managed namespaces only, held bad CRs).
import { diffRules, isManagedNamespace, managedOnly, rulerNamespace } from './diff.js';
import { groupsOf, normalGroup, type RuleGroup } from './groups.js';

const UID = '0f8fad5b-d9cb-469f-a165-70867728950e';
const cr = (spec: unknown, annotations: Record<string, string> = {}) => ({ metadata: { name: 'r', namespace: 'ns', uid: UID, annotations }, spec });

describe('groupsOf', () => {
  test('maps groups and rules; group labels, rule labels, external labels in that order of precedence', () => {
    const g = groupsOf(
      cr({
        groups: [
          {
            name: 'g1',
            interval: '1m',
            labels: { team: 'a', env: 'dev' },
            rules: [
              { record: 'r:sum', expr: 'sum(x)', labels: { env: 'prod' } },
              { alert: 'A', expr: 5, for: '5m', annotations: { s: 'x' } },
            ],
          },
        ],
      }),
      { externalLabels: { team: 'ext' } },
    );
    expect(g).toEqual([
      {
        name: 'g1',
        interval: '1m',
        rules: [
          { record: 'r:sum', expr: 'sum(x)', labels: { team: 'ext', env: 'prod' } },
          { alert: 'A', expr: '5', for: '5m', labels: { team: 'ext', env: 'dev' }, annotations: { s: 'x' } },
        ],
      },
    ]);
  });

  test('source tenants from the annotation (Mimir federation)', () => {
    const g = groupsOf(cr({ groups: [{ name: 'g', rules: [{ record: 'a', expr: '1' }] }] }, { 'monitoring.grafana.com/source_tenants': 'a, b ,c' }), { sourceTenants: true });
    expect(g[0].source_tenants).toEqual(['a', 'b', 'c']);
  });

  test.each([
    [{ groups: [{ rules: [] }] }, 'spec.groups[0].name: is required'],
    [{ groups: [{ name: 'g' }, { name: 'g' }] }, 'spec.groups[1].name: duplicate group name "g"'],
    [{ groups: [{ name: 'g', rules: [{ expr: 'x' }] }] }, 'spec.groups[0].rules[0]: exactly one of record and alert must be set'],
    [{ groups: [{ name: 'g', rules: [{ record: 'a' }] }] }, 'spec.groups[0].rules[0].expr: is required'],
    [{ groups: [{ name: 'g', rules: [{ alert: 'a', expr: 'x', for: 'soon' }] }] }, 'spec.groups[0].rules[0].for: invalid duration "soon"'],
    [{ groups: [{ name: 'g', rules: [{ record: 'a', expr: 'x', labels: { a: 1 } }] }] }, 'spec.groups[0].rules[0].labels.a: expected a string, got number 1'],
    [{ groups: 'nope' }, 'spec.groups: expected a list, got string'],
  ])('bad CR %j: %s', (spec, msg) => {
    expect(() => groupsOf(cr(spec))).toThrow(msg);
  });

  test('normal form: equal groups compare equal regardless of duration spelling, key order and empty maps', () => {
    const ours: RuleGroup = { name: 'g', interval: '60s', rules: [{ alert: 'A', expr: 'up == 0 ', for: '1m', labels: { b: '2', a: '1' } }] };
    const ruler = { rules: [{ labels: { a: '1', b: '2' }, for: '1m0s', expr: 'up == 0', alert: 'A', annotations: {} }], interval: '1m', name: 'g' };
    expect(normalGroup(ruler)).toBe(normalGroup(ours));
    expect(normalGroup({ ...ruler, interval: '2m' })).not.toBe(normalGroup(ours));
  });
});

describe('diffRules', () => {
  const ns1 = rulerNamespace('alloy', '/', { namespace: 'a', name: 'r1', uid: UID });
  const ns2 = rulerNamespace('alloy', '/', { namespace: 'b', name: 'r2', uid: UID.replace('0f', '1f') });
  const g = (name: string, expr = '1'): RuleGroup => ({ name, rules: [{ record: name, expr }] });

  test('managed namespaces: prefix + anything + uid, any separator', () => {
    expect(isManagedNamespace('alloy', ns1)).toBe(true);
    expect(isManagedNamespace('alloy', `alloy-a-r1-${UID}`)).toBe(true);
    expect(isManagedNamespace('alloy', 'alloy/not-a-uid')).toBe(false);
    expect(isManagedNamespace('alloy', 'hand-written')).toBe(false);
    expect(isManagedNamespace('other', ns1)).toBe(false);
    const state = new Map([
      [ns1, new Map()],
      ['hand-written', new Map()],
    ]);
    expect([...managedOnly(state, 'alloy').keys()]).toEqual([ns1]);
  });

  test('create, update, delete; unchanged groups are left alone; held namespaces are not deleted', () => {
    const actual = new Map([
      [ns1, new Map([['keep', g('keep')], ['change', g('change', 'old')], ['gone', g('gone')]])],
      [ns2, new Map([['x', g('x')]])],
    ]);
    const desired = new Map([[ns1, [g('keep'), g('change', 'new'), g('added')]]]);
    expect(diffRules(desired, actual).map((o) => `${o.op} ${o.namespace === ns1 ? 'ns1' : 'ns2'} ${o.group}`)).toEqual([
      'update ns1 change',
      'create ns1 added',
      'delete ns1 gone',
      'delete ns2 x',
    ]);
    expect(diffRules(desired, actual, new Set([ns2])).some((o) => o.namespace === ns2)).toBe(false);
  });
});
