// Parity with Debian's Prometheus 2.42: the same targets (node-exporter and a
// synthetic exporter with text and OpenMetrics endpoints) are scraped by a
// Prometheus agent and by prometheus.scrape; both remote-write into one
// Prometheus receiver, told apart by the external label `scraper`. The series
// sets (all labels, incl. up and the other synthetic series) and the values of
// the stable metrics must be identical, also with metric relabeling and with
// honor_labels true and false.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Component } from '../../src/runtime/types.js';
import { makeTestContext } from '../lib/component-context.js';
import { remoteWrite } from '../../src/components/prometheus/remote_write.js';
import type { MetricsReceiver } from '../../src/pipeline/metrics.js';
import type { ScrapeArgs } from '../../src/scrape/args.js';
import { configureScrapeWorkers } from '../../src/scrape/pool.js';
import { prometheusScrape } from '../../src/components/prometheus/scrape.js';
import { freePorts } from '../lib/ports.js';
import { spawnProcess, type SpawnedProcess } from '../lib/spawn.js';
import { syntheticOpenMetrics, syntheticText } from './synthetic.js';
import { promApi, type Series, seriesKey, type Vector } from '../lib/prometheus-api.js';

const PROMETHEUS = '/usr/bin/prometheus';
const NODE_EXPORTER = '/usr/bin/prometheus-node-exporter';
const haveBinaries = fs.existsSync(PROMETHEUS) && fs.existsSync(NODE_EXPORTER);
const maybe = haveBinaries ? describe : describe.skip;

configureScrapeWorkers(2);

interface Job {
  name: string;
  target: string;
  path?: string;
  honorLabels?: boolean;
  relabel?: boolean;
}

// metric_relabel in both dialects: drop two families, derive a label with a template.
const RELABEL_YAML = `
    metric_relabel_configs:
      - source_labels: [__name__]
        regex: synth_(special|escapes)
        action: drop
      - source_labels: [room]
        regex: '(\\w+) (\\w+)'
        target_label: area
        replacement: '\${2}-\${1}'
      - regex: exported_job
        action: labeldrop`;
const RELABEL_RULES = [
  { source_labels: ['__name__'], regex: 'synth_(special|escapes)', action: 'drop' } as Record<string, unknown>,
  { source_labels: ['room'], regex: '(\\w+) (\\w+)', target_label: 'area', replacement: '${2}-${1}', action: 'replace' },
  { regex: 'exported_job', action: 'labeldrop' },
].map((r: Record<string, unknown>) => ({ separator: ';', target_label: '', replacement: '$1', ...r }));

function agentConfig(jobs: Job[], rxPort: number): string {
  const scrape = jobs
    .map(
      (j) => `  - job_name: ${j.name}
    honor_labels: ${j.honorLabels ? 'true' : 'false'}
    metrics_path: ${j.path ?? '/metrics'}
    static_configs: [{ targets: ['${j.target}'] }]${j.relabel ? RELABEL_YAML : ''}`,
    )
    .join('\n');
  return `global:
  scrape_interval: 1s
  scrape_timeout: 1s
  external_labels: { scraper: prom }
scrape_configs:
${scrape}
remote_write:
  - url: http://127.0.0.1:${rxPort}/api/v1/write
    queue_config: { batch_send_deadline: 1s, min_backoff: 100ms }
`;
}

function scrapeArgs(j: Job, forward: MetricsReceiver): ScrapeArgs {
  return {
    targets: [{ __address__: j.target }],
    forward_to: [forward],
    job_name: j.name,
    scrape_interval: 1000,
    scrape_timeout: 1000,
    metrics_path: j.path ?? '/metrics',
    scheme: 'http',
    honor_labels: j.honorLabels ?? false,
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
    metric_relabel: j.relabel ? RELABEL_RULES : [],
  };
}


maybe('scrape parity with Prometheus 2.42', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'scrape-parity-'));
  // Started (or starting) children: teardown stops each one that came up.
  const children: Promise<SpawnedProcess>[] = [];
  const components: Component[] = [];
  let synth: http.Server;
  let rxBase = '';
  let jobs: Job[] = [];

  beforeAll(async () => {
    synth = http.createServer((req, res) => {
      if (req.url?.startsWith('/om')) {
        res.writeHead(200, { 'content-type': 'application/openmetrics-text; version=1.0.0; charset=utf-8' });
        res.end(syntheticOpenMetrics());
      } else {
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
        res.end(syntheticText());
      }
    });
    await new Promise<void>((r) => synth.listen(0, '127.0.0.1', r));
    const synthAddr = `127.0.0.1:${(synth.address() as AddressInfo).port}`;
    const [rxPort, agentPort, nePort] = await freePorts(3);
    rxBase = `http://127.0.0.1:${rxPort}`;

    const ne = spawnProcess(NODE_EXPORTER, [
      `--web.listen-address=127.0.0.1:${nePort}`,
      '--collector.disable-defaults',
      '--collector.loadavg',
      '--collector.meminfo',
      '--collector.uname',
      '--collector.time',
    ], { name: 'node_exporter', ready: { http: `http://127.0.0.1:${nePort}/metrics` }, readyTimeoutMs: 30000 });
    children.push(ne);
    fs.writeFileSync(path.join(tmp, 'rx.yml'), 'global: {}\n');
    const rx = spawnProcess(PROMETHEUS, [
      `--config.file=${path.join(tmp, 'rx.yml')}`,
      `--storage.tsdb.path=${path.join(tmp, 'rx-data')}`,
      `--web.listen-address=127.0.0.1:${rxPort}`,
      '--web.enable-remote-write-receiver',
    ], { name: 'prometheus (receiver)', ready: { http: `${rxBase}/-/ready` }, readyTimeoutMs: 30000 });
    children.push(rx);
    await Promise.all([ne, rx]);

    jobs = [
      { name: 'node', target: `127.0.0.1:${nePort}` },
      { name: 'synth', target: synthAddr },
      { name: 'synth_honor', target: synthAddr, honorLabels: true },
      { name: 'synth_om', target: synthAddr, path: '/om' },
      { name: 'synth_relabel', target: synthAddr, relabel: true },
    ];
    fs.writeFileSync(path.join(tmp, 'agent.yml'), agentConfig(jobs, rxPort));
    const agent = spawnProcess(PROMETHEUS, [
      '--enable-feature=agent',
      `--config.file=${path.join(tmp, 'agent.yml')}`,
      `--storage.agent.path=${path.join(tmp, 'agent-data')}`,
      `--web.listen-address=127.0.0.1:${agentPort}`,
    ], { name: 'prometheus (agent)', ready: { http: `http://127.0.0.1:${agentPort}/-/ready` }, readyTimeoutMs: 30000 });
    children.push(agent);
    agent.catch(() => undefined); // a failed start surfaces at `await agent` below

    const rwCtx = makeTestContext({ id: 'prometheus.remote_write.parity', dataDir: path.join(tmp, 'rw') });
    const rw = remoteWrite.build(rwCtx, {
      endpoint: [{ url: `${rxBase}/api/v1/write`, queue_config: { batch_send_deadline: 1000, min_backoff: 100 } as never }],
      external_labels: { scraper: 'alloy' },
    });
    components.push(rw);
    await rw.update({
      endpoint: [{ url: `${rxBase}/api/v1/write`, queue_config: { batch_send_deadline: 1000, min_backoff: 100 } as never }],
      external_labels: { scraper: 'alloy' },
    });
    const receiver = (await rwCtx.waitForExports((e) => e.receiver !== undefined)).receiver as MetricsReceiver;
    for (const j of jobs) {
      const c = prometheusScrape.build(makeTestContext({ id: `prometheus.scrape.${j.name}` }), undefined as never);
      components.push(c);
      await c.update(scrapeArgs(j, receiver));
    }
    await agent;
  }, 60000);

  afterAll(async () => {
    for (const c of components.reverse()) await c.stop?.();
    await Promise.all(children.map((c) => c.then((child) => child.stop(), () => undefined)));
    await new Promise((r) => synth?.close(r));
    fs.rmSync(tmp, { recursive: true, force: true });
  }, 30000);

  async function seriesOf(scraper: string): Promise<Map<string, Series>> {
    const data = await promApi<Series[]>(rxBase, `/api/v1/series?match[]=${encodeURIComponent(`{scraper="${scraper}"}`)}&start=${Date.now() / 1000 - 120}`);
    return new Map(data.map((s) => [seriesKey(s), s]));
  }

  test('identical series sets and values', async () => {
    // Wait (bounded) until both scrapers delivered three scrapes of every job (the first
    // scrape reports every series as added) and the sets agree.
    const deadline = Date.now() + 40000;
    let prom = new Map<string, Series>();
    let ours = new Map<string, Series>();
    for (;;) {
      [prom, ours] = await Promise.all([seriesOf('prom'), seriesOf('alloy')]);
      const upBoth = (await promApi<Vector>(rxBase, `/api/v1/query?query=${encodeURIComponent('count by (scraper) (count_over_time(up[1m]) >= 3 and up == 1)')}`)).result;
      const ready = upBoth.length === 2 && upBoth.every((r) => r.value[1] === String(jobs.length));
      const same = prom.size === ours.size && [...prom.keys()].every((k) => ours.has(k));
      if ((ready && same) || Date.now() > deadline) {
        if (process.env.DEBUG_PARITY) console.log({ ready, same, prom: prom.size, ours: ours.size, upBoth: JSON.stringify(upBoth) });
        break;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    const onlyProm = [...prom.keys()].filter((k) => !ours.has(k));
    const onlyOurs = [...ours.keys()].filter((k) => !prom.has(k));
    expect({ onlyProm, onlyOurs }).toEqual({ onlyProm: [], onlyOurs: [] });
    expect(prom.size).toBeGreaterThan(100);

    // Spot checks that the features under test really are in the set.
    const has = (s: Series) => ours.has(seriesKey(s));
    // honor_labels=false: "job" is shorter so it is renamed first, and exported_job is taken by the exporter.
    expect(has({ __name__: 'synth_clash', job: 'synth', instance: jobs[1].target, exported_exported_job: 'exposed-job', exported_instance: 'exposed-inst', exported_job: 'pre' })).toBe(true);
    expect(has({ __name__: 'synth_clash', job: 'exposed-job', instance: 'exposed-inst', exported_job: 'pre' })).toBe(true);
    expect(has({ __name__: 'synth_escapes', job: 'synth', instance: jobs[1].target, path: 'C:\\dir', multi: 'line1\nline2', tab: 'keep\\tme' })).toBe(true);
    expect(has({ __name__: 'synth_temperature', job: 'synth_relabel', instance: jobs[1].target, room: 'a b', area: 'b-a' })).toBe(true);
    expect(has({ __name__: 'om_jobs_created', job: 'synth_om', instance: jobs[1].target, queue: 'x' })).toBe(true);
    for (const n of ['up', 'scrape_duration_seconds', 'scrape_samples_scraped', 'scrape_samples_post_metric_relabeling', 'scrape_series_added']) {
      expect(has({ __name__: n, job: 'node', instance: jobs[0].target })).toBe(true);
    }

    // Values of everything stable (the synthetic jobs, and up for all).
    const q = encodeURIComponent('{job=~"synth.*",__name__!="scrape_duration_seconds"} or up');
    const rows = (await promApi<Vector>(rxBase, `/api/v1/query?query=${q}`)).result;
    const vals = (who: string) => new Map(rows.filter((r) => r.metric.scraper === who).map((r) => [seriesKey(r.metric), r.value[1]]));
    const pv = vals('prom');
    const ov = vals('alloy');
    expect(pv.size).toBeGreaterThan(50);
    const diffs = [...pv].filter(([k, v]) => ov.get(k) !== v).map(([k, v]) => `${k}: prom=${v} ours=${ov.get(k)}`);
    expect(diffs).toEqual([]);
    expect(ov.size).toBe(pv.size);
  }, 60000);
});
