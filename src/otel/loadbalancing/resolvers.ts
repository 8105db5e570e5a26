// Where the loadbalancing exporter's backends come from: a static list, a DNS
// name resolved periodically, or the participants of our cluster (the
// clustering service every clustered component asks). The Kubernetes
// resolver lives with the component (it needs the shared informers).
import dns from 'node:dns/promises';
import type { Logger } from 'pino';
import type { ClusterOwnership } from '../../clustering/ownership.js';

export const DEFAULT_PORT = '4317';

export interface Resolver {
  /** Starts resolving; `onEndpoints` gets the whole "host:port" list every time it may have changed. */
  start(onEndpoints: (endpoints: string[]) => void): void;
  stop(): void;
}

/** "host" as "host:4317"; "host:port" and "[v6]:port" as given (the Collector's rule: a colon means a port). */
export function withDefaultPort(endpoint: string, port = DEFAULT_PORT): string {
  return endpoint.includes(':') ? endpoint : `${endpoint}:${port}`;
}

function joinHostPort(host: string, port: string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

export class StaticResolver implements Resolver {
  constructor(private readonly hostnames: readonly string[]) {}
  start(onEndpoints: (e: string[]) => void): void {
    onEndpoints(this.hostnames.map((h) => withDefaultPort(h)));
  }
  stop(): void {}
}

export type LookupFn = (hostname: string) => Promise<string[]>;

const systemLookup: LookupFn = async (hostname) => (await dns.lookup(hostname, { all: true })).map((a) => a.address);

export class DnsResolver implements Resolver {
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(
    private readonly o: { hostname: string; port: string; interval: number; timeout: number },
    private readonly logger: Logger,
    private readonly lookup: LookupFn = systemLookup,
    private readonly onResolution?: (success: boolean) => void,
  ) {}

  start(onEndpoints: (e: string[]) => void): void {
    const tick = async () => {
      let timer: NodeJS.Timeout | undefined;
      try {
        const ips = await Promise.race([
          this.lookup(this.o.hostname),
          new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${this.o.timeout}ms`)), this.o.timeout))),
        ]);
        if (this.#stopped) return;
        this.onResolution?.(true);
        onEndpoints(ips.map((ip) => joinHostPort(ip, this.o.port)));
      } catch (e) {
        // Keep the last good backends: a DNS hiccup must not drop every route.
        this.onResolution?.(false);
        this.logger.warn({ hostname: this.o.hostname, err: (e as Error).message }, 'resolver.dns: lookup failed; keeping the previous backends');
      } finally {
        clearTimeout(timer);
      }
      if (!this.#stopped) this.#timer = setTimeout(() => void tick(), this.o.interval);
    };
    void tick();
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }
}

/**
 * Our addition: the cluster's participants, each at its gossip host and the
 * given OTLP port. Membership changes arrive through ClusterOwnership.onChange.
 */
export class ClusterResolver implements Resolver {
  #unsubscribe: (() => void) | undefined;

  constructor(
    private readonly cluster: ClusterOwnership,
    private readonly port: string,
  ) {}

  endpoints(): string[] {
    return this.cluster
      .peers()
      .filter((p) => p.state === 'participant')
      .map((p) => {
        const i = p.address.lastIndexOf(':');
        const host = (i > 0 ? p.address.slice(0, i) : p.address).replace(/^\[|\]$/g, '') || '127.0.0.1';
        return joinHostPort(host, this.port);
      });
  }

  start(onEndpoints: (e: string[]) => void): void {
    onEndpoints(this.endpoints());
    this.#unsubscribe = this.cluster.onChange(() => onEndpoints(this.endpoints()));
  }

  stop(): void {
    this.#unsubscribe?.();
  }
}
