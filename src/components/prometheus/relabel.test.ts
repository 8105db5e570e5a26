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

describe('cache_ttl (TTL mode)', () => {
  test('an entry expires cache_ttl after its last use; a hit slides the expiry; the sweep evicts idle ones', () => {
    let now = 0;
    const cache = new RelabelCache(0, 60_000, () => now);
    cache.relabel(['__name__', 'a'], []);
    cache.relabel(['__name__', 'b'], []);
    now = 50_000;
    cache.relabel(['__name__', 'a'], []); // hit: a now lives until 110 s
    expect([cache.hits, cache.misses]).toEqual([1, 2]);
    now = 70_000; // b expired at 60 s; a has not
    cache.relabel(['__name__', 'a'], []);
    expect(cache.hits).toBe(2);
    expect(cache.size).toBe(1); // the sweep (every 15 s here) removed b
    expect(cache.ttlEvictions).toBe(1);
    cache.relabel(['__name__', 'b'], []);
    expect(cache.misses).toBe(3);
    now = 200_000; // both idle past the TTL: recomputed, not served
    cache.relabel(['__name__', 'a'], []);
    expect(cache.misses).toBe(4);
  });

  test('TTL mode is unbounded (sizes itself to the working set)', () => {
    const cache = new RelabelCache(0, 60_000, () => 0);
    for (let i = 0; i < 500; i++) cache.relabel(['__name__', `m${i}`], []);
    expect(cache.size).toBe(500);
  });

  test('the component caches in TTL mode and forgets a series at its stale marker', async () => {
    const ctx = makeTestContext({ id: 'prometheus.relabel.ttl' });
    const a = sink();
    const c = prometheusRelabel.build(ctx, undefined as never);
    await c.update({ forward_to: [a.r], max_cache_size: 0, cache_ttl: 600_000, rule: [] } as never);
    const recv = ctx.exports.receiver as MetricsReceiver;
    await recv.append([{ labels: ['__name__', 'up'], t: 1, v: 1 }]);
    await recv.append([{ labels: ['__name__', 'up'], t: 2, v: 1 }]);
    const info = () => c.debugInfo!() as { cache_size: number; cache_hits: number; cache_misses: number };
    expect([info().cache_hits, info().cache_misses, info().cache_size]).toEqual([1, 1, 1]);
    await recv.append([{ labels: ['__name__', 'up'], t: 3, v: STALE_NAN }]);
    expect(info().cache_size).toBe(0);
    expect(a.got).toHaveLength(3);
  });

  test("Alloy's validation: exactly one mode, at least 1m", () => {
    const v = (max_cache_size: number, cache_ttl: number) => () => prometheusRelabel.args.validate!({ forward_to: [], max_cache_size, cache_ttl, rule: [] });
    expect(v(100, 600_000)).toThrow('max_cache_size and cache_ttl are mutually exclusive');
    expect(v(0, 0)).toThrow('one of max_cache_size or cache_ttl must be set');
    expect(v(0, 30_000)).toThrow('cache_ttl must be at least 1m when set; got 30s');
    expect(v(0, 60_000)).not.toThrow();
  });
});
