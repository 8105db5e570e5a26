// Lifeguard's local health awareness: a node that misses its own deadlines
// (its timers fire late, its RPC deadlines overrun, it has to refute
// suspicions about itself) is more likely starved of CPU than surrounded by
// dead peers. It then waits longer before blaming others: probe timeouts
// and suspicion timeouts are scaled by a multiplier (score + 1), which falls
// back as probes succeed on time again.

/** Default ceiling of the score (multiplier 9), memberlist's default too. */
export const DEFAULT_MAX_LOCAL_HEALTH = 8;

export class LocalHealth {
  private value = 0;

  constructor(
    readonly max = DEFAULT_MAX_LOCAL_HEALTH,
    private readonly onChange: (score: number) => void = () => {},
  ) {
    if (!Number.isInteger(max) || max < 0) throw new Error(`local health: max must be a non-negative integer, got ${max}`);
  }

  /** 0 = healthy, up to max. */
  get score(): number {
    return this.value;
  }

  /** Factor applied to timeouts: 1 when healthy. */
  get multiplier(): number {
    return this.value + 1;
  }

  /** Worse by delta > 0, better by delta < 0; clamped to [0, max]. */
  apply(delta: number): void {
    if (!Number.isFinite(delta) || delta === 0) return;
    const next = Math.min(this.max, Math.max(0, this.value + Math.trunc(delta)));
    if (next === this.value) return;
    this.value = next;
    this.onChange(next);
  }

  scale(ms: number): number {
    return ms * this.multiplier;
  }
}

/**
 * Score penalty for a timer that fired `lagMs` late: none under half a probe
 * timeout (scheduling noise), else one per probe timeout of lateness (a 1.5 s
 * stall with 500 ms probes is 3), at least 1.
 */
export function lagPenalty(lagMs: number, probeTimeoutMs: number): number {
  if (!(lagMs >= probeTimeoutMs / 2) || probeTimeoutMs <= 0) return 0;
  return Math.max(1, Math.ceil(lagMs / probeTimeoutMs));
}

/**
 * Whether a call whose deadline (`timeoutMs`) fired `lateMs` after it was
 * due overran it: half a timeout (and 20 ms) late or more means our event
 * loop was stalled, so the failure says more about us than about the peer.
 */
export function overdue(lateMs: number | undefined, timeoutMs: number): boolean {
  return lateMs !== undefined && lateMs >= Math.max(timeoutMs / 2, 20);
}

/**
 * Measures our own timer lag: a timer every `periodMs` compares when it ran
 * with when it was due. Each stall of at least `thresholdMs` is reported,
 * and remembered so probes and suspicions spanning it can be discounted.
 */
export class LagMonitor {
  private timer: NodeJS.Timeout | undefined;
  private due = 0;
  private lastStall = -Infinity;

  constructor(
    private readonly periodMs: number,
    private readonly thresholdMs: number,
    private readonly onStall: (lagMs: number) => void,
    private readonly now: () => number = () => performance.now(),
  ) {}

  start(): void {
    if (!this.timer) this.schedule();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Whether a stall ended at or after `t` (same clock as `now`). */
  stalledSince(t: number): boolean {
    return this.lastStall >= t;
  }

  private schedule(): void {
    this.due = this.now() + this.periodMs;
    this.timer = setTimeout(() => this.tick(), this.periodMs);
    this.timer.unref?.();
  }

  private tick(): void {
    const now = this.now();
    const lag = now - this.due;
    if (lag >= this.thresholdMs) {
      this.lastStall = now;
      this.onStall(lag);
    }
    this.schedule();
  }
}
