// TLS on both sides of OTLP, through whole configs: gRPC with a server
// certificate the exporter verifies by ca_file; HTTP with mutual TLS
// (client_ca_file) where a client without a certificate is turned away; and
// TLS versions that do not overlap failing the handshake (counted, dropped).
import http from 'node:http';
import https from 'node:https';
import { makeCert, type SelfSignedCert } from '../../src/net/certs.js';
import { encodeRequest } from '../../src/otel/proto.js';
import type { Controller } from '../../src/runtime/controller.js';
import { freePorts } from '../lib/ports.js';
import { waitFor } from '../lib/wait.js';
import { counterValue, otelController, recorders, spanIds } from '../lib/otel-support.js';

const traces = (n: number, tag: number) => ({
  resourceSpans: [{ scopeSpans: [{ spans: Array.from({ length: n }, (_, i) => ({ traceId: Buffer.alloc(16, tag), spanId: Buffer.alloc(8, i + 1), name: 's', attributes: [] })) }] }],
});

function post(port: number, body: Uint8Array): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/v1/traces', method: 'POST', headers: { 'Content-Type': 'application/x-protobuf' } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('OTLP over TLS', () => {
  let server: SelfSignedCert;
  let client: SelfSignedCert;
  let controller: Controller;
  let p: number[];
  beforeAll(async () => {
    server = makeCert({ commonName: 'otlp-server' });
    client = makeCert({ commonName: 'otlp-client' });
    p = await freePorts(6);
    ({ controller } = otelController());
    const [front, tlsGrpc, mtlsHttp, front2, v13] = p;
    await controller.load(
      `
otelcol.receiver.otlp "front" {
  http { endpoint = "127.0.0.1:${front}" }
  output { traces = [otelcol.exporter.otlp.verified.input, otelcol.exporter.otlphttp.mtls.input] }
}
otelcol.receiver.otlp "front2" {
  http { endpoint = "127.0.0.1:${front2}" }
  output { traces = [otelcol.exporter.otlp.unverified.input, otelcol.exporter.otlp.old.input, otelcol.exporter.otlp.wrongname.input] }
}
otelcol.receiver.otlp "front3" {
  http { endpoint = "127.0.0.1:${p[5]}" }
  output { traces = [otelcol.exporter.otlp.skip.input, otelcol.exporter.otlp.named.input] }
}
otelcol.exporter.otlp "skip" {
  client {
    endpoint = "127.0.0.1:${tlsGrpc}"
    tls { insecure_skip_verify = true }
  }
  sending_queue { enabled = false }
}
otelcol.exporter.otlp "named" {
  client {
    endpoint = "127.0.0.1:${tlsGrpc}"
    tls {
      ca_file     = "${server.certPath}"
      server_name = "localhost"
    }
  }
  sending_queue { enabled = false }
}
otelcol.exporter.otlp "wrongname" {
  client {
    endpoint = "127.0.0.1:${tlsGrpc}"
    tls {
      ca_file     = "${server.certPath}"
      server_name = "wrong.example"
    }
  }
  retry_on_failure { enabled = false }
}
otelcol.exporter.otlp "verified" {
  client {
    endpoint = "127.0.0.1:${tlsGrpc}"
    tls { ca_file = "${server.certPath}" }
  }
  sending_queue { enabled = false }
}
otelcol.exporter.otlp "unverified" {
  client { endpoint = "127.0.0.1:${tlsGrpc}" }
  retry_on_failure { enabled = false }
}
otelcol.exporter.otlp "old" {
  client {
    endpoint = "127.0.0.1:${v13}"
    tls {
      ca_file     = "${server.certPath}"
      max_version = "1.2"
    }
  }
  retry_on_failure { enabled = false }
}
otelcol.exporter.otlphttp "mtls" {
  client {
    endpoint = "https://127.0.0.1:${mtlsHttp}"
    tls {
      ca_file   = "${server.certPath}"
      cert_file = "${client.certPath}"
      key_file  = "${client.keyPath}"
    }
  }
  sending_queue { enabled = false }
}
otelcol.receiver.otlp "secure" {
  grpc {
    endpoint = "127.0.0.1:${tlsGrpc}"
    tls {
      cert_file = "${server.certPath}"
      key_file  = "${server.keyPath}"
    }
  }
  http {
    endpoint = "127.0.0.1:${mtlsHttp}"
    tls {
      cert_pem       = ${JSON.stringify(server.cert)}
      key_pem        = ${JSON.stringify(server.key)}
      client_ca_file = "${client.certPath}"
    }
  }
  output { traces = [testing.otel_recorder.secure.input] }
}
otelcol.receiver.otlp "tls13" {
  grpc {
    endpoint = "127.0.0.1:${v13}"
    tls {
      cert_file   = "${server.certPath}"
      key_file    = "${server.keyPath}"
      min_version = "1.3"
    }
  }
  output { traces = [testing.otel_recorder.secure.input] }
}
testing.otel_recorder "secure" { }
`,
      'tls.alloy',
    );
  });
  afterAll(async () => {
    await controller?.stop();
    server?.dispose();
    client?.dispose();
  });

  test('gRPC verified by ca_file and HTTP with a client certificate both deliver', async () => {
    expect(await post(p[0], encodeRequest('traces', traces(3, 7)))).toBe(200);
    const rec = recorders.get('secure')!;
    expect(spanIds(rec).length).toBe(6);
    expect(await counterValue(controller, 'otelcol_receiver_accepted_spans_total', { component_id: 'otelcol.receiver.otlp.secure', transport: 'grpc' })).toBe(3);
    expect(await counterValue(controller, 'otelcol_receiver_accepted_spans_total', { component_id: 'otelcol.receiver.otlp.secure', transport: 'http' })).toBe(3);
  });

  test('a client without a certificate is refused by the mutual-TLS HTTP server', async () => {
    const err = await new Promise<Error | undefined>((resolve) => {
      const req = https.request({ host: '127.0.0.1', port: p[2], path: '/v1/traces', method: 'POST', ca: server.cert, headers: { 'Content-Type': 'application/x-protobuf' } }, (res) => {
        res.resume();
        resolve(undefined);
      });
      req.on('error', resolve);
      req.end(encodeRequest('traces', traces(1, 1)));
    });
    expect(err).toBeDefined();
  });

  test('an unknown CA and non-overlapping TLS versions fail the handshake: counted, dropped, nothing delivered', async () => {
    const rec = recorders.get('secure')!;
    const before = spanIds(rec).length;
    // The queue accepts; the exporters fail in the background.
    expect(await post(p[3], encodeRequest('traces', traces(2, 9)))).toBe(200);
    await waitFor('both exporters counted their failure', async () => (await counterValue(controller, 'otelcol_exporter_send_failed_spans_total', { component_id: 'otelcol.exporter.otlp.unverified' })) === 2 && (await counterValue(controller, 'otelcol_exporter_send_failed_spans_total', { component_id: 'otelcol.exporter.otlp.old' })) === 2 && (await counterValue(controller, 'otelcol_exporter_send_failed_spans_total', { component_id: 'otelcol.exporter.otlp.wrongname' })) === 2, { timeoutMs: 30_000 });
    expect(spanIds(rec).length).toBe(before);
  });

  test('insecure_skip_verify accepts an unknown CA; server_name picks the name verified', async () => {
    const rec = recorders.get('secure')!;
    const before = spanIds(rec).length;
    expect(await post(p[5], encodeRequest('traces', traces(2, 11)))).toBe(200);
    expect(spanIds(rec).length).toBe(before + 4);
  });
});
