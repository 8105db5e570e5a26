import type { Metric, Metrics } from '../../pipeline/otel.js';
import type { MetricMetadata, Sample } from '../../pipeline/metrics.js';
import { STALE_NAN } from '../../pipeline/staleness.js';
import { PrometheusToOtlp } from './prom-to-otlp.js';

const T = 1_700_000_000_000;
const TARGET = ['instance', '10.0.0.5:8080', 'job', 'api'];
const sample = (name: string, v: number, extra: string[] = [], t = T): Sample => {
  const pairs: [string, string][] = [['__name__', name], ...pairsOf([...TARGET, ...extra])];
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : 1));
  return { labels: pairs.flat(), t, v };
};
function pairsOf(l: string[]): [string, string][] {
  return Array.from({ length: l.length / 2 }, (_, i) => [l[2 * i], l[2 * i + 1]]);
}
const meta = (family: string, type: MetricMetadata['type'], help = ''): MetricMetadata => ({ labels: ['__name__', family, ...TARGET], family, type, help, unit: '' });
const metrics = (m: Metrics): Metric[] => m.resourceMetrics.flatMap((r) => r.scopeMetrics.flatMap((s) => s.metrics));
const attrs = (p: { attributes?: { key: string; value?: { stringValue?: string } }[] }) => Object.fromEntries((p.attributes ?? []).map((a) => [a.key, a.value?.stringValue]));

describe('PrometheusToOtlp', () => {
  test('one resource per target with the Collector attributes; counters are cumulative monotonic sums', () => {
    const c = new PrometheusToOtlp();
    c.addMetadata([meta('http_requests_total', 'counter', 'Requests.')]);
    const r = c.convert([sample('http_requests_total', 12, ['code', '200'])]);
    expect(r.rejected).toBe(0);
    expect(r.points).toBe(1);
    const rm = r.metrics.resourceMetrics[0];
    expect(attrs(rm.resource!)).toEqual({ 'service.name': 'api', 'service.instance.id': '10.0.0.5:8080', 'net.host.name': '10.0.0.5', 'server.address': '10.0.0.5', 'net.host.port': '8080', 'server.port': '8080', 'http.scheme': '', 'url.scheme': '' });
    expect(rm.scopeMetrics[0].scope?.name).toBe('otelcol/prometheusreceiver');
    const m = metrics(r.metrics)[0];
    expect(m.name).toBe('http_requests_total');
    expect(m.description).toBe('Requests.');
    expect(m.sum).toMatchObject({ aggregationTemporality: 2, isMonotonic: true });
    const p = m.sum!.dataPoints[0] as { asDouble: number; timeUnixNano: string };
    expect(p.asDouble).toBe(12);
    expect(p.timeUnixNano).toBe(`${T}000000`);
    expect(attrs(p as never)).toEqual({ code: '200' });
  });

  test('without metadata a series is a gauge; loopback instances get no host attributes', () => {
    const c = new PrometheusToOtlp();
    const r = c.convert([{ labels: ['__name__', 'temp', 'instance', '127.0.0.1:9100', 'job', 'node'], t: T, v: 21.5 }]);
    expect(metrics(r.metrics)[0].gauge).toBeDefined();
    expect(attrs(r.metrics.resourceMetrics[0].resource!)['server.address']).toBeUndefined();
  });

  test('classic histograms are rebuilt from _bucket/_sum/_count with per-bucket counts', () => {
    const c = new PrometheusToOtlp();
    c.addMetadata([meta('rpc_seconds', 'histogram')]);
    const r = c.convert([
      sample('rpc_seconds_bucket', 2, ['le', '0.1']),
      sample('rpc_seconds_bucket', 5, ['le', '1']),
      sample('rpc_seconds_bucket', 9, ['le', '+Inf']),
      sample('rpc_seconds_sum', 3.5),
      sample('rpc_seconds_count', 9),
    ]);
    const m = metrics(r.metrics)[0];
    expect(m.name).toBe('rpc_seconds');
    expect(m.histogram!.dataPoints).toEqual([expect.objectContaining({ count: '9', sum: 3.5, explicitBounds: [0.1, 1], bucketCounts: ['2', '3', '4'], attributes: [] })]);
    expect(r.points).toBe(1);
  });

  test('summaries keep their quantiles; staleness markers become no-recorded-value points', () => {
    const c = new PrometheusToOtlp();
    c.addMetadata([meta('rt', 'summary')]);
    const r = c.convert([sample('rt', 3, ['quantile', '0.5']), sample('rt_sum', 10), sample('rt_count', 4), sample('gone', STALE_NAN)]);
    const [summary, gauge] = metrics(r.metrics);
    expect(summary.summary!.dataPoints[0]).toMatchObject({ count: '4', sum: 10, quantileValues: [{ quantile: 0.5, value: 3 }] });
    expect(gauge.gauge!.dataPoints[0]).toMatchObject({ flags: 1 });
  });

  test('target_info adds resource attributes; scope labels choose the scope', () => {
    const c = new PrometheusToOtlp();
    const r = c.convert([sample('target_info', 1, ['region', 'eu']), sample('g', 1, ['otel_scope_name', 'lib', 'otel_scope_version', '2'])]);
    expect(attrs(r.metrics.resourceMetrics[0].resource!).region).toBe('eu');
    expect(r.metrics.resourceMetrics[0].scopeMetrics[0].scope).toMatchObject({ name: 'lib', version: '2' });
    expect(attrs(metrics(r.metrics)[0].gauge!.dataPoints[0] as never)).toEqual({});
  });

  test('native histograms become exponential histograms (Prometheus index i is OTel index i-1)', () => {
    const c = new PrometheusToOtlp();
    const r = c.convert([], [{ labels: ['__name__', 'size', ...TARGET], t: T, h: { float: false, count: 5, sum: 9, schema: 1, zeroThreshold: 1e-128, zeroCount: 1, positiveSpans: [{ offset: 1, length: 2 }, { offset: 1, length: 1 }], positiveBuckets: [1, 1, -1], negativeSpans: [], negativeBuckets: [], resetHint: 0 } }]);
    const p = metrics(r.metrics)[0].exponentialHistogram!.dataPoints[0];
    expect(p).toMatchObject({ scale: 1, count: '5', sum: 9, zeroCount: '1', positive: { offset: 0, bucketCounts: ['1', '2', '0', '1'] } });
  });

  test('samples without a name or without job/instance are rejected and counted, the rest goes through', () => {
    const c = new PrometheusToOtlp();
    const r = c.convert([{ labels: ['job', 'x'], t: T, v: 1 }, { labels: ['__name__', 'orphan'], t: T, v: 1 }, sample('ok', 1)]);
    expect(r.rejected).toBe(2);
    expect(r.errors.join('; ')).toMatch(/without a metric name.*orphan: job or instance label missing/);
    expect(metrics(r.metrics).map((m) => m.name)).toEqual(['ok']);
  });

  test('exemplars sent before the floats join their series point (bucket exemplars the histogram point)', () => {
    const c = new PrometheusToOtlp();
    c.addMetadata([meta('req_total', 'counter'), meta('lat', 'histogram')]);
    const trace = 'ab'.repeat(16);
    c.addExemplars([
      { labels: ['__name__', 'req_total', ...TARGET], exemplarLabels: ['trace_id', trace, 'user', 'u1'], value: 1, t: T - 5 },
      { labels: ['le', '1', '__name__', 'lat_bucket', ...TARGET], exemplarLabels: ['span_id', 'cd'.repeat(8)], value: 0.7, t: T - 3 },
    ]);
    const r = c.convert([sample('req_total', 3), sample('lat_bucket', 1, ['le', '1']), sample('lat_bucket', 2, ['le', '+Inf']), sample('lat_count', 2), sample('lat_sum', 1.2)]);
    const [req, lat] = metrics(r.metrics);
    const ex = (req.sum!.dataPoints[0] as { exemplars: { traceId: Uint8Array; asDouble: number; timeUnixNano: string; filteredAttributes: unknown[] }[] }).exemplars;
    expect(Buffer.from(ex[0].traceId).toString('hex')).toBe(trace);
    expect(ex[0]).toMatchObject({ asDouble: 1, timeUnixNano: `${T - 5}000000`, filteredAttributes: [{ key: 'user', value: { stringValue: 'u1' } }] });
    const hex = (lat.histogram!.dataPoints[0] as { exemplars: { spanId: Uint8Array }[] }).exemplars;
    expect(Buffer.from(hex[0].spanId).toString('hex')).toBe('cd'.repeat(8));
    // Used once: the next batch carries none.
    const again = c.convert([sample('req_total', 4, [], T + 1000)]);
    expect((metrics(again.metrics)[0].sum!.dataPoints[0] as { exemplars?: unknown }).exemplars).toBeUndefined();
  });
});
