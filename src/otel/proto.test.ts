// The codecs against the OpenTelemetry JS SDK's own serializers (an independent
// encoder): SDK protobuf and SDK JSON of the same spans decode to the same data,
// and what we encode the SDK-shaped decoders read back unchanged.
import { ProtobufTraceSerializer, JsonTraceSerializer, ProtobufLogsSerializer, JsonLogsSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { LoggerProvider, SimpleLogRecordProcessor, InMemoryLogRecordExporter } from '@opentelemetry/sdk-logs';
import { decodeJsonRequest, decodeRequest, decodeStatus, encodeJsonRequest, encodeRequest, encodeStatus } from './proto.js';

async function sdkSpans() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': 'p', answer: 42 }), spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const tracer = provider.getTracer('codec', '2.0');
  const s = tracer.startSpan('op', { attributes: { str: 'v', num: 1.5, flag: true, list: ['a', 'b'] } });
  s.addEvent('ev', { k: 'v' });
  s.end();
  await provider.forceFlush();
  return exporter.getFinishedSpans();
}

test('SDK protobuf and SDK JSON decode to the same traces; ids, enums, 64-bit times exact', async () => {
  const spans = await sdkSpans();
  const fromProto = decodeRequest('traces', ProtobufTraceSerializer.serializeRequest(spans)!);
  const fromJson = decodeJsonRequest('traces', Buffer.from(JsonTraceSerializer.serializeRequest(spans)!).toString('utf8'));
  expect(fromJson).toEqual(fromProto);
  const span = fromProto.resourceSpans[0].scopeSpans[0].spans[0];
  expect(Buffer.from(span.traceId).toString('hex')).toBe(spans[0].spanContext().traceId);
  expect(Buffer.from(span.spanId).toString('hex')).toBe(spans[0].spanContext().spanId);
  expect(span.kind).toBe(1); // SPAN_KIND_INTERNAL
  const [sec, ns] = spans[0].startTime;
  expect(span.startTimeUnixNano).toBe((BigInt(sec) * 1_000_000_000n + BigInt(ns)).toString());
  expect(fromProto.resourceSpans[0].scopeSpans[0].scope?.version).toBe('2.0');
});

test('our encoders round-trip through our decoders (protobuf and JSON)', async () => {
  const data = decodeRequest('traces', ProtobufTraceSerializer.serializeRequest(await sdkSpans())!);
  expect(decodeRequest('traces', encodeRequest('traces', data))).toEqual(data);
  const json = encodeJsonRequest('traces', data);
  expect(json).toMatch(/"traceId":"[0-9a-f]{32}"/);
  expect(decodeJsonRequest('traces', json)).toEqual(data);
});

test('logs from the SDK decode the same from protobuf and JSON', async () => {
  const exporter = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] });
  provider.getLogger('l').emit({ body: 'hello', severityNumber: 9, attributes: { a: 1 } });
  await provider.forceFlush();
  const records = exporter.getFinishedLogRecords();
  const a = decodeRequest('logs', ProtobufLogsSerializer.serializeRequest(records)!);
  const b = decodeJsonRequest('logs', Buffer.from(JsonLogsSerializer.serializeRequest(records)!).toString('utf8'));
  expect(b).toEqual(a);
  expect(a.resourceLogs[0].scopeLogs[0].logRecords[0].body?.stringValue).toBe('hello');
});

test('wrong shapes are refused with the reason', () => {
  expect(() => decodeJsonRequest('traces', '[]')).toThrow('request body must be a JSON object');
  expect(() => decodeJsonRequest('traces', '{"resourceSpans": 5}')).toThrow(/resourceSpans/);
  expect(() => decodeJsonRequest('traces', '{"resourceSpans":[{"scopeSpans":[{"spans":[{"spanId":"abc"}]}]}]}')).toThrow('spanId: "abc" is not a hex string');
  expect(decodeStatus(encodeStatus(3, 'bad'))).toEqual({ code: 3, message: 'bad' });
});
