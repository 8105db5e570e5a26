// discovery.annotations as a component: defaults, argument validation,
// re-export only on change.
import { makeTestContext } from '../../../e2e/lib/component-context.js';
import { type AnnotationsArgs, discoveryAnnotations } from './annotations.js';
import { podTargets } from '../../../e2e/lib/fixtures/discovered-targets.js';

const pod = (name: string, annotations: Record<string, string>) =>
  podTargets({ namespace: 'ns', name, ip: '10.0.0.7', annotations, containers: [{ name: 'app', ports: [{ name: 'metrics', containerPort: 9000 }] }] });

function start(args: Partial<AnnotationsArgs> & { targets: AnnotationsArgs['targets'] }) {
  const ctx = makeTestContext({ id: 'discovery.annotations.test' });
  const full: AnnotationsArgs = { conventions: ['prometheus.io', 'k8s.grafana.com'], scrape_by_default: false, ...args };
  const c = discoveryAnnotations.build(ctx, full);
  c.update(full);
  return { ctx, c, full };
}

describe('discovery.annotations', () => {
  test('schema defaults: both conventions, scrape_by_default false', () => {
    const attrs = discoveryAnnotations.args.attrs!;
    expect(attrs.conventions!.default).toEqual(['prometheus.io', 'k8s.grafana.com']);
    expect(attrs.scrape_by_default!.default).toBe(false);
    expect(attrs.targets!.required).toBe(true);
  });

  test('exports scrape-ready targets of annotated pods only', () => {
    const { ctx } = start({ targets: [...pod('a', { 'k8s.grafana.com/scrape': 'true' }), ...pod('b', {})] });
    const out = ctx.exports.output as Record<string, string>[];
    expect(out.map((t) => [t.__address__, t.pod, t.job])).toEqual([['10.0.0.7:9000', 'a', 'app']]);
    expect(ctx.health.state).toBe('healthy');
  });

  test('re-exports only when the output changed', () => {
    const { ctx, c, full } = start({ targets: pod('a', { 'prometheus.io/scrape': 'true' }) });
    expect(ctx.exportHistory).toHaveLength(1);
    c.update({ ...full, targets: [...pod('a', { 'prometheus.io/scrape': 'true' }), ...pod('b', {})] });
    expect(ctx.exportHistory).toHaveLength(1);
    c.update({ ...full, targets: pod('a', { 'prometheus.io/scrape': 'true', 'prometheus.io/path': '/x' }) });
    expect(ctx.exportHistory).toHaveLength(2);
    expect((ctx.exports.output as Record<string, string>[])[0]!.__metrics_path__).toBe('/x');
  });

  test('an unknown convention is rejected by the schema and by update', () => {
    expect(() => discoveryAnnotations.args.validate!({ targets: [], conventions: ['prometheus.io', 'nope'], scrape_by_default: false })).toThrow('unknown annotation convention "nope"');
    const { c, full } = start({ targets: [] });
    expect(() => c.update({ ...full, conventions: ['nope'] })).toThrow('unknown annotation convention');
  });

  test('debug info counts skipped targets by reason', () => {
    const { c } = start({ targets: [...pod('a', { 'prometheus.io/scrape': 'true' }), ...pod('b', { 'prometheus.io/scrape': 'false' })] });
    expect(c.debugInfo!()).toEqual({ targets_in: 2, targets_out: 1, skipped: { opted_out: 1 } });
  });
});
