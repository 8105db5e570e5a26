// OTLP metrics from the OpenTelemetry JS SDK into a real Prometheus (2.42, remote
// write receiver): SDK -> otelcol.receiver.otlp -> otelcol.exporter.prometheus ->
// prometheus.remote_write -> Prometheus. The names (unit and _total suffixes),
// the job/instance labels from service.*, target_info, the scope labels, the
// classic histogram series and the values are read back through /api/v1/query.
// Delta-temporality metrics are dropped and counted, as in Alloy.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AggregationTemporalityPreference, OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationType, MeterProvider, PeriodicExportingMetricReader, type ViewOptions } from '@opentelemetry/sdk-metrics';
import { freePorts } from '../lib/ports.js';
import { promApi } from '../lib/prometheus-api.js';
import { spawnProcess, type SpawnedProcess } from '../lib/spawn.js';
import { waitFor } from '../lib/wait.js';
import { counterValue, otelController } from '../lib/otel-support.js';
import type { Controller } from '../../src/runtime/controller.js';

const PROMETHEUS = '/usr/bin/prometheus';
const have = fs.existsSync(PROMETHEUS);

interface VectorResult { metric: Record<string, string>; value: [number, string] }

let prom: SpawnedProcess | undefined;
let controller: Controller | undefined;
let base = '';
let otlpPort = 0;
let tmp = '';

const RESOURCE = { 'service.name': 'checkout', 'service.namespace': 'shop', 'service.instance.id': 'pod-7', 'deployment.environment': 'e2e' };

beforeAll(async () => {
  if (!have) return;
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'otel-prom-'));
  fs.writeFileSync(path.join(tmp, 'prometheus.yml'), 'global: {}\n');
  const [promPort, port] = await freePorts(2);
  otlpPort = port;
  base = `http://127.0.0.1:${promPort}`;
  prom = await spawnProcess(PROMETHEUS, [
    '--web.enable-remote-write-receiver',
    // Exponential histograms arrive as native histograms, which 2.42 stores only with this flag.
    '--enable-feature=native-histograms',
    `--storage.tsdb.path=${path.join(tmp, 'data')}`,
    `--web.listen-address=127.0.0.1:${promPort}`,
    `--config.file=${path.join(tmp, 'prometheus.yml')}`,
    '--log.level=warn',
  ], { name: 'prometheus', ready: { http: `${base}/-/ready` }, readyTimeoutMs: 30_000 });
  ({ controller } = otelController());
  await controller.load(`
otelcol.receiver.otlp "in" {
  http { endpoint = "127.0.0.1:${otlpPort}" }
  output { metrics = [otelcol.exporter.prometheus.bridge.input] }
}

otelcol.exporter.prometheus "bridge" {
  forward_to = [prometheus.remote_write.prom.receiver]
}

prometheus.remote_write "prom" {
  endpoint {
    url                    = "${base}/api/v1/write"
    send_native_histograms = true
    queue_config { batch_send_deadline = "50ms" }
  }
}
`, 'bridge-prometheus.alloy');
}, 60_000);

afterAll(async () => {
  await controller?.stop();
  await prom?.stop('SIGTERM', 30_000);
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

async function query(q: string): Promise<VectorResult[]> {
  return (await promApi<{ result: VectorResult[] }>(base, `/api/v1/query?query=${encodeURIComponent(q)}`)).result;
}

/** Records the instruments through a fresh SDK pipeline and pushes them once over OTLP/HTTP (JSON). */
async function pushMetrics(temporality: AggregationTemporalityPreference, record: (p: MeterProvider) => void, resource: Record<string, string> = RESOURCE, views: ViewOptions[] = []): Promise<void> {
  const exporter = new OTLPMetricExporter({ url: `http://127.0.0.1:${otlpPort}/v1/metrics`, temporalityPreference: temporality });
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  const provider = new MeterProvider({ resource: resourceFromAttributes(resource), readers: [reader], views });
  record(provider);
  await provider.forceFlush();
  await provider.shutdown();
}

const e2e = have ? describe : describe.skip;

e2e('SDK metrics through otelcol.exporter.prometheus into Prometheus 2.42', () => {
  test('names, labels, target_info, histogram buckets and values as Prometheus stores them', async () => {
    await pushMetrics(AggregationTemporalityPreference.CUMULATIVE, (p) => {
      const meter = p.getMeter('shop.payments', '2.1.0');
      const sent = meter.createCounter('payload.sent', { unit: 'By' });
      sent.add(1000, { 'http.route': '/pay' });
      sent.add(500, { 'http.route': '/pay' });
      const dur = meter.createHistogram('rpc.duration', { unit: 's', advice: { explicitBucketBoundaries: [0.1, 0.5, 1] } });
      for (const v of [0.05, 0.2, 0.3, 0.7, 3]) dur.record(v, { method: 'Charge' });
      const inflight = meter.createUpDownCounter('requests.inflight', { unit: '{requests}' });
      inflight.add(5);
      inflight.add(-2);
      meter.createObservableGauge('cpu.utilization', { unit: '1' }).addCallback((r) => r.observe(0.25, { core: '0' }));
    });

    const wantCommon = { job: 'shop/checkout', instance: 'pod-7', otel_scope_name: 'shop.payments', otel_scope_version: '2.1.0' };
    const counter = await waitFor('counter in Prometheus', async () => (await query('payload_sent_bytes_total'))[0], { timeoutMs: 30_000 });
    expect(counter.metric).toEqual({ __name__: 'payload_sent_bytes_total', http_route: '/pay', ...wantCommon });
    expect(Number(counter.value[1])).toBe(1500);

    const buckets = await waitFor('histogram buckets', async () => {
      const r = await query('rpc_duration_seconds_bucket');
      return r.length === 4 ? r : undefined;
    }, { timeoutMs: 30_000 });
    const byLe = Object.fromEntries(buckets.map((b) => [b.metric.le, Number(b.value[1])]));
    expect(byLe).toEqual({ '0.1': 1, '0.5': 3, '1': 4, '+Inf': 5 });
    expect(buckets[0].metric).toMatchObject({ method: 'Charge', ...wantCommon });
    expect(Number((await query('rpc_duration_seconds_count'))[0].value[1])).toBe(5);
    expect(Number((await query('rpc_duration_seconds_sum'))[0].value[1])).toBeCloseTo(4.25, 9);

    const inflight = await query('requests_inflight');
    expect(Number(inflight[0].value[1])).toBe(3);
    const cpu = await query('cpu_utilization_ratio');
    expect(cpu[0].metric).toMatchObject({ core: '0', ...wantCommon });
    expect(Number(cpu[0].value[1])).toBe(0.25);

    const ti = await query('target_info');
    expect(ti).toHaveLength(1);
    expect(ti[0].metric).toMatchObject({ __name__: 'target_info', job: 'shop/checkout', instance: 'pod-7', deployment_environment: 'e2e' });
    expect(ti[0].metric.service_name).toBeUndefined(); // mapped to job, so left out of target_info
    expect(Number(ti[0].value[1])).toBe(1);

    await waitFor('sent points counted', async () => (await counterValue(controller!, 'otelcol_exporter_sent_metric_points_total', { component_id: 'otelcol.exporter.prometheus.bridge' })) >= 4);
    expect(await counterValue(controller!, 'prometheus_forwarded_samples_total', { component_id: 'otelcol.exporter.prometheus.bridge' })).toBeGreaterThanOrEqual(10);
  }, 60_000);

  test('exponential histograms become native histograms in Prometheus', async () => {
    await pushMetrics(AggregationTemporalityPreference.CUMULATIVE, (p) => {
      const h = p.getMeter('sizes').createHistogram('payload.size', { unit: 'By' });
      for (const v of [100, 200, 400, 800, 1600]) h.record(v);
    }, { ...RESOURCE, 'service.instance.id': 'pod-exp' }, [{ instrumentName: 'payload.size', aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM } }]);
    const count = await waitFor('native histogram count', async () => (await query('histogram_count(payload_size_bytes{instance="pod-exp"})'))[0], { timeoutMs: 30_000 });
    expect(Number(count.value[1])).toBe(5);
    expect(Number((await query('histogram_sum(payload_size_bytes{instance="pod-exp"})'))[0].value[1])).toBe(3100);
    // The buckets put each value in the right place: 2 of 5 are below 300.
    const below = Number((await query('histogram_fraction(0, 300, payload_size_bytes{instance="pod-exp"})'))[0].value[1]);
    expect(below).toBeCloseTo(0.4, 1);
    // No classic series were written for it.
    expect(await query('{__name__=~"payload_size_bytes_(bucket|count|sum)"}')).toHaveLength(0);
  }, 60_000);

  test('delta counters and histograms are dropped and counted; nothing reaches Prometheus', async () => {
    const before = await counterValue(controller!, 'otelcol_exporter_send_failed_metric_points_total', { component_id: 'otelcol.exporter.prometheus.bridge' });
    await pushMetrics(AggregationTemporalityPreference.DELTA, (p) => {
      const meter = p.getMeter('delta.meter');
      meter.createCounter('delta.events').add(3);
      meter.createHistogram('delta.latency', { unit: 'ms' }).record(4);
    }, { ...RESOURCE, 'service.instance.id': 'pod-delta' });
    await waitFor('delta points counted as failed', async () => (await counterValue(controller!, 'otelcol_exporter_send_failed_metric_points_total', { component_id: 'otelcol.exporter.prometheus.bridge' })) >= before + 2, { timeoutMs: 20_000 });
    // The target_info of this push still arrives (same request, same remote write batch): once it is
    // there, the delta series would have been too.
    await waitFor('target_info of the delta push', async () => (await query('target_info{instance="pod-delta"}')).length === 1, { timeoutMs: 30_000 });
    expect(await query('delta_events_total')).toHaveLength(0);
    expect(await query('{__name__=~"delta_latency.*"}')).toHaveLength(0);
    expect(await counterValue(controller!, 'otelcol_receiver_refused_metric_points_total')).toBe(0);
  }, 60_000);
});
