// Metrics and logs from the OpenTelemetry JS SDK, over HTTP, through a config
// whose receivers demand credentials and whose exporters present them:
// SDK (basic auth) -> receiver.otlp with otelcol.auth.basic (htpasswd) ->
// batch (metadata_keys) -> exporter.otlphttp (proto) with otelcol.auth.bearer
// -> receiver.otlp with the same bearer handler -> recorder; and
// exporter.otlp with otelcol.auth.headers copying a request header along.
import http from 'node:http';
import { createHash } from 'node:crypto';
import { metrics as _unused } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { freePorts } from '../lib/ports.js';
import { waitFor } from '../lib/wait.js';
import { counterValue, otelController, recorders } from '../lib/otel-support.js';
import type { Controller } from '../../src/runtime/controller.js';
import { encodeRequest } from '../../src/otel/proto.js';

void _unused;
const basic = `Basic ${Buffer.from('sdk:s3cret').toString('base64')}`;
const sha = `{SHA}${createHash('sha1').update('s3cret').digest('base64')}`;

describe('metrics and logs with auth on both sides', () => {
  let controller: Controller;
  let front: number;
  let back: number;
  let backGrpc: number;
  beforeAll(async () => {
    [front, back, backGrpc] = await freePorts(3);
    ({ controller } = otelController());
    await controller.load(
      `
otelcol.auth.basic "in" {
  htpasswd { inline = "sdk:${sha}" }
}
otelcol.auth.bearer "hop" {
  token = "t0ken"
}
otelcol.auth.headers "tenant" {
  header {
    key          = "X-Scope-OrgID"
    from_context = "x-tenant"
  }
  header {
    key   = "X-Fixed"
    value = "fixed-value"
  }
}
otelcol.receiver.otlp "front" {
  http {
    endpoint         = "127.0.0.1:${front}"
    auth             = otelcol.auth.basic.in.handler
    include_metadata = true
  }
  output {
    metrics = [otelcol.processor.batch.b.input]
    logs    = [otelcol.processor.batch.b.input]
  }
}
otelcol.processor.batch "b" {
  timeout       = "100ms"
  metadata_keys = ["x-tenant"]
  output {
    metrics = [otelcol.exporter.otlphttp.hop.input]
    logs    = [otelcol.exporter.otlphttp.hop.input, otelcol.exporter.otlp.tenant.input]
  }
}
otelcol.exporter.otlphttp "hop" {
  client {
    endpoint = "http://127.0.0.1:${back}"
    auth     = otelcol.auth.bearer.hop.handler
  }
}
otelcol.exporter.otlp "tenant" {
  client {
    endpoint = "127.0.0.1:${backGrpc}"
    auth     = otelcol.auth.headers.tenant.handler
    tls { insecure = true }
  }
}
otelcol.receiver.otlp "back" {
  http {
    endpoint = "127.0.0.1:${back}"
    auth     = otelcol.auth.bearer.hop.handler
  }
  grpc {
    endpoint         = "127.0.0.1:${backGrpc}"
    include_metadata = true
  }
  output {
    metrics = [testing.otel_recorder.back.input]
    logs    = [testing.otel_recorder.back.input]
  }
}
testing.otel_recorder "back" { }
`,
      'auth.alloy',
    );
  });
  afterAll(() => controller?.stop());

  test('SDK metrics arrive with their data points; counted on both receivers', async () => {
    const exporter = new OTLPMetricExporter({ url: `http://127.0.0.1:${front}/v1/metrics`, headers: { Authorization: basic, 'X-Tenant': 'team-a' } });
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 });
    const provider = new MeterProvider({ resource: resourceFromAttributes({ 'service.name': 'metrics-sdk' }), readers: [reader] });
    const meter = provider.getMeter('m');
    const counter = meter.createCounter('requests_total');
    counter.add(3, { route: '/a' });
    counter.add(4, { route: '/b' });
    meter.createHistogram('latency').record(12.5);
    // shutdown collects and exports once (a forceFlush first would export the cumulative points twice).
    await provider.shutdown();
    const rec = recorders.get('back')!;
    await waitFor('metrics at the far end', () => rec.metrics.length > 0, { timeoutMs: 20_000 });
    const metrics = rec.metrics.flatMap((m) => m.data.resourceMetrics.flatMap((r) => r.scopeMetrics.flatMap((s) => s.metrics)));
    const req = metrics.find((m) => m.name === 'requests_total')!;
    const points = req.sum!.dataPoints as { asDouble?: number; asInt?: string; attributes: { key: string; value: { stringValue: string } }[] }[];
    expect(points.map((p) => [p.attributes[0].value.stringValue, Number(p.asDouble ?? p.asInt)]).sort()).toEqual([
      ['/a', 3],
      ['/b', 4],
    ]);
    expect(metrics.find((m) => m.name === 'latency')?.histogram?.dataPoints).toHaveLength(1);
    // The far receiver counts after its consumer took the data, and the exporter after the answer: wait for both.
    const count = (name: string, id: string) => counterValue(controller, name, { component_id: id });
    await waitFor('counters settled', async () => (await count('otelcol_exporter_sent_metric_points_total', 'otelcol.exporter.otlphttp.hop')) === 3 && (await count('otelcol_receiver_accepted_metric_points_total', 'otelcol.receiver.otlp.back')) === 3);
    expect(await count('otelcol_receiver_accepted_metric_points_total', 'otelcol.receiver.otlp.front')).toBe(3);
  });

  test('SDK logs arrive with body and severity; the tenant header travels via metadata_keys and auth.headers', async () => {
    const exporter = new OTLPLogExporter({ url: `http://127.0.0.1:${front}/v1/logs`, headers: { Authorization: basic, 'X-Tenant': 'team-b' } });
    const provider = new LoggerProvider({ resource: resourceFromAttributes({ 'service.name': 'logs-sdk' }), processors: [new SimpleLogRecordProcessor({ exporter })] });
    const logger = provider.getLogger('l');
    for (let i = 0; i < 5; i++) logger.emit({ body: `line ${i}`, severityNumber: SeverityNumber.WARN, severityText: 'WARN', attributes: { i } });
    await provider.forceFlush();
    await provider.shutdown();
    const rec = recorders.get('back')!;
    const bodies = () => rec.logs.flatMap((l) => l.data.resourceLogs.flatMap((r) => r.scopeLogs.flatMap((s) => s.logRecords.map((x) => x.body?.stringValue))));
    // Each record arrives twice: over HTTP (bearer) and over gRPC (auth.headers).
    await waitFor('10 log records at the far end', () => bodies().length >= 10, { timeoutMs: 20_000 });
    expect(bodies().sort()).toEqual(['line 0', 'line 0', 'line 1', 'line 1', 'line 2', 'line 2', 'line 3', 'line 3', 'line 4', 'line 4']);
    const viaGrpc = rec.logs.filter((l) => l.ctx?.metadata?.['x-scope-orgid']);
    expect(viaGrpc.length).toBeGreaterThan(0);
    for (const l of viaGrpc) {
      expect(l.ctx!.metadata!['x-scope-orgid']).toEqual(['team-b']);
      expect(l.ctx!.metadata!['x-fixed']).toEqual(['fixed-value']);
    }
    const rec0 = rec.logs[0].data.resourceLogs[0].scopeLogs[0].logRecords[0];
    expect(rec0.severityNumber).toBe(SeverityNumber.WARN);
    expect(rec0.severityText).toBe('WARN');
  });

  test('wrong or missing credentials are 401 and never reach the pipeline', async () => {
    const before = await counterValue(controller, 'otelcol_receiver_accepted_log_records_total', { component_id: 'otelcol.receiver.otlp.front' });
    const body = Buffer.from(encodeRequest('logs', { resourceLogs: [{ scopeLogs: [{ logRecords: [{ attributes: [], body: { stringValue: 'x' } }] }] }] }));
    const send = (port: number, auth?: string) =>
      new Promise<number>((resolve, reject) => {
        const req = http.request({ host: '127.0.0.1', port, path: '/v1/logs', method: 'POST', headers: { 'Content-Type': 'application/x-protobuf', ...(auth ? { Authorization: auth } : {}) } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end(body);
      });
    expect(await send(front)).toBe(401);
    expect(await send(front, `Basic ${Buffer.from('sdk:wrong').toString('base64')}`)).toBe(401);
    expect(await send(back, 'Bearer nope')).toBe(401);
    const rec = recorders.get('back')!;
    const before2 = rec.logs.length;
    expect(await send(back, 'Bearer t0ken')).toBe(200);
    expect(await send(front, basic)).toBe(200);
    // Let the accepted record finish its trip (1 direct + 2 via the front), so nothing is in flight at shutdown.
    await waitFor('accepted records delivered', () => rec.logs.length >= before2 + 3, { timeoutMs: 20_000 });
    expect(await counterValue(controller, 'otelcol_receiver_accepted_log_records_total', { component_id: 'otelcol.receiver.otlp.front' })).toBe(before + 1);
  });
});
