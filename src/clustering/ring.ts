// The consistent-hash ring over the participant set (the `hashring` package,
// ketama-compatible). Every node builds it from the same sorted names, so
// every node agrees on the owner of a key without any coordination.
import { hash } from 'node:crypto';
import HashRing from 'hashring';

/**
 * Virtual nodes per member (each gives 4 ring points). 1000 keeps every
 * member within about +-4% of its fair share of 100k keys at 10 members
 * (the sampling noise of 100k keys alone is ~1% per member); fewer points
 * measurably break the +-5% target. Cost: building a 150-member ring takes
 * ~0.7 s, which is why rings are cached by member set and rebuilt at most
 * once per second.
 */
export const DEFAULT_VNODES = 1000;

// One-shot md5: the same digest hashring computes by default, without a Hash object per call.
const md5 = (key: string): Buffer => hash('md5', key, 'buffer');

export class Ring {
  private readonly ring: HashRing | undefined;

  constructor(readonly members: readonly string[], vnodes = DEFAULT_VNODES) {
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
const CACHE_MAX = 8;

export function ringFor(members: readonly string[], vnodes = DEFAULT_VNODES): Ring {
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
