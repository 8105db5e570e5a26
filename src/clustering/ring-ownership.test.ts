import { jest } from '@jest/globals';
import { RingOwnership } from './ring-ownership.js';

const KEYS = Array.from({ length: 200 }, (_, i) => `key-${i}`);
const owners = (o: RingOwnership): Set<string | undefined> => new Set(KEYS.map((k) => o.ownerOf(k)));

describe('RingOwnership', () => {
  let o: RingOwnership | undefined;
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => {
    o?.close();
    jest.useRealTimers();
  });

  test('recomputes at most once per interval and notifies once per real change', () => {
    o = new RingOwnership({ waitForSize: 0, waitTimeoutMs: 0, minIntervalMs: 1000, vnodes: 50 });
    const calls: number[] = [];
    o.onChange(() => calls.push(Date.now()));
    const t0 = Date.now();
    o.update(['a']);
    jest.advanceTimersByTime(0);
    expect(calls).toEqual([t0]);
    // A burst of changes inside the interval collapses into one recompute.
    o.update(['a', 'b']);
    o.update(['a', 'b', 'c']);
    o.update(['c', 'b', 'a', 'd']);
    jest.advanceTimersByTime(999);
    expect(calls).toHaveLength(1);
    expect(o.ownerOf('x')).toBe('a');
    jest.advanceTimersByTime(1);
    expect(calls).toEqual([t0, t0 + 1000]);
    expect(owners(o)).toEqual(new Set(['a', 'b', 'c', 'd']));
    // The same set again (any order) is not a change.
    o.update(['d', 'c', 'b', 'a']);
    jest.advanceTimersByTime(5000);
    expect(calls).toHaveLength(2);
    expect(o.changes).toBe(2);
  });

  test('nobody owns anything below wait-for-size; reaching it opens the gate for good', () => {
    o = new RingOwnership({ waitForSize: 3, waitTimeoutMs: 0, minIntervalMs: 10, vnodes: 50 });
    let notified = 0;
    o.onChange(() => notified++);
    o.update(['a', 'b']);
    jest.advanceTimersByTime(60_000);
    expect(o.waiting).toBe(true);
    expect(owners(o)).toEqual(new Set([undefined]));
    expect(notified).toBe(0);
    o.update(['a', 'b', 'c']);
    jest.advanceTimersByTime(10);
    expect(o.waiting).toBe(false);
    expect(notified).toBe(1);
    expect(owners(o)).toEqual(new Set(['a', 'b', 'c']));
    // Shrinking later does not close the gate again.
    o.update(['a']);
    jest.advanceTimersByTime(10);
    expect(owners(o)).toEqual(new Set(['a']));
  });

  test('wait-timeout gives up waiting and distributes over who is there', () => {
    o = new RingOwnership({ waitForSize: 5, waitTimeoutMs: 2000, minIntervalMs: 10, vnodes: 50 });
    let notified = 0;
    o.onChange(() => notified++);
    o.update(['a', 'b']);
    jest.advanceTimersByTime(1990);
    expect(o.ownerOf('k')).toBeUndefined();
    jest.advanceTimersByTime(20);
    expect(notified).toBe(1);
    expect(owners(o)).toEqual(new Set(['a', 'b']));
    expect(Object.keys(o.shares()).sort()).toEqual(['a', 'b']);
  });

  test('an empty participant set owns nothing; a throwing listener does not stop the others', () => {
    o = new RingOwnership({ waitForSize: 0, waitTimeoutMs: 0, minIntervalMs: 0, vnodes: 50 });
    let ok = 0;
    o.onChange(() => {
      throw new Error('boom');
    });
    const off = o.onChange(() => ok++);
    o.update(['a']);
    jest.advanceTimersByTime(0);
    o.update([]);
    jest.advanceTimersByTime(0);
    expect(ok).toBe(2);
    expect(o.ownerOf('k')).toBeUndefined();
    off();
    o.update(['b']);
    jest.advanceTimersByTime(0);
    expect(ok).toBe(2);
  });
});
