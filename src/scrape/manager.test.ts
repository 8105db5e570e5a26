// ScrapeManager against the real worker pool and loopback exporters: jobs
// keyed by name; an unchanged job is not touched when another one changes
// (same loop, same series cache), a changed job is updated alone; a removed
// job drains (end-of-run staleness markers) before it stops, and stopping the
// manager meanwhile writes no markers and does not hang.
import type http from 'node:http';
import { jest } from '@jest/globals';
import { Registry } from 'prom-client';
import { StandaloneOwnership } from '../clustering/ownership.js';
import { isStaleNaN } from '../pipeline/staleness.js';
import { buildScrapeJob, type ScrapeJob, type ScrapeJobSpec } from './job.js';
import { ScrapeManager } from './manager.js';
import { scrapeMetrics } from './metrics.js';
import { configureScrapeWorkers, ScrapeWorkerPool } from './pool.js';
import { ScrapeScheduler } from './scheduler.js';
import { Exporters, label, nameOf, type Received, Recorder } from '../../e2e/lib/scrape-support.js';

configureScrapeWorkers(1);

const INTERVAL = 400;
const exporters = new Exporters();
let pool: ScrapeWorkerPool;
const managers: ScrapeManager[] = [];

beforeAll(() => {
  pool = ScrapeWorkerPool.acquire();
});
afterAll(async () => {
  await Promise.all(managers.map((m) => m.stop()));
  await ScrapeWorkerPool.release();
  await exporters.close();
});
afterEach(() => jest.restoreAllMocks());

function job(name: string, address: string, over: Partial<ScrapeJobSpec> = {}): ScrapeJob {
  return buildScrapeJob({ name, intervalMs: INTERVAL, timeoutMs: 300, targets: [{ __address__: address }], ...over });
}

function manager(): ScrapeManager {
  const m = new ScrapeManager('test.manager', pool, scrapeMetrics(new Registry()), new StandaloneOwnership('n1'), () => {});
  managers.push(m);
  return m;
}

/** An exporter that records the paths it was asked for. */
async function exporter(): Promise<{ address: string; paths: string[] }> {
  const paths: string[] = [];
  const address = await exporters.serve((req: http.IncomingMessage, res) => {
    paths.push(req.url ?? '');
    res.end('m 1\n');
  });
  return { address, paths };
}

const ofJob = (all: Received[], j: string) => all.filter((s) => label(s, 'job') === j);
const ups = (all: Received[], j: string) => ofJob(all, j).filter((s) => nameOf(s) === 'up' && !isStaleNaN(s.v));
const seriesAdded = (all: Received[], j: string) => ofJob(all, j).filter((s) => nameOf(s) === 'scrape_series_added' && !isStaleNaN(s.v)).map((s) => s.v);
const staleOf = (all: Received[], j: string) => ofJob(all, j).filter((s) => isStaleNaN(s.v));
const poolTargets = () => pool.stats().targetsPerWorker.reduce((a, b) => a + b, 0);

test('an unchanged job keeps its loop and series when another job changes; only the changed job is updated', async () => {
  const a = await exporter();
  const b = await exporter();
  const rec = new Recorder();
  const m = manager();
  const updates: string[] = [];
  const update = ScrapeScheduler.prototype.update;
  jest.spyOn(ScrapeScheduler.prototype, 'update').mockImplementation(function (this: ScrapeScheduler, ...args) {
    updates.push(args[0].defaults.jobName);
    return update.apply(this, args);
  });

  m.apply([job('a', a.address), job('b', b.address)], [rec]);
  await rec.until((all) => ups(all, 'a').length >= 2 && ups(all, 'b').length >= 2);
  expect(updates.sort()).toEqual(['a', 'b']);
  // First scrape: the series are new; later ones add none (the worker's series cache holds them).
  expect(seriesAdded(rec.samples, 'a')[0]).toBe(1);

  // Job b changes its path; job a is rebuilt from the same settings (a new, equal object).
  updates.length = 0;
  const before = rec.samples.length;
  m.apply([job('a', a.address), job('b', b.address, { metricsPath: '/other' })], [rec]);
  expect(updates).toEqual(['b']);
  await rec.until((all) => ups(all.slice(before), 'a').length >= 2 && b.paths.includes('/other') && ups(all.slice(before), 'b').length >= 1);

  const after = rec.samples.slice(before);
  // a: same loop and cache, so no series are added again and none went stale.
  expect(seriesAdded(after, 'a').every((v) => v === 0)).toBe(true);
  expect(staleOf(after, 'a')).toEqual([]);
  expect(a.paths.every((p) => p === '/metrics')).toBe(true);
  // b: its target is a new one (another URL): a fresh series cache; the old one's series end.
  expect(seriesAdded(after, 'b')).toContain(1);
  await rec.until((all) => staleOf(all.slice(before), 'b').length > 0);
  expect(m.size).toBe(2);
  await m.stop();
});

test('the same job again (equal settings, targets and receivers) is left alone', async () => {
  const m = manager();
  const rec = new Recorder();
  expect(m.update(job('same', '127.0.0.1:1'), [rec])).toBe(true);
  expect(m.update(job('same', '127.0.0.1:1'), [rec])).toBe(false);
  expect(m.update(job('same', '127.0.0.1:1'), [rec, new Recorder()])).toBe(true);
  expect(m.update(job('same', '127.0.0.1:2'), [rec])).toBe(true);
  m.setClustering(true);
  expect(m.update(job('same', '127.0.0.1:2'), [rec])).toBe(true);
  await m.stop();
});

test('a removed job is stopped once its staleness markers went out', async () => {
  const a = await exporter();
  const rec = new Recorder();
  const m = manager();
  const start = poolTargets();
  m.apply([job('shop/cart/0', a.address)], [rec]);
  await rec.until((all) => ups(all, 'shop/cart/0').length >= 1);
  expect(poolTargets()).toBe(start + 1);
  m.apply([], [rec]);
  expect(m.size).toBe(0);
  await m.retired();
  expect(staleOf(rec.samples, 'shop/cart/0').map(nameOf).sort()).toEqual(['m', 'scrape_duration_seconds', 'scrape_samples_post_metric_relabeling', 'scrape_samples_scraped', 'scrape_series_added', 'up']);
  expect(poolTargets()).toBe(start);
});

test('stopping the manager while a removed job drains ends at once, without markers', async () => {
  const a = await exporter();
  const rec = new Recorder();
  const m = manager();
  const start = poolTargets();
  m.apply([job('shop/cart/1', a.address)], [rec]);
  await rec.until((all) => ups(all, 'shop/cart/1').length >= 1);
  m.retainOnly(new Set());
  const t0 = Date.now();
  await m.stop();
  await m.retired();
  expect(Date.now() - t0).toBeLessThan(INTERVAL);
  expect(staleOf(rec.samples, 'shop/cart/1')).toEqual([]);
  expect(poolTargets()).toBe(start);
  // A stopped manager starts nothing.
  expect(m.update(job('late', a.address), [rec])).toBe(false);
});
