import type { KeyValue, LogRecord, Resource } from '../../pipeline/otel.js';
import { entriesToLogs } from './loki-to-otlp.js';
import { logToLokiEntry, parseLogfmt } from './otlp-to-loki.js';

const s = (v: string) => ({ stringValue: v });
const kv = (o: Record<string, unknown>): KeyValue[] =>
  Object.entries(o).map(([key, v]) => ({ key, value: typeof v === 'string' ? s(v) : typeof v === 'number' ? { intValue: String(v) } : (v as KeyValue['value']) }));
const now = () => 999n;

const resource: Resource = { attributes: kv({ 'service.name': 'checkout', 'service.namespace': 'shop', 'service.instance.id': 'pod-1', 'k8s.pod.name': 'checkout-abc', 'loki.resource.labels': 'k8s.pod.name' }) };

describe('logToLokiEntry', () => {
  test('default labels, hinted labels, level from severity; promoted attributes leave the JSON line', () => {
    const lr: LogRecord = {
      timeUnixNano: '1700000000000000123',
      severityNumber: 17,
      severityText: 'Error',
      body: s('payment failed'),
      attributes: kv({ 'event.domain': 'payments', 'event.name': 'fail', 'loki.attribute.labels': 'event.domain, event.name', retry: 2 }),
      traceId: Buffer.alloc(16, 1),
      spanId: Buffer.alloc(8, 2),
    };
    const e = logToLokiEntry(lr, resource, { name: 'my.lib', version: '1.0' }, now);
    expect(e.labels).toEqual({ exporter: 'OTLP', job: 'shop/checkout', instance: 'pod-1', k8s_pod_name: 'checkout-abc', event_domain: 'payments', event_name: 'fail', level: 'ERROR' });
    expect(e.ts).toBe(1700000000000000123n);
    expect(e.line).toBe(
      '{"body":"payment failed","traceid":"01010101010101010101010101010101","spanid":"0202020202020202","severity":"Error","attributes":{"retry":2},' +
        '"resources":{"service.instance.id":"pod-1","service.name":"checkout","service.namespace":"shop"},"instrumentation_scope":{"name":"my.lib","version":"1.0"}}',
    );
    // The input is not modified (the batch may go to other consumers too).
    expect(lr.attributes.map((a) => a.key)).toEqual(['event.domain', 'event.name', 'loki.attribute.labels', 'retry']);
  });

  test('an existing level attribute wins over the severity; hints as lists; nested attribute names', () => {
    const lr: LogRecord = {
      severityNumber: 9,
      body: s('x'),
      attributes: kv({ level: 'notice', http: { kvlistValue: { values: kv({ method: 'GET' }) } }, 'loki.attribute.labels': { arrayValue: { values: [s('http.method')] } } }),
    };
    const e = logToLokiEntry(lr, { attributes: [] }, undefined, now);
    expect(e.labels).toEqual({ exporter: 'OTLP', level: 'notice', http_method: 'GET' });
    expect(e.ts).toBe(999n);
  });

  test('loki.format logfmt and raw; an unknown format throws with the reason', () => {
    const lr: LogRecord = { observedTimeUnixNano: '5', severityNumber: 10, body: s('msg=hello user=bob'), attributes: kv({ 'loki.format': 'logfmt', code: 'E1' }) };
    const e = logToLokiEntry(lr, { attributes: kv({ 'service.name': 'svc' }) }, { name: 'lib' }, now);
    expect(e.line).toBe('msg=hello user=bob attribute_code=E1 resource_service.name=svc instrumentation_scope_name=lib');
    expect(e.labels.level).toBe('INFO2');
    expect(e.ts).toBe(5n);
    const plain = logToLokiEntry({ body: s('not "logfmt'), attributes: kv({ 'loki.format': 'logfmt' }) }, undefined, undefined, now);
    expect(plain.line).toBe('msg="not \\"logfmt"');
    const raw = logToLokiEntry({ body: s('as is <3'), attributes: kv({ 'loki.format': 'raw', a: 'b' }) }, undefined, undefined, now);
    expect(raw.line).toBe('as is <3');
    expect(() => logToLokiEntry({ body: s('x'), attributes: kv({ 'loki.format': 'xml' }) }, undefined, undefined, now)).toThrow(/invalid format xml/);
  });

  test('JSON lines escape like Go and sort map keys; an empty body is left out', () => {
    const e = logToLokiEntry({ body: { kvlistValue: { values: kv({ z: 1, a: '<b>' }) } }, attributes: [] }, undefined, undefined, now);
    expect(e.line).toBe('{"body":{"a":"\\u003cb\\u003e","z":1}}');
    expect(logToLokiEntry({ attributes: kv({ k: 'v' }) }, undefined, undefined, now).line).toBe('{"attributes":{"k":"v"}}');
  });

  test('parseLogfmt: bare keys, quoted values; stray quotes are not logfmt', () => {
    expect(parseLogfmt('a=1 b="two words" c')).toEqual([['a', '1'], ['b', 'two words'], ['c', null]]);
    expect(parseLogfmt('a="open')).toBeUndefined();
    expect(parseLogfmt('=x')).toBeUndefined();
  });
});

describe('entriesToLogs', () => {
  test('line as body, labels as attributes named by loki.attribute.labels, filename as log.file.*', () => {
    const logs = entriesToLogs([{ labels: { filename: '/var/log/app/a.log', job: 'app' }, ts: 1234n, line: 'hello' }, { labels: {}, ts: 0n, line: 'no labels' }], 77n);
    const recs = logs.resourceLogs[0].scopeLogs[0].logRecords;
    expect(recs[0]).toEqual({
      timeUnixNano: '1234',
      observedTimeUnixNano: '77',
      body: s('hello'),
      attributes: kv({ 'log.file.path': '/var/log/app/a.log', 'log.file.name': 'a.log', 'loki.attribute.labels': 'filename,job', filename: '/var/log/app/a.log', job: 'app' }),
    });
    expect(recs[1]).toMatchObject({ timeUnixNano: '77', attributes: [] });
  });

  test('round trip: receiver.loki records through exporter.loki get their labels back', () => {
    const logs = entriesToLogs([{ labels: { app: 'web', namespace: 'prod' }, ts: 42n, line: 'GET /' }], 1n);
    const e = logToLokiEntry(logs.resourceLogs[0].scopeLogs[0].logRecords[0], logs.resourceLogs[0].resource, logs.resourceLogs[0].scopeLogs[0].scope, now);
    expect(e.labels).toEqual({ exporter: 'OTLP', app: 'web', namespace: 'prod' });
    expect(e.ts).toBe(42n);
    expect(e.line).toBe('{"body":"GET /"}');
  });
});
