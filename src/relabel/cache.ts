// A bounded memo of relabel results, shared by prometheus.relabel and the scrape batch relabeler.
import type { LabelPairs } from '../pipeline/metrics.js';
import { applyRulesToPairs } from './engine.js';
import type { CompiledRule } from './rule.js';

/**
 * Relabel results by label set; null = dropped. Two modes, as Alloy's
 * prometheus.relabel: bounded (maxSize > 0; oldest entries go first when
 * full) or TTL (ttlMs > 0, unbounded: an entry expires ttlMs after its last
 * use; expired entries are swept every ttlMs/4 while results are asked for).
 */
export class RelabelCache {
  private readonly map = new Map<string, LabelPairs | null>();
  /** TTL mode: when each entry expires. */
  private readonly expires = new Map<string, number>();
  private ttlMs = 0;
  private lastSweep = 0;
  hits = 0;
  misses = 0;
  /** Entries removed by the TTL sweep. */
  ttlEvictions = 0;
  constructor(
    private maxSize: number,
    ttlMs = 0,
    private readonly now: () => number = Date.now,
  ) {
    this.setTtl(ttlMs);
  }

  /** Switch to TTL mode (ttlMs > 0) or back to the bounded mode (0). */
  setTtl(ttlMs: number): void {
    if (ttlMs === this.ttlMs) return;
    this.ttlMs = ttlMs;
    this.clear();
    this.lastSweep = this.now();
  }

  resize(maxSize: number): void {
    this.maxSize = maxSize;
    this.trim();
  }

  clear(): void {
    this.map.clear();
    this.expires.clear();
  }

  get size(): number {
    return this.map.size;
  }

  relabel(labels: LabelPairs, rules: readonly CompiledRule[]): LabelPairs | null {
    const key = labels.join('\xff');
    const ttl = this.ttlMs;
    const now = ttl > 0 ? this.now() : 0;
    if (ttl > 0 && now - this.lastSweep >= ttl / 4) this.sweep(now);
    const hit = this.map.get(key);
    if (hit !== undefined && (ttl === 0 || this.expires.get(key)! > now)) {
      this.hits++;
      if (ttl > 0) this.expires.set(key, now + ttl); // a hit slides the expiry
      return hit;
    }
    this.misses++;
    const out = applyRulesToPairs(labels, rules);
    const result = out === null || out.length === 0 ? null : out;
    if (ttl > 0) {
      this.map.set(key, result);
      this.expires.set(key, now + ttl);
    } else if (this.maxSize > 0) {
      this.map.set(key, result);
      this.trim();
    }
    return result;
  }

  /** Forget one label set's result (e.g. its series went stale). */
  forget(labels: LabelPairs): void {
    const key = labels.join('\xff');
    this.map.delete(key);
    this.expires.delete(key);
  }

  private sweep(now: number): void {
    this.lastSweep = now;
    for (const [k, exp] of this.expires) {
      if (exp > now) continue;
      this.expires.delete(k);
      this.map.delete(k);
      this.ttlEvictions++;
    }
  }

  private trim(): void {
    if (this.ttlMs > 0 || this.map.size <= this.maxSize) return;
    let excess = this.map.size - this.maxSize;
    for (const k of this.map.keys()) {
      if (excess-- <= 0) break;
      this.map.delete(k);
    }
  }
}
