// Native histogram and exemplar parity with Debian's Prometheus 2.42: one Go
// target (tools/nhist-target, client_golang) exposing a native histogram, a
// classic histogram and a counter with exemplars is scraped over protobuf by
// a Prometheus (native-histograms feature, remote_write with
// send_native_histograms and send_exemplars) and by prometheus.scrape
// (scrape_native_histograms) -> prometheus.relabel -> prometheus.remote_write.
// Both write into one Prometheus receiver, told apart by the external label
// `scraper`. The native histograms (count, sum, zero bucket, every bucket's
// bounds and count: what schema, zero threshold and spans decide), the
// classic series and the exemplars that arrive must be identical (except
// the native histograms' own exemplars, which 2.42 drops and we keep, as
// later Prometheus versions and Alloy do).
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { Component } from '../../src/runtime/types.js';
import { makeTestContext } from '../lib/component-context.js';
import { remoteWrite } from '../../src/components/prometheus/remote_write.js';
import { prometheusRelabel } from '../../src/components/prometheus/relabel.js';
import type { MetricsReceiver } from '../../src/pipeline/metrics.js';
import type { ScrapeArgs } from '../../src/scrape/args.js';
import { configureScrapeWorkers } from '../../src/scrape/pool.js';
import { prometheusScrape } from '../../src/components/prometheus/scrape.js';
import { freePorts } from '../lib/ports.js';
import { spawnProcess, type SpawnedProcess } from '../lib/spawn.js';
import { waitFor } from '../lib/wait.js';
import { promApi, type Series, seriesKey } from '../lib/prometheus-api.js';
import { canBuildTarget, nhistTargetBinary } from '../lib/nhist-target.js';
import { decodeFullWriteRequest, type DecodedWriteRequest } from '../../src/remotewrite/extras-proto.js';
import { snappyUncompress as uncompress } from '../../src/compress/snappy.js';

const PROMETHEUS = '/usr/bin/prometheus';
const maybe = fs.existsSync(PROMETHEUS) && canBuildTarget() ? describe : describe.skip;

configureScrapeWorkers(1);

interface HistogramValue {
  count: string;
  sum: string;
  buckets?: [number, string, string, string][];
}
interface HistogramVector {
  result: { metric: Series; histogram?: [number, HistogramValue]; value?: [number, string] }[];
}
interface ExemplarResult {
  seriesLabels: Series;
  exemplars: { labels: Series; value: string; timestamp: number }[];
}

function scraperConfig(target: string, rxPort: number): string {
  return `global:
  scrape_interval: 1s
  scrape_timeout: 1s
  external_labels: { scraper: prom }
scrape_configs:
  - job_name: nhist
    static_configs: [{ targets: ['${target}'] }]
remote_write:
  - url: http://127.0.0.1:${rxPort}/prom/api/v1/write
    send_exemplars: true
    send_native_histograms: true
    queue_config: { batch_send_deadline: 1s, min_backoff: 100ms }
    metadata_config: { send: true, send_interval: 1s }
`;
}

/**
 * Sits between the scrapers and the receiver: /prom/... and /alloy/... are
 * forwarded to the receiver's path, and every WriteRequest is kept decoded,
 * so the histogram messages themselves (schema, zero threshold, spans,
 * deltas, counts, sums) and the metadata can be compared field by field.
 */
function recordingProxy(rxPort: number, seen: Record<string, DecodedWriteRequest[]>): http.Server {
  return http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const who = (req.url ?? '').split('/')[1] ?? '';
    try {
      (seen[who] ??= []).push(decodeFullWriteRequest(uncompress(body)));
    } catch {
      // The receiver will say what is wrong with it.
    }
    const up = http.request({ host: '127.0.0.1', port: rxPort, path: (req.url ?? '').slice(who.length + 1), method: 'POST', headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.writeHead(502).end());
    up.end(body);
  });
}

maybe('native histograms and exemplars: parity with Prometheus 2.42', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nhist-parity-'));
  const children: Promise<SpawnedProcess>[] = [];
  const components: Component[] = [];
  let rxBase = '';
  const seen: Record<string, DecodedWriteRequest[]> = {};
  let proxy: http.Server | undefined;

  beforeAll(async () => {
    const bin = nhistTargetBinary();
    const [rxPort, promPort, targetPort, proxyPort] = await freePorts(4);
    rxBase = `http://127.0.0.1:${rxPort}`;
    proxy = recordingProxy(rxPort, seen);
    await new Promise<void>((r) => proxy!.listen(proxyPort, '127.0.0.1', r));
    const target = `127.0.0.1:${targetPort}`;
    const tg = spawnProcess(bin, [`-listen=${target}`], { name: 'nhist-target', ready: { http: `http://${target}/metrics` } });
    children.push(tg);
    fs.writeFileSync(path.join(tmp, 'rx.yml'), 'global: {}\n');
    const rx = spawnProcess(PROMETHEUS, [
      `--config.file=${path.join(tmp, 'rx.yml')}`,
      `--storage.tsdb.path=${path.join(tmp, 'rx-data')}`,
      `--web.listen-address=127.0.0.1:${rxPort}`,
      '--web.enable-remote-write-receiver',
      '--enable-feature=native-histograms,exemplar-storage',
    ], { name: 'prometheus (receiver)', ready: { http: `${rxBase}/-/ready` } });
    children.push(rx);
    await Promise.all([tg, rx]);
    fs.writeFileSync(path.join(tmp, 'prom.yml'), scraperConfig(target, proxyPort));
    const prom = spawnProcess(PROMETHEUS, [
      `--config.file=${path.join(tmp, 'prom.yml')}`,
      `--storage.tsdb.path=${path.join(tmp, 'prom-data')}`,
      `--web.listen-address=127.0.0.1:${promPort}`,
      '--enable-feature=native-histograms,exemplar-storage',
    ], { name: 'prometheus (scraper)', ready: { http: `http://127.0.0.1:${promPort}/-/ready` } });
    children.push(prom);
    prom.catch(() => undefined);

    const rwCtx = makeTestContext({ id: 'prometheus.remote_write.nhist', dataDir: path.join(tmp, 'rw') });
    const rwArgs = {
      endpoint: [{ url: `http://127.0.0.1:${proxyPort}/alloy/api/v1/write`, send_native_histograms: true, metadata_config: { send: true, send_interval: 1000 } as never, queue_config: { batch_send_deadline: 1000, min_backoff: 100 } as never }],
      external_labels: { scraper: 'alloy' },
    };
    const rw = remoteWrite.build(rwCtx, rwArgs);
    components.push(rw);
    await rw.update(rwArgs);
    const rwReceiver = (await rwCtx.waitForExports((e) => e.receiver !== undefined)).receiver as MetricsReceiver;
    // A relabel stage in between, whose rule leaves these series as they are but must pass histograms and exemplars on.
    const rlCtx = makeTestContext({ id: 'prometheus.relabel.nhist' });
    const rl = prometheusRelabel.build(rlCtx, undefined as never);
    components.push(rl);
    await rl.update({
      forward_to: [rwReceiver],
      max_cache_size: 1000,
      rule: [{ source_labels: ['__name__'], regex: 'nothing_matches_this', action: 'drop', separator: ';', target_label: '', replacement: '$1' } as never],
    });
    const rlReceiver = (await rlCtx.waitForExports((e) => e.receiver !== undefined)).receiver as MetricsReceiver;
    const sc = prometheusScrape.build(makeTestContext({ id: 'prometheus.scrape.nhist' }), undefined as never);
    components.push(sc);
    await sc.update({
      targets: [{ __address__: target }],
      forward_to: [rlReceiver],
      job_name: 'nhist',
      scrape_interval: 1000,
      scrape_timeout: 1000,
      metrics_path: '/metrics',
      scheme: 'http',
      honor_labels: false,
      honor_timestamps: true,
      track_timestamps_staleness: false,
      sample_limit: 0,
      target_limit: 0,
      label_limit: 0,
      label_name_length_limit: 0,
      label_value_length_limit: 0,
      enable_compression: true,
      follow_redirects: true,
      extra_metrics: false,
      scrape_native_histograms: true,
      honor_metadata: true,
    } as ScrapeArgs);
    await prom;
  }, 360_000);

  afterAll(async () => {
    for (const c of components.reverse()) await c.stop?.();
    await Promise.all(children.map((c) => c.then((child) => child.stop(), () => undefined)));
    await new Promise((r) => (proxy ? proxy.close(r) : r(undefined)));
    fs.rmSync(tmp, { recursive: true, force: true });
  }, 30000);

  const query = (q: string) => promApi<HistogramVector>(rxBase, `/api/v1/query?query=${encodeURIComponent(q)}`);
  const byScraper = (rows: HistogramVector['result'], who: string) =>
    new Map(rows.filter((r) => r.metric.scraper === who).map((r) => [seriesKey(r.metric), r.histogram?.[1] ?? r.value?.[1]]));

  test('identical native histograms and classic series', async () => {
    const rows = await waitFor('native histograms from both scrapers', async () => {
      const r = (await query('nh_latency_seconds')).result;
      return r.filter((x) => x.histogram).length === 4 ? r : undefined;
    }, { timeoutMs: 60_000, intervalMs: 500 });
    const prom = byScraper(rows, 'prom');
    const ours = byScraper(rows, 'alloy');
    expect(prom.size).toBe(2);
    expect([...ours.keys()].sort()).toEqual([...prom.keys()].sort());
    for (const [k, h] of prom) expect({ k, h: ours.get(k) }).toEqual({ k, h });
    // The histogram really is native: many exponential buckets and a zero bucket of width 2 x 0.001.
    const one = [...ours.values()][0] as HistogramValue;
    expect(one.count).toBe('13');
    expect(one.buckets!.length).toBeGreaterThan(8);
    expect(one.buckets!.some((b) => b[1] === '-0.001' && b[2] === '0.001' && b[3] === '2')).toBe(true);
    // Neither scraper keeps the classic form of a native histogram.
    expect((await query('nh_latency_seconds_count')).result).toEqual([]);

    const classic = (await waitFor('classic series from both', async () => {
      const r = (await query('{__name__=~"classic_request_seconds.*|nh_requests_total"}')).result;
      return r.length === 2 * 10 ? r : undefined;
    }, { timeoutMs: 30_000, intervalMs: 500 }));
    const pc = byScraper(classic, 'prom');
    const oc = byScraper(classic, 'alloy');
    expect(pc.size).toBe(10); // 6 buckets, _sum, _count, two counters
    expect(oc).toEqual(pc);
  }, 90_000);

  test('identical histogram messages on the wire (all fields but the timestamp) and metadata', async () => {
    const latest = (who: string) => {
      const out = new Map<string, unknown>();
      for (const req of seen[who] ?? []) {
        for (const ts of req.timeseries) {
          const labels: Series = {};
          for (let i = 0; i < ts.labels.length; i += 2) labels[ts.labels[i]!] = ts.labels[i + 1]!;
          for (const h of ts.histograms) out.set(seriesKey(labels), { ...h, timestamp: undefined });
        }
      }
      return out;
    };
    const [prom, ours] = await waitFor('histogram messages from both', () => {
      const p = latest('prom');
      const o = latest('alloy');
      return p.size === 2 && o.size === 2 ? [p, o] : undefined;
    }, { timeoutMs: 30_000, intervalMs: 500 });
    expect(ours).toEqual(prom);
    const one = [...ours.values()][0] as { schema: number; zeroThreshold: number; positiveSpans: unknown[] };
    expect(one.schema).toBe(3); // client_golang's pick for a bucket factor of 1.1
    expect(one.zeroThreshold).toBe(0.001);
    expect(one.positiveSpans.length).toBeGreaterThan(3);

    // Metadata: Prometheus sends its targets' metadata every send_interval; ours goes out with honor_metadata.
    const meta = (who: string) => new Map((seen[who] ?? []).flatMap((r) => r.metadata).map((m) => [m.family, m]));
    const [pm, om] = await waitFor('metadata from both', () => {
      const p = meta('prom');
      const o = meta('alloy');
      return ['nh_latency_seconds', 'classic_request_seconds', 'nh_requests_total'].every((f) => p.has(f) && o.has(f)) ? [p, o] : undefined;
    }, { timeoutMs: 30_000, intervalMs: 500 });
    for (const f of ['nh_latency_seconds', 'classic_request_seconds', 'nh_requests_total']) expect(om.get(f)).toEqual(pm.get(f));
  }, 60_000);

  test('identical exemplars (counter, classic bucket, native histogram)', async () => {
    const now = Date.now() / 1000;
    const q = encodeURIComponent('{__name__=~"nh_requests_total|classic_request_seconds_bucket|nh_latency_seconds"}');
    const get = () => promApi<ExemplarResult[]>(rxBase, `/api/v1/query_exemplars?query=${q}&start=${now - 600}&end=${now + 600}`);
    const flat = (rs: ExemplarResult[], who: string) =>
      [...new Set(rs.filter((r) => r.seriesLabels.scraper === who).flatMap((r) => r.exemplars.map((e) => JSON.stringify([seriesKey(r.seriesLabels), e.labels, e.value, e.timestamp]))))].sort();
    const rs = await waitFor('exemplars from both scrapers', async () => {
      const r = await get();
      const p = flat(r, 'prom');
      return p.length >= 3 && flat(r, 'alloy').length >= p.length ? r : undefined;
    }, { timeoutMs: 60_000, intervalMs: 1000 });
    const prom = flat(rs, 'prom');
    const ours = flat(rs, 'alloy');
    // Prometheus 2.42 drops the exemplars of native histograms; later Prometheus
    // versions (and Alloy) keep those that carry a timestamp, as we do.
    const native = (e: string) => e.includes('nh_latency_seconds');
    expect(prom.filter(native)).toEqual([]);
    expect(ours.filter((e) => !native(e))).toEqual(prom);
    expect(ours.filter(native).map((e) => JSON.parse(e)[1].trace_id)).toEqual(['nh-/a', 'nh-/b']);
    expect(ours.some((e) => e.includes('abc123') && e.includes('span_id'))).toBe(true);
    expect(ours.some((e) => e.includes('classic-1'))).toBe(true);
  }, 90_000);
});
