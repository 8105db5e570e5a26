import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { advance, fingerprint, mergePositions, ResumeFilter, sinceTime, type Position } from './position.js';
import { PositionStore } from './store.js';
import type { SharedPositionsBackend, SharedView } from './shared.js';
import { waitForRelease } from './handoff.js';

const S = 1_700_000_000n * 1_000_000_000n;
const logger = pino({ level: 'silent' });

describe('positions', () => {
  it('advance keeps the newest timestamp and the fingerprints of lines at it (with repeats)', () => {
    let p = advance(undefined, [{ ts: S + 1n, line: 'a' }, { ts: S + 2n, line: 'b' }, { ts: S + 2n, line: 'b' }]);
    expect(p!.ts).toBe(S + 2n);
    expect(p!.fps).toEqual([fingerprint('b'), fingerprint('b')]);
    p = advance(p, [{ ts: S + 2n, line: 'c' }]);
    expect(p!.fps.length).toBe(3);
    p = advance(p, [{ ts: S + 3n, line: 'd' }]);
    expect(p!.fps).toEqual([fingerprint('d')]);
  });

  it('resume skips older lines and each delivered occurrence at the position, keeps the rest', () => {
    const pos = advance(undefined, [{ ts: S + 5n, line: 'x' }, { ts: S + 5n, line: 'x' }, { ts: S + 5n, line: 'y' }]);
    const f = new ResumeFilter(pos);
    const replay = [
      [S, 'old'],
      [S + 5n, 'x'],
      [S + 5n, 'y'],
      [S + 5n, 'x'],
      [S + 5n, 'x'], // a third identical line at the same ts was not delivered yet
      [S + 5n, 'z'],
      [S + 6n, 'new'],
      [S + 1n, 'late but after the position was passed'],
    ] as const;
    expect(replay.filter(([ts, l]) => f.keep(ts, l)).map(([, l]) => l)).toEqual(['x', 'z', 'new', 'late but after the position was passed']);
  });

  it('sinceTime floors to whole seconds', () => {
    expect(sinceTime({ ts: S + 999_999_999n, fps: [], updated: 0 })).toBe('2023-11-14T22:13:20Z');
    expect(sinceTime(undefined)).toBeUndefined();
  });

  it('merge takes the newer position, unions fingerprints at equal timestamps', () => {
    const a: Position = { ts: S, fps: ['f1', 'f1'], updated: 1 };
    const b: Position = { ts: S, fps: ['f1', 'f2'], updated: 2 };
    expect(mergePositions(a, b)!.fps.sort()).toEqual(['f1', 'f1', 'f2']);
    expect(mergePositions(a, { ts: S + 1n, fps: [], updated: 0 })!.ts).toBe(S + 1n);
  });

  it('store persists to the file and to the shared backend, and reads other replicas', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pos-'));
    const written: Map<string, Position>[] = [];
    const others = new Map<string, Position>([['ns/p:c', { ts: S + 100n, fps: ['q'], updated: 0 }]]);
    const backend: SharedPositionsBackend = {
      readAll: async () => ({ positions: new Map(others), holders: new Map(), ownStaleHolds: false }),
      write: async (m) => void written.push(new Map(m)),
    };
    const store = new PositionStore({ file: join(dir, 'positions.json'), shared: backend, logger, localFlushMs: 5, sharedFlushMs: 5 });
    await store.load();
    expect(store.get('ns/p:c')!.ts).toBe(S + 100n);
    store.set('ns/p:d', { ts: S + 7n, fps: ['z'], updated: 0 });
    await store.flush();
    expect(JSON.parse(readFileSync(join(dir, 'positions.json'), 'utf8')).positions['ns/p:d'].ts).toBe((S + 7n).toString());
    expect(written.at(-1)!.get('ns/p:d')!.ts).toBe(S + 7n);
    await store.stop();

    // A restart reads the file back.
    const again = new PositionStore({ file: join(dir, 'positions.json'), logger });
    await again.load();
    expect(again.get('ns/p:d')!.fps).toEqual(['z']);
    await again.stop();
  });

  it('store keeps working when the shared backend fails', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pos-'));
    const backend: SharedPositionsBackend = {
      readAll: async () => {
        throw new Error('forbidden');
      },
      write: async () => {
        throw new Error('forbidden');
      },
    };
    const store = new PositionStore({ file: join(dir, 'p.json'), shared: backend, logger, sharedFlushMs: 60_000 });
    await store.load();
    expect(store.lastSharedError).toBe('forbidden');
    store.set('k', { ts: 1n, fps: [], updated: 0 });
    await store.flush();
    expect(store.get('k')!.ts).toBe(1n);
    await store.stop();
  });

  /** A shared backend in memory: the records of other replicas are scripted, ours is recorded. */
  function memoryBackend(view: () => Partial<SharedView>) {
    const writes: { at: number; positions: Map<string, Position>; held: string[] }[] = [];
    let reads = 0;
    const backend: SharedPositionsBackend = {
      readAll: async () => {
        reads++;
        const v = view();
        return { positions: v.positions ?? new Map(), holders: v.holders ?? new Map(), ownStaleHolds: v.ownStaleHolds ?? false };
      },
      write: async (m, held) => void writes.push({ at: Date.now(), positions: new Map(m), held: [...held] }),
    };
    return { backend, writes, reads: () => reads };
  }

  it('a commit is persisted at once (leading edge), later ones coalesced within the interval', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pos-'));
    const file = join(dir, 'positions.json');
    const mem = memoryBackend(() => ({}));
    const store = new PositionStore({ file, shared: mem.backend, logger, localFlushMs: 0, sharedFlushMs: 300 });
    await store.load();
    const t0 = Date.now();
    store.set('k', { ts: S + 1n, fps: ['a'], updated: 0 });
    // Written on the next turn of the event loop: no timer interval to wait for.
    await new Promise((r) => setTimeout(r, 5));
    expect(JSON.parse(readFileSync(file, 'utf8')).positions.k.ts).toBe((S + 1n).toString());
    expect(mem.writes.length).toBe(1);
    for (let i = 2; i <= 5; i++) store.set('k', { ts: S + BigInt(i), fps: ['a'], updated: 0 });
    await new Promise((r) => setTimeout(r, 5));
    expect(JSON.parse(readFileSync(file, 'utf8')).positions.k.ts).toBe((S + 5n).toString());
    expect(mem.writes.length).toBe(1); // the shared record waits for its interval ...
    const deadline = Date.now() + 3000;
    while (mem.writes.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(mem.writes.length).toBe(2); // ... then carries the newest position in one write
    expect(mem.writes[1].positions.get('k')!.ts).toBe(S + 5n);
    expect(mem.writes[1].at - t0).toBeGreaterThanOrEqual(290);
    await store.stop();
  });

  it('claims and releases are published; stop releases everything', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pos-'));
    const mem = memoryBackend(() => ({}));
    const store = new PositionStore({ file: join(dir, 'p.json'), shared: mem.backend, logger, sharedFlushMs: 0 });
    await store.load();
    store.claim('a');
    store.claim('b');
    store.set('a', { ts: S, fps: [], updated: 0 });
    await store.flush();
    expect(mem.writes.at(-1)!.held.sort()).toEqual(['a', 'b']);
    store.release('a');
    await store.flush();
    expect(mem.writes.at(-1)!.held).toEqual(['b']);
    expect(mem.writes.at(-1)!.positions.get('a')!.ts).toBe(S); // a released position stays for the next owner
    await store.stop();
    expect(mem.writes.at(-1)!.held).toEqual([]);
  });

  it('a claim goes out at once without delaying the next position write; failed writes retry only after the interval', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pos-'));
    const mem = memoryBackend(() => ({}));
    const store = new PositionStore({ file: join(dir, 'p.json'), shared: mem.backend, logger, sharedFlushMs: 400 });
    await store.load();
    store.claim('k');
    await new Promise((r) => setTimeout(r, 20));
    expect(mem.writes.map((w) => w.held)).toEqual([['k']]);
    const t = Date.now();
    store.set('k', { ts: S, fps: [], updated: 0 });
    await new Promise((r) => setTimeout(r, 20));
    expect(mem.writes.length).toBe(2); // not held back by the claim's write
    expect(mem.writes[1].positions.get('k')!.ts).toBe(S);
    expect(mem.writes[1].at - t).toBeLessThan(200);
    await store.stop();

    let attempts = 0;
    const failing: SharedPositionsBackend = {
      readAll: async () => ({ positions: new Map(), holders: new Map(), ownStaleHolds: false }),
      write: async () => {
        attempts++;
        throw new Error('forbidden');
      },
    };
    const refused = new PositionStore({ file: join(dir, 'q.json'), shared: failing, logger, sharedFlushMs: 200 });
    await refused.load();
    refused.claim('a');
    await new Promise((r) => setTimeout(r, 500));
    expect(attempts).toBeGreaterThanOrEqual(2);
    expect(attempts).toBeLessThanOrEqual(4); // about one per 200 ms, not a hot loop
    await refused.stop();
  });

  it('a restarted replica clears the holds its previous run left behind', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pos-'));
    const mem = memoryBackend(() => ({ ownStaleHolds: true }));
    const store = new PositionStore({ file: join(dir, 'p.json'), shared: mem.backend, logger, sharedFlushMs: 0 });
    await store.load();
    const deadline = Date.now() + 2000;
    while (mem.writes.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect(mem.writes[0].held).toEqual([]);
    await store.stop();
  });

  describe('waiting for the previous owner', () => {
    const opts = (live: string[], extra: Partial<Parameters<typeof waitForRelease>[2]> = {}) => ({
      liveMembers: () => new Set(live),
      timeoutMs: 2000,
      pollMs: 20,
      goneGraceMs: 100,
      handoff: true,
      signal: new AbortController().signal,
      ...extra,
    });

    it('opens at once when nobody holds the stream', async () => {
      const mem = memoryBackend(() => ({}));
      const store = new PositionStore({ file: join(mkdtempSync(join(tmpdir(), 'pos-')), 'p.json'), shared: mem.backend, logger });
      await store.load();
      const r = await waitForRelease(store, 'k', opts(['b']));
      expect(r.outcome).toBe('free');
      await store.stop();
    });

    it('waits while a live holder tails it, and takes its final position once released', async () => {
      let holders = new Map([['k', ['b']]]);
      let positions = new Map<string, Position>([['k', { ts: S, fps: [], updated: 0 }]]);
      const mem = memoryBackend(() => ({ holders, positions }));
      const store = new PositionStore({ file: join(mkdtempSync(join(tmpdir(), 'pos-')), 'p.json'), shared: mem.backend, logger });
      await store.load();
      // b finishes after ~150 ms: its final position and the release appear together.
      setTimeout(() => {
        positions = new Map([['k', { ts: S + 42n, fps: ['x'], updated: 1 }]]);
        holders = new Map();
      }, 150);
      const r = await waitForRelease(store, 'k', opts(['b']));
      expect(r.outcome).toBe('released');
      expect(r.waitedMs).toBeGreaterThanOrEqual(100);
      expect(store.get('k')!.ts).toBe(S + 42n);
      expect(mem.reads()).toBeGreaterThan(2);
      await store.stop();
    });

    it('a holder that is no longer a member gets a short grace, then its last position is used', async () => {
      const mem = memoryBackend(() => ({ holders: new Map([['k', ['dead']]]), positions: new Map([['k', { ts: S + 7n, fps: [], updated: 0 }]]) }));
      const store = new PositionStore({ file: join(mkdtempSync(join(tmpdir(), 'pos-')), 'p.json'), shared: mem.backend, logger });
      await store.load();
      const r = await waitForRelease(store, 'k', opts(['b']));
      expect(r.outcome).toBe('holder_gone');
      expect(r.waitedMs).toBeGreaterThanOrEqual(100);
      expect(r.waitedMs).toBeLessThan(1500);
      expect(store.get('k')!.ts).toBe(S + 7n);
      await store.stop();
    });

    it('gives up after the timeout when a live holder never lets go', async () => {
      const mem = memoryBackend(() => ({ holders: new Map([['k', ['b']]]) }));
      const store = new PositionStore({ file: join(mkdtempSync(join(tmpdir(), 'pos-')), 'p.json'), shared: mem.backend, logger });
      await store.load();
      const r = await waitForRelease(store, 'k', opts(['b'], { timeoutMs: 200 }));
      expect(r.outcome).toBe('timeout');
      expect(r.holders).toEqual(['b']);
      await store.stop();
    });

    it('without readable shared positions a hand-off waits the blind delay, a start does not', async () => {
      const backend: SharedPositionsBackend = {
        readAll: async () => {
          throw new Error('forbidden');
        },
        write: async () => {},
      };
      const store = new PositionStore({ file: join(mkdtempSync(join(tmpdir(), 'pos-')), 'p.json'), shared: backend, logger });
      await store.load();
      const h = await waitForRelease(store, 'k', opts([], { blindDelayMs: 150 }));
      expect(h.outcome).toBe('no_shared_positions');
      expect(h.waitedMs).toBeGreaterThanOrEqual(140);
      const s = await waitForRelease(store, 'k', opts([], { blindDelayMs: 150, handoff: false }));
      expect(s.waitedMs).toBeLessThan(140);
      await store.stop();
    });
  });
});
