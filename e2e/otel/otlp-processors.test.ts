// The OTTL and attribute processors on real OTLP from the OpenTelemetry JS SDK:
// SDK -> otelcol.receiver.otlp -> otelcol.processor.attributes ->
// otelcol.processor.transform -> otelcol.processor.filter -> a recording
// consumer; spans over gRPC, logs and metrics over HTTP. Then
// otelcol.processor.memory_limiter refusing data: the receiver answers with a
// retryable error, the SDK retries, and once the limit is raised the data arrives.
import http from 'node:http';
import crypto from 'node:crypto';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPTraceExporter as GrpcTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as ProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { freePorts } from '../lib/ports.js';
import { waitFor } from '../lib/wait.js';
import { counterValue, otelController, recorders } from '../lib/otel-support.js';
import type { Controller } from '../../src/runtime/controller.js';
import type { KeyValue } from '../../src/pipeline/otel.js';
import { encodeRequest } from '../../src/otel/proto.js';

const attrs = (l: KeyValue[] | undefined) => Object.fromEntries((l ?? []).map((kv) => [kv.key, kv.value?.stringValue ?? kv.value?.intValue ?? kv.value?.doubleValue ?? kv.value?.boolValue]));

function pipeline(grpcPort: number, httpPort: number): string {
  return `
otelcol.receiver.otlp "edge" {
  grpc { endpoint = "127.0.0.1:${grpcPort}" }
  http { endpoint = "127.0.0.1:${httpPort}" }
  output {
    traces  = [otelcol.processor.attributes.a.input]
    metrics = [otelcol.processor.attributes.a.input]
    logs    = [otelcol.processor.attributes.a.input]
  }
}

otelcol.processor.attributes "a" {
  action {
    key    = "user.email"
    action = "hash"
  }
  action {
    key    = "region"
    value  = "planet-earth"
    action = "upsert"
  }
  exclude {
    match_type = "strict"
    resource {
      key   = "service.name"
      value = "internal"
    }
  }
  output {
    traces  = [otelcol.processor.transform.t.input]
    metrics = [otelcol.processor.transform.t.input]
    logs    = [otelcol.processor.transform.t.input]
  }
}

otelcol.processor.transform "t" {
  error_mode = "ignore"
  trace_statements {
    context    = "span"
    statements = [
      \`set(attributes["svc"], resource.attributes["service.name"])\`,
      \`replace_pattern(attributes["http.route"], "/users/\\\\d+", "/users/{id}")\`,
      \`set(status.code, STATUS_CODE_ERROR) where attributes["http.status_code"] >= 500\`,
    ]
  }
  metric_statements {
    context    = "metric"
    statements = [\`set(description, "counted") where type == METRIC_DATA_TYPE_SUM\`]
  }
  log_statements {
    context    = "log"
    statements = [
      \`merge_maps(cache, ParseJSON(body), "upsert") where IsMatch(body, "^\\\\{")\`,
      \`set(attributes["user"], cache["user"])\`,
      \`set(severity_text, "CRIT") where severity_number >= SEVERITY_NUMBER_ERROR\`,
    ]
  }
  output {
    traces  = [otelcol.processor.filter.f.input]
    metrics = [otelcol.processor.filter.f.input]
    logs    = [otelcol.processor.filter.f.input]
  }
}

otelcol.processor.filter "f" {
  traces {
    span = [\`name == "healthcheck"\`]
  }
  metrics {
    metric = [\`name == "drop_me"\`]
  }
  logs {
    log_record = [\`IsMatch(body, ".*password.*")\`, \`severity_number < SEVERITY_NUMBER_WARN\`]
  }
  output {
    traces  = [testing.otel_recorder.p.input]
    metrics = [testing.otel_recorder.p.input]
    logs    = [testing.otel_recorder.p.input]
  }
}

testing.otel_recorder "p" { }
`;
}

async function sendSpans(exporter: SpanExporter, service: string, spans: { name: string; attributes: Record<string, string | number> }[]): Promise<void> {
  const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': service }), spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const tracer = provider.getTracer('processors-test');
  for (const s of spans) tracer.startSpan(s.name, { attributes: s.attributes }).end();
  await provider.forceFlush();
  await provider.shutdown();
}

describe('attributes, transform and filter on SDK telemetry', () => {
  let controller: Controller;
  let grpcPort: number;
  let httpPort: number;

  beforeAll(async () => {
    [grpcPort, httpPort] = await freePorts(2);
    ({ controller } = otelController());
    await controller.load(pipeline(grpcPort, httpPort), 'processors.alloy');
  });
  afterAll(() => controller?.stop());

  test('spans over gRPC: hashed, upserted, rewritten, and the healthcheck dropped', async () => {
    const rec = recorders.get('p')!;
    await sendSpans(new GrpcTraceExporter({ url: `http://127.0.0.1:${grpcPort}` }), 'shop', [
      { name: 'GET /users', attributes: { 'user.email': 'ann@example.com', 'http.route': '/users/42', 'http.status_code': 503 } },
      { name: 'healthcheck', attributes: {} },
    ]);
    await sendSpans(new GrpcTraceExporter({ url: `http://127.0.0.1:${grpcPort}` }), 'internal', [{ name: 'internal-only', attributes: { 'user.email': 'bob@example.com' } }]);
    const spans = () => rec.traces.flatMap((r) => r.data.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans)));
    await waitFor('two spans recorded', () => spans().length >= 2, { timeoutMs: 20_000 });
    const byName = Object.fromEntries(spans().map((s) => [s.name, s]));
    expect(Object.keys(byName).sort()).toEqual(['GET /users', 'internal-only']);
    const get = attrs(byName['GET /users'].attributes);
    expect(get['user.email']).toBe(crypto.createHash('sha1').update('ann@example.com').digest('hex'));
    expect(get.region).toBe('planet-earth');
    expect(get.svc).toBe('shop');
    expect(get['http.route']).toBe('/users/{id}');
    expect((byName['GET /users'].status as { code?: number }).code).toBe(2);
    // exclude (resource service.name) kept the attributes processor off this span; transform still ran.
    const internal = attrs(byName['internal-only'].attributes);
    expect(internal['user.email']).toBe('bob@example.com');
    expect(internal.region).toBeUndefined();
    expect(internal.svc).toBe('internal');
  });

  test('logs over HTTP: JSON bodies parsed into attributes; password and low-severity records dropped', async () => {
    const rec = recorders.get('p')!;
    const provider = new LoggerProvider({ resource: resourceFromAttributes({ 'service.name': 'logs' }), processors: [new SimpleLogRecordProcessor({ exporter: new OTLPLogExporter({ url: `http://127.0.0.1:${httpPort}/v1/logs` }) })] });
    const logger = provider.getLogger('l');
    logger.emit({ body: '{"user":"ann","op":"login"}', severityNumber: SeverityNumber.ERROR, severityText: 'ERROR' });
    logger.emit({ body: 'the password is 1234', severityNumber: SeverityNumber.ERROR });
    logger.emit({ body: 'debug noise', severityNumber: SeverityNumber.DEBUG });
    logger.emit({ body: 'plain warning', severityNumber: SeverityNumber.WARN, severityText: 'WARN' });
    await provider.forceFlush();
    await provider.shutdown();
    const records = () => rec.logs.flatMap((l) => l.data.resourceLogs.flatMap((r) => r.scopeLogs.flatMap((s) => s.logRecords)));
    await waitFor('two log records recorded', () => records().length >= 2, { timeoutMs: 20_000 });
    // forceFlush resolved after every export was answered, so the dropped records had their chance to arrive.
    const bodies = records().map((r) => r.body?.stringValue).sort();
    expect(bodies).toEqual(['plain warning', '{"user":"ann","op":"login"}']);
    const json = records().find((r) => r.body?.stringValue?.startsWith('{'))!;
    expect(attrs(json.attributes)).toEqual({ region: 'planet-earth', user: 'ann' });
    expect(json.severityText).toBe('CRIT');
    expect(records().find((r) => r.body?.stringValue === 'plain warning')!.severityText).toBe('WARN');
  });

  test('metrics over HTTP: a metric dropped by name, sums described, data points upserted', async () => {
    const rec = recorders.get('p')!;
    const reader = new PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter({ url: `http://127.0.0.1:${httpPort}/v1/metrics` }), exportIntervalMillis: 60_000 });
    const provider = new MeterProvider({ resource: resourceFromAttributes({ 'service.name': 'metrics' }), readers: [reader] });
    const meter = provider.getMeter('m');
    meter.createCounter('requests_total').add(3, { route: '/a' });
    meter.createCounter('drop_me').add(1);
    meter.createHistogram('latency').record(5);
    await provider.shutdown();
    await waitFor('metrics recorded', () => rec.metrics.length > 0, { timeoutMs: 20_000 });
    const metrics = rec.metrics.flatMap((m) => m.data.resourceMetrics.flatMap((r) => r.scopeMetrics.flatMap((s) => s.metrics)));
    expect(metrics.map((m) => m.name).sort()).toEqual(['latency', 'requests_total']);
    const req = metrics.find((m) => m.name === 'requests_total')!;
    expect(req.description).toBe('counted');
    expect(metrics.find((m) => m.name === 'latency')!.description ?? '').toBe('');
    expect(attrs((req.sum!.dataPoints[0] as { attributes: KeyValue[] }).attributes)).toEqual({ route: '/a', region: 'planet-earth' });
  });

  test('an unsupported OTTL function fails the config load, naming the statement', async () => {
    const bad = pipeline(grpcPort, httpPort).replace('set(description, "counted")', 'convert_sum_to_gauge()');
    await expect(controller.load(bad, 'processors.alloy')).rejects.toThrow(/metric_statements\[0\]\.statements\[0\]: OTTL statement "convert_sum_to_gauge\(\) where type == METRIC_DATA_TYPE_SUM": column 1: unsupported function "convert_sum_to_gauge"/);
  });
});

function limiterConfig(p: { grpc: number; http: number; front: number }, limit: string): string {
  return `
otelcol.receiver.otlp "ml" {
  grpc { endpoint = "127.0.0.1:${p.grpc}" }
  http { endpoint = "127.0.0.1:${p.http}" }
  output {
    traces = [otelcol.processor.memory_limiter.m.input]
  }
}

otelcol.processor.memory_limiter "m" {
  check_interval = "50ms"
  limit          = "${limit}"
  output {
    traces = [testing.otel_recorder.ml.input]
  }
}

testing.otel_recorder "ml" { }

// A second Alloy hop in front: its gRPC exporter retries what the limiter refuses.
otelcol.receiver.otlp "front" {
  http { endpoint = "127.0.0.1:${p.front}" }
  output {
    traces = [otelcol.exporter.otlp.hop.input]
  }
}

otelcol.exporter.otlp "hop" {
  client {
    endpoint = "127.0.0.1:${p.grpc}"
    tls { insecure = true }
  }
  retry_on_failure {
    initial_interval = "200ms"
    max_interval     = "500ms"
  }
}
`;
}

describe('memory_limiter', () => {
  let controller: Controller;
  let p: { grpc: number; http: number; front: number };
  // Any test process uses more than 80% of 2 MiB: this limit refuses everything.
  const LOW = '2MiB';
  const HIGH = '1000GiB';

  beforeAll(async () => {
    const [grpc, http, front] = await freePorts(3);
    p = { grpc, http, front };
    ({ controller } = otelController());
    await controller.load(limiterConfig(p, LOW), 'limiter.alloy');
  });
  afterAll(() => controller?.stop());

  test('refused HTTP requests get 503 (retryable)', async () => {
    const body = Buffer.from(encodeRequest('traces', { resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: new Uint8Array(16).fill(1), spanId: new Uint8Array(8).fill(1), name: 'x', attributes: [] }] }] }] }));
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: p.http, path: '/v1/traces', method: 'POST', headers: { 'Content-Type': 'application/x-protobuf' } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end(body);
    });
    expect(status).toBe(503);
    expect(recorders.get('ml')!.traces).toHaveLength(0);
  });

  test('refused gRPC requests get UNAVAILABLE (the JS SDK gRPC exporter reports it; it does not retry)', async () => {
    await expect(sendSpans(new GrpcTraceExporter({ url: `http://127.0.0.1:${p.grpc}` }), 'grpc-sdk', [{ name: 'x', attributes: {} }])).rejects.toEqual([expect.objectContaining({ code: 14, details: 'data refused due to high memory usage' })]);
    expect(recorders.get('ml')!.traces).toHaveLength(0);
  });

  const cases: [string, string, () => SpanExporter][] = [
    ['the SDK over HTTP/protobuf (retries 503)', 'http', () => new ProtoTraceExporter({ url: `http://127.0.0.1:${p.http}/v1/traces` })],
    ['otelcol.exporter.otlp over gRPC (retries UNAVAILABLE)', 'grpc', () => new ProtoTraceExporter({ url: `http://127.0.0.1:${p.front}/v1/traces` })],
  ];
  test.each(cases)('%s: delivered once the limit is raised', async (_name, transport, make) => {
    await controller.load(limiterConfig(p, LOW), 'limiter.alloy');
    const rec = recorders.get('ml')!;
    rec.traces.length = 0;
    const refused = () => counterValue(controller, 'otelcol_receiver_refused_spans_total', { component_id: 'otelcol.receiver.otlp.ml', transport });
    const before = await refused();
    const sending = sendSpans(make(), `retry-${transport}`, [{ name: `span-${transport}`, attributes: {} }]);
    await waitFor('the first attempt refused', async () => (await refused()) > before, { timeoutMs: 20_000 });
    expect(rec.traces).toHaveLength(0);
    await controller.load(limiterConfig(p, HIGH), 'limiter.alloy');
    await sending;
    await waitFor('the retried span recorded', () => rec.traces.length > 0, { timeoutMs: 20_000 });
    const names = rec.traces.flatMap((r) => r.data.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans.map((s) => s.name))));
    expect(names).toEqual([`span-${transport}`]);
  });
});
