import { acceptsBatches, type BatchMetricsReceiver, type LabelPairs, type MetricsReceiver, type Sample, type SampleBatch } from '../pipeline/metrics.js';
import { STALE_NAN, isStaleNaN } from '../pipeline/staleness.js';
import { makeTestContext } from '../../e2e/lib/component-context.js';
import { prometheusRelabel } from '../components/prometheus/relabel.js';

const DROP_GO = { source_labels: ['__name__'], regex: 'go_.*', action: 'drop', separator: ';', target_label: '', replacement: '$1' };
const HOST = { source_labels: ['instance'], regex: '([^:]+):.*', target_label: 'host', replacement: '$1', action: 'replace', separator: ';' };

/** A producer's batch over a ref -> labels table (as prometheus.scrape builds them). */
function batchOf(scope: object, table: Map<number, LabelPairs>, rows: Row[], released: number[] = []): SampleBatch {
  return {
    scope,
    labels: (r) => table.get(r),
    length: rows.length,
    refs: Int32Array.from(rows.map((x) => x[0])),
    ts: Float64Array.from(rows.map((x) => x[1])),
    values: valuesOf(rows),
    released,
  };
}

type Row = [ref: number, t: number, v: number | 'stale'];

// 'stale' is written straight into the typed array: a plain array of numbers may canonicalise the stale NaN.
function valuesOf(rows: Row[]): Float64Array {
  const v = new Float64Array(rows.length);
  rows.forEach((x, i) => (v[i] = x[2] === 'stale' ? STALE_NAN : x[2]));
  return v;
}

/** A batch receiver that resolves labels while called (they are only valid then). */
function batchSink() {
  const got: { scope: object; refs: number[]; labels: (LabelPairs | undefined)[]; values: Float64Array; released: number[] }[] = [];
  const r: BatchMetricsReceiver = {
    append: () => {
      throw new Error('expected the batch path');
    },
    appendBatch: (b) => {
      const refs = Array.from(b.refs);
      got.push({ scope: b.scope, refs, labels: refs.map((x) => b.labels(x)), values: b.values.slice(), released: Array.from(b.released) });
    },
  };
  return { got, r };
}

async function relabeler(forward: MetricsReceiver[], rule: unknown[]) {
  const ctx = makeTestContext({ id: 'prometheus.relabel.b' });
  const c = prometheusRelabel.build(ctx, undefined as never);
  await c.update({ forward_to: forward, max_cache_size: 100, rule: rule as never });
  const recv = ctx.exports.receiver as MetricsReceiver;
  return { ctx, c, recv };
}

test('batches are relabeled per ref, dropped series leave the columns, stale markers survive', async () => {
  const down = batchSink();
  const { ctx, recv } = await relabeler([down.r], [DROP_GO, HOST]);
  expect(acceptsBatches(recv)).toBe(true);
  if (!acceptsBatches(recv)) return;
  const scope = {};
  const table = new Map<number, LabelPairs>([
    [1, ['__name__', 'go_goroutines', 'instance', 'a:1']],
    [2, ['__name__', 'up', 'instance', 'a:1']],
  ]);
  await recv.appendBatch(batchOf(scope, table, [[1, 10, 5], [2, 10, 1]]));
  await recv.appendBatch(batchOf(scope, table, [[1, 20, 6], [2, 20, 'stale']], [2]));
  expect(down.got).toHaveLength(2);
  const [first, second] = down.got;
  expect(first.refs).toEqual([2]);
  expect(first.labels).toEqual([['__name__', 'up', 'host', 'a', 'instance', 'a:1']]);
  expect(first.scope).not.toBe(scope); // labels differ from upstream's, so the ref space does too
  expect(second.scope).toBe(first.scope);
  expect(second.refs).toEqual([2]);
  expect(isStaleNaN(second.values[0])).toBe(true);
  expect(second.released).toEqual([2]);
  // Second batch: both refs known (hits); first: both new (misses).
  expect(await ctx.metrics.getSingleMetricAsString('prometheus_relabel_cache_hits')).toContain('} 2');
  expect(await ctx.metrics.getSingleMetricAsString('prometheus_relabel_cache_misses')).toContain('} 2');
  expect(await ctx.metrics.getSingleMetricAsString('prometheus_relabel_metrics_written')).toContain('} 2');
});

test('a released ref is relabeled afresh when reused, and a rule change opens a new output scope', async () => {
  const down = batchSink();
  const { c, recv } = await relabeler([down.r], [HOST]);
  if (!acceptsBatches(recv)) throw new Error('no batch path');
  const scope = {};
  const table = new Map<number, LabelPairs>([[7, ['__name__', 'a', 'instance', 'x:1']]]);
  await recv.appendBatch(batchOf(scope, table, [[7, 1, 1]], [7]));
  table.set(7, ['__name__', 'b', 'instance', 'y:1']); // the producer reuses ref 7 for another series
  await recv.appendBatch(batchOf(scope, table, [[7, 2, 1]]));
  expect(down.got[1].labels).toEqual([['__name__', 'b', 'host', 'y', 'instance', 'y:1']]);

  await c.update({ forward_to: [down.r], max_cache_size: 100, rule: [] });
  await recv.appendBatch(batchOf(scope, table, [[7, 3, 1]]));
  expect(down.got[2].scope).not.toBe(down.got[1].scope);
  expect(down.got[2].labels).toEqual([['__name__', 'b', 'instance', 'y:1']]);
});

test('receivers without the batch interface get Sample objects', async () => {
  const got: Sample[] = [];
  const plain: MetricsReceiver = { append: (s) => void got.push(...s) };
  const { recv } = await relabeler([plain], [DROP_GO]);
  if (!acceptsBatches(recv)) throw new Error('no batch path');
  const table = new Map<number, LabelPairs>([
    [1, ['__name__', 'go_x']],
    [2, ['__name__', 'up']],
    // ref 3 has no labels: a ref from before a producer reset is skipped
  ]);
  await recv.appendBatch(batchOf({}, table, [[1, 5, 1], [2, 5, 2], [3, 5, 3]]));
  expect(got).toEqual([{ labels: ['__name__', 'up'], t: 5, v: 2 }]);
});
