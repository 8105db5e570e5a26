// The client block's channel settings as grpc-js receives them (keepalive and
// the balancer have no effect observable against one local server; headers,
// authority, compression, TLS and wait_for_ready are exercised in e2e/otel),
// and how a failed call is classified against a grpc-js server on loopback.
import * as grpc from '@grpc/grpc-js';
import pino from 'pino';
import { encodeStatusWithRetryDelay, SERVICE_NAMES } from '../proto.js';
import type { ExportError } from './export-error.js';
import { GrpcTransport, grpcChannelOptions, grpcTarget } from './grpc-transport.js';

test('keepalive, balancer, authority, server_name and compression map to grpc-js channel options', () => {
  const o = grpcChannelOptions({
    endpoint: 'tempo:4317',
    compression: 'gzip',
    headers: {},
    balancer_name: 'pick_first',
    authority: 'tempo.example.com',
    wait_for_ready: false,
    tls: { server_name: 'tempo.internal' },
    keepalive: { ping_wait: 30_000, ping_response_timeout: 10_000, ping_without_stream: true },
  });
  expect(o).toEqual({
    'grpc.default_compression_algorithm': 2,
    'grpc.service_config': '{"loadBalancingConfig":[{"pick_first":{}}]}',
    'grpc.max_send_message_length': -1,
    'grpc.default_authority': 'tempo.example.com',
    'grpc.ssl_target_name_override': 'tempo.internal',
    'grpc.keepalive_time_ms': 30_000,
    'grpc.keepalive_timeout_ms': 10_000,
    'grpc.keepalive_permit_without_calls': 1,
  });
  expect(grpcChannelOptions({ endpoint: 'x', compression: 'none', headers: {}, balancer_name: 'round_robin', wait_for_ready: false })['grpc.default_compression_algorithm']).toBe(0);
});

test('an http:// or https:// prefix picks plaintext or TLS and is stripped from the target', () => {
  expect(grpcTarget('http://a:1')).toEqual({ target: 'a:1', scheme: 'http' });
  expect(grpcTarget('https://a:1')).toEqual({ target: 'a:1', scheme: 'https' });
  expect(grpcTarget('a:1')).toEqual({ target: 'a:1' });
});

test('ResourceExhausted is retried only with a RetryInfo, after its delay; Unavailable is retried, InvalidArgument is not', async () => {
  // The server answers each call with the next scripted status (code, RetryInfo delay in ms or none).
  const script: [number, number | undefined][] = [
    [grpc.status.RESOURCE_EXHAUSTED, 1500],
    [grpc.status.RESOURCE_EXHAUSTED, undefined],
    [grpc.status.UNAVAILABLE, 250],
    [grpc.status.UNAVAILABLE, undefined],
    [grpc.status.INVALID_ARGUMENT, 300],
  ];
  const server = new grpc.Server();
  const id = (b: Buffer) => b;
  server.addService(
    { Export: { path: `/${SERVICE_NAMES.traces}/Export`, requestStream: false, responseStream: false, requestSerialize: id, requestDeserialize: id, responseSerialize: id, responseDeserialize: id } },
    {
      Export: (_call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
        const [code, delay] = script.shift()!;
        const metadata = new grpc.Metadata();
        if (delay !== undefined) metadata.set('grpc-status-details-bin', Buffer.from(encodeStatusWithRetryDelay(code, 'slow down', delay)));
        cb({ code, details: 'slow down', metadata });
      },
    },
  );
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
  const t = new GrpcTransport({ endpoint: `127.0.0.1:${port}`, compression: 'none', headers: {}, balancer_name: 'pick_first', wait_for_ready: false, tls: { insecure: true } }, pino({ level: 'silent' }));
  const attempt = async (): Promise<ExportError> => {
    try {
      await t.export('traces', { resourceSpans: [] }, undefined, new AbortController().signal);
    } catch (e) {
      return e as ExportError;
    }
    throw new Error('the export did not fail');
  };
  try {
    const seen = [];
    for (let i = 0; i < 5; i++) {
      const e = await attempt();
      seen.push([e.retryable, e.retryAfterMs]);
    }
    expect(seen).toEqual([
      [true, 1500],
      [false, undefined],
      [true, 250],
      [true, undefined],
      [false, undefined],
    ]);
  } finally {
    t.close();
    server.forceShutdown();
  }
});
