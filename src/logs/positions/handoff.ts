// Before a replica opens a stream, it waits until no other live replica
// still tails it. Replicas publish the streams they tail ("held") with their
// positions; a graceful hand-off is then exact: the old owner stops, writes
// its final position and drops the hold, and the new owner starts from that
// position. A holder that is no longer a cluster member (crashed, or left)
// gets a short grace to publish its last write, then the new owner goes on
// from the holder's last persisted position.
import { sleep } from '../../net/backoff.js';
import type { PositionStore } from './store.js';

export type HandoffOutcome = 'free' | 'released' | 'holder_gone' | 'timeout' | 'no_shared_positions' | 'stopped';

export interface HandoffOptions {
  /** Names of the live cluster members other than this one. */
  liveMembers(): ReadonlySet<string>;
  /** Give up waiting (and open anyway) after this long. */
  timeoutMs: number;
  /** Re-read interval while waiting. */
  pollMs?: number;
  /** How long a holder that is no longer a member may still publish its release. */
  goneGraceMs?: number;
  /** Without readable shared positions: wait this long on a hand-off (the old owner flushes meanwhile). */
  blindDelayMs?: number;
  /** Whether the stream was gained through an ownership change (else a start or restart). */
  handoff: boolean;
  signal: AbortSignal;
}

export interface HandoffResult {
  outcome: HandoffOutcome;
  waitedMs: number;
  holders: string[];
}

export async function waitForRelease(store: PositionStore, key: string, o: HandoffOptions): Promise<HandoffResult> {
  const start = Date.now();
  const poll = o.pollMs ?? 200;
  const grace = o.goneGraceMs ?? 1000;
  let goneSince: number | undefined;
  let holders: string[] = [];
  // A bounded loop: at most timeout/poll rounds.
  for (let round = 0; round <= Math.ceil(o.timeoutMs / poll) + 1; round++) {
    if (o.signal.aborted) return { outcome: 'stopped', waitedMs: Date.now() - start, holders };
    await store.refreshShared(round === 0 ? 0 : poll / 2);
    if (!store.shared || !store.sharedOk) {
      if (o.handoff && o.blindDelayMs) await sleep(o.blindDelayMs, o.signal);
      return { outcome: 'no_shared_positions', waitedMs: Date.now() - start, holders };
    }
    holders = store.holders(key);
    if (holders.length === 0) return { outcome: round === 0 ? 'free' : 'released', waitedMs: Date.now() - start, holders };
    const live = o.liveMembers();
    if (holders.every((h) => !live.has(h))) {
      goneSince ??= Date.now();
      if (Date.now() - goneSince >= grace) return { outcome: 'holder_gone', waitedMs: Date.now() - start, holders };
    } else goneSince = undefined;
    if (Date.now() - start >= o.timeoutMs) return { outcome: 'timeout', waitedMs: Date.now() - start, holders };
    await sleep(poll, o.signal);
  }
  return { outcome: 'timeout', waitedMs: Date.now() - start, holders };
}
