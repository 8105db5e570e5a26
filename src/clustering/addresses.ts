// Address helpers: resolving --cluster.join-addresses (a DNS name stands for
// all its A/AAAA records, re-resolved on every rejoin) and choosing the
// address this node advertises.
import { promises as dns } from 'node:dns';
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';

export type Lookup = (host: string) => Promise<{ address: string; family: number }[]>;

const defaultLookup: Lookup = (host) => dns.lookup(host, { all: true });

export interface HostPort {
  host: string;
  port: number | undefined;
}

/** Split "host", "host:port", "[v6]:port" or a bare IPv6 address. */
export function splitHostPort(s: string): HostPort {
  const v = s.trim();
  if (v.startsWith('[')) {
    const end = v.indexOf(']');
    if (end < 0) throw new Error(`invalid address "${s}": missing "]"`);
    const rest = v.slice(end + 1);
    if (rest && !/^:\d+$/.test(rest)) throw new Error(`invalid address "${s}"`);
    return { host: v.slice(1, end), port: rest ? Number(rest.slice(1)) : undefined };
  }
  if (isIP(v) === 6) return { host: v, port: undefined };
  const i = v.lastIndexOf(':');
  if (i < 0) return { host: v, port: undefined };
  const port = v.slice(i + 1);
  if (!/^\d+$/.test(port) || Number(port) > 65535) throw new Error(`invalid address "${s}": bad port "${port}"`);
  return { host: v.slice(0, i), port: Number(port) };
}

export function joinHostPort(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * Resolve join addresses to "ip:port" strings. Unresolvable entries are
 * reported in `errors` (a join address that does not resolve yet, e.g. a
 * headless Service with no ready pods, must not stop the node).
 */
export async function resolveJoinAddresses(
  addrs: readonly string[],
  defaultPort: number,
  lookup: Lookup = defaultLookup,
): Promise<{ addresses: string[]; errors: string[] }> {
  const out = new Set<string>();
  const errors: string[] = [];
  await Promise.all(
    addrs.map(async (a) => {
      try {
        const { host, port } = splitHostPort(a);
        const p = port ?? defaultPort;
        if (isIP(host)) {
          out.add(joinHostPort(host, p));
          return;
        }
        const records = await lookup(host);
        if (records.length === 0) throw new Error('no addresses');
        for (const r of records) out.add(joinHostPort(r.address, p));
      } catch (err) {
        errors.push(`${a}: ${(err as Error).message}`);
      }
    }),
  );
  return { addresses: [...out].sort(), errors };
}

const WILDCARDS = new Set(['', '0.0.0.0', '::', '[::]']);

/**
 * The address other nodes reach us at: --cluster.advertise-address (port
 * defaulting to ours), else the listen host when it is a specific address,
 * else the first IPv4 (then IPv6) address of the advertise interfaces.
 */
export function chooseAdvertiseAddress(
  opts: { advertiseAddress?: string; listenHost: string; advertiseInterfaces?: string[] },
  port: number,
  interfaces: ReturnType<typeof networkInterfaces> = networkInterfaces(),
): string {
  if (opts.advertiseAddress) {
    const hp = splitHostPort(opts.advertiseAddress);
    return joinHostPort(hp.host, hp.port ?? port);
  }
  if (!WILDCARDS.has(opts.listenHost)) return joinHostPort(opts.listenHost.replace(/^\[|\]$/g, ''), port);
  const wanted = opts.advertiseInterfaces?.length ? opts.advertiseInterfaces : ['eth0', 'en0'];
  const names = wanted.includes('all') ? Object.keys(interfaces) : wanted;
  for (const family of ['IPv4', 'IPv6']) {
    for (const n of names) {
      const addr = (interfaces[n] ?? []).find((i) => !i.internal && i.family === family);
      if (addr) return joinHostPort(addr.address, port);
    }
  }
  throw new Error(`cluster: cannot infer an address to advertise from interfaces ${names.join(', ')}; set --cluster.advertise-address`);
}

/**
 * The HTTP base URL peers can reach us at, from the URL the server reports
 * (http://host:port of the bound socket): a wildcard host (0.0.0.0, ::) is
 * replaced by the host of our advertised gossip address. Throws on a string
 * that is not an http(s) URL.
 */
export function advertisedHttpUrl(boundUrl: string, advertiseHost: string): string {
  let u: URL;
  try {
    u = new URL(boundUrl);
  } catch {
    throw new Error(`cluster: HTTP address "${boundUrl}" is not a URL`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`cluster: HTTP address "${boundUrl}" is not an http(s) URL`);
  if (WILDCARDS.has(u.hostname)) u.hostname = isIP(advertiseHost) === 6 ? `[${advertiseHost.replace(/^\[|\]$/g, '')}]` : advertiseHost;
  return u.origin;
}
