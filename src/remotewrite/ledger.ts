// Tracks which WAL records are fully handled (sent, or dropped for good) so
// the endpoint's checkpoint only ever advances over a contiguous prefix:
// shards finish out of order, but the position written to disk must not
// skip a record that is still in flight.
import type { WalPosition } from './wal-reader.js';

export interface LedgerEntry {
  seg: number;
  end: number;
  remaining: number;
}

export class Ledger {
  private entries: LedgerEntry[] = [];
  private head = 0; // index of the first unfinished entry
  committed: WalPosition;

  constructor(start: WalPosition) {
    this.committed = { ...start };
  }

  /** Registers a record read from the WAL with `count` samples that will be sent. */
  add(seg: number, end: number, count: number): LedgerEntry {
    const e = { seg, end, remaining: count };
    this.entries.push(e);
    if (count === 0) this.advance();
    return e;
  }

  /** `n` samples of `e` are done; returns true when the committed position moved. */
  done(e: LedgerEntry, n = 1): boolean {
    e.remaining -= n;
    return e.remaining <= 0 && this.advance();
  }

  /** Moves the committed position to a record boundary nothing is waiting on (e.g. a skipped segment). */
  private advance(): boolean {
    let moved = false;
    while (this.head < this.entries.length && this.entries[this.head]!.remaining <= 0) {
      const e = this.entries[this.head++]!;
      this.committed = { segment: e.seg, offset: e.end };
      moved = true;
    }
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
    return moved;
  }

  /** Records still waiting for sends. */
  outstanding(): number {
    return this.entries.length - this.head;
  }
}
