import { nextBackoff, parseRetryAfter, retryDelay } from './backoff.js';

describe('backoff', () => {
  it('doubles from min_backoff up to max_backoff', () => {
    const seen: number[] = [];
    let b = 0;
    for (let i = 0; i < 10; i++) seen.push((b = nextBackoff(b, 30, 1000)));
    expect(seen).toEqual([30, 60, 120, 240, 480, 960, 1000, 1000, 1000, 1000]);
  });

  it('parses Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2024-01-01T00:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter('Mon, 01 Jan 2024 00:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfter('Sun, 31 Dec 2023 00:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });

  it('lets the server Retry-After override our own backoff', () => {
    expect(retryDelay(60, 2000)).toBe(2000);
    expect(retryDelay(60, undefined)).toBe(60);
  });
});
