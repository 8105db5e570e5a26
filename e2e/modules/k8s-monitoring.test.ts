// A k8s-monitoring-v2-shaped config (features as declares with arguments,
// instantiated below) in a real `alloy run` process against the Kubernetes
// API emulator: samples of an annotated pod reach Prometheus's remote-write
// receiver with the labels the chart's rules give them. Then the features
// come from an import.file module: changing one feature re-evaluates that
// module alone, and the other feature's scrape keeps running (same component,
// no staleness marker in its series).
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startKubeEmulator, type KubeEmulator } from '../../src/sandbox/kube/index.js';
import { startAlloyProcess, type AlloyProcess } from '../lib/alloy-process.js';
import { waitFor } from '../lib/wait.js';
import { component, PROMETHEUS_BIN, startPrometheus, type Prometheus } from './harness.js';
import { annotationAutodiscovery, destination, instances, staticTargets } from './k8s-monitoring-config.js';

const have = fs.existsSync(PROMETHEUS_BIN);
const CLUSTER = 'modules-e2e';
const FEATURE_SCRAPE = 'annotation_autodiscovery.feature/prometheus.scrape.annotation_autodiscovery_http';

let api: KubeEmulator;
let prom: Prometheus;
let exporter: http.Server;
let exporterPort = 0;
let dir = '';
let alloy: AlloyProcess | undefined;

beforeAll(async () => {
  if (!have) return;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alloy-e2e-k8smon-'));
  let n = 0;
  exporter = http.createServer((_req, res) => {
    n++;
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(`# TYPE k8smon_e2e_requests_total counter\nk8smon_e2e_requests_total{code="200"} ${n}\n`);
  });
  await new Promise<void>((r) => exporter.listen(0, '127.0.0.1', r));
  exporterPort = (exporter.address() as AddressInfo).port;
  api = await startKubeEmulator();
  api.writeKubeconfig(path.join(dir, 'kubeconfig'));
  api.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps' } });
  api.apply({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'web-0',
      namespace: 'apps',
      labels: { app: 'web' },
      annotations: { 'k8s.grafana.com/scrape': 'true', 'k8s.grafana.com/metrics.scrapeInterval': '2s', 'k8s.grafana.com/metrics.scrapeTimeout': '1500ms' },
    },
    spec: { nodeName: 'node-a', containers: [{ name: 'web', image: 'web:1', ports: [{ name: 'metrics', containerPort: exporterPort, protocol: 'TCP' }] }] },
    status: { phase: 'Running', podIP: '127.0.0.1', hostIP: '127.0.0.1', conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: [{ name: 'web', ready: true }] },
  });
  prom = await startPrometheus();
}, 60_000);

afterEach(async () => {
  await alloy?.stop();
  alloy = undefined;
});

afterAll(async () => {
  if (!have) return;
  await prom.stop();
  await api.close();
  exporter.closeAllConnections();
  exporter.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const remoteWriteUrl = () => `${prom.url}/api/v1/write`;

(have ? test : test.skip)('chart-shaped config: the annotated pod is scraped inside the feature and its samples reach Prometheus', async () => {
  const config = `${annotationAutodiscovery(path.join(dir, 'kubeconfig'))}${instances(false)}\n${destination(remoteWriteUrl(), CLUSTER)}`;
  alloy = await startAlloyProcess({ config });
  const series = await waitFor('the plain config\'s series in Prometheus', async () => {
    const r = await prom.query(`k8smon_e2e_requests_total{cluster="${CLUSTER}"}`);
    return r.length > 0 ? r : undefined;
  }, { timeoutMs: 60_000, intervalMs: 500 });
  expect(series).toHaveLength(1);
  expect(series![0].metric).toMatchObject({
    __name__: 'k8smon_e2e_requests_total',
    code: '200',
    namespace: 'apps',
    pod: 'web-0',
    container: 'web',
    job: 'web', // from the pod's app label, as the chart's rules choose it
    instance: `127.0.0.1:${exporterPort}`,
    cluster: CLUSTER,
    k8s_cluster_name: CLUSTER,
  });
  const scrape = (await component(alloy.url, FEATURE_SCRAPE))!;
  expect(scrape.health.state).toBe('healthy');
  expect((await component(alloy.url, 'annotation_autodiscovery.feature'))!.health.state).toBe('healthy');
  // The inner components' metrics carry the module path.
  const metrics = await (await fetch(`${alloy.url}/metrics`)).text();
  expect(metrics).toMatch(/component_id="prometheus\.scrape\.annotation_autodiscovery_http",component_path="\/annotation_autodiscovery\.feature"/);
}, 120_000);

/** Staleness markers in a series between fromSec and now: an instant query just before each sample finds nothing after a marker. */
async function staleGaps(selector: string, fromSec: number): Promise<{ samples: number; gaps: number[] }> {
  const [s] = await prom.samples(`${selector}[5m]`);
  const times = (s?.values ?? []).map(([t]) => Number(t)).filter((t) => t >= fromSec);
  const gaps: number[] = [];
  for (let i = 1; i < times.length; i++) {
    if ((await prom.query(selector, times[i] - 0.001)).length === 0) gaps.push(times[i]);
  }
  return { samples: times.length, gaps };
}

(have ? test : test.skip)('features from an import.file module: changing one feature leaves the other scraping without a staleness gap', async () => {
  const moduleDir = path.join(dir, 'features');
  fs.mkdirSync(moduleDir, { recursive: true });
  const staticFile = path.join(moduleDir, 'static.alloy');
  fs.writeFileSync(path.join(moduleDir, 'annotation_autodiscovery.alloy'), annotationAutodiscovery(path.join(dir, 'kubeconfig')));
  fs.writeFileSync(staticFile, staticTargets(`127.0.0.1:${exporterPort}`, 'one'));
  const main = `import.file "features" {\n  filename       = ${JSON.stringify(moduleDir)}\n  poll_frequency = "500ms"\n}\n\n${instances(true).replace(/^annotation_autodiscovery /m, 'features.annotation_autodiscovery ').replace(/^static_targets /m, 'features.static_targets ')}\n${destination(remoteWriteUrl(), `${CLUSTER}-mod`)}`;
  alloy = await startAlloyProcess({ config: main });
  const feature = `k8smon_e2e_requests_total{cluster="${CLUSTER}-mod",job="web"}`;
  await waitFor('the module config\'s series (tier one)', async () => (await prom.query(feature)).length > 0 && (await prom.query(`k8smon_e2e_requests_total{cluster="${CLUSTER}-mod",tier="one"}`)).length > 0, { timeoutMs: 60_000, intervalMs: 500 });
  const scrapeId = `features.${FEATURE_SCRAPE}`;
  const before = (await component(alloy.url, scrapeId))!;
  // The scrape's own metrics start from zero when the component is rebuilt: its scrape count must only grow.
  const scrapes = async () => {
    const text = await (await fetch(`${alloy!.url}/metrics`)).text();
    const m = /^prometheus_target_interval_length_seconds_count\{[^}]*component_id="prometheus\.scrape\.annotation_autodiscovery_http",component_path="\/features\.annotation_autodiscovery\.feature"[^}]*\} (\d+)/m.exec(text);
    return m ? Number(m[1]) : -1;
  };
  // (Observed from the second scrape on: it is the interval between two.)
  const scrapesBefore = await waitFor('a first scrape count', async () => {
    const n = await scrapes();
    return n > 0 ? n : undefined;
  }, { timeoutMs: 30_000, intervalMs: 500 });
  const reloadAt = Date.now() / 1000;
  await new Promise((r) => setTimeout(r, 3000));

  fs.writeFileSync(staticFile, staticTargets(`127.0.0.1:${exporterPort}`, 'two'));
  await waitFor('the series of tier two', async () => (await prom.query(`k8smon_e2e_requests_total{cluster="${CLUSTER}-mod",tier="two"}`)).length > 0, { timeoutMs: 60_000, intervalMs: 500 });
  await new Promise((r) => setTimeout(r, 4000));

  // The changed feature moved to its new label; the other one kept running.
  expect((await component(alloy.url, `features.static_targets.feature/discovery.relabel.static`))!.exports.output[0].tier).toBe('two');
  const after = (await component(alloy.url, scrapeId))!;
  expect(after.health.state).toBe('healthy');
  expect(after.arguments).toEqual(before.arguments);
  expect(await scrapes()).toBeGreaterThan(scrapesBefore);
  const { samples, gaps } = await staleGaps(feature, reloadAt - 2);
  expect(samples).toBeGreaterThanOrEqual(3);
  expect(gaps).toEqual([]);
  // The changed feature's old series did end (a staleness marker): the check above would see one.
  const old = await staleGaps(`k8smon_e2e_requests_total{cluster="${CLUSTER}-mod",tier="one"}`, reloadAt - 2);
  expect(old.samples).toBeGreaterThan(0);
  const lastOld = (await prom.samples(`k8smon_e2e_requests_total{cluster="${CLUSTER}-mod",tier="one"}[5m]`))[0].values.at(-1)![0];
  expect(await prom.query(`k8smon_e2e_requests_total{cluster="${CLUSTER}-mod",tier="one"}`, Number(lastOld) + 2)).toEqual([]);
}, 120_000);
