import { jest } from '@jest/globals';
import { Suspicion, suspicionTimeoutMs, type SuspicionTimes } from './suspicion.js';

describe('suspicion timeout', () => {
  const t: SuspicionTimes = { minMs: 1000, maxMs: 6000, expected: 3 };

  test('starts at max, reaches min after the expected confirmations, shrinking logarithmically', () => {
    expect(suspicionTimeoutMs(t, 0)).toBe(6000);
    const one = suspicionTimeoutMs(t, 1);
    const two = suspicionTimeoutMs(t, 2);
    // log(2)/log(4) = 0.5 of the range after the first confirmation.
    expect(one).toBe(3500);
    expect(two).toBeLessThan(one);
    expect(two).toBeGreaterThan(1000);
    expect(suspicionTimeoutMs(t, 3)).toBe(1000);
    expect(suspicionTimeoutMs(t, 10)).toBe(1000);
  });

  test('no confirmations to expect (two or three members) or max <= min: min at once', () => {
    expect(suspicionTimeoutMs({ ...t, expected: 0 }, 0)).toBe(1000);
    expect(suspicionTimeoutMs({ ...t, maxMs: 1000 }, 0)).toBe(1000);
  });
});

describe('Suspicion', () => {
  let now = 0;
  beforeEach(() => {
    jest.useFakeTimers();
    now = 0;
  });
  afterEach(() => jest.useRealTimers());
  const advance = (ms: number) => {
    now += ms;
    jest.advanceTimersByTime(ms);
  };

  test('unconfirmed it runs the max timeout; each new confirmation pulls the deadline in; repeats do not', () => {
    const expired: number[] = [];
    const s = new Suspicion('a', { times: () => ({ minMs: 1000, maxMs: 6000, expected: 3 }), expire: () => expired.push(now), now: () => now });
    advance(1000);
    expect(s.confirm('a')).toBe(false); // the accuser itself is no confirmation
    expect(s.confirm('b')).toBe(true);
    expect(s.confirm('b')).toBe(false);
    expect(s.confirmations).toBe(1);
    advance(2499);
    expect(expired).toEqual([]);
    advance(1);
    expect(expired).toEqual([3500]);
  });

  test('enough confirmations after min has passed expire it at once', () => {
    const expired: number[] = [];
    const s = new Suspicion('a', { times: () => ({ minMs: 1000, maxMs: 6000, expected: 2 }), expire: () => expired.push(now), now: () => now });
    advance(1500);
    s.confirm('b');
    s.confirm('c');
    advance(0);
    expect(expired).toEqual([1500]);
  });

  test('a worse local health at the deadline moves it out; postpone adds grace; cancel stops it', () => {
    let mult = 1;
    const expired: number[] = [];
    const s = new Suspicion(undefined, {
      times: () => ({ minMs: 1000 * mult, maxMs: 1000 * mult, expected: 0 }),
      expire: () => expired.push(now),
      now: () => now,
    });
    advance(500);
    mult = 3;
    advance(500); // original deadline: re-armed to 3000
    expect(expired).toEqual([]);
    advance(2000);
    expect(expired).toEqual([3000]);
    s.postpone(400);
    advance(399);
    expect(expired).toEqual([3000]);
    advance(1);
    expect(expired).toEqual([3000, 3400]);
    s.postpone(100);
    s.cancel();
    advance(1000);
    expect(expired).toEqual([3000, 3400]);
  });
});
