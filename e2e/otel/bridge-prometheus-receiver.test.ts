// Prometheus samples into OTLP: prometheus.scrape (with honor_metadata; the
// types travel without it too, see bridge-prometheus-receiver-types.test.ts)
// -> otelcol.receiver.prometheus -> a recording consumer. The
// counter must arrive as a cumulative monotonic sum, the histogram rebuilt
// from its series with per-bucket counts, the gauge as a gauge, all under one
// resource named after the target (service.name = job, service.instance.id =
// instance).
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { Registry } from 'prom-client';
import { StandaloneOwnership } from '../../src/clustering/ownership.js';
import { Controller } from '../../src/runtime/controller.js';
import type { Metric } from '../../src/pipeline/otel.js';
import { waitFor } from '../lib/wait.js';
import { counterValue, recorders } from '../lib/otel-support.js';

const EXPOSITION = `# HELP shop_orders_total Orders placed.
# TYPE shop_orders_total counter
shop_orders_total{kind="book"} 12
# HELP shop_latency_seconds Request latency.
# TYPE shop_latency_seconds histogram
shop_latency_seconds_bucket{le="0.1"} 2
shop_latency_seconds_bucket{le="1"} 5
shop_latency_seconds_bucket{le="+Inf"} 6
shop_latency_seconds_sum 3.25
shop_latency_seconds_count 6
# TYPE shop_temperature gauge
shop_temperature 21.5
`;

let server: http.Server;
let controller: Controller;

beforeAll(async () => {
  server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end(EXPOSITION);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  controller = new Controller({
    logger: pino({ level: 'silent' }),
    metrics: new Registry(),
    storagePath: fs.mkdtempSync(path.join(os.tmpdir(), 'alloy-otel-prom-recv-')),
    cluster: new StandaloneOwnership('n1'),
    minStability: 'experimental',
  });
  await controller.load(`
prometheus.scrape "shop" {
  targets         = [{"__address__" = "127.0.0.1:${port}"}]
  forward_to      = [otelcol.receiver.prometheus.bridge.receiver]
  scrape_interval = "1s"
  scrape_timeout  = "900ms"
  honor_metadata  = true
}

otelcol.receiver.prometheus "bridge" {
  output { metrics = [testing.otel_recorder.out.input] }
}

testing.otel_recorder "out" { }
`, 'bridge-prometheus-receiver.alloy');
}, 30_000);

afterAll(async () => {
  await controller?.stop();
  await new Promise((r) => server?.close(r));
});

test('scraped families arrive as OTLP sums, histograms and gauges under the target resource', async () => {
  const rec = recorders.get('out')!;
  const find = (name: string): Metric | undefined => {
    for (const r of rec.metrics) for (const rm of r.data.resourceMetrics) for (const sm of rm.scopeMetrics) for (const m of sm.metrics) if (m.name === name) return m;
    return undefined;
  };
  await waitFor('scraped metrics in OTLP', () => find('shop_orders_total') && find('shop_latency_seconds') && find('shop_temperature'), { timeoutMs: 30_000 });

  const orders = find('shop_orders_total')!;
  expect(orders.description).toBe('Orders placed.');
  expect(orders.sum).toMatchObject({ aggregationTemporality: 2, isMonotonic: true });
  expect(orders.sum!.dataPoints[0]).toMatchObject({ asDouble: 12, attributes: [{ key: 'kind', value: { stringValue: 'book' } }] });

  const lat = find('shop_latency_seconds')!;
  expect(lat.histogram!.dataPoints[0]).toMatchObject({ count: '6', sum: 3.25, explicitBounds: [0.1, 1], bucketCounts: ['2', '3', '1'] });

  expect(find('shop_temperature')!.gauge!.dataPoints[0]).toMatchObject({ asDouble: 21.5 });
  expect(find('up')!.gauge!.dataPoints[0]).toMatchObject({ asDouble: 1 });

  const rm = rec.metrics.flatMap((r) => r.data.resourceMetrics).find((x) => x.scopeMetrics.some((s) => s.metrics.some((m) => m.name === 'shop_orders_total')))!;
  const attrs = Object.fromEntries(rm.resource!.attributes.map((a) => [a.key, a.value?.stringValue]));
  expect(attrs['service.name']).toBe('prometheus.scrape.shop');
  expect(attrs['service.instance.id']).toMatch(/^127\.0\.0\.1:\d+$/);
  expect(attrs['url.scheme']).toBe('');
  expect(rm.scopeMetrics[0].scope?.name).toBe('otelcol/prometheusreceiver');

  expect(await counterValue(controller, 'otelcol_receiver_accepted_metric_points_total', { component_id: 'otelcol.receiver.prometheus.bridge', transport: 'http' })).toBeGreaterThanOrEqual(3);
  expect(await counterValue(controller, 'otelcol_receiver_refused_metric_points_total')).toBe(0);
}, 60_000);
