import { jest } from '@jest/globals';
import { LagMonitor, LocalHealth, lagPenalty, overdue } from './local-health.js';

describe('LocalHealth', () => {
  test('the multiplier is score + 1, clamped to [1, max + 1]; changes are reported once each', () => {
    const seen: number[] = [];
    const h = new LocalHealth(3, (s) => seen.push(s));
    expect(h.multiplier).toBe(1);
    expect(h.scale(500)).toBe(500);
    h.apply(2);
    expect(h.multiplier).toBe(3);
    expect(h.scale(500)).toBe(1500);
    h.apply(5); // capped at max
    expect(h.score).toBe(3);
    h.apply(1); // no change: not reported
    h.apply(-1);
    h.apply(-10); // floored at 0
    h.apply(-1);
    h.apply(0);
    h.apply(Number.NaN);
    expect(h.multiplier).toBe(1);
    expect(seen).toEqual([2, 3, 2, 0]);
    expect(() => new LocalHealth(-1)).toThrow(/max must be a non-negative integer, got -1/);
  });

  test('timer lag: nothing under half a probe timeout, then one point per probe timeout late', () => {
    expect(lagPenalty(0, 500)).toBe(0);
    expect(lagPenalty(249, 500)).toBe(0);
    expect(lagPenalty(250, 500)).toBe(1);
    expect(lagPenalty(500, 500)).toBe(1);
    expect(lagPenalty(501, 500)).toBe(2);
    expect(lagPenalty(1500, 500)).toBe(3);
    expect(lagPenalty(Number.NaN, 500)).toBe(0);
    expect(lagPenalty(100, 0)).toBe(0);
  });

  test('a deadline fired half a timeout (and 20 ms) late or later was overdue', () => {
    expect(overdue(undefined, 500)).toBe(false);
    expect(overdue(0, 500)).toBe(false);
    expect(overdue(240, 500)).toBe(false);
    expect(overdue(250, 500)).toBe(true);
    expect(overdue(15, 60)).toBe(false); // half of a short deadline is still timer noise
    expect(overdue(30, 60)).toBe(true);
  });
});

describe('LagMonitor', () => {
  afterEach(() => jest.useRealTimers());

  test('reports stalls of at least the threshold and remembers when the last one ended', () => {
    jest.useFakeTimers();
    let now = 0;
    const stalls: number[] = [];
    const m = new LagMonitor(100, 50, (lag) => stalls.push(lag), () => now);
    m.start();
    // On time: no stall.
    now = 100;
    jest.advanceTimersByTime(100);
    expect(stalls).toEqual([]);
    // The next tick was due at 200 but ran at 500 (the loop was busy): a 300 ms stall.
    now = 500;
    jest.advanceTimersByTime(100);
    expect(stalls).toEqual([300]);
    expect(m.stalledSince(400)).toBe(true);
    expect(m.stalledSince(501)).toBe(false);
    // 40 ms late is under the threshold.
    now = 640;
    jest.advanceTimersByTime(100);
    expect(stalls).toEqual([300]);
    m.stop();
    now = 10_000;
    jest.advanceTimersByTime(1000);
    expect(stalls).toEqual([300]);
  });

  test('measures a real blocked event loop', async () => {
    const stalls: number[] = [];
    const m = new LagMonitor(10, 100, (lag) => stalls.push(lag));
    m.start();
    const before = performance.now();
    const t0 = Date.now();
    while (Date.now() - t0 < 250); // busy: no timer can run
    await new Promise((r) => setTimeout(r, 30));
    m.stop();
    expect(stalls.length).toBeGreaterThanOrEqual(1);
    expect(Math.max(...stalls)).toBeGreaterThanOrEqual(200);
    expect(m.stalledSince(before)).toBe(true);
  });
});
