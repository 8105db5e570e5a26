// Real OTLP from the OpenTelemetry JS SDK through two hops of a whole Alloy
// config: SDK -> otelcol.receiver.otlp -> otelcol.processor.batch ->
// otelcol.exporter.otlp (gRPC, gzip) / otelcol.exporter.otlphttp -> a second
// otelcol.receiver.otlp -> a recording consumer. Span ids and counts must be
// identical end to end, over gRPC, HTTP/protobuf and HTTP/JSON.
import { context, trace } from '@opentelemetry/api';
import { OTLPTraceExporter as GrpcTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { freePorts } from '../lib/ports.js';
import { waitFor } from '../lib/wait.js';
import { counterValue, otelController, recorders, spanIds } from '../lib/otel-support.js';
import type { Controller } from '../../src/runtime/controller.js';


function config(p: { inGrpc: number; inHttp: number; hop2: number; hop2Http: number }): string {
  return `
otelcol.receiver.otlp "edge" {
  grpc { endpoint = "127.0.0.1:${p.inGrpc}" }
  http { endpoint = "127.0.0.1:${p.inHttp}" }
  output {
    traces  = [otelcol.processor.batch.b.input]
    metrics = [otelcol.processor.batch.b.input]
    logs    = [otelcol.processor.batch.b.input]
  }
}

otelcol.processor.batch "b" {
  timeout         = "100ms"
  send_batch_size = 50
  output {
    traces  = [otelcol.exporter.otlp.grpc.input, otelcol.exporter.otlphttp.json.input]
    metrics = [otelcol.exporter.otlp.grpc.input]
    logs    = [otelcol.exporter.otlp.grpc.input]
  }
}

otelcol.exporter.otlp "grpc" {
  client {
    endpoint = "127.0.0.1:${p.hop2}"
    tls { insecure = true }
  }
}

otelcol.exporter.otlphttp "json" {
  encoding = "json"
  client { endpoint = "http://127.0.0.1:${p.hop2Http}" }
}

otelcol.receiver.otlp "hop2" {
  grpc { endpoint = "127.0.0.1:${p.hop2}" }
  http { endpoint = "127.0.0.1:${p.hop2Http}" }
  output {
    traces  = [testing.otel_recorder.grpc.input]
    metrics = [testing.otel_recorder.grpc.input]
    logs    = [testing.otel_recorder.grpc.input]
  }
}

testing.otel_recorder "grpc" { }
`;
}

/** Ends `n` spans under one root through `exporter`; returns their "traceid/spanid" strings. */
async function sendSpans(exporter: SpanExporter, n: number, service: string): Promise<string[]> {
  const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': service }), spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const tracer = provider.getTracer('two-hop-test', '1.0.0');
  const ids: string[] = [];
  const root = tracer.startSpan('root');
  const ctx = trace.setSpan(context.active(), root);
  for (let i = 0; i < n - 1; i++) {
    const child = tracer.startSpan(`child-${i}`, { attributes: { i } }, ctx);
    ids.push(`${child.spanContext().traceId}/${child.spanContext().spanId}`);
    child.end();
  }
  ids.push(`${root.spanContext().traceId}/${root.spanContext().spanId}`);
  root.end();
  await provider.forceFlush();
  await provider.shutdown();
  return ids;
}

describe('OTLP traces through two hops', () => {
  let controller: Controller;
  let ports: { inGrpc: number; inHttp: number; hop2: number; hop2Http: number };

  beforeAll(async () => {
    const [inGrpc, inHttp, hop2, hop2Http] = await freePorts(4);
    ports = { inGrpc, inHttp, hop2, hop2Http };
    ({ controller } = otelController());
    await controller.load(config(ports), 'two-hop.alloy');
  });
  afterAll(async () => {
    await controller?.stop();
  });

  const cases: [string, () => SpanExporter][] = [
    ['gRPC with gzip', () => new GrpcTraceExporter({ url: `http://127.0.0.1:${ports.inGrpc}`, compression: CompressionAlgorithm.GZIP })],
    ['HTTP/protobuf with gzip', () => new ProtoTraceExporter({ url: `http://127.0.0.1:${ports.inHttp}/v1/traces`, compression: CompressionAlgorithm.GZIP })],
    ['HTTP/JSON', () => new JsonTraceExporter({ url: `http://127.0.0.1:${ports.inHttp}/v1/traces` })],
  ];

  test.each(cases)('SDK over %s: every span arrives once at the far end, ids unchanged', async (_name, make) => {
    const rec = recorders.get('grpc')!;
    rec.traces.length = 0;
    const acceptedBefore = await counterValue(controller, 'otelcol_receiver_accepted_spans_total', { component_id: 'otelcol.receiver.otlp.edge' });
    const sent = await sendSpans(make(), 20, `svc-${_name}`);
    expect(new Set(sent).size).toBe(20);
    // The far receiver gets each span twice: once over gRPC (exporter.otlp), once over HTTP/JSON (exporter.otlphttp).
    await waitFor('40 spans at the far receiver', () => spanIds(rec).length >= 40, { timeoutMs: 30_000 });
    const got = spanIds(rec);
    expect(got.length).toBe(40);
    const counts = new Map<string, number>();
    for (const id of got) counts.set(id, (counts.get(id) ?? 0) + 1);
    expect([...counts.keys()].sort()).toEqual([...sent].sort());
    expect([...counts.values()].every((c) => c === 2)).toBe(true);
    // Resource attributes survive both hops.
    const services = rec.traces.flatMap((r) => r.data.resourceSpans.map((rs) => rs.resource?.attributes.find((a) => a.key === 'service.name')?.value?.stringValue));
    expect(new Set(services)).toEqual(new Set([`svc-${_name}`]));
    expect(await counterValue(controller, 'otelcol_receiver_accepted_spans_total', { component_id: 'otelcol.receiver.otlp.edge' })).toBe(acceptedBefore + 20);
    await waitFor('exporter sent counts', async () => (await counterValue(controller, 'otelcol_exporter_sent_spans_total', { component_id: 'otelcol.exporter.otlp.grpc' })) >= acceptedBefore + 20);
  });

  test('far receiver counts per transport', async () => {
    const hop2 = (transport: string) => counterValue(controller, 'otelcol_receiver_accepted_spans_total', { component_id: 'otelcol.receiver.otlp.hop2', transport });
    // Counters move after the consumer took the data (receiver) and after the answer (exporter): wait for them to settle.
    await waitFor('counters settled', async () => (await hop2('grpc')) === 60 && (await hop2('http')) === 60 && (await counterValue(controller, 'otelcol_exporter_sent_spans_total', { component_id: 'otelcol.exporter.otlphttp.json' })) === 60);
    expect(await counterValue(controller, 'otelcol_exporter_send_failed_spans_total')).toBe(0);
  });
});
