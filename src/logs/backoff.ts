// Exponential backoff with full jitter in the upper half: the delay for
// attempt n is uniform in [d/2, d] where d = min(max, min * 2^n). Half-jitter
// keeps a floor (no hot retry loops) while spreading many tailers apart.
export class Backoff {
  #attempt = 0;
  constructor(
    private readonly minMs: number,
    private readonly maxMs: number,
    private readonly random: () => number = Math.random,
  ) {}

  get attempts(): number {
    return this.#attempt;
  }

  next(): number {
    const d = Math.min(this.maxMs, this.minMs * 2 ** Math.min(this.#attempt, 40));
    this.#attempt++;
    return d / 2 + this.random() * (d / 2);
  }

  reset(): void {
    this.#attempt = 0;
  }
}

/** Resolves after ms, or early (without error) when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
