// What goes wrong, through whole configs: malformed OTLP gets the protocol's
// error (gRPC InvalidArgument, HTTP 400 with a google.rpc.Status body) and is
// never counted as accepted (on gRPC the call is counted with code 3 in
// rpc_server_duration_milliseconds); a refusing downstream is counted as refused and
// answered Unavailable / 503; an exporter whose server is down retries with
// backoff, then drops the batch with a counted reason, and the process lives on.
import http from 'node:http';
import zlib from 'node:zlib';
import * as grpc from '@grpc/grpc-js';
import { freePorts } from '../lib/ports.js';
import { waitFor } from '../lib/wait.js';
import { counterValue, otelController, recorders } from '../lib/otel-support.js';
import { decodeStatus, encodeRequest } from '../../src/otel/proto.js';
import type { Controller } from '../../src/runtime/controller.js';
import type { Traces } from '../../src/pipeline/otel.js';

function traces(n: number): Traces {
  const spans = Array.from({ length: n }, (_, i) => ({
    traceId: Buffer.alloc(16, 1),
    spanId: Buffer.from([0, 0, 0, 0, 0, 0, 0, i + 1]),
    name: `s${i}`,
    startTimeUnixNano: '1700000000000000000',
    endTimeUnixNano: '1700000000001000000',
    attributes: [],
  }));
  return { resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'errs' } }] }, scopeSpans: [{ scope: { name: 't' }, spans }] }] };
}

function post(port: number, path: string, body: Buffer | string, headers: Record<string, string>): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method: 'POST', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function grpcExport(port: number, body: Buffer): Promise<grpc.ServiceError | null> {
  const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  return new Promise((resolve) => {
    client.makeUnaryRequest('/opentelemetry.proto.collector.trace.v1.TraceService/Export', (b: Buffer) => b, (b: Buffer) => b, body, new grpc.Metadata(), {}, (err) => {
      client.close();
      resolve(err);
    });
  });
}

describe('malformed OTLP and a refusing pipeline', () => {
  let controller: Controller;
  let g: number;
  let h: number;
  beforeAll(async () => {
    [g, h] = await freePorts(2);
    ({ controller } = otelController());
    await controller.load(
      `otelcol.receiver.otlp "r" {
  grpc { endpoint = "127.0.0.1:${g}" }
  http { endpoint = "127.0.0.1:${h}" }
  output { traces = [testing.otel_recorder.sink.input] }
}
testing.otel_recorder "sink" { }
`,
      'errors.alloy',
    );
  });
  afterAll(() => controller?.stop());

  const accepted = (transport: string) => counterValue(controller, 'otelcol_receiver_accepted_spans_total', { transport });
  const refused = (transport: string) => counterValue(controller, 'otelcol_receiver_refused_spans_total', { transport });
  /** Calls observed by rpc_server_duration_milliseconds with this gRPC status code. */
  const rpcCalls = async (code: number): Promise<number> => {
    let n = 0;
    for (const registry of controller.componentRegistries()) {
      const m = (await registry.getMetricsAsJSON()).find((x) => x.name === 'rpc_server_duration_milliseconds');
      for (const v of (m?.values ?? []) as { metricName?: string; value: number; labels: Record<string, string | number> }[]) {
        if (v.metricName === 'rpc_server_duration_milliseconds_count' && v.labels.rpc_grpc_status_code === String(code) && v.labels.rpc_service === 'opentelemetry.proto.collector.trace.v1.TraceService' && v.labels.rpc_method === 'Export') n += v.value;
      }
    }
    return n;
  };

  test('gRPC: garbage is InvalidArgument, counted as a call with code 3 (no items); a good request is accepted', async () => {
    const err = await grpcExport(g, Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]));
    expect(err?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(err?.details).toMatch(/cannot decode the traces request/);
    expect(await accepted('grpc')).toBe(0);
    expect(await refused('grpc')).toBe(0);
    expect(await rpcCalls(grpc.status.INVALID_ARGUMENT)).toBe(1);
    expect(await rpcCalls(grpc.status.OK)).toBe(0);
    expect(await grpcExport(g, Buffer.from(encodeRequest('traces', traces(3))))).toBeNull();
    expect(await accepted('grpc')).toBe(3);
    expect(await rpcCalls(grpc.status.OK)).toBe(1);
  });

  test('HTTP: malformed protobuf, JSON, hex ids and gzip are 400 with a Status body in the request encoding', async () => {
    const bad = await post(h, '/v1/traces', Buffer.from([0x0a, 0xff, 0xff]), { 'Content-Type': 'application/x-protobuf' });
    expect(bad.status).toBe(400);
    expect(bad.headers['content-type']).toBe('application/x-protobuf');
    const st = decodeStatus(bad.body);
    expect(st.code).toBe(3); // INVALID_ARGUMENT
    expect(st.message).toMatch(/cannot decode the traces request/);

    const badJson = await post(h, '/v1/traces', '{"resourceSpans": [', { 'Content-Type': 'application/json' });
    expect(badJson.status).toBe(400);
    expect(JSON.parse(badJson.body.toString()).code).toBe(3);

    const badId = await post(h, '/v1/traces', JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: 'xyz', spanId: '0102030405060708', name: 'a' }] }] }] }), { 'Content-Type': 'application/json' });
    expect(badId.status).toBe(400);
    expect(JSON.parse(badId.body.toString()).message).toMatch(/traceId: "xyz" is not a hex string/);

    const badGzip = await post(h, '/v1/traces', Buffer.from('not gzip'), { 'Content-Type': 'application/x-protobuf', 'Content-Encoding': 'gzip' });
    expect(badGzip.status).toBe(400);

    const wrongType = await post(h, '/v1/traces', 'x', { 'Content-Type': 'text/plain' });
    expect(wrongType.status).toBe(415);
    const wrongPath = await post(h, '/v1/other', 'x', { 'Content-Type': 'application/json' });
    expect(wrongPath.status).toBe(404);
    expect(await accepted('http')).toBe(0);
  });

  test('HTTP/JSON per the OTLP spec: hex ids, integer enums, camelCase; gzip bodies; JSON answer', async () => {
    const body = JSON.stringify({
      resourceSpans: [{ resource: { attributes: [{ key: 'k', value: { intValue: '42' } }] }, scopeSpans: [{ spans: [{ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', name: 'j', kind: 2, startTimeUnixNano: '1700000000000000000', unknownField: 1 }] }] }],
    });
    const res = await post(h, '/v1/traces', zlib.gzipSync(body), { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    const rec = recorders.get('sink')!;
    const span = rec.traces.at(-1)!.data.resourceSpans[0].scopeSpans[0].spans[0];
    expect(Buffer.from(span.traceId).toString('hex')).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(Buffer.from(span.spanId).toString('hex')).toBe('b7ad6b7169203331');
    expect(span.kind).toBe(2);
    expect(span.startTimeUnixNano).toBe('1700000000000000000');
    expect(rec.traces.at(-1)!.data.resourceSpans[0].resource?.attributes[0].value?.intValue).toBe('42');
    expect(await accepted('http')).toBe(1);
    // zlib and deflate bodies too (both are zlib streams on the wire, as confighttp reads them).
    const pb = Buffer.from(encodeRequest('traces', traces(2)));
    for (const enc of ['deflate', 'zlib']) {
      expect((await post(h, '/v1/traces', zlib.deflateSync(pb), { 'Content-Type': 'application/x-protobuf', 'Content-Encoding': enc })).status).toBe(200);
    }
    expect((await post(h, '/v1/traces', pb, { 'Content-Type': 'application/x-protobuf', 'Content-Encoding': 'zstd' })).status).toBe(400);
    expect(await accepted('http')).toBe(5);
  });

  test('max_request_body_size is enforced', async () => {
    const [p] = await freePorts(1);
    const { controller: c } = otelController();
    try {
      await c.load(`otelcol.receiver.otlp "small" {\n  http {\n    endpoint = "127.0.0.1:${p}"\n    max_request_body_size = "1KiB"\n  }\n  output { }\n}\n`, 'small.alloy');
      const big = Buffer.from(encodeRequest('traces', traces(60)));
      expect(big.length).toBeGreaterThan(1024);
      expect((await post(p, '/v1/traces', big, { 'Content-Type': 'application/x-protobuf' })).status).toBe(413);
      const small = Buffer.from(encodeRequest('traces', traces(2)));
      expect((await post(p, '/v1/traces', small, { 'Content-Type': 'application/x-protobuf' })).status).toBe(200);
      // A small gzip body that inflates past the limit is refused too.
      const bomb = zlib.gzipSync(Buffer.from(encodeRequest('traces', traces(120))));
      expect(bomb.length).toBeLessThan(1024);
      expect((await post(p, '/v1/traces', bomb, { 'Content-Type': 'application/x-protobuf', 'Content-Encoding': 'gzip' })).status).toBe(400);
    } finally {
      await c.stop();
    }
  });

  test('a refusing downstream: Unavailable / 503, counted as refused', async () => {
    const rec = recorders.get('sink')!;
    rec.refuse = 'sink is full';
    try {
      const err = await grpcExport(g, Buffer.from(encodeRequest('traces', traces(4))));
      expect(err?.code).toBe(grpc.status.UNAVAILABLE);
      expect(await refused('grpc')).toBe(4);
      expect(await rpcCalls(grpc.status.UNAVAILABLE)).toBe(1);
      const res = await post(h, '/v1/traces', Buffer.from(encodeRequest('traces', traces(5))), { 'Content-Type': 'application/x-protobuf' });
      expect(res.status).toBe(503);
      expect(decodeStatus(res.body).message).toBe('sink is full');
      expect(await refused('http')).toBe(5);
    } finally {
      rec.refuse = undefined;
    }
  });
});

describe('an exporter whose server is down', () => {
  test('retries with backoff, then drops with a counted reason; a later request goes through', async () => {
    const [front, down] = await freePorts(2);
    const logs: Record<string, unknown>[] = [];
    const { controller } = otelController();
    // Capture the component's log lines (pino child loggers write through the controller's logger).
    const pino = (await import('pino')).default;
    const { Controller } = await import('../../src/runtime/controller.js');
    const { StandaloneOwnership } = await import('../../src/clustering/ownership.js');
    const { Registry } = await import('prom-client');
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    await controller.stop();
    const logger = pino({ level: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line)) });
    const c = new Controller({ logger, metrics: new Registry(), storagePath: fs.mkdtempSync(path.join(os.tmpdir(), 'alloy-otel-')), cluster: new StandaloneOwnership('n1') });
    const cfg = (withServer: boolean) => `
otelcol.receiver.otlp "front" {
  grpc { endpoint = "127.0.0.1:${front}" }
  output { traces = [otelcol.exporter.otlp.out.input] }
}
otelcol.exporter.otlp "out" {
  timeout = "500ms"
  client {
    endpoint = "127.0.0.1:${down}"
    tls { insecure = true }
  }
  retry_on_failure {
    initial_interval     = "50ms"
    max_interval         = "200ms"
    multiplier           = 2
    randomization_factor = 0
    max_elapsed_time     = "1s"
  }
}
${withServer ? `otelcol.receiver.otlp "back" {\n  grpc { endpoint = "127.0.0.1:${down}" }\n  output { traces = [testing.otel_recorder.back.input] }\n}\ntesting.otel_recorder "back" { }\n` : ''}`;
    try {
      await c.load(cfg(false), 'down.alloy');
      // The queue takes the request at once; the exporter retries in the background.
      expect(await grpcExport(front, Buffer.from(encodeRequest('traces', traces(7))))).toBeNull();
      await waitFor('send_failed counted', async () => (await counterValue(c, 'otelcol_exporter_send_failed_spans_total', { component_id: 'otelcol.exporter.otlp.out' })) === 7, { timeoutMs: 15_000 });
      expect(await counterValue(c, 'otelcol_exporter_sent_spans_total')).toBe(0);
      const retries = logs.filter((l) => l.msg === 'Exporting failed. Will retry the request after interval.');
      expect(retries.length).toBeGreaterThanOrEqual(2);
      const dropped = logs.find((l) => l.msg === 'Exporting failed. Dropping data.')!;
      expect(dropped).toMatchObject({ dropped_items: 7, reason: expect.stringMatching(/no more retries left/) });
      expect(String(dropped.err)).toMatch(/UNAVAILABLE/);
      // The server comes up: the same exporter (its channel reconnecting on gRPC's own backoff) delivers again.
      await c.load(cfg(true), 'down.alloy');
      let sent = 0;
      await waitFor(
        'delivered after recovery',
        async () => {
          if ((recorders.get('back')?.traces.length ?? 0) > 0) return true;
          expect(await grpcExport(front, Buffer.from(encodeRequest('traces', traces(3))))).toBeNull();
          sent++;
          return false;
        },
        { timeoutMs: 30_000, intervalMs: 1_000 },
      );
      expect(sent).toBeGreaterThan(0);
      expect(await counterValue(c, 'otelcol_exporter_sent_spans_total', { component_id: 'otelcol.exporter.otlp.out' })).toBeGreaterThanOrEqual(3);
    } finally {
      await c.stop();
    }
  });
});
