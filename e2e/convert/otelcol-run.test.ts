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

// A collector config with the processors that change data (attributes with an
// ${env:...} value, filter, transform), converted and run with the variable set:
// the spans arrive with the attribute from the environment and the
// transform's mark, and the filtered span does not arrive.
describe('alloy convert: converted attributes, filter and transform processors run as the Collector would', () => {
  let dir: string;
  let sink: Controller;
  let alloy: AlloyProcess | undefined;
  let ports: { http: number; sink: number };

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'otelcol-convert-proc-'));
    const [http, sinkPort] = await freePorts(2);
    ports = { http, sink: sinkPort };
    ({ controller: sink } = otelController());
    await sink.load(`
otelcol.receiver.otlp "sink" {
  grpc { endpoint = "127.0.0.1:${ports.sink}" }
  output { traces = [testing.otel_recorder.convert_proc.input] }
}
testing.otel_recorder "convert_proc" { }
`, 'sink.alloy');
  });
  afterAll(async () => {
    await alloy?.stop();
    await sink?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('convert -> validate -> run: op-0 is filtered out, the other 9 spans carry deployment.environment from the environment and the transform attribute', async () => {
    const yamlPath = path.join(dir, 'otelcol.yaml');
    const outPath = path.join(dir, 'converted.alloy');
    fs.writeFileSync(yamlPath, `receivers:
  otlp:
    protocols:
      http: { endpoint: 127.0.0.1:${ports.http} }
processors:
  attributes/env:
    actions:
      - { key: deployment.environment, value: "\${env:OTELCONV_DEPLOY}", action: insert }
  filter/health:
    error_mode: ignore
    traces:
      span: ['name == "op-0"']
  transform:
    error_mode: ignore
    trace_statements:
      - context: span
        statements: ['set(attributes["transformed"], true)']
exporters:
  otlp:
    endpoint: 127.0.0.1:${ports.sink}
    tls: { insecure: true }
service:
  pipelines:
    traces:
      receivers: [otlp]
      processors: [filter/health, attributes/env, transform]
      exporters: [otlp]
`);
    const conv = await alloyCli(['convert', '--source-format=otelcol', `--output=${outPath}`, yamlPath]);
    expect({ code: conv.code, stderr: conv.stderr }).toEqual({ code: 0, stderr: '' });
    const converted = fs.readFileSync(outPath, 'utf8');
    expect(converted).toContain('value  = coalesce(sys.env("OTELCONV_DEPLOY"), "")');
    const v = await alloyCli(['validate', outPath]);
    expect({ code: v.code, stderr: v.stderr }).toEqual({ code: 0, stderr: '' });

    alloy = await startAlloyProcess({ config: '', configPath: outPath, timeoutMs: 60_000, env: { OTELCONV_DEPLOY: 'e2e-env' } });
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'converted-proc' }),
      spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url: `http://127.0.0.1:${ports.http}/v1/traces` }))],
    });
    const tracer = provider.getTracer('convert-proc-e2e');
    const kept: string[] = [];
    for (let i = 0; i < 10; i++) {
      const s = tracer.startSpan(`op-${i}`);
      if (i > 0) kept.push(`${s.spanContext().traceId}/${s.spanContext().spanId}`);
      s.end();
    }
    await provider.forceFlush();
    await provider.shutdown();

    const rec = recorders.get('convert_proc')!;
    await waitFor('9 spans at the sink', () => spanIds(rec).length >= 9, { timeoutMs: 60_000 });
    // One more flush interval for a wrongly kept op-0 to show up.
    await new Promise((r) => setTimeout(r, 500));
    expect(spanIds(rec).sort()).toEqual([...kept].sort());
    const spans = rec.traces.flatMap((t) => t.data.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans)));
    for (const s of spans) {
      const attr = (k: string) => s.attributes?.find((a) => a.key === k)?.value;
      expect({ name: s.name, env: attr('deployment.environment')?.stringValue, transformed: attr('transformed')?.boolValue }).toEqual({ name: s.name, env: 'e2e-env', transformed: true });
      expect(s.name).not.toBe('op-0');
    }
  }, 180_000);
});
