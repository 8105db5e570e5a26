// Jittered exponential backoff for list/watch retries.

export class Backoff {
  #attempt = 0;
  constructor(
    private readonly initialMs = 500,
    private readonly maxMs = 30_000,
    private readonly random: () => number = Math.random,
  ) {}

  /** The next delay: initial * 2^n, capped, then jittered to 50-100% (so many clients do not retry in lockstep). */
  next(): number {
    const raw = Math.min(this.maxMs, this.initialMs * 2 ** this.#attempt);
    this.#attempt = Math.min(this.#attempt + 1, 30);
    return Math.round(raw * (0.5 + 0.5 * this.random()));
  }

  reset(): void {
    this.#attempt = 0;
  }
}
