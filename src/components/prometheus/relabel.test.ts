import type { MetricsExtras, MetricsReceiver, NativeHistogram, Sample } from '../../pipeline/metrics.js';
import { STALE_NAN, isStaleNaN } from '../../pipeline/staleness.js';
import { makeTestContext } from '../../../e2e/lib/component-context.js';
import { prometheusRelabel } from './relabel.js';
import { RelabelCache } from '../../relabel/cache.js';

function sink() {
  const got: Sample[] = [];
  const r: MetricsReceiver = { append: (s) => void got.push(...s) };
  return { got, r };
}

test('rewrites, drops, passes staleness markers, keeps one receiver object', async () => {
  const ctx = makeTestContext({ id: 'prometheus.relabel.x' });
  const a = sink();
  const c = prometheusRelabel.build(ctx, undefined as never);
  await c.update({
    forward_to: [a.r],
    max_cache_size: 10,
    rule: [
      { source_labels: ['__name__'], regex: 'go_.*', action: 'drop', separator: ';', target_label: '', replacement: '$1' },
      { source_labels: ['instance'], regex: '([^:]+):.*', target_label: 'host', replacement: '$1', action: 'replace', separator: ';' },
    ],
  });
  const recv = ctx.exports.receiver as MetricsReceiver;
  await recv.append([
    { labels: ['__name__', 'go_goroutines', 'instance', 'a:1'], t: 1, v: 5 },
    { labels: ['__name__', 'up', 'instance', 'a:1'], t: 1, v: 1 },
    { labels: ['__name__', 'up', 'instance', 'a:1'], t: 2, v: STALE_NAN },
  ]);
  expect(a.got.map((s) => s.labels)).toEqual([
    ['__name__', 'up', 'host', 'a', 'instance', 'a:1'],
    ['__name__', 'up', 'host', 'a', 'instance', 'a:1'],
  ]);
  expect(isStaleNaN(a.got[1].v)).toBe(true);

  const b = sink();
  await c.update({ forward_to: [b.r], max_cache_size: 10, rule: [] });
  expect(ctx.exports.receiver).toBe(recv);
  await recv.append([{ labels: ['__name__', 'go_x'], t: 1, v: 1 }]);
  expect(b.got).toHaveLength(1);
  const text = await ctx.metrics.getSingleMetricAsString('prometheus_relabel_metrics_processed');
  expect(text).toContain('prometheus_relabel_metrics_processed{component_id="prometheus.relabel.x",component_path="/"} 4');
});

test('cache is bounded and serves repeats', () => {
  const cache = new RelabelCache(2);
  for (const n of ['a', 'b', 'c', 'a']) cache.relabel(['__name__', n], []);
  expect(cache.size).toBe(2);
  cache.relabel(['__name__', 'a'], []);
  expect(cache.hits).toBe(1);
  expect(cache.misses).toBe(4);
});

test('bad rules are rejected with the rule number', () => {
  expect(() => prometheusRelabel.args.validate!({ forward_to: [], max_cache_size: 1, rule: [{ action: 'hashmod' }] })).toThrow(/rule 1/);
});

test('native histograms, exemplars and metadata are relabeled with the same rules, or dropped with their series', async () => {
  const ctx = makeTestContext({ id: 'prometheus.relabel.extras' });
  const got: MetricsExtras[] = [];
  const floatsOnly = sink(); // a receiver without appendExtras is skipped, not broken
  const c = prometheusRelabel.build(ctx, undefined as never);
  await c.update({
    forward_to: [{ append: () => undefined, appendExtras: (x) => void got.push(x) }, floatsOnly.r],
    max_cache_size: 10,
    rule: [
      { source_labels: ['__name__'], regex: 'go_.*', action: 'drop', separator: ';', target_label: '', replacement: '$1' },
      { source_labels: ['instance'], regex: '([^:]+):.*', target_label: 'host', replacement: '$1', action: 'replace', separator: ';' },
    ],
  });
  const recv = ctx.exports.receiver as MetricsReceiver;
  const h: NativeHistogram = {
    float: false, count: 1, sum: 1, schema: 0, zeroThreshold: 0, zeroCount: 0, negativeSpans: [], negativeBuckets: [],
    positiveSpans: [{ offset: 0, length: 1 }], positiveBuckets: [1], resetHint: 0,
  };
  await recv.appendExtras!({
    histograms: [{ labels: ['__name__', 'rpc', 'instance', 'a:1'], t: 1, h }, { labels: ['__name__', 'go_gc', 'instance', 'a:1'], t: 1, h }],
    exemplars: [
      { labels: ['__name__', 'rpc', 'instance', 'a:1'], exemplarLabels: ['trace_id', 'x'], value: 1, t: 1 },
      { labels: ['__name__', 'go_gc', 'instance', 'a:1'], exemplarLabels: ['trace_id', 'y'], value: 1, t: 1 },
    ],
    metadata: [
      { labels: ['__name__', 'rpc', 'instance', 'a:1'], family: 'rpc', type: 'histogram', help: '', unit: '' },
      { labels: ['__name__', 'go_gc', 'instance', 'a:1'], family: 'go_gc', type: 'gauge', help: '', unit: '' },
    ],
  });
  expect(got).toHaveLength(1);
  const want = ['__name__', 'rpc', 'host', 'a', 'instance', 'a:1'];
  expect(got[0]!.histograms).toEqual([{ labels: want, t: 1, h }]);
  expect(got[0]!.exemplars).toEqual([{ labels: want, exemplarLabels: ['trace_id', 'x'], value: 1, t: 1 }]);
  expect(got[0]!.metadata.map((m) => [m.family, m.labels])).toEqual([['rpc', want]]);
  expect(floatsOnly.got).toEqual([]);
});
