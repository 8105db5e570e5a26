// Counting, splitting and merging OTLP data in OTel's units.
import type { Metrics, Traces } from '../pipeline/otel.js';
import { itemCount, mergeData, splitData } from './model.js';

const span = (i: number) => ({ traceId: Buffer.alloc(16, 1), spanId: Buffer.from([0, 0, 0, 0, 0, 0, 0, i]), name: `s${i}`, attributes: [] });

function traces(): Traces {
  return {
    resourceSpans: [
      { resource: { attributes: [{ key: 'service.name', value: { stringValue: 'a' } }] }, scopeSpans: [{ scope: { name: 'x' }, spans: [span(1), span(2), span(3)] }, { scope: { name: 'y' }, spans: [span(4)] }] },
      { resource: { attributes: [{ key: 'service.name', value: { stringValue: 'b' } }] }, scopeSpans: [{ scope: { name: 'z' }, spans: [span(5), span(6)] }] },
    ],
  };
}

const names = (t: Traces) => t.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans.map((x) => `${r.resource?.attributes[0].value?.stringValue}/${s.scope?.name}/${x.name}`)));

test('counts spans and splits them keeping resource and scope, inputs untouched', () => {
  const t = traces();
  const before = JSON.stringify(t);
  expect(itemCount('traces', t)).toBe(6);
  const parts = splitData('traces', t, 4);
  expect(parts.map((p) => itemCount('traces', p))).toEqual([4, 2]);
  expect(parts.flatMap(names)).toEqual(names(t));
  expect(names(parts[1])).toEqual(['b/z/s5', 'b/z/s6']);
  expect(JSON.stringify(t)).toBe(before);
  expect(splitData('traces', t, 0)).toEqual([t]);
  expect(splitData('traces', t, 1)).toHaveLength(6);
});

test('metrics count data points; a metric larger than the room is cut across parts', () => {
  const m: Metrics = {
    resourceMetrics: [
      {
        resource: { attributes: [] },
        scopeMetrics: [
          {
            metrics: [
              { name: 'g', gauge: { dataPoints: [{ asDouble: 1 }, { asDouble: 2 }, { asDouble: 3 }] } },
              { name: 'h', histogram: { dataPoints: [{ count: '1' }, { count: '2' }], aggregationTemporality: 2 } },
            ],
          },
        ],
      },
    ],
  };
  expect(itemCount('metrics', m)).toBe(5);
  const parts = splitData('metrics', m, 2);
  expect(parts.map((p) => itemCount('metrics', p))).toEqual([2, 2, 1]);
  const flat = parts.flatMap((p) => p.resourceMetrics[0].scopeMetrics[0].metrics.map((x) => `${x.name}:${(x.gauge ?? x.histogram)!.dataPoints.length}`));
  expect(flat).toEqual(['g:2', 'g:1', 'h:1', 'h:1']);
  expect(parts[2].resourceMetrics[0].scopeMetrics[0].metrics[0].histogram?.aggregationTemporality).toBe(2);
});

test('merge concatenates resources', () => {
  const t = traces();
  const merged = mergeData('traces', [t, t]);
  expect(itemCount('traces', merged)).toBe(12);
  expect(merged.resourceSpans).toHaveLength(4);
});
