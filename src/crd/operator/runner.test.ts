// JobRunner retiring a removed monitor job: it drains the job's scheduler
// (end-of-run staleness markers forwarded) and only then stops it; a runner
// stopped meanwhile (shutdown) writes no markers and does not hang.
import { Registry } from 'prom-client';
import { StandaloneOwnership } from '../../clustering/ownership.js';
import { isStaleNaN } from '../../pipeline/staleness.js';
import { scrapeMetrics } from '../../scrape/metrics.js';
import { configureScrapeWorkers, ScrapeWorkerPool } from '../../scrape/pool.js';
import { defaultWire, Exporters, label, nameOf, type Received, Recorder } from '../../../e2e/lib/scrape-support.js';
import type { JobConfig } from './job.js';
import { JobRunner } from './runner.js';

configureScrapeWorkers(1);

const INTERVAL = 400;
const exporters = new Exporters();
let pool: ScrapeWorkerPool;
const runners: JobRunner[] = [];

beforeAll(() => {
  pool = ScrapeWorkerPool.acquire();
});
afterAll(async () => {
  await Promise.all(runners.map((r) => r.stop()));
  await ScrapeWorkerPool.release();
  await exporters.close();
});

function job(name: string): JobConfig {
  return {
    name,
    role: 'endpoints',
    namespaces: undefined,
    attachNode: false,
    rules: [],
    defaults: { jobName: name, scheme: 'http', metricsPath: '/metrics', intervalMs: INTERVAL, timeoutMs: 300, params: {} },
    wire: defaultWire(),
    targetLimit: 0,
  };
}

function runner(): JobRunner {
  const r = new JobRunner('prometheus.operator.servicemonitors.t', pool, scrapeMetrics(new Registry()), new StandaloneOwnership('n1'), () => {});
  runners.push(r);
  return r;
}

const ups = (all: Received[], instance: string) => all.filter((s) => nameOf(s) === 'up' && label(s, 'instance') === instance);
const staleOf = (all: Received[], instance: string) => all.filter((s) => isStaleNaN(s.v) && label(s, 'instance') === instance);
const poolTargets = () => pool.stats().targetsPerWorker.reduce((a, b) => a + b, 0);

test('a removed job is stopped once its staleness markers went out', async () => {
  const a = await exporters.serve((_req, res) => res.end('m 1\n'));
  const rec = new Recorder();
  const r = runner();
  r.run(job('shop/cart/0'), [{ __address__: a }], [rec]);
  await rec.until((all) => ups(all, a).length >= 1);
  expect(poolTargets()).toBe(1);
  r.retainOnly(new Set());
  expect(r.size).toBe(0);
  await r.retired();
  expect(staleOf(rec.samples, a).map(nameOf).sort()).toEqual(['m', 'scrape_duration_seconds', 'scrape_samples_post_metric_relabeling', 'scrape_samples_scraped', 'scrape_series_added', 'up']);
  expect(poolTargets()).toBe(0);
});

test('stopping the runner while a removed job drains ends at once, without markers', async () => {
  const a = await exporters.serve((_req, res) => res.end('m 1\n'));
  const rec = new Recorder();
  const r = runner();
  r.run(job('shop/cart/1'), [{ __address__: a }], [rec]);
  await rec.until((all) => ups(all, a).length >= 1);
  r.retainOnly(new Set());
  const t0 = Date.now();
  await r.stop();
  await r.retired();
  expect(Date.now() - t0).toBeLessThan(INTERVAL);
  expect(staleOf(rec.samples, a)).toEqual([]);
  expect(poolTargets()).toBe(0);
});
