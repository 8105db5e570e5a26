// The loadbalancing exporter's core: a consistent-hash ring over the resolved
// backends (the clustering ring, src/clustering/ring.ts), one exporter per
// backend, and routing. Every part of a request with one routing key value
// (e.g. every span of one trace) goes to the backend owning that key; when
// the backend set changes, only the keys on the arcs the change touched move
// (about 1/N of them for one backend added to N).
import type { Logger } from 'pino';
import { Ring } from '../../clustering/ring.js';
import type { OtelContext, Signal, SignalData } from '../../pipeline/otel.js';
import { splitByRoutingKey, type RoutingKey } from './routing.js';

export interface Backend {
  send<S extends Signal>(signal: S, data: SignalData[S], ctx?: OtelContext): Promise<void>;
  /** Drains what it holds, then closes. */
  stop(): Promise<void>;
}

export interface BalancerHooks {
  onBackends?(count: number): void;
  onOutcome?(success: boolean): void;
}

export class LoadBalancer {
  #ring: Ring | undefined;
  #endpoints: string[] = [];
  readonly #backends = new Map<string, Backend>();

  constructor(
    private readonly routingKey: RoutingKey,
    private readonly makeBackend: (endpoint: string) => Backend,
    private readonly logger: Logger,
    private readonly hooks: BalancerHooks = {},
  ) {}

  get endpoints(): readonly string[] {
    return this.#endpoints;
  }

  /** Replace the backend set: new endpoints get an exporter, removed ones drain and close. */
  setEndpoints(endpoints: readonly string[]): void {
    const next = [...new Set(endpoints)].sort();
    if (next.join('\n') === this.#endpoints.join('\n')) return;
    for (const e of next) if (!this.#backends.has(e)) this.#backends.set(e, this.makeBackend(e));
    for (const [e, b] of this.#backends) {
      if (next.includes(e)) continue;
      this.#backends.delete(e);
      void b.stop().catch((err: Error) => this.logger.warn({ endpoint: e, err: err.message }, 'stopping the exporter of a removed backend failed'));
    }
    this.#endpoints = next;
    this.#ring = next.length ? new Ring(next) : undefined;
    this.logger.info({ endpoints: next }, 'load balancer backends changed');
    this.hooks.onBackends?.(next.length);
  }

  /** The backend owning a routing key value. */
  endpointFor(key: string): string | undefined {
    return this.#ring?.ownerOf(key);
  }

  async consume<S extends Signal>(signal: S, data: SignalData[S], ctx?: OtelContext): Promise<void> {
    if (!this.#ring) throw new Error('no backends: the resolver has not found any endpoint yet');
    const ring = this.#ring;
    const byEndpoint = splitByRoutingKey(this.routingKey, signal, data, (key) => ring.ownerOf(key)!);
    const results = await Promise.allSettled(
      [...byEndpoint].map(([e, part]) => {
        const b = this.#backends.get(e);
        if (!b) return Promise.reject(new Error(`backend ${e} went away`));
        return b.send(signal, part, ctx);
      }),
    );
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    for (const r of results) this.hooks.onOutcome?.(r.status === 'fulfilled');
    if (failed.length) throw new Error(`${failed.length} of ${results.length} backends refused the data: ${(failed[0].reason as Error).message}`);
  }

  async stop(): Promise<void> {
    const all = [...this.#backends.values()];
    this.#backends.clear();
    this.#ring = undefined;
    this.#endpoints = [];
    await Promise.all(all.map((b) => b.stop()));
  }
}
