// Retry timing: capped exponential backoff, and Retry-After as the server asks.

/** The next delay after `current` failed attempts' delay: doubled, within [min, max]. */
export function nextBackoff(current: number, minMs: number, maxMs: number): number {
  if (current <= 0) return Math.min(minMs, maxMs);
  return Math.min(Math.max(current * 2, minMs), maxMs);
}

/**
 * Parses a Retry-After header (delta seconds or an HTTP date) into ms from
 * `now`; undefined when absent or unparsable.
 */
export function parseRetryAfter(header: string | undefined, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const v = header.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/** The delay before the next attempt: the server's Retry-After wins over our own backoff. */
export function retryDelay(backoffMs: number, retryAfterMs: number | undefined): number {
  return retryAfterMs !== undefined ? retryAfterMs : backoffMs;
}
