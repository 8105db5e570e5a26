// OTLP logs from the OpenTelemetry JS SDK into Loki and back into OTLP:
// SDK -> otelcol.receiver.otlp -> otelcol.exporter.loki -> loki.write -> a Loki
// push receiver (the real wire format), checking labels (exporter, job,
// instance, level, hinted attributes) and lines; and the same entries ->
// otelcol.receiver.loki -> otelcol.exporter.otlp (gRPC) -> a second
// otelcol.receiver.otlp, where the labels are attributes again. A record with
// an unknown loki.format is counted as failed and the others go through.
import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { freePorts } from '../lib/ports.js';
import { waitFor } from '../lib/wait.js';
import { counterValue, otelController, recorders } from '../lib/otel-support.js';
import { startLokiReceiver, type LokiReceiver } from '../../src/sandbox/receivers/loki-receiver.js';
import type { Controller } from '../../src/runtime/controller.js';
import type { LogRecord } from '../../src/pipeline/otel.js';

let loki: LokiReceiver;
let controller: Controller;
let otlpPort = 0;

beforeAll(async () => {
  loki = await startLokiReceiver();
  const [inPort, farPort] = await freePorts(2);
  otlpPort = inPort;
  ({ controller } = otelController());
  await controller.load(`
otelcol.receiver.otlp "in" {
  http { endpoint = "127.0.0.1:${inPort}" }
  output { logs = [otelcol.exporter.loki.bridge.input] }
}

otelcol.exporter.loki "bridge" {
  forward_to = [loki.write.sink.receiver, otelcol.receiver.loki.back.receiver]
}

loki.write "sink" {
  endpoint {
    url        = "${loki.url}"
    batch_wait = "50ms"
  }
}

otelcol.receiver.loki "back" {
  output { logs = [otelcol.exporter.otlp.out.input] }
}

otelcol.exporter.otlp "out" {
  client {
    endpoint = "127.0.0.1:${farPort}"
    tls { insecure = true }
  }
}

otelcol.receiver.otlp "far" {
  grpc { endpoint = "127.0.0.1:${farPort}" }
  output { logs = [testing.otel_recorder.far.input] }
}

testing.otel_recorder "far" { }
`, 'bridge-loki.alloy');
}, 30_000);

afterAll(async () => {
  await controller?.stop();
  await loki?.close();
});

const attr = (r: LogRecord, k: string) => r.attributes.find((a) => a.key === k)?.value?.stringValue;

test('SDK log records arrive in Loki with Alloy labels and lines, and come back as OTLP with the labels as attributes', async () => {
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': 'checkout', 'service.namespace': 'shop', 'service.instance.id': 'pod-7', 'deployment.environment': 'e2e', 'loki.resource.labels': 'deployment.environment' }),
    processors: [new SimpleLogRecordProcessor({ exporter: new OTLPLogExporter({ url: `http://127.0.0.1:${otlpPort}/v1/logs` }) })],
  });
  const logger = provider.getLogger('shop.logs', '1.0.0');
  logger.emit({ severityNumber: SeverityNumber.ERROR, severityText: 'ERROR', body: 'payment failed', attributes: { 'event.name': 'fail', 'loki.attribute.labels': 'event.name', order: 7 } });
  logger.emit({ severityNumber: SeverityNumber.INFO, body: 'msg=shipped id=42', attributes: { 'loki.format': 'logfmt' } });
  logger.emit({ body: 'cannot be written', attributes: { 'loki.format': 'xml' } });
  await provider.forceFlush();
  await provider.shutdown();

  await loki.waitFor(() => loki.totalEntries() >= 2, 30_000, 'two entries in Loki');
  const streams = [...loki.streams.values()];
  const error = streams.find((s) => s.labels.level === 'ERROR')!;
  expect(error.labels).toEqual({ exporter: 'OTLP', job: 'shop/checkout', instance: 'pod-7', deployment_environment: 'e2e', event_name: 'fail', level: 'ERROR' });
  expect(error.entries).toHaveLength(1);
  expect(JSON.parse(error.entries[0].line)).toEqual({
    body: 'payment failed',
    severity: 'ERROR',
    attributes: { order: 7 },
    resources: { 'service.instance.id': 'pod-7', 'service.name': 'checkout', 'service.namespace': 'shop' },
    instrumentation_scope: { name: 'shop.logs', version: '1.0.0' },
  });
  const info = streams.find((s) => s.labels.level === 'INFO')!;
  expect(info.entries[0].line).toBe('msg=shipped id=42 resource_service.name=checkout resource_service.namespace=shop resource_service.instance.id=pod-7 instrumentation_scope_name=shop.logs instrumentation_scope_version=1.0.0');
  expect(loki.totalEntries()).toBe(2);

  // The bad record is counted, the good ones went through.
  const id = { component_id: 'otelcol.exporter.loki.bridge' };
  expect(await counterValue(controller, 'otelcol_exporter_loki_entries_total', id)).toBe(3);
  expect(await counterValue(controller, 'otelcol_exporter_loki_entries_failed', id)).toBe(1);
  expect(await counterValue(controller, 'otelcol_exporter_loki_entries_processed', id)).toBe(2);

  // The round trip through otelcol.receiver.loki and OTLP/gRPC.
  const rec = recorders.get('far')!;
  const records = await waitFor('two records at the far receiver', () => {
    const all = rec.logs.flatMap((l) => l.data.resourceLogs.flatMap((r) => r.scopeLogs.flatMap((s) => s.logRecords)));
    return all.length >= 2 ? all : undefined;
  }, { timeoutMs: 30_000 });
  expect(records).toHaveLength(2);
  const back = records.find((r) => attr(r, 'level') === 'ERROR')!;
  expect(back.body?.stringValue).toBe(error.entries[0].line);
  expect(attr(back, 'loki.attribute.labels')).toBe('deployment_environment,event_name,exporter,instance,job,level');
  expect(attr(back, 'job')).toBe('shop/checkout');
  expect(BigInt(back.timeUnixNano!)).toBe(error.entries[0].ts);
  await waitFor('receiver.loki accepted count', async () => (await counterValue(controller, 'otelcol_receiver_accepted_log_records_total', { component_id: 'otelcol.receiver.loki.back' })) === 2);
}, 60_000);
