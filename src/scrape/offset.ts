// Scrape phase: every target is scraped at times t with t mod interval == offset,
// where offset comes from a hash of the target (labels + URL). Prometheus seeds
// that hash with the hostname; we seed it with a constant shared by the whole
// cluster so a target that moves to another member keeps its phase (no double
// or missed scrape at hand-off).
import type { LabelPairs } from '../pipeline/metrics.js';

export const CLUSTER_OFFSET_SEED = 0x616c6c6f792d7473n; // "alloy-ts"
const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK = 0xffffffffffffffffn;

export function fnv1a64(s: string): bigint {
  let h = FNV_OFFSET;
  const bytes = Buffer.from(s, 'utf8');
  for (let i = 0; i < bytes.length; i++) {
    h ^= BigInt(bytes[i]);
    h = (h * FNV_PRIME) & MASK;
  }
  return h;
}

/** Offset in [0, interval) for this target. */
export function scrapeOffsetMs(labels: LabelPairs, url: string, intervalMs: number, seed = CLUSTER_OFFSET_SEED): number {
  const h = fnv1a64(labels.join('\xff') + '\xff' + url) ^ seed;
  return Number(h % BigInt(Math.max(1, Math.round(intervalMs))));
}

/** The first scrape time strictly after `now` on the target's grid. */
export function nextScrapeTime(now: number, intervalMs: number, offsetMs: number): number {
  const base = now - (((now - offsetMs) % intervalMs) + intervalMs) % intervalMs;
  return base <= now ? base + intervalMs : base;
}
