// The consistent-hash ring over the participant set (the `hashring` package,
// ketama-compatible). Every node builds it from the same sorted names, so
// every node agrees on the owner of a key without any coordination.
import { hash } from 'node:crypto';
import HashRing from 'hashring';

/**
 * Virtual nodes per member (each gives 4 ring points), by cluster size.
 * Balance needs points: at 10 members, 2500 vnodes keep every member within
 * about +-4% of its fair share of 100k keys (the sampling noise of 100k keys
 * alone is ~1% per member; 1000 vnodes measurably miss +-5%). But the ring
 * costs ~1 us and ~50 bytes per point to build, so large clusters get fewer
 * points per member: the ring stays under ~400k points (~0.4 s, ~20 MB).
 * Every node picks the same tier for the same participant set, so owners
 * still agree; crossing a tier boundary (32 or 96 members) moves more keys
 * than the usual 1/N, once.
 */
export function vnodesFor(members: number): number {
  if (members <= 32) return 2500;
  if (members <= 96) return 1000;
  return 500;
}

// One-shot md5: the same digest hashring computes by default, without a Hash object per call.
const md5 = (key: string): Buffer => hash('md5', key, 'buffer');

export class Ring {
  private readonly ring: HashRing | undefined;

  constructor(readonly members: readonly string[], vnodes = vnodesFor(members.length)) {
    const servers: Record<string, { vnodes: number }> = {};
    for (const m of members) servers[m] = { vnodes };
    this.ring = members.length ? new HashRing(servers, md5, { 'max cache size': 10000 }) : undefined;
  }

  /** The member owning `key`; undefined only for an empty ring. */
  ownerOf(key: string): string | undefined {
    return this.ring?.get(key);
  }

  /** Fraction of the hash space each member owns (sums to 1). */
  shares(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const m of this.members) out[m] = 0;
    const pts = this.ring?.ring;
    if (!pts || pts.length === 0) return out;
    const SPACE = 2 ** 32;
    // A key goes to the first point at or after its hash (wrapping), so each
    // point owns the arc since the previous point.
    for (let i = 0; i < pts.length; i++) {
      const prev = i === 0 ? pts[pts.length - 1].value - SPACE : pts[i - 1].value;
      out[pts[i].server] += (pts[i].value - prev) / SPACE;
    }
    return out;
  }
}

// Several Cluster instances in one process (tests, the bench) share rings of
// equal member sets instead of each paying for the build.
const cache = new Map<string, Ring>();
const CACHE_MAX = 4;

export function ringFor(members: readonly string[], vnodes = vnodesFor(members.length)): Ring {
  const sorted = [...members].sort();
  const key = `${vnodes}\x00${sorted.join('\x00')}`;
  let r = cache.get(key);
  if (r) {
    cache.delete(key);
    cache.set(key, r);
    return r;
  }
  r = new Ring(sorted, vnodes);
  cache.set(key, r);
  if (cache.size > CACHE_MAX) cache.delete(cache.keys().next().value as string);
  return r;
}
