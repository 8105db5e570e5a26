import { clientIp, grpcPeerIp } from './receiver-sink.js';

test('socket addresses become the bare client IP', () => {
  expect(clientIp('127.0.0.5')).toBe('127.0.0.5');
  expect(clientIp('::ffff:127.0.0.5')).toBe('127.0.0.5');
  expect(clientIp('::1')).toBe('::1');
  expect(clientIp(undefined)).toBeUndefined();
});

test('grpc-js peers ("ip:port") lose their port; unknown peers give nothing', () => {
  expect(grpcPeerIp('127.0.0.5:51234')).toBe('127.0.0.5');
  expect(grpcPeerIp('::ffff:10.1.2.3:4000')).toBe('10.1.2.3');
  expect(grpcPeerIp('[::1]:4000')).toBe('::1');
  expect(grpcPeerIp('unknown')).toBeUndefined();
  expect(grpcPeerIp('')).toBeUndefined();
});
