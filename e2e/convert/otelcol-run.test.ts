// An OpenTelemetry Collector config converted by `alloy convert
// --source-format=otelcol` passes `alloy validate` and, run by `alloy run`,
// carries the OpenTelemetry JS SDK's spans through the converted pipeline
// (otlp receiver -> memory_limiter -> batch -> otlp exporter) to a receiver in
// this process, ids and resource unchanged.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { type AlloyProcess, startAlloyProcess } from '../lib/alloy-process.js';
import { counterValue, otelController, recorders, spanIds } from '../lib/otel-support.js';
import { freePorts } from '../lib/ports.js';
import { waitFor } from '../lib/wait.js';
import type { Controller } from '../../src/runtime/controller.js';
import { alloyCli } from './cli.js';

function collectorYaml(p: { grpc: number; http: number; sink: number }): string {
  return `receivers:
  otlp:
    protocols:
      grpc: { endpoint: 127.0.0.1:${p.grpc} }
      http: { endpoint: 127.0.0.1:${p.http} }
processors:
  memory_limiter: { check_interval: 1s, limit_mib: 1024 }
  batch: { timeout: 100ms, send_batch_size: 10 }
exporters:
  otlp/sink:
    endpoint: 127.0.0.1:${p.sink}
    tls: { insecure: true }
  debug: { verbosity: basic }
service:
  pipelines:
    traces:
      receivers: [otlp]
      processors: [memory_limiter, batch]
      exporters: [otlp/sink, debug]
`;
}

describe('alloy convert: a converted OTel Collector config runs and delivers spans', () => {
  let dir: string;
  let ports: { grpc: number; http: number; sink: number };
  let sink: Controller;
  let alloy: AlloyProcess | undefined;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'otelcol-convert-'));
    const [grpc, http, sink2] = await freePorts(3);
    ports = { grpc, http, sink: sink2 };
    ({ controller: sink } = otelController());
    await sink.load(`
otelcol.receiver.otlp "sink" {
  grpc { endpoint = "127.0.0.1:${ports.sink}" }
  output { traces = [testing.otel_recorder.convert.input] }
}
testing.otel_recorder "convert" { }
`, 'sink.alloy');
  });
  afterAll(async () => {
    await alloy?.stop();
    await sink?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('convert -> validate -> run: 25 SDK spans arrive once each at the receiver behind the converted exporter', async () => {
    const yamlPath = path.join(dir, 'otelcol.yaml');
    const outPath = path.join(dir, 'converted.alloy');
    fs.writeFileSync(yamlPath, collectorYaml(ports));
    const conv = await alloyCli(['convert', '--source-format=otelcol', `--output=${outPath}`, yamlPath]);
    expect(conv.code).toBe(0);
    const converted = fs.readFileSync(outPath, 'utf8');
    expect(converted).toContain('otelcol.processor.memory_limiter "default"');
    expect(converted).toContain('otelcol.exporter.otlp "default_sink"');

    const v = await alloyCli(['validate', outPath]);
    expect({ code: v.code, stderr: v.stderr }).toEqual({ code: 0, stderr: '' });

    alloy = await startAlloyProcess({ config: '', configPath: outPath, timeoutMs: 60_000 });
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'converted' }),
      spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url: `http://127.0.0.1:${ports.http}/v1/traces` }))],
    });
    const tracer = provider.getTracer('convert-e2e');
    const sent: string[] = [];
    for (let i = 0; i < 25; i++) {
      const s = tracer.startSpan(`op-${i}`);
      sent.push(`${s.spanContext().traceId}/${s.spanContext().spanId}`);
      s.end();
    }
    await provider.forceFlush();
    await provider.shutdown();

    const rec = recorders.get('convert')!;
    await waitFor('25 spans at the sink', () => spanIds(rec).length >= 25, { timeoutMs: 60_000 });
    expect(spanIds(rec).sort()).toEqual([...sent].sort());
    const services = rec.traces.flatMap((t) => t.data.resourceSpans.map((r) => r.resource?.attributes?.find((a) => a.key === 'service.name')?.value?.stringValue));
    expect(new Set(services)).toEqual(new Set(['converted']));
    expect(await counterValue(sink, 'otelcol_receiver_accepted_spans_total', { component_id: 'otelcol.receiver.otlp.sink' })).toBe(25);
  }, 180_000);
});
