// What the exporters put on the wire, seen by plain servers: otlphttp's
// per-signal URLs, JSON encoding, gzip, headers and Retry-After on 429;
// otlp's metadata headers, gzip (grpc-encoding) and authority.
import http from 'node:http';
import zlib from 'node:zlib';
import * as grpc from '@grpc/grpc-js';
import { freePorts } from '../lib/ports.js';
import { waitFor } from '../lib/wait.js';
import { counterValue, otelController } from '../lib/otel-support.js';
import { decodeRequest, encodeRequest, encodeResponse } from '../../src/otel/proto.js';

const traces = (n: number) => ({ resourceSpans: [{ scopeSpans: [{ spans: Array.from({ length: n }, (_, i) => ({ traceId: Buffer.alloc(16, 5), spanId: Buffer.alloc(8, i + 1), name: 'x', attributes: [] })) }] }] });

function postTo(port: number, body: Uint8Array): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/v1/traces', method: 'POST', headers: { 'Content-Type': 'application/x-protobuf' } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end(body);
  });
}

test('otlphttp: custom traces URL, JSON + gzip, headers; 429 with Retry-After is retried after the server asked', async () => {
  const seen: { url: string; headers: http.IncomingHttpHeaders; body: Buffer; at: number }[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks), at: Date.now() });
      if (seen.length === 1) {
        res.writeHead(429, { 'Retry-After': '1', 'Content-Type': 'application/json' }).end('{"code":8,"message":"slow down"}');
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
    });
  });
  const [front, sink] = await freePorts(2);
  await new Promise<void>((r) => server.listen(sink, '127.0.0.1', r));
  const { controller } = otelController();
  try {
    await controller.load(
      `otelcol.receiver.otlp "r" {
  http { endpoint = "127.0.0.1:${front}" }
  output { traces = [otelcol.exporter.otlphttp.e.input] }
}
otelcol.exporter.otlphttp "e" {
  encoding        = "json"
  traces_endpoint = "http://127.0.0.1:${sink}/custom/path"
  client {
    endpoint = "http://127.0.0.1:${sink}"
    headers  = { "X-Scope-OrgID" = "team-a" }
  }
  retry_on_failure {
    initial_interval = "10ms"
    max_interval     = "20ms"
  }
}
`,
      'http-opts.alloy',
    );
    expect(await postTo(front, encodeRequest('traces', traces(4)))).toBe(200);
    await waitFor('retried after 429', () => seen.length >= 2, { timeoutMs: 20_000 });
    const [first, second] = seen;
    expect(first.url).toBe('/custom/path');
    expect(first.headers['content-type']).toBe('application/json');
    expect(first.headers['content-encoding']).toBe('gzip');
    expect(first.headers['x-scope-orgid']).toBe('team-a');
    const json = JSON.parse(zlib.gunzipSync(first.body).toString('utf8'));
    expect(json.resourceSpans[0].scopeSpans[0].spans[0].traceId).toBe('05'.repeat(16));
    // Our own backoff would have retried after ~10 ms; the server asked for 1 s.
    expect(second.at - first.at).toBeGreaterThanOrEqual(950);
    await waitFor('sent counted', async () => (await counterValue(controller, 'otelcol_exporter_sent_spans_total')) === 4);
  } finally {
    await controller.stop();
    server.close();
  }
});

test('otlp: headers as metadata, authority override', async () => {
  const seen: { md: Record<string, unknown>; authority: string; spans: number }[] = [];
  const server = new grpc.Server();
  server.addService(
    { Export: { path: '/opentelemetry.proto.collector.trace.v1.TraceService/Export', requestStream: false, responseStream: false, requestSerialize: (b: Buffer) => b, requestDeserialize: (b: Buffer) => b, responseSerialize: (b: Buffer) => b, responseDeserialize: (b: Buffer) => b } },
    {
      Export: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
        const md = call.metadata.getMap();
        seen.push({ md, authority: String(call.getHost()), spans: decodeRequest('traces', call.request).resourceSpans[0].scopeSpans[0].spans.length });
        cb(null, Buffer.from(encodeResponse('traces')));
      },
    },
  );
  const [front, sink] = await freePorts(2);
  await new Promise<void>((r, j) => server.bindAsync(`127.0.0.1:${sink}`, grpc.ServerCredentials.createInsecure(), (e) => (e ? j(e) : r())));
  const { controller } = otelController();
  try {
    await controller.load(
      `otelcol.receiver.otlp "r" {
  http { endpoint = "127.0.0.1:${front}" }
  output { traces = [otelcol.exporter.otlp.e.input] }
}
otelcol.exporter.otlp "e" {
  client {
    endpoint  = "127.0.0.1:${sink}"
    headers   = { "X-Scope-OrgID" = "team-b" }
    authority = "tempo.example.com"
    tls { insecure = true }
  }
}
`,
      'grpc-opts.alloy',
    );
    expect(await postTo(front, encodeRequest('traces', traces(3)))).toBe(200);
    await waitFor('exported', () => seen.length === 1, { timeoutMs: 20_000 });
    expect(seen[0].md['x-scope-orgid']).toBe('team-b');
    expect(seen[0].authority).toBe('tempo.example.com');
    expect(seen[0].spans).toBe(3);
  } finally {
    await controller.stop();
    server.forceShutdown();
  }
});

test('otlp: compression gzip (the default) shrinks what crosses the wire; "none" does not', async () => {
  const net = await import('node:net');
  const server = new grpc.Server();
  let received = 0;
  server.addService(
    { Export: { path: '/opentelemetry.proto.collector.trace.v1.TraceService/Export', requestStream: false, responseStream: false, requestSerialize: (b: Buffer) => b, requestDeserialize: (b: Buffer) => b, responseSerialize: (b: Buffer) => b, responseDeserialize: (b: Buffer) => b } },
    { Export: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => { received += decodeRequest('traces', call.request).resourceSpans[0].scopeSpans[0].spans.length; cb(null, Buffer.from(encodeResponse('traces'))); } },
  );
  const [front, sink, pGzip, pNone] = await freePorts(4);
  await new Promise<void>((r, j) => server.bindAsync(`127.0.0.1:${sink}`, grpc.ServerCredentials.createInsecure(), (e) => (e ? j(e) : r())));
  // Byte-counting TCP relays in front of the server, one per exporter.
  const bytes = { gzip: 0, none: 0 };
  const relays = (['gzip', 'none'] as const).map((k, i) =>
    net.createServer((c) => {
      const up = net.connect(sink, '127.0.0.1');
      c.on('data', (d) => (bytes[k] += d.length));
      c.pipe(up).pipe(c);
      c.on('error', () => up.destroy());
      up.on('error', () => c.destroy());
    }).listen(i === 0 ? pGzip : pNone, '127.0.0.1'),
  );
  const { controller } = otelController();
  try {
    await controller.load(
      `otelcol.receiver.otlp "r" {
  http { endpoint = "127.0.0.1:${front}" }
  output { traces = [otelcol.exporter.otlp.gzip.input, otelcol.exporter.otlp.none.input] }
}
otelcol.exporter.otlp "gzip" {
  client {
    endpoint = "127.0.0.1:${pGzip}"
    tls { insecure = true }
  }
}
otelcol.exporter.otlp "none" {
  client {
    endpoint    = "127.0.0.1:${pNone}"
    compression = "none"
    tls { insecure = true }
  }
}
`,
      'gzip.alloy',
    );
    expect(await postTo(front, encodeRequest('traces', traces(200)))).toBe(200);
    await waitFor('both exported', () => received === 400, { timeoutMs: 20_000 });
    expect(bytes.none).toBeGreaterThan(200 * 30);
    expect(bytes.gzip * 3).toBeLessThan(bytes.none);
  } finally {
    await controller.stop();
    for (const r of relays) r.close();
    server.forceShutdown();
  }
});

test('otlphttp connection options: max_conns_per_host caps parallel connections; disable_keep_alives opens one per request', async () => {
  const sockets = new Set<unknown>();
  let active = 0;
  let maxActive = 0;
  let requests = 0;
  const server = http.createServer((req, res) => {
    sockets.add(req.socket);
    active++;
    maxActive = Math.max(maxActive, active);
    req.resume();
    req.on('end', () =>
      setTimeout(() => {
        active--;
        requests++;
        res.writeHead(200, { 'Content-Type': 'application/x-protobuf' }).end();
      }, 100),
    );
  });
  const [front, sink] = await freePorts(2);
  await new Promise<void>((r) => server.listen(sink, '127.0.0.1', r));
  const { controller } = otelController();
  const cfg = (extra: string) => `otelcol.receiver.otlp "r" {
  http { endpoint = "127.0.0.1:${front}" }
  output { traces = [otelcol.exporter.otlphttp.e.input] }
}
otelcol.exporter.otlphttp "e" {
  client {
    endpoint = "http://127.0.0.1:${sink}"
${extra}
  }
  sending_queue { num_consumers = 4 }
}
`;
  try {
    await controller.load(cfg('    max_conns_per_host = 1'), 'conns.alloy');
    for (let i = 0; i < 4; i++) expect(await postTo(front, encodeRequest('traces', traces(1)))).toBe(200);
    await waitFor('4 requests served', () => requests === 4, { timeoutMs: 20_000 });
    expect(maxActive).toBe(1);
    expect(sockets.size).toBe(1);

    sockets.clear();
    requests = 0;
    maxActive = 0;
    await controller.load(cfg('    disable_keep_alives = true'), 'conns.alloy');
    for (let i = 0; i < 3; i++) {
      expect(await postTo(front, encodeRequest('traces', traces(1)))).toBe(200);
      await waitFor('served', () => requests === i + 1, { timeoutMs: 20_000 });
    }
    expect(sockets.size).toBe(3);
  } finally {
    await controller.stop();
    server.close();
  }
});
