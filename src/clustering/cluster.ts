// The cluster service: gossip membership (swim.ts over transport.ts) plus
// ring ownership (ring-ownership.ts), behind the ClusterOwnership interface
// every clustered component uses. The runtime calls setState('participant')
// once the config is loaded and leave() on SIGTERM.
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { advertisedHttpUrl, chooseAdvertiseAddress, resolveJoinAddresses, splitHostPort, type Lookup } from './addresses.js';
import { MemberTable, isLive } from './members.js';
import { ClusterMetrics } from './metrics.js';
import type { ClusterOptions } from './options.js';
import type { ClusterOwnership, Peer } from './ownership.js';
import { RingOwnership } from './ring-ownership.js';
import { DEFAULT_SWIM, Swim, type SwimConfig } from './swim.js';
import { loadTlsCredentials } from './tls.js';
import { Transport, RpcError, type Handlers, type NetworkFilter } from './transport.js';
import { METHODS, type NodeRecord, type Role } from './wire.js';
import * as grpc from '@grpc/grpc-js';
import type { Duplex } from 'node:stream';

export { ClusterJoinError } from './swim.js';

/**
 * The HTTP server's port, as the gossip server when --cluster.listen-addr is
 * not given (src/server/listener.ts implements it): HTTP/2 connections on it
 * are handed to the gossip server, HTTP/1.1 stays the HTTP server's.
 */
export interface HttpGossipMount {
  /** Base URL of the bound HTTP server (real port, http or https). */
  readonly url: string;
  /** Whether the HTTP server serves TLS now (the http block's tls). */
  readonly tlsEnabled: boolean;
  setHttp2(sink: ((socket: Duplex) => void) | undefined): void;
}

export interface ClusterDeps {
  logger: Logger;
  metrics: Registry;
  /** Protocol timings (tests and the bench shorten them). */
  swim?: Partial<SwimConfig>;
  /** Minimum time between two ring recomputes (default 1 s). */
  minRecomputeIntervalMs?: number;
  /** Test hooks: DNS lookup and a simulated network. */
  lookup?: Lookup;
  network?: NetworkFilter;
  /** Most open peer channels (default 256). */
  maxChannels?: number;
  /** The HTTP port gossip is served on when opts.listenAddr is not set. */
  http?: HttpGossipMount;
}

export class Cluster implements ClusterOwnership {
  readonly enabled = true;
  private readonly listeners = new Set<() => void>();
  private readonly participantListeners = new Set<(participants: string[]) => void>();
  private rejoinTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private lastParticipants = '';

  private constructor(
    private readonly opts: ClusterOptions,
    private readonly log: Logger,
    private readonly transport: Transport,
    private readonly swim: Swim,
    private readonly ownership: RingOwnership,
    readonly metrics: ClusterMetrics,
    private readonly lookup: Lookup | undefined,
    /** Set when gossip rides on the HTTP port. */
    private readonly http: HttpGossipMount | undefined,
  ) {
    ownership.onChange(() => {
      metrics.ownershipChanges.inc();
      this.notify();
    });
  }

  /**
   * Listen, join (a full state sync with up to --cluster.max-join-peers of the
   * resolved join addresses) and start the protocol. Rejects when a peer
   * refuses us (other cluster name, our node name taken); an unreachable
   * cluster is not an error: we start alone and rejoin periodically.
   */
  static async start(opts: ClusterOptions, deps: ClusterDeps): Promise<Cluster> {
    if (!opts.nodeName) throw new Error('cluster: node name is empty (set --cluster.node-name)');
    const log = deps.logger.child({ component: 'cluster' });
    const cfg: SwimConfig = { ...DEFAULT_SWIM, ...(opts.maxJoinPeers !== undefined ? { maxJoinPeers: opts.maxJoinPeers } : {}), ...deps.swim };
    const metrics = new ClusterMetrics(deps.metrics);
    const tls = opts.tls ? loadTlsCredentials(opts.tls) : undefined;

    // Handlers are bound late: the member table needs the bound port first.
    let swim: Swim | undefined;
    let bound: Handlers | undefined;
    const handlers = {} as Handlers;
    for (const m of METHODS) {
      handlers[m] = (req) => {
        if (!bound) throw new RpcError(grpc.status.UNAVAILABLE, 'node is starting');
        return bound[m](req);
      };
    }
    const transportOpts = {
      counter: metrics,
      serverCredentials: tls?.server,
      channelCredentials: tls?.channel,
      channelOptions: tls?.channelOptions,
      network: deps.network,
      maxChannels: deps.maxChannels,
      // Dialing a peer (name resolution, TCP, HTTP/2 settings) took 200-500 ms
      // on a loaded machine: not the peer's fault, so not on the probe's clock.
      connectAllowanceMs: cfg.probeTimeoutMs * 2,
    };
    const transport = opts.listenAddr ? await Transport.listen(opts.listenAddr, handlers, transportOpts) : attachToHttp(deps.http, opts, handlers, transportOpts, log);
    let cluster: Cluster | undefined;
    try {
      const advertise = chooseAdvertiseAddress(
        { advertiseAddress: opts.advertiseAddress, listenHost: splitHostPort(transport.listenAddr).host, advertiseInterfaces: opts.advertiseInterfaces },
        transport.port,
      );
      transport.selfAddr = advertise;
      const table = new MemberTable({ name: opts.nodeName, addr: advertise, incarnation: 0, role: 'viewer', status: 'alive' });
      const ownership = new RingOwnership({
        waitForSize: opts.waitForSize,
        waitTimeoutMs: opts.waitTimeoutMs,
        minIntervalMs: deps.minRecomputeIntervalMs,
      });
      const hooks = {
        onChange: () => cluster?.membershipChanged(),
        onEvent: (kind: string) => metrics.event(kind),
        onProbeFailure: () => metrics.probeFailures.inc(),
        onHealth: (score: number) => metrics.localHealth.set(score),
      };
      swim = new Swim(table, (a, m, r, t) => transport.call(a, m, r, t), opts.clusterName, cfg, log, hooks);
      bound = swim.handlers();
      cluster = new Cluster(opts, log, transport, swim, ownership, metrics, deps.lookup, opts.listenAddr ? undefined : deps.http);
      cluster.membershipChanged();
      await cluster.joinPeers(true);
      swim.start();
      cluster.scheduleRejoin();
      log.info({ node: opts.nodeName, advertise, listen: transport.listenAddr, members: table.liveCount() }, 'cluster: started');
      return cluster;
    } catch (err) {
      swim?.stop();
      deps.http?.setHttp2(undefined);
      await transport.close();
      throw err;
    }
  }

  get self(): string {
    return this.opts.nodeName;
  }

  /** host:port other nodes reach our gossip server at. */
  get advertiseAddress(): string {
    return this.swim.self.addr;
  }

  /** Where the gossip server is bound (real port when 0 was asked). */
  get listenAddress(): string {
    return this.transport.listenAddr;
  }

  get state(): Role {
    return this.swim.self.role;
  }

  /** Local health score (0 = healthy; timeouts scale by score + 1). */
  get localHealth(): number {
    return this.swim.health.score;
  }

  /** Whether ownership is still held back by --cluster.wait-for-size. */
  get waitingForSize(): boolean {
    return this.ownership.waiting;
  }

  ownerOf(key: string): string | undefined {
    const owner = this.ownership.ownerOf(key);
    // Our own role change is known here before the batched ring catches up.
    if (owner === this.self && this.state !== 'participant') return undefined;
    return owner;
  }

  owns(key: string): boolean {
    return this.ownerOf(key) === this.self;
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Called synchronously whenever this node's view of the participant set
   * changes (unbatched, unlike onChange): for UIs and measurements.
   */
  onParticipantsChange(listener: (participants: string[]) => void): () => void {
    this.participantListeners.add(listener);
    return () => this.participantListeners.delete(listener);
  }

  peers(): Peer[] {
    return this.swim.table
      .all()
      .filter(isLive)
      .map((r) => ({ name: r.name, address: r.addr, state: r.role, isSelf: r.name === this.self, ...(r.httpAddress ? { httpAddress: r.httpAddress } : {}) }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Every known record, tombstones and liveness included (debug UI). */
  members(): NodeRecord[] {
    return this.swim.table.all().sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Sorted names of the live participants as this node sees them now. */
  participants(): string[] {
    return this.swim.table
      .all()
      .filter((r) => isLive(r) && r.role === 'participant')
      .map((r) => r.name)
      .sort();
  }

  /** Fraction of the ring each participant owns (empty while waiting for size). */
  ringShares(): Record<string, number> {
    return this.ownership.shares();
  }

  setState(state: 'participant' | 'terminating'): void {
    if (this.stopped || this.state === state || this.state === 'terminating') return;
    this.swim.setRole(state);
    this.log.info({ state }, 'cluster: node state changed');
    // Becoming terminating drops our ownership at once (see ownerOf).
    if (state === 'terminating') this.notify();
  }

  /**
   * Advertise the HTTP server's base URL (called once it listens, so the real
   * port is known) in our gossip record: peers' UIs ask it for cluster-wide
   * pages. A wildcard host becomes our advertised host.
   */
  setHttpAddress(boundUrl: string): void {
    if (this.stopped) return;
    let url: string;
    try {
      url = advertisedHttpUrl(boundUrl, splitHostPort(this.advertiseAddress).host);
    } catch (err) {
      // Peers then fall back to their own guess; not worth stopping the node for.
      this.log.warn({ err: (err as Error).message }, 'cluster: not advertising an HTTP address');
      return;
    }
    this.swim.setHttpAddress(url);
    this.log.info({ httpAddress: url }, 'cluster: advertising HTTP address');
  }

  /** Graceful leave: terminating, then "left" told to every live member. */
  async leave(): Promise<void> {
    if (this.stopped) return;
    this.setState('terminating');
    this.clearRejoin();
    await this.swim.leave();
    this.metrics.setState('left');
    this.log.info('cluster: left');
  }

  /** Stop everything without telling anyone (a crash, as far as peers can tell). */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.clearRejoin();
    this.swim.stop();
    this.ownership.close();
    this.listeners.clear();
    this.participantListeners.clear();
    this.http?.setHttp2(undefined);
    await this.transport.close();
  }

  /** One rejoin round now (also what the rejoin timer runs); resolves with the number of peers synced with. */
  async rejoin(): Promise<number> {
    return this.joinPeers(false);
  }

  /**
   * Full state sync with the join addresses. On rejoin, addresses of members
   * we already hold alive are skipped: we share a partition with them and
   * anti-entropy keeps us in step, so syncing again only costs (in a large
   * cluster every node re-sending the whole table to the same few seeds each
   * interval). A seed we hold dead, or do not know, is exactly the case a
   * rejoin exists for (a healed partition, a node that started alone).
   */
  private async joinPeers(initial: boolean): Promise<number> {
    if (this.opts.joinAddresses.length === 0) return 0;
    const port = splitHostPort(this.listenAddress).port ?? 0;
    const { addresses, errors } = await resolveJoinAddresses(this.opts.joinAddresses, port, this.lookup);
    for (const e of errors) this.log.warn({ error: e }, 'cluster: cannot resolve join address');
    const me = this.advertiseAddress;
    const live = initial ? new Set<string>() : new Set(this.swim.table.liveOthers().filter((m) => m.status === 'alive').map((m) => m.addr));
    const others = addresses.filter((a) => a !== me && a !== this.listenAddress && !live.has(a));
    if (others.length === 0) return 0;
    const res = await this.swim.join(others);
    const conflict = res.refused.find((e) => e.reason === 'name-conflict');
    if (res.refused.length && (conflict || res.joined === 0)) {
      const err = conflict ?? res.refused[0];
      if (initial) throw err;
      this.log.error({ err: err.message }, 'cluster: rejoin refused');
      return res.joined;
    }
    for (const e of res.refused) this.log.warn({ err: e.message }, 'cluster: a peer refused the join');
    if (res.joined === 0) {
      this.log.warn({ unreachable: res.unreachable }, initial ? 'cluster: no peer answered; starting alone and retrying at every rejoin interval' : 'cluster: rejoin found no peer');
    }
    return res.joined;
  }

  private scheduleRejoin(): void {
    if (this.opts.rejoinIntervalMs <= 0 || this.stopped) return;
    this.rejoinTimer = setTimeout(async () => {
      try {
        await this.joinPeers(false);
      } catch (err) {
        this.log.warn({ err }, 'cluster: rejoin failed');
      }
      this.scheduleRejoin();
    }, this.opts.rejoinIntervalMs);
    this.rejoinTimer.unref?.();
  }

  private clearRejoin(): void {
    if (this.rejoinTimer) clearTimeout(this.rejoinTimer);
    this.rejoinTimer = undefined;
  }

  private membershipChanged(): void {
    const counts: Record<Role, number> = { viewer: 0, participant: 0, terminating: 0 };
    for (const r of this.swim.table.all()) if (isLive(r)) counts[r.role]++;
    this.metrics.setPeers(counts);
    const self = this.swim.self;
    if (self.status !== 'left') this.metrics.setState(self.role);
    this.metrics.incarnation.set(self.incarnation);
    const parts = this.participants();
    const sig = parts.join('\x00');
    if (sig === this.lastParticipants) return;
    this.lastParticipants = sig;
    this.ownership.update(parts);
    for (const l of [...this.participantListeners]) {
      try {
        l(parts);
      } catch (err) {
        this.log.warn({ err }, 'cluster: participants listener failed');
      }
    }
  }

  private notify(): void {
    for (const l of [...this.listeners]) {
      try {
        l();
      } catch (err) {
        this.log.warn({ err }, 'cluster: ownership listener failed');
      }
    }
  }
}

/**
 * Gossip on the HTTP port. TLS there is the HTTP server's (the http block):
 * its certificate and client-certificate rules apply to peers as to any
 * client, while --cluster.enable-tls and --cluster.tls-* decide how we dial
 * peers (as in Alloy). A mismatch is logged: each side would refuse the other.
 */
function attachToHttp(http: HttpGossipMount | undefined, opts: ClusterOptions, handlers: Handlers, transportOpts: Parameters<typeof Transport.attach>[2], log: Logger): Transport {
  if (!http) throw new Error('cluster: no --cluster.listen-addr and no HTTP server to carry gossip');
  const transport = Transport.attach(new URL(http.url).host, handlers, transportOpts);
  http.setHttp2((socket) => transport.inject(socket));
  if (opts.tls && !http.tlsEnabled) {
    log.warn('cluster: --cluster.enable-tls dials peers with TLS, but this HTTP server has no tls block: peers dialing us with TLS are refused; add http { tls { ... } } or give gossip its own port with --cluster.listen-addr');
  } else if (!opts.tls && http.tlsEnabled) {
    log.warn('cluster: the HTTP server has TLS, but --cluster.enable-tls is off: we dial peers in cleartext, which their TLS servers refuse; set --cluster.enable-tls and --cluster.tls-ca-path, --cluster.tls-cert-path, --cluster.tls-key-path');
  }
  return transport;
}

// Re-exported for callers that only import the cluster module.
export type { ClusterOptions } from './options.js';
export type { NodeRecord } from './wire.js';
