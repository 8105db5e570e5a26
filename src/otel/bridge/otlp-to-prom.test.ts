import type { Metric, Metrics } from '../../pipeline/otel.js';
import type { Sample } from '../../pipeline/metrics.js';
import { isStaleNaN } from '../../pipeline/staleness.js';
import { OtlpToPrometheus, type PromConvertOptions } from './otlp-to-prom.js';

const DEFAULTS: PromConvertOptions = {
  include_target_info: true,
  include_scope_info: false,
  include_scope_labels: true,
  add_metric_suffixes: true,
  resource_to_telemetry_conversion: false,
  honor_metadata: false,
  convert_classic_histograms_to_nhcb: false,
  keep_identifying_resource_attributes: false,
  start_timestamp_zero_ingestion: false,
};
const T = 1_700_000_000_000;
const ns = (ms: number) => (BigInt(ms) * 1_000_000n).toString();
const s = (v: string) => ({ stringValue: v });

function request(metrics: Metric[], resAttrs: Record<string, string> = { 'service.name': 'checkout', 'service.namespace': 'shop', 'service.instance.id': 'pod-1', 'host.name': 'node-a' }): Metrics {
  return {
    resourceMetrics: [{
      resource: { attributes: Object.entries(resAttrs).map(([key, v]) => ({ key, value: s(v) })) },
      scopeMetrics: [{ scope: { name: 'my.lib', version: '1.2.3', attributes: [{ key: 'scope.attr', value: s('x') }] }, metrics }],
    }],
  };
}

const labelsOf = (x: Sample) => Object.fromEntries(Array.from({ length: x.labels.length / 2 }, (_, i) => [x.labels[2 * i], x.labels[2 * i + 1]]));
const byName = (out: Sample[], name: string) => out.filter((x) => labelsOf(x).__name__ === name);

const point = (v: number, attrs: Record<string, string> = {}, t = T) => ({ timeUnixNano: ns(t), asDouble: v, attributes: Object.entries(attrs).map(([key, val]) => ({ key, value: s(val) })) });

describe('OtlpToPrometheus', () => {
  test('target_info carries the resource; job and instance come from service.*; scope labels on every series', () => {
    const c = new OtlpToPrometheus(DEFAULTS, () => T + 5);
    const out = c.convert(request([{ name: 'queue.depth', unit: '{items}', gauge: { dataPoints: [point(7, { 'http.method': 'GET' })] } }]));
    const ti = byName(out.samples, 'target_info');
    expect(ti).toHaveLength(1);
    expect(labelsOf(ti[0])).toEqual({ __name__: 'target_info', job: 'shop/checkout', instance: 'pod-1', host_name: 'node-a' });
    expect(ti[0].v).toBe(1);
    expect(ti[0].t).toBe(T + 5);
    const g = byName(out.samples, 'queue_depth');
    expect(labelsOf(g[0])).toEqual({ __name__: 'queue_depth', job: 'shop/checkout', instance: 'pod-1', otel_scope_name: 'my.lib', otel_scope_version: '1.2.3', http_method: 'GET' });
    expect(g[0]).toMatchObject({ t: T, v: 7 });
    expect(out.convertedPoints).toBe(1);
  });

  test('keep_identifying_resource_attributes keeps service.* on target_info; include_target_info=false drops it', () => {
    const keep = new OtlpToPrometheus({ ...DEFAULTS, keep_identifying_resource_attributes: true }).convert(request([]));
    expect(labelsOf(byName(keep.samples, 'target_info')[0])).toMatchObject({ service_name: 'checkout', service_namespace: 'shop', service_instance_id: 'pod-1', job: 'shop/checkout' });
    const none = new OtlpToPrometheus({ ...DEFAULTS, include_target_info: false }).convert(request([]));
    expect(byName(none.samples, 'target_info')).toHaveLength(0);
  });

  test('include_scope_labels=false leaves the scope out; include_scope_info adds otel_scope_info', () => {
    const c = new OtlpToPrometheus({ ...DEFAULTS, include_scope_labels: false, include_scope_info: true });
    const out = c.convert(request([{ name: 'g', gauge: { dataPoints: [point(1)] } }]));
    expect(labelsOf(byName(out.samples, 'g')[0])).toEqual({ __name__: 'g', job: 'shop/checkout', instance: 'pod-1' });
    expect(labelsOf(byName(out.samples, 'otel_scope_info')[0])).toEqual({ __name__: 'otel_scope_info', job: 'shop/checkout', instance: 'pod-1', otel_scope_name: 'my.lib', otel_scope_version: '1.2.3', scope_attr: 'x' });
  });

  test('a job without namespace is service.name; no service attributes means no job/instance labels', () => {
    const out = new OtlpToPrometheus(DEFAULTS).convert(request([{ name: 'g', gauge: { dataPoints: [point(1)] } }], { 'service.name': 'solo' }));
    expect(labelsOf(byName(out.samples, 'g')[0])).toMatchObject({ job: 'solo' });
    expect(labelsOf(byName(out.samples, 'g')[0]).instance).toBeUndefined();
  });

  test('monotonic cumulative sums are counters with _total and their exemplars; delta sums are dropped and counted', () => {
    const c = new OtlpToPrometheus({ ...DEFAULTS, include_target_info: false });
    const out = c.convert(request([
      { name: 'http.requests', unit: '1', sum: { aggregationTemporality: 2, isMonotonic: true, dataPoints: [{ ...point(0), asDouble: undefined, asInt: '42', exemplars: [{ timeUnixNano: ns(T - 1), asDouble: 0.3, traceId: Buffer.alloc(16, 0xab), spanId: Buffer.alloc(8, 0xcd) }] }] } },
      { name: 'connections', sum: { aggregationTemporality: 2, isMonotonic: false, dataPoints: [point(-3)] } },
      { name: 'delta.requests', sum: { aggregationTemporality: 1, isMonotonic: true, dataPoints: [point(5), point(6)] } },
    ]));
    expect(byName(out.samples, 'http_requests_total')[0].v).toBe(42);
    expect(byName(out.samples, 'connections')[0].v).toBe(-3);
    expect(byName(out.samples, 'delta_requests_total')).toHaveLength(0);
    expect(out.droppedPoints).toBe(2);
    expect(out.convertedPoints).toBe(2);
    expect(out.extras.exemplars).toEqual([{ labels: byName(out.samples, 'http_requests_total')[0].labels, exemplarLabels: ['span_id', 'cd'.repeat(8), 'trace_id', 'ab'.repeat(16)], value: 0.3, t: T - 1 }]);
  });

  test('explicit histograms become cumulative _bucket series with le, _sum and _count; delta histograms are dropped', () => {
    const c = new OtlpToPrometheus({ ...DEFAULTS, include_target_info: false, include_scope_labels: false });
    const out = c.convert(request([
      { name: 'rpc.duration', unit: 's', histogram: { aggregationTemporality: 2, dataPoints: [{ timeUnixNano: ns(T), count: '10', sum: 4.5, explicitBounds: [0.1, 1, 5], bucketCounts: ['2', '3', '4', '1'], exemplars: [{ timeUnixNano: ns(T), asDouble: 0.5 }, { timeUnixNano: ns(T), asDouble: 7 }] }] } },
      { name: 'delta.hist', histogram: { aggregationTemporality: 1, dataPoints: [{ timeUnixNano: ns(T), count: '1', explicitBounds: [], bucketCounts: ['1'] }] } },
    ]));
    const buckets = byName(out.samples, 'rpc_duration_seconds_bucket').map((x) => [labelsOf(x).le, x.v]);
    expect(buckets).toEqual([['0.1', 2], ['1', 5], ['5', 9], ['+Inf', 10]]);
    expect(byName(out.samples, 'rpc_duration_seconds_sum')[0].v).toBe(4.5);
    expect(byName(out.samples, 'rpc_duration_seconds_count')[0].v).toBe(10);
    expect(byName(out.samples, 'delta_hist_bucket')).toHaveLength(0);
    expect(out.droppedPoints).toBe(1);
    // Exemplars go to the first bucket whose bound is above their value.
    const le = (lbl: string[]) => labelsOf({ labels: lbl, t: 0, v: 0 }).le;
    expect(out.extras.exemplars.map((e) => [le(e.labels), e.value])).toEqual([['1', 0.5], ['+Inf', 7]]);
  });

  test('convert_classic_histograms_to_nhcb writes one native histogram with custom buckets', () => {
    const c = new OtlpToPrometheus({ ...DEFAULTS, include_target_info: false, convert_classic_histograms_to_nhcb: true });
    const out = c.convert(request([{ name: 'lat', unit: 's', histogram: { aggregationTemporality: 2, dataPoints: [{ timeUnixNano: ns(T), count: '6', sum: 2, explicitBounds: [0.1, 1, 5], bucketCounts: ['0', '3', '0', '3'] }] } }]));
    expect(out.samples.filter((x) => labelsOf(x).__name__?.startsWith('lat'))).toHaveLength(0);
    expect(out.extras.histograms).toHaveLength(1);
    const h = out.extras.histograms[0].h;
    expect(h).toMatchObject({ schema: -53, count: 6, sum: 2, customValues: [0.1, 1, 5], positiveSpans: [{ offset: 1, length: 3 }], positiveBuckets: [3, -3, 3] });
  });

  test('exponential histograms become native histograms: OTel index i is Prometheus index i+1, long gaps start a new span', () => {
    const c = new OtlpToPrometheus({ ...DEFAULTS, include_target_info: false, include_scope_labels: false });
    const out = c.convert(request([{ name: 'size', unit: 'By', exponentialHistogram: { aggregationTemporality: 2, dataPoints: [{ timeUnixNano: ns(T), count: '5', sum: 100, scale: 0, zeroCount: '1', positive: { offset: 0, bucketCounts: ['1', '0', '0', '0', '0', '2'] }, negative: { offset: -1, bucketCounts: ['1'] } }] } }]));
    const { labels, h } = out.extras.histograms[0];
    expect(labels).toEqual(['__name__', 'size_bytes', 'instance', 'pod-1', 'job', 'shop/checkout']);
    expect(h).toMatchObject({ float: false, schema: 0, count: 5, sum: 100, zeroCount: 1, zeroThreshold: 1e-128 });
    expect(h.positiveSpans).toEqual([{ offset: 1, length: 1 }, { offset: 4, length: 1 }]);
    expect(h.positiveBuckets).toEqual([1, 1]);
    expect(h.negativeSpans).toEqual([{ offset: 0, length: 1 }]);
    expect(h.negativeBuckets).toEqual([1]);
  });

  test('scales above 8 merge buckets down to 8; scales below -4 are refused and counted', () => {
    const c = new OtlpToPrometheus({ ...DEFAULTS, include_target_info: false });
    const out = c.convert(request([
      { name: 'fine', exponentialHistogram: { aggregationTemporality: 2, dataPoints: [{ timeUnixNano: ns(T), count: '5', scale: 10, positive: { offset: 0, bucketCounts: ['1', '1', '1', '1', '1'] } }] } },
      { name: 'coarse', exponentialHistogram: { aggregationTemporality: 2, dataPoints: [{ timeUnixNano: ns(T), count: '1', scale: -5, positive: { offset: 0, bucketCounts: ['1'] } }] } },
    ]));
    expect(out.extras.histograms).toHaveLength(1);
    expect(out.extras.histograms[0].h).toMatchObject({ schema: 8, positiveSpans: [{ offset: 1, length: 2 }], positiveBuckets: [4, -3] });
    expect(out.droppedPoints).toBe(1);
    expect(out.errors.join()).toMatch(/coarse.*scale must be >= -4, was -5/);
  });

  test('summaries: quantile series under the metric name, _sum and _count', () => {
    const out = new OtlpToPrometheus({ ...DEFAULTS, include_target_info: false }).convert(request([{ name: 'rt', unit: 'ms', summary: { dataPoints: [{ timeUnixNano: ns(T), count: '3', sum: 12, quantileValues: [{ quantile: 0.5, value: 3 }, { quantile: 0.99, value: 8 }] }] } }]));
    expect(byName(out.samples, 'rt_milliseconds').map((x) => [labelsOf(x).quantile, x.v])).toEqual([['0.5', 3], ['0.99', 8]]);
    expect(byName(out.samples, 'rt_milliseconds_sum')[0].v).toBe(12);
    expect(byName(out.samples, 'rt_milliseconds_count')[0].v).toBe(3);
  });

  test('no-recorded-value points become staleness markers', () => {
    const out = new OtlpToPrometheus({ ...DEFAULTS, include_target_info: false }).convert(request([{ name: 'g', gauge: { dataPoints: [{ ...point(1), flags: 1 }] } }]));
    expect(isStaleNaN(byName(out.samples, 'g')[0].v)).toBe(true);
  });

  test('older points of a series are skipped until gc forgets the series', () => {
    let now = T;
    const c = new OtlpToPrometheus({ ...DEFAULTS, include_target_info: false }, () => now);
    const g = (t: number) => request([{ name: 'g', gauge: { dataPoints: [point(t, {}, t)] } }]);
    expect(byName(c.convert(g(T)).samples, 'g')).toHaveLength(1);
    expect(byName(c.convert(g(T - 1000)).samples, 'g')).toHaveLength(0);
    now = T + 60_000;
    expect(c.gc(5 * 60_000)).toBe(0);
    now = T + 6 * 60_000;
    expect(c.gc(5 * 60_000)).toBe(1);
    expect(byName(c.convert(g(T - 1000)).samples, 'g')).toHaveLength(1);
  });

  test('resource_to_telemetry_conversion puts resource attributes on every series (resource wins a clash)', () => {
    const c = new OtlpToPrometheus({ ...DEFAULTS, include_target_info: false, include_scope_labels: false, resource_to_telemetry_conversion: true });
    const out = c.convert(request([{ name: 'g', gauge: { dataPoints: [point(1, { 'host.name': 'from-point', region: 'eu' })] } }]));
    expect(labelsOf(byName(out.samples, 'g')[0])).toEqual({ __name__: 'g', job: 'shop/checkout', instance: 'pod-1', host_name: 'node-a', region: 'eu', service_name: 'checkout', service_namespace: 'shop', service_instance_id: 'pod-1' });
  });

  test('add_metric_suffixes=false keeps the OTLP name (runes cleaned)', () => {
    const out = new OtlpToPrometheus({ ...DEFAULTS, include_target_info: false, add_metric_suffixes: false }).convert(request([{ name: 'http.requests', unit: 's', sum: { aggregationTemporality: 2, isMonotonic: true, dataPoints: [point(1)] } }]));
    expect(byName(out.samples, 'http_requests')).toHaveLength(1);
  });

  test('honor_metadata sends family metadata (type, help, unit), target_info included', () => {
    const out = new OtlpToPrometheus({ ...DEFAULTS, honor_metadata: true }).convert(request([{ name: 'rpc.duration', description: 'RPC time', unit: 's', histogram: { aggregationTemporality: 2, dataPoints: [] } }]));
    expect(out.extras.metadata.map((m) => [m.family, m.type, m.help, m.unit])).toEqual([['target_info', 'gauge', 'Target metadata', ''], ['rpc_duration_seconds', 'histogram', 'RPC time', 's']]);
    expect(new OtlpToPrometheus(DEFAULTS).convert(request([{ name: 'g', gauge: { dataPoints: [point(1)] } }])).extras.metadata).toHaveLength(0);
  });

  test('start_timestamp_zero_ingestion writes a 0 at the start time once per start, for counters only', () => {
    const c = new OtlpToPrometheus({ ...DEFAULTS, include_target_info: false, start_timestamp_zero_ingestion: true });
    const ctr = (t: number, v: number) => request([
      { name: 'c', sum: { aggregationTemporality: 2, isMonotonic: true, dataPoints: [{ ...point(v, {}, t), startTimeUnixNano: ns(T - 10_000) }] } },
      { name: 'g', gauge: { dataPoints: [{ ...point(v, {}, t), startTimeUnixNano: ns(T - 10_000) }] } },
    ]);
    const first = c.convert(ctr(T, 5));
    expect(byName(first.samples, 'c_total').map((x) => [x.t, x.v])).toEqual([[T - 10_000, 0], [T, 5]]);
    expect(byName(first.samples, 'g').map((x) => [x.t, x.v])).toEqual([[T, 5]]);
    expect(byName(c.convert(ctr(T + 1000, 6)).samples, 'c_total').map((x) => [x.t, x.v])).toEqual([[T + 1000, 6]]);
    const off = new OtlpToPrometheus({ ...DEFAULTS, include_target_info: false }).convert(ctr(T, 5));
    expect(byName(off.samples, 'c_total')).toHaveLength(1);
  });

  test('malformed input costs only its own metric and never throws', () => {
    const c = new OtlpToPrometheus(DEFAULTS);
    const bad = { resourceMetrics: [{ resource: { attributes: [] }, scopeMetrics: [{ metrics: [{ name: 'x', gauge: { dataPoints: null } } as unknown as Metric, { name: 'ok', gauge: { dataPoints: [point(1)] } }] }] }] } as Metrics;
    const out = c.convert(bad);
    expect(byName(out.samples, 'ok')).toHaveLength(1);
    expect(out.errors.length).toBe(1);
  });
});
