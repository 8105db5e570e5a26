// GET /api/v0/web/cluster: this node, its peers and the share of the hash
// ring each participant owns. The cluster service may offer more than the
// ClusterOwnership contract (ringShares, members with liveness); those are
// used when present and estimated or left out otherwise.
import type { ClusterOwnership, Peer } from '../clustering/ownership.js';

/** Optional extras of a cluster implementation (src/clustering/cluster.ts has them). */
export interface ClusterExtras {
  ringShares?(): Record<string, number>;
  members?(): { name: string; addr: string; incarnation: number; role: string; status: string }[];
  waitingForSize?: boolean;
  advertiseAddress?: string;
}

export interface ClusterView {
  enabled: boolean;
  self: { name: string; address: string; state: string };
  peers: (Peer & { ringShare: number })[];
  /** Fraction (0..1) of the ring per participant name. */
  ringShares: Record<string, number>;
  /** "ring" when the cluster reported them, "sampled" when estimated here. */
  ringSharesSource: 'ring' | 'sampled';
  waitingForSize: boolean;
  /** Every record gossip knows, including suspect/dead/left ones (when the cluster exposes it). */
  members?: { name: string; address: string; incarnation: number; state: string; status: string }[];
}

const SAMPLE_KEYS = 4096;

/** Ring shares estimated by asking ownerOf for evenly spread keys (when the cluster cannot tell). */
export function sampleRingShares(cluster: ClusterOwnership, samples = SAMPLE_KEYS): Record<string, number> {
  const counts: Record<string, number> = {};
  for (let i = 0; i < samples; i++) {
    // Keys look like targetKey() output: 32 hex characters.
    const key = (i * 0x9e3779b1 >>> 0).toString(16).padStart(8, '0').repeat(4);
    const owner = cluster.ownerOf(key);
    if (owner !== undefined) counts[owner] = (counts[owner] ?? 0) + 1;
  }
  const out: Record<string, number> = {};
  for (const [name, n] of Object.entries(counts)) out[name] = n / samples;
  return out;
}

export function clusterView(cluster: ClusterOwnership & ClusterExtras): ClusterView {
  const peers = cluster.peers();
  const fromRing = typeof cluster.ringShares === 'function' ? cluster.ringShares() : undefined;
  // A standalone node owns the whole ring; sampling is only for clusters that cannot tell.
  const ringShares = fromRing ?? (cluster.enabled ? sampleRingShares(cluster) : { [cluster.self]: 1 });
  const me = peers.find((p) => p.isSelf);
  const view: ClusterView = {
    enabled: cluster.enabled,
    self: { name: cluster.self, address: me?.address ?? cluster.advertiseAddress ?? '', state: me?.state ?? 'participant' },
    peers: peers.map((p) => ({ ...p, ringShare: ringShares[p.name] ?? 0 })),
    ringShares,
    ringSharesSource: fromRing || !cluster.enabled ? 'ring' : 'sampled',
    waitingForSize: cluster.waitingForSize === true,
  };
  if (typeof cluster.members === 'function') {
    view.members = cluster.members().map((m) => ({ name: m.name, address: m.addr, incarnation: m.incarnation, state: m.role, status: m.status }));
  }
  return view;
}
