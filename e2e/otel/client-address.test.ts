// The client address travels with the data from both OTLP front ends (the
// connection association of otelcol.processor.k8sattributes depends on it).
import { OTLPTraceExporter as GrpcTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as ProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { BasicTracerProvider, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { Controller } from '../../src/runtime/controller.js';
import { freePorts } from '../lib/ports.js';
import { waitFor } from '../lib/wait.js';
import { otelController, recorders } from '../lib/otel-support.js';

async function sendOne(exporter: SpanExporter): Promise<void> {
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  provider.getTracer('addr').startSpan('op').end();
  await provider.forceFlush();
  await provider.shutdown();
}

describe('otelcol.receiver.otlp client address', () => {
  let controller: Controller;
  let grpcPort: number;
  let httpPort: number;
  beforeAll(async () => {
    [grpcPort, httpPort] = await freePorts(2);
    ({ controller } = otelController());
    await controller.load(
      `
otelcol.receiver.otlp "in" {
  grpc { endpoint = "127.0.0.1:${grpcPort}" }
  http { endpoint = "127.0.0.1:${httpPort}" }
  output { traces = [testing.otel_recorder.addr.input] }
}
testing.otel_recorder "addr" { }
`,
      'client-address.alloy',
    );
  });
  afterAll(() => controller?.stop());

  test('over gRPC and over HTTP from a bound 127.0.0.7 source', async () => {
    const rec = recorders.get('addr')!;
    await sendOne(new GrpcTraceExporter({ url: `http://127.0.0.1:${grpcPort}` }));
    await waitFor('the gRPC request', () => rec.traces.length === 1);
    expect(rec.traces[0].ctx?.clientAddress).toBe('127.0.0.1');
    await sendOne(new ProtoTraceExporter({ url: `http://127.0.0.1:${httpPort}/v1/traces`, httpAgentOptions: { localAddress: '127.0.0.7', keepAlive: false } }));
    await waitFor('the HTTP request', () => rec.traces.length === 2);
    expect(rec.traces[1].ctx?.clientAddress).toBe('127.0.0.7');
  }, 30_000);
});
