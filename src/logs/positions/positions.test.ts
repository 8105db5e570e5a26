import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { advance, fingerprint, mergePositions, ResumeFilter, sinceTime, type Position } from './position.js';
import { PositionStore } from './store.js';
import type { SharedPositionsBackend } from './shared.js';

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
      readAll: async () => new Map(others),
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
});
