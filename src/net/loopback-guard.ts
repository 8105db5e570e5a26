// A safety net for tests and the demo: with ALLOY_LOOPBACK_ONLY=1 the collector
// refuses to open connections to anything but loopback addresses, so a fixture
// with cluster-like pod IPs (10.x, 192.168.x) can never cause outside traffic.
import net from 'node:net';

export function loopbackOnly(): boolean {
  return process.env.ALLOY_LOOPBACK_ONLY === '1';
}

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (net.isIPv4(h)) return h.startsWith('127.');
  if (net.isIPv6(h)) return h === '::1' || h.startsWith('::ffff:127.');
  return false;
}

/** Throws when loopback-only mode is on and the URL's host is not loopback. */
export function assertAllowedUrl(url: URL): void {
  if (loopbackOnly() && !isLoopbackHost(url.hostname)) {
    throw new Error(`refused to connect to ${url.host}: ALLOY_LOOPBACK_ONLY=1 allows loopback addresses only`);
  }
}
