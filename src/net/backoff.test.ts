import { Backoff, parseRetryAfter, retryDelay, sleep } from './backoff.js';

describe('net/backoff', () => {
  it('doubles from min to max without jitter (remote_write: min_backoff 30ms, max_backoff 5s)', () => {
    const b = new Backoff({ minMs: 30, maxMs: 1000 });
    const seen = Array.from({ length: 10 }, () => b.next());
    expect(seen).toEqual([30, 60, 120, 240, 480, 960, 1000, 1000, 1000, 1000]);
    b.reset();
    expect(b.next()).toBe(30);
  });

  it('half jitter stays in [d/2, d]; full jitter in [0, d]', () => {
    const lo = new Backoff({ minMs: 100, maxMs: 400, jitter: 'half', random: () => 0 });
    const hi = new Backoff({ minMs: 100, maxMs: 400, jitter: 'half', random: () => 0.999999 });
    expect([lo.next(), lo.next(), lo.next(), lo.next()]).toEqual([50, 100, 200, 200]);
    expect(hi.next()).toBeCloseTo(100, 3);
    const full = new Backoff({ minMs: 100, maxMs: 400, jitter: 'full', random: () => 0.5 });
    expect([full.next(), full.next(), full.next(), full.next()]).toEqual([50, 100, 200, 200]);
  });

  it('decorrelated jitter grows from min up to 3x the previous delay, never past max', () => {
    const b = new Backoff({ minMs: 10, maxMs: 100, jitter: 'decorrelated', random: () => 1 });
    expect([b.next(), b.next(), b.next(), b.next()]).toEqual([30, 90, 100, 100]);
    const low = new Backoff({ minMs: 10, maxMs: 100, jitter: 'decorrelated', random: () => 0 });
    expect(low.next()).toBe(10);
  });

  it('counts a retry budget (loki.write max_backoff_retries); 0 is unbounded', () => {
    const b = new Backoff({ minMs: 1, maxMs: 2, maxRetries: 2 });
    expect(b.exhausted).toBe(false);
    b.next();
    b.next();
    expect(b.exhausted).toBe(true);
    b.reset();
    expect(b.exhausted).toBe(false);
    const forever = new Backoff({ minMs: 1, maxMs: 2, maxRetries: 0 });
    for (let i = 0; i < 50; i++) forever.next();
    expect(forever.exhausted).toBe(false);
  });

  it('rejects a negative or missing bound with the reason', () => {
    expect(() => new Backoff({ minMs: -1, maxMs: 10 })).toThrow(/min \(-1\) and max \(10\) must be non-negative/);
  });

  it('parses Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2024-01-01T00:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter(['7', '9'], now)).toBe(7000);
    expect(parseRetryAfter('Mon, 01 Jan 2024 00:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfter('Sun, 31 Dec 2023 00:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });

  it('lets the server Retry-After override our own backoff, capped when asked', () => {
    expect(retryDelay(60, 2000)).toBe(2000);
    expect(retryDelay(60, undefined)).toBe(60);
    expect(retryDelay(60, 600_000, 5000)).toBe(5000);
  });

  it('sleep ends early, without rejecting, when its signal aborts', async () => {
    const ac = new AbortController();
    const started = Date.now();
    const p = sleep(60_000, ac.signal);
    ac.abort();
    await expect(p).resolves.toBeUndefined();
    expect(Date.now() - started).toBeLessThan(30_000);
    await expect(sleep(60_000, ac.signal)).resolves.toBeUndefined();
  });
});
