// ScrapeScheduler target lifecycle against the real worker pool and loopback
// exporters: end-of-run staleness (timestamp and delay as Prometheus's
// endOfRunStaleness), a target that comes back in time, drain(), and the
// cases where no markers may go out (stop, hand-off while retiring).
import { Registry } from 'prom-client';
import type { ClusterOwnership } from '../clustering/ownership.js';
import { isStaleNaN } from '../pipeline/staleness.js';
import { scrapeMetrics } from './metrics.js';
import { configureScrapeWorkers, ScrapeWorkerPool } from './pool.js';
import { type SchedulerCluster, type SchedulerConfig, ScrapeScheduler } from './scheduler.js';
import { defaultWire, Exporters, label, nameOf, type Received, Recorder } from '../../e2e/lib/scrape-support.js';

configureScrapeWorkers(1);

const INTERVAL = 300;
const exporters = new Exporters();
let pool: ScrapeWorkerPool;
const schedulers: ScrapeScheduler[] = [];
let seq = 0;

beforeAll(() => {
  pool = ScrapeWorkerPool.acquire();
});
afterAll(async () => {
  await Promise.all(schedulers.map((s) => s.stop()));
  await ScrapeWorkerPool.release();
  await exporters.close();
});

function config(rec: Recorder, over: Partial<SchedulerConfig> = {}): SchedulerConfig {
  return {
    defaults: { jobName: 'j', scheme: 'http', metricsPath: '/metrics', intervalMs: INTERVAL, timeoutMs: 250, params: {} },
    wire: defaultWire(),
    targetLimit: 0,
    extraMetrics: false,
    clustering: false,
    forwardTo: [rec],
    ...over,
  };
}

function scheduler(cluster: SchedulerCluster = { owns: () => true, ownerOf: () => 'me', self: 'me' }): ScrapeScheduler {
  const s = new ScrapeScheduler(`test-pool-${++seq}`, pool, scrapeMetrics(new Registry()), cluster, () => {});
  schedulers.push(s);
  return s;
}

const ups = (all: Received[], instance: string) => all.filter((s) => nameOf(s) === 'up' && label(s, 'instance') === instance);
const staleOf = (all: Received[], instance: string) => all.filter((s) => isStaleNaN(s.v) && label(s, 'instance') === instance);

test('a removed target gets its markers at the next scheduled scrape time, written an interval and a tenth later', async () => {
  const a = await exporters.serve((_req, res) => res.end('m 1\n'));
  const rec = new Recorder();
  const s = scheduler();
  const cfg = config(rec);
  s.update(cfg, [{ __address__: a }]);
  await rec.until((all) => ups(all, a).length >= 2);
  const removedAt = Date.now();
  s.update(cfg, []);
  await rec.until((all) => staleOf(all, a).length >= 6);
  const stale = staleOf(rec.samples, a);
  expect(stale.map(nameOf).sort()).toEqual(['m', 'scrape_duration_seconds', 'scrape_samples_post_metric_relabeling', 'scrape_samples_scraped', 'scrape_series_added', 'up']);
  const ts = new Set(stale.map((x) => x.t));
  expect(ts.size).toBe(1);
  const staleAt = stale[0].t;
  // The slot the target would have been scraped at next: after the removal, at most one interval later,
  // on the target's phase (the same remainder as its scrapes, when those were on time).
  expect(staleAt).toBeGreaterThan(removedAt);
  expect(staleAt).toBeLessThanOrEqual(removedAt + INTERVAL);
  const onGrid = ups(rec.samples, a).filter((u) => (u.t - staleAt) % INTERVAL === 0);
  expect(onGrid.length).toBeGreaterThan(0);
  // Written only once the slot after that has passed, plus a tenth of the interval
  // (2 ms slack: timers run on the monotonic clock, Date.now() on the wall clock).
  for (const x of stale) expect(x.at).toBeGreaterThanOrEqual(staleAt + INTERVAL + INTERVAL / 10 - 2);
  await s.drain();
});

test('a target that comes back before its markers resumes its loop and never gets markers', async () => {
  const a = await exporters.serve((_req, res) => res.end('m 1\n'));
  const rec = new Recorder();
  const s = scheduler();
  const cfg = config(rec);
  s.update(cfg, [{ __address__: a }]);
  await rec.until((all) => ups(all, a).length >= 1);
  const removedAt = Date.now();
  s.update(cfg, []);
  s.update(cfg, [{ __address__: a }]);
  // Past the time the markers would have been written.
  await rec.until((all) => ups(all, a).some((u) => u.t > removedAt + 3 * INTERVAL));
  expect(staleOf(rec.samples, a)).toEqual([]);
  const active = s.debugTargets().active;
  expect(active.map((t) => t.health)).toEqual(['up']);
  expect(active[0].series).toBe(1); // the cache survived: m keeps its ref
  await s.drain();
});

test('drain() resolves once the markers of every withdrawn target were forwarded', async () => {
  const a = await exporters.serve((_req, res) => res.end('m 1\nn 2\n'));
  const b = await exporters.serve((_req, res) => res.end('m 3\n'));
  const rec = new Recorder();
  const s = scheduler();
  s.update(config(rec), [{ __address__: a }, { __address__: b }]);
  await rec.until((all) => ups(all, a).length >= 1 && ups(all, b).length >= 1);
  const t0 = Date.now();
  await s.drain();
  expect(staleOf(rec.samples, a).map(nameOf)).toEqual(expect.arrayContaining(['m', 'n', 'up']));
  expect(staleOf(rec.samples, b).map(nameOf)).toEqual(expect.arrayContaining(['m', 'up']));
  expect(Date.now() - t0).toBeGreaterThanOrEqual(INTERVAL);
  expect(s.debugTargets().active).toEqual([]);
  // Nothing left: resolves at once.
  await s.drain();
});

test('stop() during a drain calls the markers off and ends the drain', async () => {
  const a = await exporters.serve((_req, res) => res.end('m 1\n'));
  const rec = new Recorder();
  const s = scheduler();
  s.update(config(rec), [{ __address__: a }]);
  await rec.until((all) => ups(all, a).length >= 1);
  const drained = s.drain();
  await s.stop();
  await drained;
  expect(staleOf(rec.samples, a)).toEqual([]);
});

test('a retiring target handed to another member gets no markers', async () => {
  const a = await exporters.serve((_req, res) => res.end('m 1\n'));
  const rec = new Recorder();
  let mine = true;
  const s = scheduler({ owns: () => mine, ownerOf: () => (mine ? 'me' : 'other'), self: 'me' });
  const cfg = config(rec, { clustering: true });
  s.update(cfg, [{ __address__: a }]);
  await rec.until((all) => ups(all, a).length >= 1);
  s.update(cfg, []);
  // It reappears, but the ring now gives it to another member.
  mine = false;
  s.update(cfg, [{ __address__: a }]);
  await s.drain();
  expect(staleOf(rec.samples, a)).toEqual([]);
});

test('debug info names the owner of each target (this node when the component is not clustered)', async () => {
  const a = await exporters.serve((_req, res) => res.end('m 1\n'));
  const rec = new Recorder();
  const cluster: Pick<ClusterOwnership, 'owns' | 'ownerOf' | 'self'> = { owns: () => true, ownerOf: () => 'node-b', self: 'node-a' };
  const s = scheduler(cluster);
  s.update(config(rec, { clustering: true }), [{ __address__: a }]);
  expect(s.debugTargets().active.map((t) => t.owner)).toEqual(['node-b']);
  s.update(config(rec, { clustering: false }), [{ __address__: a }]);
  expect(s.debugTargets().active.map((t) => t.owner)).toEqual(['node-a']);
  await s.stop();
});
