import { nextScrapeTime, scrapeOffsetMs } from './offset.js';

test('offset is stable, within the interval, and spreads targets', () => {
  const a = scrapeOffsetMs(['instance', 'a:1', 'job', 'j'], 'http://a:1/metrics', 15000);
  expect(scrapeOffsetMs(['instance', 'a:1', 'job', 'j'], 'http://a:1/metrics', 15000)).toBe(a);
  const offsets = new Set<number>();
  for (let i = 0; i < 200; i++) {
    const o = scrapeOffsetMs(['instance', `h${i}:1`, 'job', 'j'], `http://h${i}:1/metrics`, 15000);
    expect(o).toBeGreaterThanOrEqual(0);
    expect(o).toBeLessThan(15000);
    offsets.add(Math.floor(o / 1500));
  }
  expect(offsets.size).toBe(10); // all ten tenths of the interval are used
});

test('the same seed gives the same phase on every member; another seed moves it', () => {
  const l = ['instance', 'x:1'];
  expect(scrapeOffsetMs(l, 'u', 60000, 1n)).toBe(scrapeOffsetMs(l, 'u', 60000, 1n));
  const differs = [2n, 3n, 4n, 5n].some((s) => scrapeOffsetMs(l, 'u', 60000, s) !== scrapeOffsetMs(l, 'u', 60000, 1n));
  expect(differs).toBe(true);
});

test('next scrape time lies on the grid, strictly in the future', () => {
  for (const now of [0, 999, 1000, 1001, 1_700_000_000_123]) {
    const n = nextScrapeTime(now, 1000, 250);
    expect(n).toBeGreaterThan(now);
    expect(n - now).toBeLessThanOrEqual(1000);
    expect(((n % 1000) + 1000) % 1000).toBe(250);
  }
});
