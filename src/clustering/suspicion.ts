// Lifeguard's dynamic suspicion: a suspicion starts with a long timeout that
// shrinks (logarithmically) towards the minimum as independent members
// confirm it. A lone, possibly starved accuser can then not get a healthy
// member declared dead quickly, while a member that many see failing still
// goes within the minimum timeout.

export interface SuspicionTimes {
  /** Timeout once `expected` independent confirmations arrived. */
  minMs: number;
  /** Timeout with no confirmation. */
  maxMs: number;
  /** Confirmations that bring the timeout down to minMs (0: minMs at once). */
  expected: number;
}

/** max - (max - min) * log(c + 1) / log(k + 1), never below min. */
export function suspicionTimeoutMs(t: SuspicionTimes, confirmations: number): number {
  if (t.expected < 1 || t.maxMs <= t.minMs) return t.minMs;
  const frac = Math.log(Math.max(0, confirmations) + 1) / Math.log(t.expected + 1);
  return Math.max(t.minMs, Math.floor(t.maxMs - frac * (t.maxMs - t.minMs)));
}

export interface SuspicionHooks {
  /** Current timeouts (re-read on every (re)arm: the local health may have changed). */
  times(): SuspicionTimes;
  /** The deadline passed. `lateMs`: how late the timer fired. */
  expire(lateMs: number): void;
  now?: () => number;
}

/** One suspicion of one member at one incarnation. */
export class Suspicion {
  /** Accusers: the first one raised the suspicion, the others confirm it. */
  private readonly accusers = new Set<string>();
  private readonly started: number;
  private timer: NodeJS.Timeout | undefined;
  private due = 0;
  /** Extra time granted after a late expiry (see postpone). */
  private graceMs = 0;
  private readonly now: () => number;

  constructor(
    firstAccuser: string | undefined,
    private readonly hooks: SuspicionHooks,
  ) {
    this.now = hooks.now ?? (() => performance.now());
    this.started = this.now();
    if (firstAccuser) this.accusers.add(firstAccuser);
    this.arm();
  }

  /** Independent confirmations beyond the first accusation. */
  get confirmations(): number {
    return Math.max(0, this.accusers.size - 1);
  }

  /** Add an accuser; true when it is new (then the caller re-gossips the accusation). */
  confirm(accuser: string): boolean {
    if (this.accusers.has(accuser)) return false;
    this.accusers.add(accuser);
    if (this.timer) this.arm();
    return true;
  }

  /** Ms from start the member gets, with the current times and confirmations. */
  timeoutMs(): number {
    return suspicionTimeoutMs(this.hooks.times(), this.confirmations) + this.graceMs;
  }

  /** After a late expiry: wait `ms` more before expiring again. */
  postpone(ms: number): void {
    this.graceMs += ms;
    this.arm();
  }

  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(): void {
    this.cancel();
    this.due = this.started + this.timeoutMs();
    this.timer = setTimeout(() => this.fire(), Math.max(0, this.due - this.now()));
    this.timer.unref?.();
  }

  private fire(): void {
    this.timer = undefined;
    const now = this.now();
    // The local health may have worsened since arming: the deadline moved out.
    const due = this.started + this.timeoutMs();
    if (due - now > 1) {
      this.arm();
      return;
    }
    this.hooks.expire(Math.max(0, now - this.due));
  }
}
