import { assertAllowedUrl, isLoopbackHost } from './loopback-guard.js';

test('loopback hosts', () => {
  for (const h of ['127.0.0.1', '127.0.0.9', 'localhost', '[::1]', '::1']) expect(isLoopbackHost(h)).toBe(true);
  for (const h of ['10.244.0.5', '192.168.49.2', 'example.com', '::2', '0.0.0.0']) expect(isLoopbackHost(h)).toBe(false);
});

test('ALLOY_LOOPBACK_ONLY=1 refuses other addresses', () => {
  const prev = process.env.ALLOY_LOOPBACK_ONLY;
  process.env.ALLOY_LOOPBACK_ONLY = '1';
  try {
    expect(() => assertAllowedUrl(new URL('http://10.244.1.2:8080/metrics'))).toThrow(/refused to connect to 10\.244\.1\.2:8080/);
    expect(() => assertAllowedUrl(new URL('http://127.0.0.5:8080/metrics'))).not.toThrow();
    process.env.ALLOY_LOOPBACK_ONLY = '0';
    expect(() => assertAllowedUrl(new URL('http://10.244.1.2:8080/metrics'))).not.toThrow();
  } finally {
    process.env.ALLOY_LOOPBACK_ONLY = prev;
  }
});
