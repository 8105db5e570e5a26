// A Prometheus config converted by `alloy convert` and run by `alloy run`
// scrapes the same series, with the same values, as Debian's Prometheus 2.42
// (agent mode) running the original config on the same 127.0.0.x targets: the
// oracle of e2e/scrape/parity.test.ts (both remote-write into one Prometheus
// receiver, told apart by the external label `scraper`). The config exercises
// static_configs with labels, relabel_configs (discovery.relabel, dropping a
// target), metric_relabel_configs, honor_labels, metrics_path, params,
// per-job intervals and the remote_write queue settings.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { type AlloyProcess, startAlloyProcess } from '../lib/alloy-process.js';
import { freePorts } from '../lib/ports.js';
import { spawnProcess, type SpawnedProcess } from '../lib/spawn.js';
import { syntheticOpenMetrics, syntheticText } from '../scrape/synthetic.js';
import { alloyCli } from './cli.js';
import { promApi, type Series, seriesKey, type Vector } from '../lib/prometheus-api.js';

const PROMETHEUS = '/usr/bin/prometheus';
const NODE_EXPORTER = '/usr/bin/prometheus-node-exporter';
const maybe = fs.existsSync(PROMETHEUS) && fs.existsSync(NODE_EXPORTER) ? describe : describe.skip;


/** The one Prometheus config both scrapers run, differing only in the external label. */
function prometheusYaml(scraper: string, t: { node: string; synth1: string; synth2: string; synth3: string; rx: string }): string {
  return `global:
  scrape_interval: 1s
  scrape_timeout: 1s
  external_labels: { scraper: ${scraper} }
scrape_configs:
  - job_name: node
    static_configs: [{ targets: ['${t.node}'] }]
  - job_name: synth
    static_configs:
      - targets: ['${t.synth1}', '${t.synth2}']
        labels: { env: test, tier: "1" }
  - job_name: synth-honor
    honor_labels: true
    static_configs: [{ targets: ['${t.synth1}'] }]
  - job_name: synth_om
    metrics_path: /om
    params: { format: [openmetrics] }
    scrape_interval: 2s
    static_configs: [{ targets: ['${t.synth2}'] }]
  - job_name: synth_relabel
    static_configs:
      - targets: ['${t.synth1}', '${t.synth2}', '${t.synth3}']
        labels: { rack: "r1 a" }
    relabel_configs:
      - source_labels: [__address__]
        regex: '127\\.0\\.0\\.3:.*'
        action: drop
      - source_labels: [rack]
        regex: '(\\w+) (\\w+)'
        target_label: zone
        replacement: '\${2}-\${1}'
      - regex: rack
        action: labeldrop
    metric_relabel_configs:
      - source_labels: [__name__]
        regex: synth_(special|escapes)
        action: drop
      - source_labels: [room]
        regex: '(\\w+) (\\w+)'
        target_label: area
        replacement: '\${2}-\${1}'
      - regex: exported_job
        action: labeldrop
remote_write:
  - url: http://${t.rx}/api/v1/write
    queue_config: { batch_send_deadline: 1s, min_backoff: 100ms }
`;
}

maybe('alloy convert: a converted Prometheus config scrapes what Prometheus scrapes', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'convert-parity-'));
  const children: Promise<SpawnedProcess>[] = [];
  const servers: http.Server[] = [];
  let alloy: AlloyProcess | undefined;
  let rxBase = '';
  let targets: { node: string; synth1: string; synth2: string; synth3: string; rx: string };
  let converted = '';

  const synthServer = async (host: string): Promise<string> => {
    const s = http.createServer((req, res) => {
      const om = req.url?.startsWith('/om');
      res.writeHead(200, { 'content-type': om ? 'application/openmetrics-text; version=1.0.0; charset=utf-8' : 'text/plain; version=0.0.4; charset=utf-8' });
      res.end(om ? syntheticOpenMetrics() : syntheticText());
    });
    await new Promise<void>((r) => s.listen(0, host, r));
    servers.push(s);
    return `${host}:${(s.address() as AddressInfo).port}`;
  };

  beforeAll(async () => {
    const [rxPort, agentPort, nePort] = await freePorts(3);
    rxBase = `http://127.0.0.1:${rxPort}`;
    targets = {
      node: `127.0.0.1:${nePort}`,
      synth1: await synthServer('127.0.0.1'),
      synth2: await synthServer('127.0.0.2'),
      synth3: await synthServer('127.0.0.3'),
      rx: `127.0.0.1:${rxPort}`,
    };
    const ne = spawnProcess(NODE_EXPORTER, [`--web.listen-address=${targets.node}`, '--collector.disable-defaults', '--collector.loadavg', '--collector.meminfo', '--collector.uname', '--collector.time'], { name: 'node_exporter', ready: { http: `http://${targets.node}/metrics` } });
    children.push(ne);
    fs.writeFileSync(path.join(tmp, 'rx.yml'), 'global: {}\n');
    const rx = spawnProcess(PROMETHEUS, [
      `--config.file=${path.join(tmp, 'rx.yml')}`,
      `--storage.tsdb.path=${path.join(tmp, 'rx-data')}`,
      `--web.listen-address=${targets.rx}`,
      '--web.enable-remote-write-receiver',
    ], { name: 'prometheus (receiver)', ready: { http: `${rxBase}/-/ready` } });
    children.push(rx);
    await Promise.all([ne, rx]);

    // The Alloy side: the same config, converted by the CLI.
    fs.writeFileSync(path.join(tmp, 'alloy.yml'), prometheusYaml('alloy', targets));
    const out = path.join(tmp, 'converted.alloy');
    const report = path.join(tmp, 'report.txt');
    const conv = await alloyCli(['convert', '--source-format=prometheus', `--output=${out}`, `--report=${report}`, path.join(tmp, 'alloy.yml')]);
    if (conv.code !== 0) throw new Error(`alloy convert failed (${conv.code}):\n${conv.stderr}\n${fs.existsSync(report) ? fs.readFileSync(report, 'utf8') : ''}`);
    converted = fs.readFileSync(out, 'utf8');

    fs.writeFileSync(path.join(tmp, 'prom.yml'), prometheusYaml('prom', targets));
    const agent = spawnProcess(PROMETHEUS, [
      '--enable-feature=agent',
      `--config.file=${path.join(tmp, 'prom.yml')}`,
      `--storage.agent.path=${path.join(tmp, 'agent-data')}`,
      `--web.listen-address=127.0.0.1:${agentPort}`,
    ], { name: 'prometheus (agent)', ready: { http: `http://127.0.0.1:${agentPort}/-/ready` } });
    children.push(agent);
    agent.catch(() => undefined); // a failed start surfaces at `await agent` below
    alloy = await startAlloyProcess({ config: converted, timeoutMs: 60000 });
    await agent;
  }, 120000);

  afterAll(async () => {
    await alloy?.stop();
    await Promise.all(children.map((c) => c.then((p) => p.stop(), () => undefined)));
    for (const s of servers) await new Promise((r) => s.close(r));
    fs.rmSync(tmp, { recursive: true, force: true });
  }, 30000);

  const seriesOf = async (scraper: string): Promise<Map<string, Series>> => {
    const data = await promApi<Series[]>(rxBase, `/api/v1/series?match[]=${encodeURIComponent(`{scraper="${scraper}"}`)}&start=${Date.now() / 1000 - 120}`);
    return new Map(data.map((s) => [seriesKey(s), s]));
  };

  test('the converted config is the pipeline Alloy would build, formatted', async () => {
    for (const id of ['prometheus.scrape "synth_honor"', 'discovery.relabel "synth_relabel"', 'prometheus.remote_write "default"']) expect(converted).toContain(id);
    expect(converted).toMatch(/prometheus.scrape "synth_relabel" {\n\ttargets += discovery\.relabel\.synth_relabel\.output\n/);
    const fmt = await alloyCli(['fmt', '--check', '-'], { stdin: converted });
    expect(fmt).toMatchObject({ code: 0, stderr: '' });
  });

  test('identical series sets and values', async () => {
    // Jobs whose targets are up, per scraper: node 1, synth 2, synth-honor 1, synth_om 1, synth_relabel 2 (the third dropped).
    const upTargets = 7;
    const deadline = Date.now() + 60000;
    let prom = new Map<string, Series>();
    let ours = new Map<string, Series>();
    for (;;) {
      [prom, ours] = await Promise.all([seriesOf('prom'), seriesOf('alloy')]);
      const up = (await promApi<Vector>(rxBase, `/api/v1/query?query=${encodeURIComponent('count by (scraper) (count_over_time(up[1m]) >= 3 and up == 1)')}`)).result;
      const ready = up.length === 2 && up.every((r) => r.value[1] === String(upTargets));
      const same = prom.size === ours.size && [...prom.keys()].every((k) => ours.has(k));
      if ((ready && same) || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const onlyProm = [...prom.keys()].filter((k) => !ours.has(k));
    const onlyOurs = [...ours.keys()].filter((k) => !prom.has(k));
    expect({ onlyProm, onlyOurs }).toEqual({ onlyProm: [], onlyOurs: [] });
    expect(prom.size).toBeGreaterThan(100);

    const has = (s: Series) => ours.has(seriesKey(s));
    // Static labels, the relabeled target label (and its source dropped), the metric relabeling.
    expect(has({ __name__: 'synth_temperature', job: 'synth', instance: targets.synth2, env: 'test', tier: '1', room: 'a b' })).toBe(true);
    expect(has({ __name__: 'synth_temperature', job: 'synth_relabel', instance: targets.synth1, zone: 'a-r1', room: 'a b', area: 'b-a' })).toBe(true);
    expect(has({ __name__: 'up', job: 'synth_relabel', instance: targets.synth3, zone: 'a-r1' })).toBe(false);
    expect(has({ __name__: 'synth_clash', job: 'exposed-job', instance: 'exposed-inst', exported_job: 'pre' })).toBe(true);
    expect(has({ __name__: 'om_jobs_created', job: 'synth_om', instance: targets.synth2, queue: 'x' })).toBe(true);

    const q = encodeURIComponent('{job=~"synth.*",__name__!="scrape_duration_seconds"} or up');
    const rows = (await promApi<Vector>(rxBase, `/api/v1/query?query=${q}`)).result;
    const vals = (who: string) => new Map(rows.filter((r) => r.metric.scraper === who).map((r) => [seriesKey(r.metric), r.value[1]]));
    const pv = vals('prom');
    const ov = vals('alloy');
    expect(pv.size).toBeGreaterThan(50);
    expect([...pv].filter(([k, v]) => ov.get(k) !== v).map(([k, v]) => `${k}: prom=${v} ours=${ov.get(k)}`)).toEqual([]);
    expect(ov.size).toBe(pv.size);
  }, 90000);
});
