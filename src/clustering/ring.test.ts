import { createHash } from 'node:crypto';
import { Ring, ringFor, vnodesFor } from './ring.js';
import { targetKey } from './ownership.js';

const names = (n: number, prefix = 'alloy-'): string[] => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
const keys = (n: number): string[] => Array.from({ length: n }, (_, i) => targetKey({ __address__: `10.0.${i >> 8}.${i & 255}:9100`, job: 'pods' }));

describe('Ring', () => {
  test('10 members split 100,000 keys within +-5% of the fair share', () => {
    const ring = new Ring(names(10));
    expect(vnodesFor(10)).toBeGreaterThanOrEqual(2500);
    const counts = new Map<string, number>();
    for (const k of keys(100_000)) {
      const o = ring.ownerOf(k) as string;
      counts.set(o, (counts.get(o) ?? 0) + 1);
    }
    expect(counts.size).toBe(10);
    for (const [member, c] of counts) {
      const dev = Math.abs(c / 10_000 - 1);
      if (dev > 0.05) throw new Error(`${member} owns ${c} keys (${(dev * 100).toFixed(1)}% off the fair share)`);
    }
    // The arc lengths tell the same story without sampling noise.
    const shares = ring.shares();
    expect(Object.values(shares).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
    for (const s of Object.values(shares)) expect(Math.abs(s / 0.1 - 1)).toBeLessThan(0.05);
  });

  test('independently built rings (any member order) agree on exactly one owner per key', () => {
    const members = names(7, 'node-');
    const shuffled = [...members].reverse();
    const r1 = new Ring(members);
    const r2 = new Ring(shuffled.sort());
    const r3 = new Ring([...members].sort());
    for (const k of keys(5000)) {
      const o = r1.ownerOf(k);
      expect(o).toBeDefined();
      expect(members).toContain(o);
      expect(r2.ownerOf(k)).toBe(o);
      expect(r3.ownerOf(k)).toBe(o);
    }
  });

  test('a joining member takes about 1/N of the keys, all from others, none move between old members', () => {
    const before = ringFor(names(9));
    const after = ringFor(names(10));
    let moved = 0;
    const ks = keys(20_000);
    for (const k of ks) {
      const a = before.ownerOf(k);
      const b = after.ownerOf(k);
      if (a !== b) {
        moved++;
        expect(b).toBe('alloy-9');
      }
    }
    expect(moved / ks.length).toBeGreaterThan(0.07);
    expect(moved / ks.length).toBeLessThan(0.13);
  });

  test('an empty ring owns nothing; ringFor caches by member set', () => {
    expect(new Ring([]).ownerOf('x')).toBeUndefined();
    expect(new Ring([]).shares()).toEqual({});
    expect(ringFor(['b', 'a'])).toBe(ringFor(['a', 'b']));
    const k = createHash('md5').update('k').digest('hex');
    expect(['a', 'b']).toContain(ringFor(['a', 'b']).ownerOf(k));
  });
});
