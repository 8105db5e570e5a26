// host:port handling for target addresses, IPv6-aware: "[::1]:80",
// "10.0.0.1:80", bare "::1" or "10.0.0.1" (pod targets without a port).

/** Splits an address into host (without brackets) and port ('' when none). */
export function splitHostPort(address: string): { host: string; port: string } {
  if (address.startsWith('[')) {
    const end = address.indexOf(']');
    if (end < 0) return { host: address, port: '' };
    const rest = address.slice(end + 1);
    return { host: address.slice(1, end), port: rest.startsWith(':') ? rest.slice(1) : '' };
  }
  const first = address.indexOf(':');
  if (first < 0) return { host: address, port: '' };
  // More than one colon and no brackets: a bare IPv6 address, no port.
  if (address.indexOf(':', first + 1) >= 0) return { host: address, port: '' };
  return { host: address.slice(0, first), port: address.slice(first + 1) };
}

/** host:port, bracketing IPv6 hosts as Go's net.JoinHostPort does. */
export function joinHostPort(host: string, port: string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The address with its port replaced (or added). */
export function withPort(address: string, port: string): string {
  return joinHostPort(splitHostPort(address).host, port);
}

/** A TCP port number as written in an annotation: digits only, 1..65535. */
export function parsePort(value: string): string | undefined {
  if (!/^[0-9]{1,5}$/.test(value)) return undefined;
  const n = Number(value);
  return n >= 1 && n <= 65535 ? String(n) : undefined;
}
