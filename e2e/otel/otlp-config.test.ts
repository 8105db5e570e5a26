// Config-level behaviour of the otelcol components through the Controller:
// the decoder refuses a receiver of the wrong kind in `output` and a wrong
// handler in `auth`; validation names the bad value; receiver options that
// shape the servers (unix transport, max_recv_msg_size, CORS, keep-alives,
// custom paths) really apply; otelcol.exporter.debug logs what it gets.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import pino from 'pino';
import { Registry } from 'prom-client';
import { StandaloneOwnership } from '../../src/clustering/ownership.js';
import { encodeRequest } from '../../src/otel/proto.js';
import { Controller } from '../../src/runtime/controller.js';
import { freePorts } from '../lib/ports.js';
import { waitFor } from '../lib/wait.js';
import { counterValue, otelController, recorders, spanIds } from '../lib/otel-support.js';

const traces = (n: number) => ({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'cfg' } }] }, scopeSpans: [{ spans: Array.from({ length: n }, (_, i) => ({ traceId: Buffer.alloc(16, 3), spanId: Buffer.alloc(8, i + 1), name: `span-${i}`, attributes: [] })) }] }] });

function grpcCall(target: string, body: Buffer): Promise<grpc.ServiceError | null> {
  const c = new grpc.Client(target, grpc.credentials.createInsecure(), { 'grpc.max_send_message_length': -1 });
  return new Promise((resolve) =>
    c.makeUnaryRequest('/opentelemetry.proto.collector.trace.v1.TraceService/Export', (b: Buffer) => b, (b: Buffer) => b, body, new grpc.Metadata(), {}, (err) => {
      c.close();
      resolve(err);
    }),
  );
}

function request(port: number, o: { method: string; path: string; headers?: Record<string, string>; body?: Uint8Array }): Promise<{ status: number; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: o.path, method: o.method, headers: o.headers, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(o.body);
  });
}

describe('otelcol configs', () => {
  test('the decoder refuses non-consumers in output and non-handlers in auth, with position and both types', async () => {
    const { controller } = otelController();
    try {
      await expect(controller.load(`loki.write "l" { }\notelcol.receiver.otlp "r" {\n  output {\n    traces = [loki.write.l.receiver]\n  }\n}\n`, 'kinds.alloy')).rejects.toThrow(
        'kinds.alloy:4:14: traces[0]: expected capsule("otelcol.Consumer"), got capsule("loki.LogsReceiver")',
      );
      await expect(controller.load(`otelcol.exporter.debug "d" { }\notelcol.exporter.otlp "e" {\n  client {\n    endpoint = "127.0.0.1:1"\n    auth     = otelcol.exporter.debug.d.input\n  }\n}\n`, 'kinds.alloy')).rejects.toThrow(
        /auth: expected capsule\("otelcol.Handler"\), got capsule\("otelcol.Consumer"\)/,
      );
      await expect(controller.load(`prometheus.remote_write "w" { }\notelcol.processor.batch "b" {\n  output { metrics = [prometheus.remote_write.w.receiver] }\n}\n`, 'kinds.alloy')).rejects.toThrow(/got capsule\("storage.Appendable"\)/);
    } finally {
      await controller.stop();
    }
  });

  test.each([
    [`otelcol.processor.batch "b" {\n  send_batch_size     = 10\n  send_batch_max_size = 5\n  output { }\n}\n`, /send_batch_max_size must be greater or equal to send_batch_size/],
    [`otelcol.exporter.otlp "e" {\n  client { endpoint = "x:1" }\n  retry_on_failure { multiplier = 1 }\n}\n`, /multiplier must be greater than 1.0/],
    [`otelcol.exporter.otlp "e" {\n  client { endpoint = "x:1" }\n  sending_queue { sizer = "bytes" }\n}\n`, /invalid sizer: bytes/],
    [`otelcol.exporter.otlp "e" {\n  client {\n    endpoint    = "x:1"\n    compression = "zstd"\n  }\n}\n`, /compression: "zstd" is not supported/],
    [`otelcol.exporter.otlphttp "e" {\n  client { endpoint = "x:1" }\n}\n`, /must be an http:\/\/ or https:\/\/ URL/],
    [`otelcol.receiver.otlp "r" {\n  grpc { max_recv_msg_size = "lots" }\n  output { }\n}\n`, /max_recv_msg_size: invalid size "lots"/],
    [`otelcol.receiver.otlp "r" {\n  grpc {\n    tls { cert_file = "/x" }\n  }\n  output { }\n}\n`, /a server certificate and key are required/],
    [`otelcol.auth.headers "h" {\n  header {\n    key = "a"\n  }\n}\n`, /exactly one of value, from_context or from_attribute/],
    [`otelcol.exporter.debug "d" {\n  verbosity = "loud"\n}\n`, /verbosity: "loud"/],
  ])('validation: %#', async (cfg, want) => {
    const { controller } = otelController();
    try {
      await expect(controller.load(cfg, 'bad.alloy')).rejects.toThrow(want);
    } finally {
      await controller.stop();
    }
  });

  test('grpc: unix transport, max_recv_msg_size; http: custom path, CORS, keep_alives_enabled', async () => {
    const sock = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'alloy-otlp-sock-')), 'otlp.sock');
    const [h] = await freePorts(1);
    const { controller } = otelController();
    try {
      await controller.load(
        `otelcol.receiver.otlp "r" {
  grpc {
    endpoint          = "${sock}"
    transport         = "unix"
    max_recv_msg_size = "1KiB"
  }
  http {
    endpoint            = "127.0.0.1:${h}"
    traces_url_path     = "/custom/traces"
    keep_alives_enabled = false
    cors {
      allowed_origins = ["https://*.example.com"]
      allowed_headers = ["X-Tenant"]
      max_age         = 600
    }
  }
  output { traces = [testing.otel_recorder.cfg.input] }
}
testing.otel_recorder "cfg" { }
`,
        'options.alloy',
      );
      const rec = recorders.get('cfg')!;
      expect(await grpcCall(`unix:${sock}`, Buffer.from(encodeRequest('traces', traces(2))))).toBeNull();
      expect(spanIds(rec)).toHaveLength(2);
      const big = Buffer.from(encodeRequest('traces', traces(80)));
      expect(big.length).toBeGreaterThan(1024);
      expect((await grpcCall(`unix:${sock}`, big))?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);

      const body = encodeRequest('traces', traces(1));
      expect((await request(h, { method: 'POST', path: '/v1/traces', headers: { 'Content-Type': 'application/x-protobuf' }, body })).status).toBe(404);
      const ok = await request(h, { method: 'POST', path: '/custom/traces', headers: { 'Content-Type': 'application/x-protobuf', Origin: 'https://app.example.com' }, body });
      expect(ok.status).toBe(200);
      expect(ok.headers['access-control-allow-origin']).toBe('https://app.example.com');
      expect(ok.headers.connection).toBe('close');
      const pre = await request(h, { method: 'OPTIONS', path: '/custom/traces', headers: { Origin: 'https://app.example.com', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type, x-tenant' } });
      expect(pre.status).toBe(204);
      expect(pre.headers['access-control-allow-origin']).toBe('https://app.example.com');
      expect(pre.headers['access-control-allow-headers']).toBe('content-type, x-tenant');
      expect(pre.headers['access-control-max-age']).toBe('600');
      const denied = await request(h, { method: 'OPTIONS', path: '/custom/traces', headers: { Origin: 'https://evil.test', 'Access-Control-Request-Method': 'POST' } });
      expect(denied.headers['access-control-allow-origin']).toBeUndefined();
      const badHeader = await request(h, { method: 'OPTIONS', path: '/custom/traces', headers: { Origin: 'https://app.example.com', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'x-other' } });
      expect(badHeader.headers['access-control-allow-origin']).toBeUndefined();
    } finally {
      await controller.stop();
    }
  });

  test('otelcol.exporter.debug logs a summary, detailed records, and samples per second', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = pino({ level: 'info' }, { write: (l: string) => void lines.push(JSON.parse(l)) });
    const [h] = await freePorts(1);
    const c = new Controller({ logger, metrics: new Registry(), storagePath: fs.mkdtempSync(path.join(os.tmpdir(), 'alloy-otel-')), cluster: new StandaloneOwnership('n1') });
    try {
      await c.load(
        `otelcol.receiver.otlp "r" {
  http { endpoint = "127.0.0.1:${h}" }
  output { traces = [otelcol.exporter.debug.d.input] }
}
otelcol.exporter.debug "d" {
  verbosity           = "detailed"
  sampling_initial    = 1
  sampling_thereafter = 1000
}
`,
        'debug.alloy',
      );
      // Align to the start of a second so the three posts share one sampling window.
      await new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000) + 5));
      for (let i = 0; i < 3; i++) expect((await request(h, { method: 'POST', path: '/v1/traces', headers: { 'Content-Type': 'application/x-protobuf' }, body: encodeRequest('traces', traces(2)) })).status).toBe(200);
      const summaries = await waitFor('summary line', () => {
        const s = lines.filter((l) => l.msg === 'TracesExporter');
        return s.length > 0 && s;
      });
      expect(summaries[0]).toMatchObject({ 'resource spans': 1, spans: 2, component: 'otelcol.exporter.debug.d' });
      const detail = lines.find((l) => typeof l.msg === 'string' && (l.msg as string).startsWith('ResourceSpans #0'))!;
      expect(detail.msg).toContain('-> service.name: Str(cfg)');
      expect(detail.msg).toContain(`Trace ID       : ${'03'.repeat(16)}`);
      expect(detail.msg).toContain('Name           : span-1');
      // Only the first of the three batches in that second was logged (if the posts straddled a second, at most two).
      expect(summaries.length).toBeLessThanOrEqual(2);
    } finally {
      await c.stop();
    }
  });

  test('http idle_timeout is the keep-alive idle timeout; deprecated basic credentials serve both sides; debug output_paths writes a file', async () => {
    const [h] = await freePorts(1);
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'alloy-debug-')), 'debug.log');
    const { controller } = otelController();
    try {
      await controller.load(
        `otelcol.auth.basic "old" {
  username = "u"
  password = "p"
}
otelcol.receiver.otlp "r" {
  http {
    endpoint     = "127.0.0.1:${h}"
    idle_timeout = "7s"
    auth         = otelcol.auth.basic.old.handler
  }
  output { traces = [otelcol.exporter.debug.f.input] }
}
otelcol.exporter.debug "f" {
  use_internal_logger = false
  output_paths        = ["${out}"]
}
`,
        'idle.alloy',
      );
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      const res = await new Promise<{ status: number; keepAlive?: string }>((resolve, reject) => {
        const req = http.request({ host: '127.0.0.1', port: h, path: '/v1/traces', method: 'POST', agent, headers: { 'Content-Type': 'application/x-protobuf', Authorization: `Basic ${Buffer.from('u:p').toString('base64')}` } }, (r) => {
          r.resume();
          r.on('end', () => resolve({ status: r.statusCode ?? 0, keepAlive: r.headers['keep-alive'] as string | undefined }));
        });
        req.on('error', reject);
        req.end(encodeRequest('traces', traces(2)));
      });
      agent.destroy();
      expect(res.status).toBe(200);
      // The server announces (and enforces) its idle timeout on keep-alive connections.
      expect(res.keepAlive).toBe('timeout=7');
      const text = await waitFor('debug file written', () => fs.existsSync(out) && fs.readFileSync(out, 'utf8'));
      expect(text).toContain('TracesExporter\t{"resource spans":1,"spans":2}');
    } finally {
      await controller.stop();
    }
  });

  test('http read_header_timeout and write_timeout cut slow clients and slow answers', async () => {
    const net = await import('node:net');
    const [h] = await freePorts(1);
    const { controller } = otelController();
    try {
      await controller.load(
        `otelcol.receiver.otlp "r" {
  http {
    endpoint            = "127.0.0.1:${h}"
    read_header_timeout = "500ms"
    write_timeout       = "300ms"
  }
  output { traces = [testing.otel_recorder.slow.input] }
}
testing.otel_recorder "slow" {
  delay = "3s"
}
`,
        'timeouts.alloy',
      );
      // Headers that never end: the server hangs up (408 or a plain close) after read_header_timeout.
      const started = Date.now();
      const closed = await new Promise<number>((resolve) => {
        const s = net.connect(h, '127.0.0.1', () => s.write('POST /v1/traces HTTP/1.1\r\nHost: x\r\n'));
        s.on('data', () => {});
        s.on('close', () => resolve(Date.now() - started));
        s.on('error', () => {});
        setTimeout(() => s.destroy(), 10_000);
      });
      expect(closed).toBeGreaterThanOrEqual(400);
      expect(closed).toBeLessThan(5_000);
      // A downstream slower than write_timeout: the connection is dropped before an answer.
      const t0 = Date.now();
      const err = await new Promise<Error | undefined>((resolve) => {
        const req = http.request({ host: '127.0.0.1', port: h, path: '/v1/traces', method: 'POST', agent: false, headers: { 'Content-Type': 'application/x-protobuf' } }, (res) => {
          res.resume();
          resolve(undefined);
        });
        req.on('error', resolve);
        req.end(encodeRequest('traces', traces(1)));
      });
      expect(err?.message).toMatch(/socket hang up|ECONNRESET/);
      expect(Date.now() - t0).toBeLessThan(2_500);
    } finally {
      await controller.stop();
    }
  });

  test('otlp exporter wait_for_ready: a request waits for a server that comes up, instead of failing fast', async () => {
    const [front, back] = await freePorts(2);
    const { controller } = otelController();
    const cfg = (withBack: boolean) => `otelcol.receiver.otlp "front" {
  http { endpoint = "127.0.0.1:${front}" }
  output { traces = [otelcol.exporter.otlp.ready.input, otelcol.exporter.otlp.fast.input] }
}
otelcol.exporter.otlp "ready" {
  timeout = "15s"
  client {
    endpoint       = "127.0.0.1:${back}"
    wait_for_ready = true
    tls { insecure = true }
  }
  retry_on_failure { enabled = false }
}
otelcol.exporter.otlp "fast" {
  timeout = "15s"
  client {
    endpoint = "127.0.0.1:${back}"
    tls { insecure = true }
  }
  retry_on_failure { enabled = false }
}
${withBack ? `otelcol.receiver.otlp "back" {\n  grpc { endpoint = "127.0.0.1:${back}" }\n  output { traces = [testing.otel_recorder.ready.input] }\n}\ntesting.otel_recorder "ready" { }\n` : ''}`;
    try {
      await controller.load(cfg(false), 'ready.alloy');
      const post = () =>
        new Promise<number>((resolve, reject) => {
          const req = http.request({ host: '127.0.0.1', port: front, path: '/v1/traces', method: 'POST', headers: { 'Content-Type': 'application/x-protobuf' } }, (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          });
          req.on('error', reject);
          req.end(encodeRequest('traces', traces(2)));
        });
      expect(await post()).toBe(200);
      // "fast" fails at once (Unavailable, no retries); "ready" is still waiting.
      await waitFor('fast failed', async () => (await counterValue(controller, 'otelcol_exporter_send_failed_spans_total', { component_id: 'otelcol.exporter.otlp.fast' })) === 2, { timeoutMs: 10_000 });
      expect(await counterValue(controller, 'otelcol_exporter_send_failed_spans_total', { component_id: 'otelcol.exporter.otlp.ready' })).toBe(0);
      await controller.load(cfg(true), 'ready.alloy');
      await waitFor('ready delivered once the server is up', () => (recorders.get('ready')?.traces.length ?? 0) === 1, { timeoutMs: 20_000 });
      expect(await counterValue(controller, 'otelcol_exporter_sent_spans_total', { component_id: 'otelcol.exporter.otlp.ready' })).toBe(2);
    } finally {
      await controller.stop();
    }
  });

  test('gRPC auth both ways with otelcol.auth.bearer; exporter timeouts bound each attempt', async () => {
    const [front, back, slow, slowHttp] = await freePorts(4);
    const lines: Record<string, unknown>[] = [];
    const logger = pino({ level: 'info' }, { write: (l: string) => void lines.push(JSON.parse(l)) });
    const c = new Controller({ logger, metrics: new Registry(), storagePath: fs.mkdtempSync(path.join(os.tmpdir(), 'alloy-otel-')), cluster: new StandaloneOwnership('n1') });
    try {
      await c.load(
        `otelcol.auth.bearer "t" {
  token = "grpc-token"
}
otelcol.receiver.otlp "front" {
  http { endpoint = "127.0.0.1:${front}" }
  output { traces = [otelcol.exporter.otlp.authed.input, otelcol.exporter.otlp.impatient.input, otelcol.exporter.otlphttp.impatient.input] }
}
otelcol.exporter.otlp "authed" {
  client {
    endpoint = "127.0.0.1:${back}"
    auth     = otelcol.auth.bearer.t.handler
    tls { insecure = true }
  }
  sending_queue { enabled = false }
}
otelcol.exporter.otlp "impatient" {
  timeout = "300ms"
  client {
    endpoint = "127.0.0.1:${slow}"
    tls { insecure = true }
  }
  retry_on_failure { enabled = false }
}
otelcol.exporter.otlphttp "impatient" {
  client {
    endpoint = "http://127.0.0.1:${slowHttp}"
    timeout  = "300ms"
  }
  retry_on_failure { enabled = false }
}
otelcol.receiver.otlp "back" {
  grpc {
    endpoint = "127.0.0.1:${back}"
    auth     = otelcol.auth.bearer.t.handler
  }
  output { traces = [testing.otel_recorder.authed.input] }
}
otelcol.receiver.otlp "slow" {
  grpc { endpoint = "127.0.0.1:${slow}" }
  http { endpoint = "127.0.0.1:${slowHttp}" }
  output { traces = [testing.otel_recorder.slow2.input] }
}
testing.otel_recorder "authed" { }
testing.otel_recorder "slow2" {
  delay = "3s"
}
`,
        'grpc-auth.alloy',
      );
      expect((await grpcCall(`127.0.0.1:${back}`, Buffer.from(encodeRequest('traces', traces(1)))))?.code).toBe(grpc.status.UNAUTHENTICATED);
      expect((await request(front, { method: 'POST', path: '/v1/traces', headers: { 'Content-Type': 'application/x-protobuf' }, body: encodeRequest('traces', traces(2)) })).status).toBe(200);
      expect(spanIds(recorders.get('authed')!)).toHaveLength(2);
      await waitFor('both impatient exporters gave up', async () => (await counterValue(c, 'otelcol_exporter_send_failed_spans_total', { component_id: 'otelcol.exporter.otlp.impatient' })) === 2 && (await counterValue(c, 'otelcol_exporter_send_failed_spans_total', { component_id: 'otelcol.exporter.otlphttp.impatient' })) === 2, { timeoutMs: 10_000 });
      const drops = lines.filter((l) => l.msg === 'Exporting failed. Dropping data.');
      expect(drops.find((l) => l.component === 'otelcol.exporter.otlp.impatient')?.err).toBe('request timed out after 300ms');
      expect(drops.find((l) => l.component === 'otelcol.exporter.otlphttp.impatient')?.err).toBe('request timed out after 300ms');
    } finally {
      await c.stop();
    }
  });

  test('with ALLOY_LOOPBACK_ONLY=1 (as in the tests) the exporters refuse non-loopback servers and count the drop', async () => {
    expect(process.env.ALLOY_LOOPBACK_ONLY).toBe('1');
    const [front] = await freePorts(1);
    const { controller } = otelController();
    try {
      await controller.load(
        `otelcol.receiver.otlp "r" {
  http { endpoint = "127.0.0.1:${front}" }
  output { traces = [otelcol.exporter.otlp.far.input, otelcol.exporter.otlphttp.far.input] }
}
otelcol.exporter.otlp "far" {
  client {
    endpoint = "10.1.2.3:4317"
    tls { insecure = true }
  }
}
otelcol.exporter.otlphttp "far" {
  client { endpoint = "http://10.1.2.3:4318" }
}
`,
        'far.alloy',
      );
      expect((await request(front, { method: 'POST', path: '/v1/traces', headers: { 'Content-Type': 'application/x-protobuf' }, body: encodeRequest('traces', traces(2)) })).status).toBe(200);
      await waitFor('both refused and counted', async () => (await counterValue(controller, 'otelcol_exporter_send_failed_spans_total')) === 4, { timeoutMs: 10_000 });
    } finally {
      await controller.stop();
    }
  });
});
