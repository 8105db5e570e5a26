// The membership table and its merge rules (SWIM with incarnation numbers).
// Pure state: no timers, no I/O, so the rules are unit-testable on their own.
//
// Rules, for a record about another node:
//  - a higher incarnation always wins (only the node itself bumps it);
//  - at equal incarnation the "worse" status wins: alive < suspect < dead < left;
//  - in a full state sync, a remote "dead" for a node we think alive is only
//    taken as "suspect", so the node gets a chance to refute (heals partitions).
// For a record about ourselves that contradicts us at >= our incarnation we
// refute: our incarnation becomes theirs + 1 and the caller gossips us again.
import type { NodeRecord, Role, Status } from './wire.js';

const RANK: Record<Status, number> = { alive: 0, suspect: 1, dead: 2, left: 3 };

export interface StoredRecord extends NodeRecord {
  /** When this record last changed (ms, local clock). */
  since: number;
}

export type ApplyResult =
  | { kind: 'ignored' }
  | { kind: 'applied'; before: NodeRecord | undefined; after: NodeRecord }
  | { kind: 'refuted'; self: NodeRecord; accuser?: string };

export function isLive(r: NodeRecord): boolean {
  return r.status === 'alive' || r.status === 'suspect';
}

export class MemberTable {
  private readonly records = new Map<string, StoredRecord>();
  private me: StoredRecord;
  private cachedDigest: number | undefined;

  constructor(self: NodeRecord, private readonly now: () => number = Date.now) {
    this.me = { ...self, since: now() };
    this.records.set(self.name, this.me);
  }

  get selfName(): string {
    return this.me.name;
  }

  self(): NodeRecord {
    return strip(this.me);
  }

  get(name: string): StoredRecord | undefined {
    return this.records.get(name);
  }

  /**
   * Order-independent 32-bit digest of the live members (name, incarnation,
   * role; alive and suspect alike, since a suspicion is transient). Two
   * nodes with the same view have the same digest.
   */
  digest(): number {
    if (this.cachedDigest === undefined) {
      let d = 0;
      for (const r of this.records.values()) if (isLive(r)) d ^= fnv1a(`${r.name}\x00${r.incarnation}\x00${r.role}`);
      this.cachedDigest = d >>> 0;
    }
    return this.cachedDigest;
  }

  /** Every record, tombstones included (the full state for a sync). */
  all(): NodeRecord[] {
    return [...this.records.values()].map(strip);
  }

  /** Other nodes that are alive or suspect: the ones we probe and gossip to. */
  liveOthers(): StoredRecord[] {
    const out: StoredRecord[] = [];
    for (const r of this.records.values()) if (r.name !== this.me.name && isLive(r)) out.push(r);
    return out;
  }

  /** Number of live nodes, ourselves included. */
  liveCount(): number {
    let n = 0;
    for (const r of this.records.values()) if (isLive(r)) n++;
    return n;
  }

  /** Change our own record; always bumps the incarnation so it wins everywhere. */
  updateSelf(patch: { role?: Role; status?: Status; addr?: string; httpAddress?: string }): NodeRecord {
    this.me = { ...this.me, ...patch, incarnation: this.me.incarnation + 1, since: this.now() };
    this.records.set(this.me.name, this.me);
    this.cachedDigest = undefined;
    return strip(this.me);
  }

  /** Merge one update from the network. */
  apply(u: NodeRecord, fromSync = false): ApplyResult {
    if (u.name === this.me.name) return this.applyAboutSelf(u);
    const cur = this.records.get(u.name);
    let upd = u;
    if (fromSync && u.status === 'dead' && cur && isLive(cur)) upd = { ...u, status: 'suspect' };
    if (cur && !supersedes(upd, cur)) return { kind: 'ignored' };
    // A node older than the httpAddress field relays records without it:
    // keep what we know about the same process (same gossip address).
    if (!upd.httpAddress && cur?.httpAddress && cur.addr === upd.addr) upd = { ...upd, httpAddress: cur.httpAddress };
    // Only a suspicion has an accuser.
    if (upd.status !== 'suspect' && upd.suspector !== undefined) upd = { ...upd, suspector: undefined };
    const after: StoredRecord = { ...upd, since: this.now() };
    this.records.set(u.name, after);
    this.cachedDigest = undefined;
    return { kind: 'applied', before: cur && strip(cur), after: strip(after) };
  }

  /** Local failure-detector verdicts (at the record's current incarnation); `by` names the accuser of a suspicion. */
  mark(name: string, status: 'suspect' | 'dead', incarnation: number, by?: string): ApplyResult {
    const cur = this.records.get(name);
    if (!cur || name === this.me.name) return { kind: 'ignored' };
    return this.apply({ ...strip(cur), status, incarnation, suspector: status === 'suspect' ? by : undefined });
  }

  /** Forget tombstones (dead/left) older than `ageMs`; returns the names dropped. */
  reap(ageMs: number): string[] {
    const cutoff = this.now() - ageMs;
    const gone: string[] = [];
    for (const r of this.records.values()) {
      if (r.name !== this.me.name && !isLive(r) && r.since <= cutoff) gone.push(r.name);
    }
    for (const n of gone) this.records.delete(n);
    if (gone.length) this.cachedDigest = undefined;
    return gone;
  }

  private applyAboutSelf(u: NodeRecord): ApplyResult {
    // Once we have left we stay gone: never argue with the cluster about it.
    if (this.me.status === 'left') return { kind: 'ignored' };
    if (u.incarnation < this.me.incarnation) return { kind: 'ignored' };
    // A missing httpAddress is no contradiction: older nodes drop the field.
    const same =
      u.incarnation === this.me.incarnation &&
      u.status === this.me.status &&
      u.role === this.me.role &&
      u.addr === this.me.addr &&
      (!u.httpAddress || u.httpAddress === this.me.httpAddress);
    if (same) return { kind: 'ignored' };
    this.me = { ...this.me, incarnation: u.incarnation + 1, since: this.now() };
    this.records.set(this.me.name, this.me);
    this.cachedDigest = undefined;
    return { kind: 'refuted', self: strip(this.me), accuser: u.status === 'suspect' ? u.suspector : undefined };
  }
}

/** 32-bit FNV-1a of a string's UTF-16 code units. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Does `u` replace `cur` (both about the same node)? */
export function supersedes(u: NodeRecord, cur: NodeRecord): boolean {
  if (u.incarnation !== cur.incarnation) return u.incarnation > cur.incarnation;
  return RANK[u.status] > RANK[cur.status];
}

function strip(r: StoredRecord): NodeRecord {
  const out: NodeRecord = { name: r.name, addr: r.addr, incarnation: r.incarnation, role: r.role, status: r.status };
  if (r.httpAddress) out.httpAddress = r.httpAddress;
  if (r.suspector && r.status === 'suspect') out.suspector = r.suspector;
  return out;
}
