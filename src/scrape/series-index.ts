// A target's series, found by a 64-bit hash of their final label set instead
// of a joined-labels string. The worker hands each new series' labels to the
// main thread once and then keeps only this hash per series (16 bytes instead
// of the label array and its ~100-character key), as vmagent keeps no
// per-series label table on its scrape path. Two label sets of one target
// sharing all 64 bits would be taken for one series; at a million series in
// one target the chance of that is about 3 in 100 million.
import type { LabelPairs } from '../pipeline/metrics.js';

/** What the index needs of an entry: the two halves of its hash. */
export interface Hashed {
  hi: number;
  lo: number;
}

/** Two independent 32-bit multiply-xorshift hashes over the label texts (each string is followed by a 0xff separator). */
export function labelsHash(pairs: LabelPairs): Hashed {
  let a = 0x2545f491;
  let b = 0x9e3779b9 | 0;
  for (let i = 0; i < pairs.length; i++) {
    const s = pairs[i]!;
    for (let j = 0; j < s.length; j++) {
      const c = s.charCodeAt(j);
      a = Math.imul(a ^ c, 0x85ebca6b);
      b = Math.imul(b ^ c, 0xc2b2ae35);
      a ^= a >>> 15;
      b ^= b >>> 13;
    }
    a = Math.imul(a ^ 0xff, 0x85ebca6b);
    b = Math.imul(b ^ 0xff, 0xc2b2ae35);
  }
  a ^= a >>> 16;
  a = Math.imul(a, 0x7feb352d);
  a ^= a >>> 15;
  b ^= b >>> 16;
  b = Math.imul(b, 0x846ca68b);
  b ^= b >>> 16;
  return { hi: a | 0, lo: b | 0 };
}

/** Entries by hash; `hi` picks the bucket (an int32, so a small-integer Map key), `lo` tells bucket mates apart. */
export class SeriesIndex<E extends Hashed> {
  private readonly buckets = new Map<number, E | E[]>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  get(h: Hashed): E | undefined {
    const b = this.buckets.get(h.hi);
    if (b === undefined) return undefined;
    if (!Array.isArray(b)) return b.lo === h.lo ? b : undefined;
    for (const e of b) if (e.lo === h.lo) return e;
    return undefined;
  }

  /** Adds `e`; an entry with the same hash must not be present (check with get first). */
  add(e: E): void {
    const b = this.buckets.get(e.hi);
    if (b === undefined) this.buckets.set(e.hi, e);
    else if (Array.isArray(b)) b.push(e);
    else this.buckets.set(e.hi, [b, e]);
    this.count++;
  }

  delete(e: E): void {
    const b = this.buckets.get(e.hi);
    if (b === undefined) return;
    if (!Array.isArray(b)) {
      if (b !== e) return;
      this.buckets.delete(e.hi);
    } else {
      const i = b.indexOf(e);
      if (i < 0) return;
      b.splice(i, 1);
      if (b.length === 1) this.buckets.set(e.hi, b[0]!);
    }
    this.count--;
  }

  /** Visits every entry; `fn` may delete the entry it is given. */
  forEach(fn: (e: E) => void): void {
    this.buckets.forEach((b) => {
      if (!Array.isArray(b)) fn(b);
      else for (const e of b.slice()) fn(e);
    });
  }
}
