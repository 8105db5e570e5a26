import { labelsHash, SeriesIndex } from './series-index.js';

interface E {
  hi: number;
  lo: number;
  id: string;
}

test('entries sharing a bucket (same hi) are told apart by lo; delete and forEach keep the rest', () => {
  const ix = new SeriesIndex<E>();
  const a = { hi: 7, lo: 1, id: 'a' };
  const b = { hi: 7, lo: 2, id: 'b' };
  const c = { hi: -9, lo: 1, id: 'c' };
  for (const e of [a, b, c]) ix.add(e);
  expect(ix.size).toBe(3);
  expect(ix.get({ hi: 7, lo: 2 })).toBe(b);
  expect(ix.get({ hi: 7, lo: 3 })).toBeUndefined();
  expect(ix.get({ hi: -9, lo: 1 })).toBe(c);
  // forEach may delete the entry it visits (as staleness does), bucket mates included.
  const seen: string[] = [];
  ix.forEach((e) => {
    seen.push(e.id);
    if (e.id !== 'b') ix.delete(e);
  });
  expect(seen.sort()).toEqual(['a', 'b', 'c']);
  expect(ix.size).toBe(1);
  expect(ix.get({ hi: 7, lo: 2 })).toBe(b);
  expect(ix.get({ hi: 7, lo: 1 })).toBeUndefined();
  ix.delete(a); // already gone: no change
  expect(ix.size).toBe(1);
});

test('labelsHash: equal label sets hash alike; moving a character across a pair boundary changes it', () => {
  expect(labelsHash(['__name__', 'up', 'job', 'x'])).toEqual(labelsHash(['__name__', 'up', 'job', 'x']));
  expect(labelsHash(['a', 'bc'])).not.toEqual(labelsHash(['ab', 'c']));
  expect(labelsHash(['a', ''])).not.toEqual(labelsHash(['', 'a']));
});

test('labelsHash: no 64-bit collision among 200,000 bench-shaped label sets, and hi alone rarely repeats', () => {
  const full = new Set<string>();
  const his = new Set<number>();
  for (let t = 0; t < 200; t++) {
    for (let i = 0; i < 1000; i++) {
      const h = labelsHash(['__name__', `bench_requests_${i % 10}_total`, 'code', String(200 + (i % 5)), 'instance', `127.0.0.1:${9000 + t}`, 'path', `/api/v1/item/${i}`]);
      full.add(`${h.hi}:${h.lo}`);
      his.add(h.hi);
    }
  }
  expect(full.size).toBe(200_000);
  // A 32-bit hash over 200k keys repeats about 5 times; far more would mean poor mixing.
  expect(his.size).toBeGreaterThan(200_000 - 50);
});
