// The one retry timing of the collector: capped exponential backoff with a
// choice of jitter, an optional retry budget, the server's Retry-After, and an
// abortable sleep. Every retrying client (remote_write, loki.write, the log
// tailers, the Kubernetes reflectors, ...) uses this instead of its own.

/**
 * How a delay is spread so many clients do not retry in lockstep:
 * - none: exactly min * 2^n (Prometheus remote_write's doubling);
 * - half: uniform in [d/2, d] (a floor against hot loops; dskit/Loki-style);
 * - full: uniform in [0, d] (AWS "full jitter");
 * - decorrelated: uniform in [min, 3 * previous], capped (AWS "decorrelated jitter");
 * - proportional: uniform in [d - f*d, d + f*d] with f = randomizationFactor (the OTel Collector's retry_on_failure).
 */
export type Jitter = 'none' | 'half' | 'full' | 'decorrelated' | 'proportional';

export interface BackoffOptions {
  minMs: number;
  maxMs: number;
  jitter?: Jitter;
  /** Retries allowed before `exhausted` turns true; undefined or 0: unbounded. */
  maxRetries?: number;
  random?: () => number;
  /** Growth of the delay per attempt; default 2 (doubling). */
  multiplier?: number;
  /** For jitter 'proportional'; default 0.5. */
  randomizationFactor?: number;
}

export class Backoff {
  readonly #o: Required<Omit<BackoffOptions, 'maxRetries'>> & { maxRetries: number };
  #attempt = 0;
  #previous = 0;

  constructor(o: BackoffOptions) {
    if (!(o.minMs >= 0) || !(o.maxMs >= 0)) throw new Error(`backoff: min (${o.minMs}) and max (${o.maxMs}) must be non-negative numbers`);
    this.#o = { jitter: 'none', random: Math.random, multiplier: 2, randomizationFactor: 0.5, ...o, maxRetries: o.maxRetries ?? 0 };
  }

  /** Delays handed out since the last reset. */
  get attempts(): number {
    return this.#attempt;
  }

  /** True once maxRetries delays were handed out (never without a budget). */
  get exhausted(): boolean {
    return this.#o.maxRetries > 0 && this.#attempt >= this.#o.maxRetries;
  }

  /** The delay before the next retry, in ms. */
  next(): number {
    const { minMs, maxMs, jitter, random, multiplier } = this.#o;
    const min = Math.min(minMs, maxMs);
    // The exponent is bounded so 2^n never overflows into Infinity * 0 = NaN.
    const d = Math.min(maxMs, minMs * multiplier ** Math.min(this.#attempt, 40));
    this.#attempt++;
    let delay: number;
    switch (jitter) {
      case 'half':
        delay = d / 2 + random() * (d / 2);
        break;
      case 'full':
        delay = random() * d;
        break;
      case 'proportional': {
        const f = this.#o.randomizationFactor;
        delay = d - f * d + random() * (2 * f * d);
        break;
      }
      case 'decorrelated': {
        const hi = Math.max(min, (this.#previous || min) * 3);
        delay = Math.min(maxMs, min + random() * (hi - min));
        break;
      }
      default:
        delay = d;
    }
    this.#previous = delay;
    return delay;
  }

  reset(): void {
    this.#attempt = 0;
    this.#previous = 0;
  }
}

/**
 * A Retry-After header (delta seconds or an HTTP date) as ms from `now`;
 * undefined when absent or unparsable. A date in the past is 0.
 */
export function parseRetryAfter(header: string | string[] | undefined, now = Date.now()): number | undefined {
  const raw = Array.isArray(header) ? header[0] : header;
  if (!raw) return undefined;
  const v = raw.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/**
 * The delay before the next attempt: the server's Retry-After, when it gave
 * one, wins over our own backoff, capped at `capMs` when the caller bounds it.
 */
export function retryDelay(backoffMs: number, retryAfterMs: number | undefined, capMs?: number): number {
  if (retryAfterMs === undefined) return backoffMs;
  return capMs !== undefined ? Math.min(retryAfterMs, capMs) : retryAfterMs;
}

/** Resolves after ms, or early (never rejecting) when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, ms));
    signal?.addEventListener('abort', done, { once: true });
  });
}
