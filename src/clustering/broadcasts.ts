// Queue of membership updates waiting to be piggy-backed on outgoing messages.
// Each update is sent a bounded number of times (retransmit limit ~ log N),
// the least-sent first; a newer update about a node replaces the older one.
import type { NodeRecord } from './wire.js';

interface Item {
  rec: NodeRecord;
  transmits: number;
  seq: number;
}

/** memberlist's rule of thumb: mult * ceil(log10(n + 1)). */
export function retransmitLimit(mult: number, members: number): number {
  return mult * Math.max(1, Math.ceil(Math.log10(members + 1)));
}

export class BroadcastQueue {
  private readonly items = new Map<string, Item>();
  private seq = 0;

  get size(): number {
    return this.items.size;
  }

  enqueue(rec: NodeRecord): void {
    this.items.set(rec.name, { rec, transmits: 0, seq: this.seq++ });
  }

  /**
   * Up to `max` updates for one message, fewest transmits first (newest first
   * among equals); items that reach `limit` transmits are dropped.
   */
  take(max: number, limit: number): NodeRecord[] {
    if (this.items.size === 0 || max <= 0) return [];
    const picked = [...this.items.values()]
      .sort((a, b) => a.transmits - b.transmits || b.seq - a.seq)
      .slice(0, max);
    for (const it of picked) {
      it.transmits++;
      if (it.transmits >= limit) this.items.delete(it.rec.name);
    }
    return picked.map((it) => it.rec);
  }

  clear(): void {
    this.items.clear();
  }
}
