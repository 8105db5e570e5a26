// discovery.relabel: unit tests against a test context.
import { makeTestContext } from '../../../e2e/lib/component-context.js';
import { discoveryRelabel, type RelabelArgs } from './relabel.js';
import { applyRules, RuleSet, rulesFromCapsule } from '../../relabel/index.js';

const defaults = { separator: ';', regex: '(.*)', target_label: '', replacement: '$1', action: 'replace' };
const pods: Record<string, string>[] = [
  { __address__: '10.0.0.1:8080', __meta_kubernetes_pod_annotation_prometheus_io_scrape: 'true', __meta_kubernetes_namespace: 'a' },
  { __address__: '10.0.0.2:8080', __meta_kubernetes_namespace: 'b' },
];
const keepAnnotated: RelabelArgs['rule'] = [
  { ...defaults, source_labels: ['__meta_kubernetes_pod_annotation_prometheus_io_scrape'], regex: 'true', action: 'keep' },
  { ...defaults, source_labels: ['__meta_kubernetes_namespace'], target_label: 'namespace' },
];

function start(args: RelabelArgs) {
  const ctx = makeTestContext({ id: 'discovery.relabel.test' });
  const c = discoveryRelabel.build(ctx, args);
  c.update(args);
  return { ctx, c };
}

describe('discovery.relabel', () => {
  test('exports relabeled targets without the dropped ones, and the rules', () => {
    const { ctx } = start({ targets: pods, rule: keepAnnotated });
    expect(ctx.exports.output).toEqual([{ ...pods[0], namespace: 'a' }]);
    const rules = rulesFromCapsule(ctx.exports.rules);
    expect(rules.map((r) => r.action)).toEqual(['keep', 'replace']);
    // The exported rule set is usable by other components as is.
    expect(applyRules(pods[1]!, rules)).toBeNull();
    expect(ctx.health.state).toBe('healthy');
  });

  test('no rules: targets pass through unchanged', () => {
    const { ctx } = start({ targets: pods, rule: [] });
    expect(ctx.exports.output).toEqual(pods);
  });

  test('re-exports only when output or rules changed', () => {
    const { ctx, c } = start({ targets: pods, rule: keepAnnotated });
    expect(ctx.exportHistory).toHaveLength(1);
    // Same input in new objects: no export.
    c.update({ targets: pods.map((p) => ({ ...p })), rule: keepAnnotated.map((r) => ({ ...r })) });
    expect(ctx.exportHistory).toHaveLength(1);
    // A change to a target that is dropped anyway: output unchanged, no export.
    c.update({ targets: [pods[0]!, { ...pods[1]!, __address__: '10.0.0.3:8080' }], rule: keepAnnotated });
    expect(ctx.exportHistory).toHaveLength(1);
    // A change to a kept target: export.
    c.update({ targets: [{ ...pods[0]!, __meta_kubernetes_namespace: 'c' }], rule: keepAnnotated });
    expect(ctx.exportHistory).toHaveLength(2);
    expect(ctx.exports.output).toEqual([{ ...pods[0], __meta_kubernetes_namespace: 'c', namespace: 'c' }]);
    // New rules with the same output: rules export changes.
    const before = ctx.exports.rules;
    c.update({ targets: [{ ...pods[0]!, __meta_kubernetes_namespace: 'c' }], rule: [...keepAnnotated, { ...defaults, regex: 'nothing', action: 'labeldrop' }] });
    expect(ctx.exportHistory).toHaveLength(3);
    expect(ctx.exports.rules).not.toBe(before);
    expect(ctx.exports.rules).toBeInstanceOf(RuleSet);
  });

  test('invalid rules fail update with a clear error and keep the last good exports', () => {
    const { ctx, c } = start({ targets: pods, rule: keepAnnotated });
    const good = ctx.exports;
    expect(() => c.update({ targets: pods, rule: [{ ...defaults, target_label: 'x', regex: '(' }] })).toThrow(
      /relabel rule 1: invalid regex "\(": error parsing regexp: missing closing \)/,
    );
    expect(() => c.update({ targets: pods, rule: [{ ...defaults, action: 'hashmod', target_label: 'h' }] })).toThrow('relabel rule 1: relabel configuration for hashmod requires non-zero modulus');
    expect(ctx.exports).toBe(good);
  });

  test('debug info shows counts and rules', () => {
    const { c } = start({ targets: pods, rule: keepAnnotated });
    expect(c.debugInfo!()).toMatchObject({ targets_in: 2, targets_out: 1, rules: [{ action: 'keep' }, { action: 'replace', targetLabel: 'namespace' }] });
  });
});
