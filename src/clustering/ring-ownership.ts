// Turns a stream of participant sets into ring ownership: batches recomputes
// (at most one per interval), holds ownership back until the cluster reaches
// --cluster.wait-for-size (or the wait times out), and notifies listeners
// only when ownership can actually have changed.
import { ringFor, type Ring } from './ring.js';

export interface RingOwnershipOptions {
  /** Minimum participants before anyone owns anything; 0 disables the wait. */
  waitForSize: number;
  /** Give up waiting after this long (0 = wait forever). */
  waitTimeoutMs: number;
  /** Minimum time between two recomputes. */
  minIntervalMs?: number;
  /** Fixed virtual nodes per member (default: by cluster size, see ring.ts). */
  vnodes?: number;
  now?: () => number;
}

export class RingOwnership {
  /** Members of the ring in force; the ring itself is built lazily on first lookup. */
  private ringMembers: string[] = [];
  private ring: Ring | undefined;
  private current: string[] = [];
  private pending: string[] | undefined;
  private timer: NodeJS.Timeout | undefined;
  private waitTimer: NodeJS.Timeout | undefined;
  private lastRecompute = -Infinity;
  /** The wait-for-size gate opens once (size reached or timed out) and stays open. */
  private gateOpen: boolean;
  private readonly listeners = new Set<() => void>();
  private readonly minInterval: number;
  private readonly vnodes: number | undefined;
  private readonly now: () => number;
  /** Count of listener notifications (exported as a metric). */
  changes = 0;

  constructor(private readonly opts: RingOwnershipOptions) {
    this.minInterval = opts.minIntervalMs ?? 1000;
    this.vnodes = opts.vnodes;
    this.now = opts.now ?? Date.now;
    this.gateOpen = opts.waitForSize <= 0;
    if (!this.gateOpen && opts.waitTimeoutMs > 0) {
      this.waitTimer = setTimeout(() => {
        this.waitTimer = undefined;
        if (this.gateOpen) return;
        this.gateOpen = true;
        this.schedule(this.pending ?? this.current);
      }, opts.waitTimeoutMs);
      this.waitTimer.unref?.();
    }
  }

  /** Feed the latest participant names; the recompute happens batched. */
  update(participants: readonly string[]): void {
    this.schedule([...participants].sort());
  }

  ownerOf(key: string): string | undefined {
    return this.built()?.ownerOf(key);
  }

  participants(): readonly string[] {
    return this.current;
  }

  /** Whether ownership is held back waiting for the cluster size. */
  get waiting(): boolean {
    return !this.gateOpen;
  }

  shares(): Record<string, number> {
    return this.built()?.shares() ?? {};
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.waitTimer) clearTimeout(this.waitTimer);
    this.timer = this.waitTimer = undefined;
    this.listeners.clear();
  }

  private schedule(sorted: string[]): void {
    this.pending = sorted;
    if (this.timer) return;
    const delay = Math.max(0, this.lastRecompute + this.minInterval - this.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.recompute();
    }, delay);
    this.timer.unref?.();
  }

  private recompute(): void {
    const next = this.pending;
    this.pending = undefined;
    if (!next) return;
    this.lastRecompute = this.now();
    if (!this.gateOpen && next.length >= this.opts.waitForSize) {
      this.gateOpen = true;
      if (this.waitTimer) clearTimeout(this.waitTimer);
      this.waitTimer = undefined;
    }
    const wanted = this.gateOpen && next.length > 0 ? next : [];
    this.current = next;
    if (sameList(wanted, this.ringMembers)) return;
    this.ringMembers = wanted;
    this.ring = undefined;
    this.changes++;
    for (const l of [...this.listeners]) {
      try {
        l();
      } catch {
        // A failing listener must not stop the others from hearing about the change.
      }
    }
  }

  /** Build on demand: a node nobody asks (e.g. a viewer) never pays for the ring. */
  private built(): Ring | undefined {
    if (!this.ring && this.ringMembers.length) this.ring = ringFor(this.ringMembers, this.vnodes);
    return this.ring;
  }
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
