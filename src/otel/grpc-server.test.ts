// The grpc block's server options as grpc-js receives them (keepalive and limits
// have no observable effect within a short test, so the mapping is checked here;
// max_recv_msg_size and transport are exercised end to end in e2e/otel).
import { grpcServerOptions } from './grpc-server.js';

test('keepalive, stream and size arguments map to the grpc-js options of the same meaning', () => {
  const o = grpcServerOptions({
    endpoint: '127.0.0.1:0',
    transport: 'tcp',
    max_recv_msg_size: 8 << 20,
    max_concurrent_streams: 50,
    include_metadata: false,
    keepalive: {
      server_parameters: { max_connection_idle: 600_000, max_connection_age: 3_600_000, max_connection_age_grace: 30_000, time: 7_200_000, timeout: 20_000 },
      enforcement_policy: { min_time: 300_000, permit_without_stream: true },
    },
  });
  expect(o).toEqual({
    'grpc.max_receive_message_length': 8 << 20,
    'grpc.max_concurrent_streams': 50,
    'grpc.max_connection_idle_ms': 600_000,
    'grpc.max_connection_age_ms': 3_600_000,
    'grpc.max_connection_age_grace_ms': 30_000,
    'grpc.keepalive_time_ms': 7_200_000,
    'grpc.keepalive_timeout_ms': 20_000,
    'grpc.http2.min_ping_interval_without_data_ms': 300_000,
    'grpc.keepalive_permit_without_calls': 1,
  });
  // Unset durations stay unset: grpc-js's own infinity.
  expect(grpcServerOptions({ endpoint: 'x', transport: 'tcp', max_recv_msg_size: 1, include_metadata: false })).toEqual({ 'grpc.max_receive_message_length': 1 });
});
