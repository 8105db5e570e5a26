// The SWIM-style membership protocol: periodic probes (direct, then indirect
// through k relays), suspicion with a timeout before a node is declared dead,
// refutation by incarnation, infection-style dissemination piggy-backed on
// every message (plus eager forwarding so news spreads in ~log N hops), full
// state sync on join and periodically (anti-entropy), and graceful leave.
// Lifeguard extensions against false positives under CPU starvation: local
// health (local-health.ts) scales our timeouts when we miss our own
// deadlines, and suspicions (suspicion.ts) start long and shrink as other
// members independently confirm them.
import * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { BroadcastQueue, retransmitLimit } from './broadcasts.js';
import { DEFAULT_MAX_LOCAL_HEALTH, LagMonitor, LocalHealth, lagPenalty, overdue } from './local-health.js';
import { MemberTable, isLive, type ApplyResult, type StoredRecord } from './members.js';
import { Suspicion, type SuspicionTimes } from './suspicion.js';
import { RpcError, type CallError, type Handlers } from './transport.js';
import type { GossipReply, GossipRequest, MethodName, NodeRecord, Role } from './wire.js';

export interface SwimConfig {
  /** Time between two probes of this node (one member per probe). */
  probeIntervalMs: number;
  /** Deadline of a direct ping; indirect pings get twice that. */
  probeTimeoutMs: number;
  /** Relays asked to ping a member that missed a direct ping. */
  indirectChecks: number;
  /** Suspicion timeout = mult * max(1, log10(members)) * probe interval ... */
  suspicionMult: number;
  /** ... but never less than this. That is the timeout once confirmed by others; */
  suspicionMinMs: number;
  /** ... an unconfirmed suspicion starts at this multiple of it (Lifeguard). */
  suspicionMaxMult: number;
  /** Ceiling of the local health score: timeouts grow up to (max + 1)x under starvation. */
  maxLocalHealth: number;
  /** Time between two gossip rounds (only when there is news). */
  gossipIntervalMs: number;
  /** Members each gossip round sends to. */
  gossipFanout: number;
  /** Each update is sent retransmitMult * ceil(log10(n+1)) times by each node. */
  retransmitMult: number;
  /** Most updates piggy-backed on one message. */
  maxPiggyback: number;
  /** Full state sync with one random member this often (0 = never). */
  pushPullIntervalMs: number;
  /** Dead and left members are forgotten after this long. */
  tombstoneMs: number;
  /** Deadline of join / sync calls. */
  syncTimeoutMs: number;
  /** Most peers contacted per (re)join; 0 = all. */
  maxJoinPeers: number;
}

export const DEFAULT_SWIM: SwimConfig = {
  probeIntervalMs: 1000,
  probeTimeoutMs: 500,
  indirectChecks: 3,
  suspicionMult: 4,
  suspicionMinMs: 2000,
  suspicionMaxMult: 6,
  maxLocalHealth: DEFAULT_MAX_LOCAL_HEALTH,
  gossipIntervalMs: 200,
  gossipFanout: 4,
  retransmitMult: 4,
  maxPiggyback: 64,
  pushPullIntervalMs: 30_000,
  tombstoneMs: 60_000,
  syncTimeoutMs: 3000,
  maxJoinPeers: 5,
};

export type Caller = (addr: string, method: MethodName, req: GossipRequest, timeoutMs: number) => Promise<GossipReply>;

export interface SwimHooks {
  /** The member table changed (any record). */
  onChange(): void;
  /** An update from the network was applied (metric label = kind). */
  onEvent?(kind: string): void;
  onProbeFailure?(): void;
  /** The local health score changed (0 = healthy). */
  onHealth?(score: number): void;
}

/** A refusal the joiner must not ignore (wrong cluster name, name taken). */
export class ClusterJoinError extends Error {
  override name = 'ClusterJoinError';
  constructor(
    message: string,
    readonly reason: 'cluster-name' | 'name-conflict',
  ) {
    super(message);
  }
}

export class Swim {
  readonly queue = new BroadcastQueue();
  readonly health: LocalHealth;
  private readonly lag: LagMonitor;
  private readonly suspicions = new Map<string, Suspicion>();
  private readonly timers: NodeJS.Timeout[] = [];
  private probeTimer: NodeJS.Timeout | undefined;
  private followUp: NodeJS.Timeout | undefined;
  private probeOrder: string[] = [];
  private kickPending = false;
  private lastRound = 0;
  /** Last time a pinged member's table digest matched ours, and last repair sync (ms). */
  private lastAgreement = Date.now();
  private lastRepair = 0;
  private stopped = false;

  constructor(
    readonly table: MemberTable,
    private readonly call: Caller,
    private readonly clusterName: string,
    private readonly cfg: SwimConfig,
    private readonly log: Logger,
    private readonly hooks: SwimHooks,
  ) {
    this.health = new LocalHealth(cfg.maxLocalHealth ?? DEFAULT_MAX_LOCAL_HEALTH, (score) => hooks.onHealth?.(score));
    // Our own timer lag, sampled at half the probe timeout: a stall of half a
    // probe timeout or more is what makes our deadlines fire before replies are read.
    const stall = cfg.probeTimeoutMs / 2;
    this.lag = new LagMonitor(stall, stall, (lagMs) => this.health.apply(lagPenalty(lagMs, cfg.probeTimeoutMs)));
  }

  get self(): NodeRecord {
    return this.table.self();
  }

  /** Start the periodic loops (probe, gossip, anti-entropy, reaping). */
  start(): void {
    this.lag.start();
    this.scheduleProbe(Math.random() * this.cfg.probeIntervalMs);
    this.every(this.cfg.gossipIntervalMs, () => this.gossipRound());
    if (this.cfg.pushPullIntervalMs > 0) this.every(this.cfg.pushPullIntervalMs, () => void this.pushPull());
    this.every(Math.max(100, Math.min(1000, this.cfg.tombstoneMs / 4)), () => {
      if (this.table.reap(this.cfg.tombstoneMs).length) this.hooks.onChange();
    });
  }

  stop(): void {
    this.stopped = true;
    this.lag.stop();
    if (this.probeTimer) clearTimeout(this.probeTimer);
    if (this.followUp) clearTimeout(this.followUp);
    for (const t of this.timers) clearInterval(t);
    for (const t of this.suspicions.values()) t.cancel();
    this.suspicions.clear();
    this.queue.clear();
  }

  /** The gRPC handlers of this node. */
  handlers(): Handlers {
    return {
      Ping: (req) => {
        this.checkCluster(req);
        if (req.target && req.target !== this.table.selfName) {
          throw new RpcError(grpc.status.NOT_FOUND, `this is node "${this.table.selfName}", not "${req.target}"`);
        }
        this.merge(req.updates);
        // A caller we hold dead or suspect may not know it (e.g. it was frozen):
        // tell it, so it refutes now instead of at its next rejoin.
        const caller = this.table.get(req.from);
        const news = caller && caller.status !== 'alive' ? [stripSince(caller)] : [];
        return { from: this.table.selfName, ok: true, updates: [...news, ...this.piggyback()], digest: this.table.digest() };
      },
      IndirectPing: async (req) => {
        this.checkCluster(req);
        this.merge(req.updates);
        const ok = await this.ping(req.targetAddr, req.target, Math.min(req.timeoutMs || this.cfg.probeTimeoutMs, 10_000));
        return { from: this.table.selfName, ok, updates: this.piggyback() };
      },
      Gossip: (req) => {
        this.checkCluster(req);
        this.merge(req.updates);
        // No piggy-back here: the sender just told us its news, and echoing
        // would burn our bounded retransmits on a node that already knows.
        return { from: this.table.selfName, ok: true, updates: [] };
      },
      Sync: async (req) => {
        this.checkCluster(req);
        if (req.join) await this.checkJoiner(req);
        this.merge(req.updates, true);
        return { from: this.table.selfName, ok: true, updates: this.table.all() };
      },
    };
  }

  /**
   * Full state sync with the given gossip addresses (join or rejoin).
   * Returns how many answered; refusals (cluster name, name conflict) are
   * returned as errors so the caller decides whether they are fatal.
   */
  async join(addrs: string[]): Promise<{ joined: number; refused: ClusterJoinError[]; unreachable: string[] }> {
    const me = this.table.self();
    let targets = shuffle([...new Set(addrs)].filter((a) => a !== me.addr));
    if (this.cfg.maxJoinPeers > 0) targets = targets.slice(0, this.cfg.maxJoinPeers);
    const refused: ClusterJoinError[] = [];
    const unreachable: string[] = [];
    let joined = 0;
    await Promise.all(
      targets.map(async (addr) => {
        try {
          const reply = await this.call(addr, 'Sync', this.request({ join: true, updates: this.table.all() }), this.cfg.syncTimeoutMs);
          this.merge(reply.updates, true);
          joined++;
        } catch (err) {
          const e = err as grpc.ServiceError;
          if (e.code === grpc.status.FAILED_PRECONDITION || e.code === grpc.status.ALREADY_EXISTS) {
            const reason = e.code === grpc.status.ALREADY_EXISTS ? 'name-conflict' : 'cluster-name';
            refused.push(new ClusterJoinError(`cluster: ${addr} refused the join: ${e.details ?? e.message}`, reason));
          } else {
            unreachable.push(`${addr} (${e.details ?? e.message})`);
          }
        }
      }),
    );
    if (joined > 0 && refused.length === 0) this.followUpSync();
    return { joined, refused, unreachable };
  }

  /**
   * One more full sync, with a random member, shortly after a join. Updates
   * in flight while we joined were forwarded only to the members their
   * forwarders knew, not yet us, and the seed's state we got may predate
   * them: without this a joiner could miss, say, another joiner turning
   * participant until anti-entropy, 30 s later (seen in the 150-node bench).
   */
  private followUpSync(): void {
    if (this.followUp || this.stopped) return;
    const delay = Math.max(4 * this.cfg.gossipIntervalMs, this.cfg.probeIntervalMs) * (1 + Math.random() / 2);
    this.followUp = setTimeout(() => {
      this.followUp = undefined;
      void this.pushPull();
    }, delay);
    this.followUp.unref?.();
  }

  /** Change our role; the new incarnation spreads at once. */
  setRole(role: Role): void {
    if (this.table.self().role === role || this.table.self().status === 'left') return;
    this.broadcast(this.table.updateSelf({ role }));
    this.hooks.onChange();
  }

  /** Advertise our HTTP base URL; spreads like any change of our record. */
  setHttpAddress(httpAddress: string): void {
    if (this.table.self().httpAddress === httpAddress || this.table.self().status === 'left') return;
    this.broadcast(this.table.updateSelf({ httpAddress }));
    this.hooks.onChange();
  }

  /**
   * Graceful leave: mark ourselves left and tell every live member directly
   * (bounded by the deadline), so nobody waits for the failure detector.
   */
  async leave(timeoutMs = 1000): Promise<void> {
    if (this.table.self().status === 'left') return;
    const me = this.table.updateSelf({ status: 'left', role: 'terminating' });
    this.stopped = true;
    this.lag.stop();
    if (this.probeTimer) clearTimeout(this.probeTimer);
    this.hooks.onChange();
    const peers = this.table.liveOthers();
    await Promise.allSettled(peers.map((p) => this.call(p.addr, 'Gossip', this.request({ updates: [me] }), timeoutMs)));
  }

  /** Apply updates from the network; re-gossip what was news. */
  merge(updates: NodeRecord[], fromSync = false): void {
    let changed = false;
    for (const u of updates) {
      const r = this.table.apply(u, fromSync);
      if (r.kind === 'ignored') {
        this.maybeConfirm(u);
        continue;
      }
      changed = true;
      this.afterApply(r);
    }
    if (changed) this.hooks.onChange();
  }

  private afterApply(r: Exclude<ApplyResult, { kind: 'ignored' }>): void {
    if (r.kind === 'refuted') {
      this.hooks.onEvent?.('refute');
      // Being suspected hints that we are the slow one (Lifeguard).
      this.health.apply(1);
      this.log.info({ incarnation: r.self.incarnation, accuser: r.accuser }, 'cluster: refuting a stale or hostile record about this node');
      this.broadcast(r.self);
      this.announce(r.self, r.accuser);
      return;
    }
    const a = r.after;
    this.hooks.onEvent?.(r.before ? a.status : 'join');
    if (a.status === 'suspect') this.startSuspicion(a, r.before?.status === 'suspect' && r.before.incarnation === a.incarnation);
    else this.clearSuspicion(a.name);
    if (r.before && isLive(r.before) && !isLive(a)) this.log.info({ member: a.name, status: a.status }, 'cluster: member gone');
    this.broadcast(a);
  }

  /**
   * Send a refutation straight to the accuser and a few random members, on
   * top of the queue. After a freeze, the queue is not enough: the first
   * thing a thawed node does is answer the requests that piled up meanwhile,
   * whose callers gave up long ago, and those replies spend the refutation's
   * bounded retransmits (the e2e heal took 25 s, until anti-entropy).
   */
  private announce(self: NodeRecord, accuser: string | undefined): void {
    const others = this.table.liveOthers();
    const targets = sample(others, this.cfg.gossipFanout);
    const acc = accuser ? this.table.get(accuser) : undefined;
    if (acc && acc.name !== self.name && !targets.some((t) => t.name === acc.name)) targets.push(acc);
    for (const t of targets) {
      this.call(t.addr, 'Gossip', this.request({ updates: [self] }), this.cfg.syncTimeoutMs).catch((err: grpc.ServiceError) => {
        this.log.debug({ peer: t.name, code: err.code }, 'cluster: refutation not delivered');
      });
    }
  }

  private broadcast(rec: NodeRecord): void {
    this.queue.enqueue(rec);
    this.kick();
  }

  /**
   * Forward news right away instead of waiting for the next gossip tick, but
   * at most one eager round per tenth of the gossip interval: under a storm
   * of changes (many nodes starting at once) news is batched, not flooded.
   */
  private kick(): void {
    if (this.kickPending || this.stopped) return;
    this.kickPending = true;
    const wait = this.lastRound + this.cfg.gossipIntervalMs / 10 - Date.now();
    const run = () => {
      this.kickPending = false;
      this.gossipRound();
    };
    if (wait <= 0) setImmediate(run);
    else setTimeout(run, wait).unref?.();
  }

  private gossipRound(): void {
    if (this.stopped || this.queue.size === 0) return;
    this.lastRound = Date.now();
    const targets = sample(this.table.liveOthers(), this.cfg.gossipFanout);
    for (const t of targets) {
      const updates = this.piggyback();
      if (updates.length === 0) break;
      // Gossip waits for nobody, so its deadline only bounds resources: the
      // long sync deadline, as the first call on a new channel includes the
      // connection setup (under load it took over the probe timeout, and the
      // update was lost with its transmit counted).
      this.call(t.addr, 'Gossip', this.request({ updates }), this.cfg.syncTimeoutMs).then(
        (reply) => this.merge(reply.updates),
        (err: grpc.ServiceError) => {
          // Lost gossip is repaired by other rounds, probes and anti-entropy.
          this.log.debug({ peer: t.name, code: err.code, err: err.details }, 'cluster: gossip not delivered');
        },
      );
    }
  }

  private piggyback(): NodeRecord[] {
    return this.queue.take(this.cfg.maxPiggyback, retransmitLimit(this.cfg.retransmitMult, this.table.liveCount()));
  }

  private request(p: Partial<GossipRequest>): GossipRequest {
    return { cluster: this.clusterName, from: this.table.selfName, target: '', targetAddr: '', timeoutMs: 0, join: false, updates: [], ...p };
  }

  /** Direct ping; true when the node at `addr` answered as `name`. */
  private async ping(addr: string, name: string, timeoutMs: number, extra: NodeRecord[] = []): Promise<boolean> {
    return (await this.pingOutcome(addr, name, timeoutMs, extra)) === 'ack';
  }

  /**
   * Direct ping: 'ack', 'failed', or 'late' when it failed only after its
   * deadline was long overdue (our event loop was stalled: no verdict).
   */
  private async pingOutcome(addr: string, name: string, timeoutMs: number, extra: NodeRecord[] = []): Promise<'ack' | 'failed' | 'late'> {
    try {
      const reply = await this.call(addr, 'Ping', this.request({ target: name, updates: [...extra, ...this.piggyback()] }), timeoutMs);
      this.merge(reply.updates);
      this.compareDigest(addr, reply.digest);
      return 'ack';
    } catch (err) {
      return overdue((err as CallError).lateMs, timeoutMs) ? 'late' : 'failed';
    }
  }

  /** The probe timeout, scaled by our local health. */
  private probeTimeout(): number {
    return this.health.scale(this.cfg.probeTimeoutMs);
  }



  private scheduleProbe(delayMs: number): void {
    if (this.stopped) return;
    this.probeTimer = setTimeout(async () => {
      const t0 = Date.now();
      try {
        await this.probeOnce();
      } catch (err) {
        this.log.warn({ err }, 'cluster: probe failed unexpectedly');
      }
      // The interval is not scaled by local health (memberlist scales it): a
      // node thawed after a freeze must probe soon, since a probe answer is
      // one way it learns it was declared dead. Scaled timeouts already space
      // out slow probes.
      this.scheduleProbe(Math.max(0, this.cfg.probeIntervalMs - (Date.now() - t0)));
    }, delayMs);
    this.probeTimer.unref?.();
  }

  /** Probe the next member in a shuffled round-robin (every member within N intervals). */
  async probeOnce(): Promise<void> {
    const target = this.nextProbeTarget();
    if (!target) return;
    // A suspect gets its own suspicion record so it can refute straight away.
    const extra = target.status === 'suspect' ? [stripSince(target)] : [];
    const timeout = this.probeTimeout();
    const started = performance.now();
    const direct = await this.pingOutcome(target.addr, target.name, timeout, extra);
    if (direct === 'ack') {
      this.health.apply(-1);
      return;
    }
    if (this.stopped) return;
    if (direct === 'late' || this.lag.stalledSince(started)) {
      // We missed our own deadline: the silence is ours, not the target's.
      this.health.apply(1);
      return;
    }
    this.hooks.onProbeFailure?.();
    const relays = sample(
      this.table.liveOthers().filter((m) => m.name !== target.name),
      this.cfg.indirectChecks,
    );
    let relayLate = false;
    // Per relay: true = the target answered it, false = it answered "no" in time (a nack), undefined = no answer at all.
    const answers = await Promise.all(
      relays.map((r) =>
        this.call(r.addr, 'IndirectPing', this.request({ target: target.name, targetAddr: target.addr, timeoutMs: timeout }), timeout * 2).then(
          (reply) => {
            this.merge(reply.updates);
            return reply.ok;
          },
          (err: CallError) => {
            relayLate ||= overdue(err.lateMs, timeout * 2);
            return undefined;
          },
        ),
      ),
    );
    if (answers.some(Boolean) || this.stopped) return;
    // No relay answered at all, not even "no": more likely we are the slow
    // (or cut-off) one than all of them (Lifeguard's missed nacks). One silent
    // relay among answering ones says nothing about us (it may be dead or
    // partitioned away), and without relays a failed probe is no evidence.
    if (relays.length > 0 && answers.every((a) => a === undefined)) this.health.apply(1);
    // A stall of our own during the probe makes the silence no evidence.
    if (relayLate || this.lag.stalledSince(started)) return;
    const cur = this.table.get(target.name);
    if (!cur || cur.incarnation !== target.incarnation) return;
    if (cur.status === 'suspect') {
      // Already suspected by someone: our failed probe is an independent confirmation.
      this.confirmSuspicion({ ...stripSince(cur), suspector: this.table.selfName });
      return;
    }
    if (cur.status !== 'alive') return;
    this.log.debug({ member: cur.name }, 'cluster: member missed direct and indirect probes, suspecting');
    const r = this.table.mark(cur.name, 'suspect', cur.incarnation, this.table.selfName);
    if (r.kind === 'applied') {
      this.afterApply(r);
      this.hooks.onChange();
    }
  }

  private nextProbeTarget(): StoredRecord | undefined {
    for (let tries = 0; tries < 2; tries++) {
      while (this.probeOrder.length) {
        const m = this.table.get(this.probeOrder.pop() as string);
        if (m && m.name !== this.table.selfName && isLive(m)) return m;
      }
      this.probeOrder = shuffle(this.table.liveOthers().map((m) => m.name));
    }
    return undefined;
  }

  /**
   * Suspicion timeouts: the classic SWIM one (mult * max(1, log10 N) * probe
   * interval, at least suspicionMinMs) once `expected` others confirmed it,
   * suspicionMaxMult times that unconfirmed; both scaled by our local health.
   */
  suspicionTimes(): SuspicionTimes {
    const n = Math.max(1, this.table.liveCount());
    const min = Math.max(this.cfg.suspicionMinMs, this.cfg.suspicionMult * Math.max(1, Math.log10(n)) * this.cfg.probeIntervalMs);
    return {
      minMs: this.health.scale(min),
      maxMs: this.health.scale(min * Math.max(1, this.cfg.suspicionMaxMult ?? 1)),
      // Besides the accuser and the suspect, at most indirectChecks others are expected to confirm.
      expected: Math.max(0, Math.min(this.cfg.indirectChecks, n - 2)),
    };
  }

  /** Start (or, for a newer incarnation, restart) the suspicion of `rec`. */
  private startSuspicion(rec: NodeRecord, sameIncarnation: boolean): void {
    if (sameIncarnation && this.suspicions.has(rec.name)) return;
    this.clearSuspicion(rec.name);
    const s = new Suspicion(rec.suspector, {
      times: () => this.suspicionTimes(),
      expire: (lateMs) => this.suspicionExpired(rec, s, lateMs),
    });
    this.suspicions.set(rec.name, s);
  }

  private suspicionExpired(rec: NodeRecord, s: Suspicion, lateMs: number): void {
    if (this.suspicions.get(rec.name) !== s || this.stopped) return;
    const cur = this.table.get(rec.name);
    if (!cur || cur.status !== 'suspect' || cur.incarnation !== rec.incarnation) {
      this.clearSuspicion(rec.name);
      return;
    }
    const penalty = lagPenalty(lateMs, this.cfg.probeTimeoutMs);
    if (penalty > 0 || this.lag.stalledSince(performance.now() - this.health.scale(this.cfg.probeIntervalMs))) {
      // We could not keep this deadline, or stalled just before it: the member
      // may have refuted in a message we have not read yet. Give it one more
      // (scaled) probe interval.
      this.health.apply(penalty);
      s.postpone(this.health.scale(this.cfg.probeIntervalMs));
      return;
    }
    this.suspicions.delete(rec.name);
    this.log.info({ member: rec.name, confirmations: s.confirmations }, 'cluster: suspicion timed out, member declared dead');
    const r = this.table.mark(rec.name, 'dead', rec.incarnation);
    if (r.kind === 'applied') {
      this.afterApply(r);
      this.hooks.onChange();
    }
  }

  /** A suspicion we already hold, raised again by someone else: count it and pass it on. */
  private maybeConfirm(u: NodeRecord): void {
    if (u.status !== 'suspect' || !u.suspector) return;
    const cur = this.table.get(u.name);
    if (!cur || cur.status !== 'suspect' || cur.incarnation !== u.incarnation) return;
    this.confirmSuspicion(u);
  }

  private confirmSuspicion(u: NodeRecord): void {
    const s = this.suspicions.get(u.name);
    if (!s || !u.suspector || !s.confirm(u.suspector)) return;
    this.hooks.onEvent?.('confirm');
    this.broadcast(u);
  }

  private clearSuspicion(name: string): void {
    this.suspicions.get(name)?.cancel();
    this.suspicions.delete(name);
  }

  /** Anti-entropy: full state exchange with one random live member. */
  private async pushPull(): Promise<void> {
    const [peer] = sample(this.table.liveOthers(), 1);
    if (peer) await this.syncWith(peer.addr);
  }

  private async syncWith(addr: string): Promise<void> {
    if (this.stopped) return;
    try {
      const reply = await this.call(addr, 'Sync', this.request({ updates: this.table.all() }), this.cfg.syncTimeoutMs);
      this.merge(reply.updates, true);
    } catch {
      // The probe loop deals with unreachable members.
    }
  }

  /**
   * Repair of missed updates, between anti-entropy rounds. While news
   * spreads, views differ briefly; a node that missed an update (gossip is
   * best effort, its retransmits are bounded) differs from everyone it
   * pings, for good. So when no pinged member has agreed with our table for
   * 3 probe intervals, sync with the one that just disagreed (at most once
   * per 5 intervals). Without this, a missed update waited up to 30 s for
   * anti-entropy (150-node bench startups of 38-46 s).
   */
  private compareDigest(addr: string, digest: number | undefined): void {
    if (!digest) return; // an older node
    const now = Date.now();
    if (digest === this.table.digest()) {
      this.lastAgreement = now;
      return;
    }
    const interval = this.cfg.probeIntervalMs;
    if (now - this.lastAgreement < 3 * interval || now - this.lastRepair < 5 * interval || this.stopped) return;
    this.lastRepair = now;
    this.log.debug({ peer: addr }, 'cluster: member tables differ for a while, syncing');
    void this.syncWith(addr);
  }

  private checkCluster(req: GossipRequest): void {
    if (req.cluster !== this.clusterName) {
      throw new RpcError(
        grpc.status.FAILED_PRECONDITION,
        `cluster name mismatch: node "${this.table.selfName}" is in cluster "${this.clusterName}", node "${req.from}" asked for "${req.cluster}"`,
      );
    }
  }

  /**
   * Refuse a joiner whose name is held by another live node. A record that
   * only looks alive (its process died moments ago) is checked with a ping
   * first, so a restarted pod with a new IP is not locked out.
   */
  private async checkJoiner(req: GossipRequest): Promise<void> {
    const joiner = req.updates.find((u) => u.name === req.from);
    if (!joiner) return;
    const me = this.table.self();
    if (joiner.name === me.name && joiner.addr !== me.addr) {
      throw new RpcError(grpc.status.ALREADY_EXISTS, `node name "${joiner.name}" is already used by the live member at ${me.addr}; every node needs a unique --cluster.node-name`);
    }
    const cur = this.table.get(joiner.name);
    if (!cur || !isLive(cur) || cur.addr === joiner.addr || joiner.name === me.name) return;
    if (await this.ping(cur.addr, cur.name, this.cfg.probeTimeoutMs)) {
      throw new RpcError(grpc.status.ALREADY_EXISTS, `node name "${joiner.name}" is already used by the live member at ${cur.addr}; every node needs a unique --cluster.node-name`);
    }
  }

  private every(ms: number, fn: () => void): void {
    const t = setInterval(fn, ms);
    t.unref?.();
    this.timers.push(t);
  }
}

function stripSince(r: StoredRecord): NodeRecord {
  const { since: _since, ...rec } = r;
  return rec;
}

export function shuffle<T>(a: T[]): T[] {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/** Up to k distinct random elements. */
export function sample<T>(a: readonly T[], k: number): T[] {
  if (a.length <= k) return shuffle([...a]);
  const out = new Set<number>();
  while (out.size < k) out.add(Math.floor(Math.random() * a.length));
  return [...out].map((i) => a[i]);
}
