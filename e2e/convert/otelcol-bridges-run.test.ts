// The bridges of `alloy convert --source-format=otelcol`, run: a collector
// config whose metrics go to a prometheusremotewrite exporter (basic auth from
// a basicauth extension, the password from ${env:...}) and whose logs go to a
// loki exporter, converted, validated and run by `alloy run`. The OpenTelemetry
// JS SDK's counter arrives at a remote write receiver as a Prometheus series
// (job from service.name, _total kept), with the credentials of the extension;
// its log record arrives at a Loki receiver.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { type AlloyProcess, startAlloyProcess } from '../lib/alloy-process.js';
import { freePorts } from '../lib/ports.js';
import { RemoteWriteReceiver } from '../../src/sandbox/receivers/remote-write-receiver.js';
import { startLokiReceiver, type LokiReceiver } from '../../src/sandbox/receivers/loki-receiver.js';
import { alloyCli } from './cli.js';

describe('alloy convert: prometheusremotewrite and loki exporters become working bridges', () => {
  let dir: string;
  let rw: RemoteWriteReceiver;
  let loki: LokiReceiver;
  let alloy: AlloyProcess | undefined;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'otelcol-convert-bridges-'));
    rw = await new RemoteWriteReceiver().start();
    loki = await startLokiReceiver();
  });
  afterAll(async () => {
    await alloy?.stop();
    await rw?.stop();
    await loki?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('convert -> validate -> run: the SDK counter at the remote write receiver with basic auth, the log line at Loki', async () => {
    const [http] = await freePorts(1);
    const yamlPath = path.join(dir, 'otelcol.yaml');
    const outPath = path.join(dir, 'converted.alloy');
    fs.writeFileSync(yamlPath, `receivers:
  otlp:
    protocols:
      http: { endpoint: 127.0.0.1:${http} }
extensions:
  basicauth/rw:
    client_auth: { username: tenant-1, password: "\${env:RW_PASSWORD}" }
exporters:
  prometheusremotewrite:
    endpoint: ${rw.url}
    external_labels: { cluster: conv }
    auth: { authenticator: basicauth/rw }
  loki:
    endpoint: ${loki.url}
service:
  extensions: [basicauth/rw]
  pipelines:
    metrics: { receivers: [otlp], exporters: [prometheusremotewrite] }
    logs: { receivers: [otlp], exporters: [loki] }
`);
    const conv = await alloyCli(['convert', '--source-format=otelcol', `--output=${outPath}`, yamlPath]);
    expect({ code: conv.code, stderr: conv.stderr }).toEqual({ code: 0, stderr: '' });
    const converted = fs.readFileSync(outPath, 'utf8');
    expect(converted).toContain('prometheus.remote_write "default"');
    expect(converted).toContain('loki.write "default"');
    const v = await alloyCli(['validate', outPath]);
    expect({ code: v.code, stderr: v.stderr }).toEqual({ code: 0, stderr: '' });

    alloy = await startAlloyProcess({ config: '', configPath: outPath, timeoutMs: 60_000, env: { RW_PASSWORD: 's3cret' } });

    const reader = new PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter({ url: `http://127.0.0.1:${http}/v1/metrics` }), exportIntervalMillis: 60_000 });
    const meters = new MeterProvider({ resource: resourceFromAttributes({ 'service.name': 'shop' }), readers: [reader] });
    meters.getMeter('m').createCounter('orders_total').add(7, { kind: 'book' });
    await meters.forceFlush();
    await meters.shutdown();

    const logs = new LoggerProvider({
      resource: resourceFromAttributes({ 'service.name': 'shop' }),
      processors: [new SimpleLogRecordProcessor({ exporter: new OTLPLogExporter({ url: `http://127.0.0.1:${http}/v1/logs` }) })],
    });
    logs.getLogger('l').emit({ body: 'order placed' });
    await logs.forceFlush();
    await logs.shutdown();

    const orders = () => [...rw.series.values()].find((s) => s.labels.__name__ === 'orders_total');
    await rw.waitFor(() => orders() !== undefined, 60_000, 'orders_total at the remote write receiver');
    const s = orders()!;
    expect(s.labels).toMatchObject({ job: 'shop', kind: 'book', cluster: 'conv' });
    expect(s.samples.at(-1)!.v).toBe(7);
    expect(rw.lastHeaders.authorization).toBe(`Basic ${Buffer.from('tenant-1:s3cret').toString('base64')}`);

    await loki.waitFor(() => loki.totalEntries() > 0, 60_000, 'the log line at Loki');
    const lines = [...loki.streams.values()].flatMap((st) => st.entries.map((e) => e.line));
    expect(lines.some((l) => l.includes('order placed'))).toBe(true);
  }, 180_000);
});
