// prometheus.scrape end to end inside one process: real HTTP exporters on
// loopback, the real worker pool (2 workers), a recording receiver.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import type { ClusterOwnership } from '../../clustering/ownership.js';
import { isStaleNaN } from '../../pipeline/staleness.js';
import type { MetricsReceiver, Sample } from '../../pipeline/metrics.js';
import { makeTestContext } from '../../../e2e/lib/component-context.js';
import type { ScrapeArgs } from '../../scrape/args.js';
import { configureScrapeWorkers } from '../../scrape/pool.js';
import { prometheusScrape } from './scrape.js';

configureScrapeWorkers(2);

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;
const servers: http.Server[] = [];
async function serve(h: Handler): Promise<string> {
  const s = http.createServer(h);
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return `127.0.0.1:${(s.address() as AddressInfo).port}`;
}
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});

class Recorder implements MetricsReceiver {
  samples: Sample[] = [];
  private waiters: (() => void)[] = [];
  append(s: Sample[]): void {
    this.samples.push(...s);
    for (const w of this.waiters.splice(0)) w();
  }
  /** Waits until pred holds over all recorded samples (bounded). */
  async until(pred: (all: Sample[]) => boolean, ms = 8000): Promise<void> {
    const end = Date.now() + ms;
    while (!pred(this.samples)) {
      const left = end - Date.now();
      if (left <= 0) throw new Error('condition not reached in time');
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }
}

const name = (s: Sample) => s.labels[s.labels.indexOf('__name__') + 1];
const label = (s: Sample, n: string) => {
  for (let i = 0; i < s.labels.length; i += 2) if (s.labels[i] === n) return s.labels[i + 1];
  return undefined;
};
const upOf = (all: Sample[], instance: string) => all.filter((s) => name(s) === 'up' && label(s, 'instance') === instance).map((s) => s.v);

function args(over: Partial<ScrapeArgs>): ScrapeArgs {
  return {
    targets: [], forward_to: [], scrape_interval: 300, scrape_timeout: 250, metrics_path: '/metrics', scheme: 'http',
    honor_labels: false, honor_timestamps: true, track_timestamps_staleness: false, sample_limit: 0, target_limit: 0,
    label_limit: 0, label_name_length_limit: 0, label_value_length_limit: 0, enable_compression: true,
    follow_redirects: true, extra_metrics: false, ...over,
  };
}

test('scrapes good targets; garbage, slow, huge and failing ones are up=0 with a reason', async () => {
  const good = await serve((req, res) => {
    const body = 'a_total{x="1"} 5\nb 2.5\n';
    if (req.headers['accept-encoding']?.includes('gzip')) {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4', 'content-encoding': 'gzip' });
      res.end(gzipSync(body));
    } else res.end(body);
  });
  const om = await serve((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/openmetrics-text; version=1.0.0' });
    res.end('# TYPE c counter\nc_total 3 1.5\n# EOF\n');
  });
  const garbage = await serve((_req, res) => res.end('this is { not metrics\n'));
  const slow = await serve((_req, res) => void setTimeout(() => res.end('a 1\n'), 2000).unref());
  const huge = await serve((_req, res) => res.end('x 1\n'.repeat(5000)));
  const fail = await serve((_req, res) => {
    res.statusCode = 500;
    res.end('boom');
  });
  const rec = new Recorder();
  const ctx = makeTestContext({ id: 'prometheus.scrape.t1' });
  const c = prometheusScrape.build(ctx, undefined as never);
  await c.update(args({
    targets: [good, om, garbage, slow, huge, fail].map((a) => ({ __address__: a })),
    forward_to: [rec],
    body_size_limit: '10KB',
    extra_metrics: true,
  }));
  try {
    await rec.until((all) => [good, om, garbage, slow, huge, fail].every((i) => upOf(all, i).length >= 1));
    expect(upOf(rec.samples, good)[0]).toBe(1);
    expect(upOf(rec.samples, om)[0]).toBe(1);
    for (const bad of [garbage, slow, huge, fail]) expect(upOf(rec.samples, bad)[0]).toBe(0);
    const a = rec.samples.find((s) => name(s) === 'a_total')!;
    expect(a.labels).toEqual(['__name__', 'a_total', 'instance', good, 'job', 'prometheus.scrape.t1', 'x', '1']);
    expect(a.v).toBe(5);
    expect(rec.samples.find((s) => name(s) === 'c_total')!.t).toBe(1500);
    const bodySize = rec.samples.find((s) => name(s) === 'scrape_body_size_bytes' && label(s, 'instance') === huge)!;
    expect(bodySize.v).toBe(-1);
    const info = c.debugInfo!() as { targets: { url: string; health: string; last_error?: string }[] };
    const errs = Object.fromEntries(info.targets.map((t) => [t.url, t.last_error ?? '']));
    expect(errs[`http://${slow}/metrics`]).toContain('deadline');
    expect(errs[`http://${huge}/metrics`]).toContain('body size limit');
    expect(errs[`http://${fail}/metrics`]).toContain('500');
    expect(errs[`http://${garbage}/metrics`]).not.toBe('');
    expect(errs[`http://${good}/metrics`]).toBe('');
  } finally {
    await c.stop!();
  }
});

test('a body with a series twice: the first sample kept, the repeat counted in the target debug info and on /metrics', async () => {
  const dup = await serve((_req, res) => res.end('a 1\nb 2\na 3\n'));
  const rec = new Recorder();
  const ctx = makeTestContext({ id: 'prometheus.scrape.dups' });
  const c = prometheusScrape.build(ctx, undefined as never);
  await c.update(args({ targets: [{ __address__: dup }], forward_to: [rec] }));
  try {
    await rec.until((all) => upOf(all, dup).length >= 1);
    expect(upOf(rec.samples, dup)[0]).toBe(1);
    expect(rec.samples.filter((s) => name(s) === 'a').map((s) => s.v)).toEqual(expect.arrayContaining([1]));
    expect(rec.samples.filter((s) => name(s) === 'a' && s.v === 3)).toEqual([]);
    const info = c.debugInfo!() as { targets: { last_duplicates: number }[] };
    expect(info.targets[0].last_duplicates).toBe(1);
    const text = await ctx.metrics.metrics();
    expect(text).toMatch(/prometheus_target_scrapes_sample_duplicate_timestamp_total\{[^}]*\} [1-9]/);
  } finally {
    await c.stop!();
  }
});

test('a target that goes away gets stale markers; a handed-off one does not', async () => {
  const a1 = await serve((_req, res) => res.end('m 1\n'));
  const a2 = await serve((_req, res) => res.end('m 2\n'));
  let mine = new Set([a1, a2]);
  const listeners: (() => void)[] = [];
  const cluster: ClusterOwnership = {
    enabled: true, self: 'me', ownerOf: () => 'me', peers: () => [],
    owns: () => true,
    onChange: (l) => {
      listeners.push(l);
      return () => {};
    },
  };
  const rec = new Recorder();
  const ctx = makeTestContext({ id: 'prometheus.scrape.t2', cluster });
  const c = prometheusScrape.build(ctx, undefined as never);
  const targets = [{ __address__: a1 }, { __address__: a2 }];
  // Ownership decided per target by address (keys are hashes; map them back through the targets).
  const { targetKey } = await import('../../clustering/ownership.js');
  (cluster as { owns: (k: string) => boolean }).owns = (k) => targets.some((t) => targetKey(t) === k && mine.has(t.__address__));
  await c.update(args({ targets, forward_to: [rec], clustering: { enabled: true } }));
  try {
    await rec.until((all) => upOf(all, a1).length >= 1 && upOf(all, a2).length >= 1);
    // a2 moves to another member: its loop stops without markers.
    mine = new Set([a1]);
    listeners.forEach((l) => l());
    // a1 disappears from the targets: markers for m and the report series.
    await c.update(args({ targets: [{ __address__: a1 }, { __address__: a2 }].slice(1), forward_to: [rec], clustering: { enabled: true } }));
    await rec.until((all) => all.some((s) => isStaleNaN(s.v) && label(s, 'instance') === a1 && name(s) === 'm'));
    const staleA1 = rec.samples.filter((s) => isStaleNaN(s.v) && label(s, 'instance') === a1).map(name).sort();
    expect(staleA1).toEqual(['m', 'scrape_duration_seconds', 'scrape_samples_post_metric_relabeling', 'scrape_samples_scraped', 'scrape_series_added', 'up']);
    expect(rec.samples.filter((s) => isStaleNaN(s.v) && label(s, 'instance') === a2)).toHaveLength(0);
  } finally {
    await c.stop!();
  }
});

test('a crashed worker is replaced and its targets resume', async () => {
  const a = await serve((_req, res) => res.end('m 1\n'));
  const rec = new Recorder();
  const ctx = makeTestContext({ id: 'prometheus.scrape.t3' });
  const c = prometheusScrape.build(ctx, undefined as never) as ReturnType<typeof prometheusScrape.build> & { workerPool: import('../../scrape/pool.js').ScrapeWorkerPool };
  await c.update(args({ targets: [{ __address__: a }], forward_to: [rec] }));
  try {
    await rec.until((all) => upOf(all, a).length >= 1);
    const before = c.workerPool.stats().restarts;
    // The test owns target ids implicitly: crash the worker of every target of this pool.
    for (let tid = 1; tid < 100; tid++) c.workerPool.crashWorkerOf(tid);
    const n = upOf(rec.samples, a).length;
    await rec.until(() => c.workerPool.stats().restarts > before && upOf(rec.samples, a).length >= n + 2);
    expect(upOf(rec.samples, a).slice(-1)[0]).toBe(1);
  } finally {
    await c.stop!();
  }
});

test('scrape_failure_log_file gets a JSON line per failed scrape; scrape_fallback_protocol "" fails a response without Content-Type', async () => {
  const fs = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scrape-failure-log-'));
  const file = path.join(dir, 'failures.json');
  const bare = await serve((_req, res) => {
    // No Content-Type at all (Node sets none for a bare end()).
    res.removeHeader('content-type');
    res.end('x 1\n');
  });
  const rec = new Recorder();
  const ctx = makeTestContext({ id: 'prometheus.scrape.failurelog' });
  const c = prometheusScrape.build(ctx, undefined as never);
  try {
    await c.update(args({ targets: [{ __address__: bare }], forward_to: [rec], job_name: 'flog', scrape_fallback_protocol: '', scrape_failure_log_file: file }));
    await rec.until((all) => upOf(all, bare).length >= 1);
    expect(upOf(rec.samples, bare)[0]).toBe(0);
    const deadline = Date.now() + 5000;
    while (!(fs.existsSync(file) && fs.readFileSync(file, 'utf8').includes('\n')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const line = JSON.parse(fs.readFileSync(file, 'utf8').split('\n')[0]!) as Record<string, string>;
    expect(line).toMatchObject({ level: 'ERROR', job_name: 'flog', target: `http://${bare}/metrics` });
    expect(line.msg).toMatch(/blank Content-Type and no fallback_scrape_protocol/);
    expect(Number.isNaN(Date.parse(line.time!))).toBe(false);
    // With the default fallback the same target is scraped as text.
    const rec2 = new Recorder();
    await c.update(args({ targets: [{ __address__: bare }], forward_to: [rec2], job_name: 'flog' }));
    await rec2.until((all) => all.some((s) => name(s) === 'x'));
  } finally {
    await c.stop?.();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
