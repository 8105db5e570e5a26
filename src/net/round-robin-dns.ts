// round_robin_dns (Prometheus's dialContextWithRoundRobinDNS): every new
// connection resolves the host and dials one of its addresses chosen at
// random, so the connections of a client spread over all the addresses a name
// has (a headless Service, several A records) instead of the resolver's first.
// A failed or empty lookup falls back to the normal resolution.
import dns from 'node:dns';
import type { LookupFunction } from 'node:net';
import net from 'node:net';

/** All addresses of a host (the default: the system resolver, every family). */
export type HostResolver = (host: string) => Promise<string[]>;

export const systemResolver: HostResolver = async (host) => (await dns.promises.lookup(host, { all: true })).map((a) => a.address);

/** A `lookup` for agent options that answers one random address of the host. */
export function roundRobinLookup(resolve: HostResolver = systemResolver, random: () => number = Math.random): LookupFunction {
  return (hostname, options, callback) => {
    const fallback = () => dns.lookup(hostname, options as dns.LookupAllOptions, callback as unknown as (e: NodeJS.ErrnoException | null, a: dns.LookupAddress[]) => void);
    if (net.isIP(hostname)) return fallback();
    resolve(hostname).then(
      (addrs) => {
        if (addrs.length === 0) return fallback();
        const address = addrs[Math.floor(random() * addrs.length) % addrs.length]!;
        const family = net.isIPv6(address) ? 6 : 4;
        // Node asks for every address when it may race families (autoSelectFamily): answer the one chosen.
        if ((options as dns.LookupOptions).all) (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, [{ address, family }]);
        else callback(null, address, family);
      },
      () => fallback(),
    );
  };
}
