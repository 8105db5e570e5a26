// The client block's channel settings as grpc-js receives them (keepalive and
// the balancer have no effect observable against one local server; headers,
// authority, compression, TLS and wait_for_ready are exercised in e2e/otel).
import { grpcChannelOptions, grpcTarget } from './grpc-transport.js';

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
