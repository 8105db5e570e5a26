// Runs the default config of each chart (and feature variants) in-process
// against the Kubernetes API emulator holding the sample cluster, then checks
// every request the code made (verb, group, resource/subresource, namespace)
// against the RBAC the same render grants, and that the grants are exactly
// the fixed per-feature lists (nothing beyond what the features need), and
// that after shutdown no list+watch loop of the run is left open.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startAlloy, type RunningAlloy } from '../../src/app.js';
import { activeInformers } from '../../src/kube/informers.js';
import { createLogger } from '../../src/runtime/logger.js';
import { loadFixtureFile, loadSampleCluster, startKubeEmulator, type KubeEmulator, type RequestLogEntry } from '../../src/sandbox/kube/index.js';
import { startLokiReceiver, type LokiReceiver } from '../../src/sandbox/receivers/loki-receiver.js';
import { RemoteWriteReceiver } from '../../src/sandbox/receivers/remote-write-receiver.js';
import { checkConfig } from './config-check.js';
import { withKubeconfig } from './inject.js';
import { allows, expectedAtoms, grantsOf, POSITIONS_RBAC, type Feature } from './rbac.js';
import { configOf, renderObjects, ROOT, workload, type KubeObject } from './render.js';

const NS = 'alloy';

interface Scenario {
  name: string;
  chart: string;
  set?: string[];
  features: Feature[];
  positions?: boolean;
  /** "verb resource[/sub]" requests the run must have made before it is checked. */
  expectSeen: string[];
}

const scenarios: Scenario[] = [
  { name: 'alloy defaults', chart: 'alloy', features: ['discovery.pod', 'discovery.service'], expectSeen: ['watch pods', 'watch services'] },
  { name: 'alloy-annotations defaults', chart: 'alloy-annotations', features: ['discovery.pod', 'discovery.service'], expectSeen: ['watch pods', 'watch services'] },
  {
    name: 'alloy with pod logs',
    chart: 'alloy',
    set: ['features.podLogs.enabled=true'],
    features: ['discovery.pod', 'discovery.service', 'podLogs'],
    positions: true,
    expectSeen: ['watch pods', 'watch services', 'get pods/log', 'list configmaps'],
  },
  {
    name: 'alloy with pod logs limited to rbac.namespaces=[shop]',
    chart: 'alloy',
    set: ['features.podLogs.enabled=true', 'rbac.namespaces={shop}'],
    features: ['discovery.pod', 'discovery.service', 'podLogs'],
    positions: true,
    expectSeen: ['watch pods', 'watch services', 'get pods/log', 'list configmaps'],
  },
  {
    name: 'alloy with every discovery role',
    chart: 'alloy',
    set: ['features.annotations.roles={pod,service,endpoints,endpointslice,ingress,node}'],
    features: ['discovery.pod', 'discovery.service', 'discovery.endpoints', 'discovery.endpointslice', 'discovery.ingress', 'discovery.node'],
    expectSeen: ['watch pods', 'watch services', 'watch endpoints', 'watch endpointslices', 'watch ingresses', 'watch nodes'],
  },
  {
    name: 'alloy with ServiceMonitors, PodMonitors and rule sync',
    chart: 'alloy',
    set: ['features.serviceMonitors.enabled=true', 'features.podMonitors.enabled=true', 'features.mimirRules.enabled=true'],
    features: ['discovery.pod', 'discovery.service', 'serviceMonitors', 'podMonitors', 'rules'],
    expectSeen: [
      'watch servicemonitors',
      'watch podmonitors',
      'watch prometheusrules',
      'watch endpoints',
      'watch pods',
      // The first run writes each resource's Accepted condition (later runs find it already there).
      'patch servicemonitors/status',
      'patch podmonitors/status',
      'patch prometheusrules/status',
    ],
  },
  {
    name: 'alloy with the OTLP traces pipeline (k8sattributes)',
    chart: 'alloy',
    // Loopback and ephemeral ports: the run binds the receiver in this process.
    set: ['features.otlp.enabled=true', 'features.otlp.endpoint=127.0.0.1:1', 'features.otlp.insecure=true', 'alloy.listenAddr=127.0.0.1', 'otlp.grpcPort=0', 'otlp.httpPort=0'],
    features: ['discovery.pod', 'discovery.service', 'otlp'],
    expectSeen: ['watch pods', 'watch services', 'watch replicasets'],
  },
  {
    name: 'alloy with Probes and ScrapeConfigs, and status written to every monitor kind',
    chart: 'alloy',
    set: ['features.serviceMonitors.enabled=true', 'features.podMonitors.enabled=true', 'features.mimirRules.enabled=true', 'features.probes.enabled=true', 'features.scrapeConfigs.enabled=true'],
    features: ['discovery.pod', 'discovery.service', 'serviceMonitors', 'podMonitors', 'rules', 'probes', 'scrapeConfigs'],
    expectSeen: ['watch probes', 'watch scrapeconfigs', 'watch ingresses', 'patch probes/status'],
  },
  {
    name: 'alloy with PodLogs objects and Kubernetes events',
    chart: 'alloy',
    set: ['features.podLogsObjects.enabled=true', 'features.kubernetesEvents.enabled=true', 'features.annotations.enabled=false'],
    features: ['podLogsObjects', 'kubernetesEvents'],
    positions: true,
    expectSeen: ['watch podlogs', 'watch pods', 'watch namespaces', 'get pods/log', 'watch events', 'list configmaps'],
  },
  {
    name: 'alloy with AlertmanagerConfig sync to a Mimir Alertmanager',
    chart: 'alloy',
    set: ['features.mimirAlerts.enabled=true', 'features.mimirAlerts.address=http://127.0.0.1:1', 'rbac.crCredentials=true'],
    features: ['discovery.pod', 'discovery.service', 'alerts', 'crCredentials'],
    // The CR's webhook URL is read from a Secret of its namespace.
    expectSeen: ['watch alertmanagerconfigs', 'watch secrets'],
  },
];

// Render at collection time: a scenario whose config needs a component that
// has not landed yet is skipped under a title that names it.
const prepared = scenarios.map((s) => {
  const objs = renderObjects(s.chart, { name: s.chart, namespace: NS, set: s.set });
  const deferred = checkConfig(configOf(objs), 'config.alloy', { REMOTE_WRITE_URL: 'http://x/', LOKI_URL: 'http://x/' }).deferred;
  return { s, objs, deferred };
});

let api: KubeEmulator;
let rw: RemoteWriteReceiver;
let loki: LokiReceiver;
let tmp: string;
let kubeconfig: string;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rbac-coverage-'));
  api = await startKubeEmulator({});
  loadSampleCluster(api);
  // The prometheus-operator CRDs the operator and rules components watch, and Alloy's PodLogs.
  for (const f of fs.readdirSync(path.join(ROOT, 'manifests/crds')).filter((f) => /^monitoring\.(coreos|grafana)\.com_.*\.yaml$/.test(f))) {
    loadFixtureFile(api, path.join(ROOT, 'manifests/crds', f));
  }
  // One of each custom resource, so their target discovery runs too.
  const mon = { apiVersion: 'monitoring.coreos.com/v1', metadata: { namespace: 'shop' } };
  api.apply({ ...mon, kind: 'ServiceMonitor', metadata: { ...mon.metadata, name: 'all-services' }, spec: { selector: {}, endpoints: [{ port: 'http' }] } });
  api.apply({ ...mon, kind: 'PodMonitor', metadata: { ...mon.metadata, name: 'all-pods' }, spec: { selector: {}, podMetricsEndpoints: [{ port: 'metrics' }] } });
  api.apply({ ...mon, kind: 'PrometheusRule', metadata: { ...mon.metadata, name: 'rules' }, spec: { groups: [{ name: 'g', rules: [{ record: 'job:up:sum', expr: 'sum by (job) (up)' }] }] } });
  api.apply({ ...mon, kind: 'Probe', metadata: { ...mon.metadata, name: 'ingresses' }, spec: { prober: { url: '127.0.0.1:9115' }, module: 'http_2xx', targets: { ingress: { selector: {} } } } });
  api.apply({
    apiVersion: 'monitoring.coreos.com/v1alpha1',
    kind: 'ScrapeConfig',
    metadata: { namespace: 'shop', name: 'pods' },
    spec: { kubernetesSDConfigs: [{ role: 'Pod' }], staticConfigs: [{ targets: ['127.0.0.1:9'] }] },
  });
  api.apply({ apiVersion: 'monitoring.grafana.com/v1alpha2', kind: 'PodLogs', metadata: { namespace: 'shop', name: 'all-pods' }, spec: { selector: {} } });
  api.apply({
    apiVersion: 'monitoring.coreos.com/v1alpha1',
    kind: 'AlertmanagerConfig',
    metadata: { namespace: 'shop', name: 'team' },
    spec: { route: { receiver: 'hook' }, receivers: [{ name: 'hook', webhookConfigs: [{ urlSecret: { name: 'alert-hooks', key: 'url' } }] }] },
  });
  api.apply({ apiVersion: 'v1', kind: 'Secret', metadata: { namespace: 'shop', name: 'alert-hooks' }, stringData: { url: 'http://127.0.0.1:9/hook' } });
  api.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  kubeconfig = path.join(tmp, 'kubeconfig');
  api.writeKubeconfig(kubeconfig);
  rw = await new RemoteWriteReceiver().start();
  loki = await startLokiReceiver();
});

afterAll(async () => {
  await api?.close();
  await rw?.stop();
  await loki?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** The container's environment for an in-process run: literal values, else local receivers. */
function runEnv(objs: KubeObject[]): Record<string, string> {
  const env: Record<string, string> = { POD_NAMESPACE: NS, POD_NAME: 'alloy-0', POD_IP: '127.0.0.1', KUBECONFIG: kubeconfig };
  for (const e of workload(objs).spec.template.spec.containers[0].env as any[]) {
    if (e.name === 'REMOTE_WRITE_URL') env[e.name] = rw.url;
    else if (e.name === 'LOKI_URL') env[e.name] = loki.url;
    else if (typeof e.value === 'string') env[e.name] = e.value;
  }
  return env;
}

const seen = (reqs: RequestLogEntry[]) => new Set(reqs.map((r) => `${r.verb} ${r.resource}${r.subresource ? `/${r.subresource}` : ''}`));

describe('RBAC coverage: every request of a run is granted by the same render', () => {
  for (const { s, objs, deferred } of prepared) {
    const title = deferred.length ? `${s.name} (skipped: ${deferred.join(', ')} not registered yet)` : s.name;
    (deferred.length ? test.skip : test)(title, async () => {
      const sa = workload(objs).spec.template.spec.serviceAccountName;
      const grants = grantsOf(objs, sa, NS);
      // Nothing beyond the features' fixed lists.
      expect([...grants.cluster, ...[...grants.namespaced.values()].flatMap((g) => [...g])].filter((a) => !expectedAtoms(s.features).includes(a) && !(s.positions && POSITIONS_RBAC.includes(a)))).toEqual([]);

      const dir = fs.mkdtempSync(path.join(tmp, 'run-'));
      const configFile = path.join(dir, 'config.alloy');
      fs.writeFileSync(configFile, withKubeconfig(configOf(objs), kubeconfig));
      const env = runEnv(objs);
      const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
      Object.assign(process.env, env);
      const from = api.requests.length;
      let alloy: RunningAlloy | undefined;
      try {
        alloy = await startAlloy({
          configFile,
          listenAddr: '127.0.0.1:0',
          storagePath: path.join(dir, 'data'),
          logLevel: 'error',
          logFormat: 'json',
          uiPathPrefix: '/',
          configWatchIntervalMs: 0,
          // The chart sets --stability.level=experimental with features.scrapeConfigs.
          minStability: workload(objs).spec.template.spec.containers[0].args.includes('--stability.level=experimental') ? 'experimental' : undefined,
          logger: createLogger({ level: 'error', format: 'json' }),
        });
        const deadline = Date.now() + 30000;
        while (Date.now() < deadline && !s.expectSeen.every((x) => seen(api.requests.slice(from)).has(x))) await new Promise((r) => setTimeout(r, 100));
      } finally {
        await alloy?.shutdown();
        for (const [k, v] of Object.entries(saved)) {
          if (v === undefined) delete process.env[k];
          else process.env[k] = v;
        }
      }
      // Shut down means every list+watch loop of the run is closed: none keeps running into the next scenario.
      const informersLeft = activeInformers();
      const after = api.requests.length;
      await new Promise((r) => setTimeout(r, 300));
      const late = api.requests.slice(after).map((r) => `${r.verb} ${r.resource}${r.subresource ? `/${r.subresource}` : ''} ns=${r.namespace ?? '*'}`);
      expect({ informersLeft, late }).toEqual({ informersLeft: [], late: [] });
      const reqs = api.requests.slice(from, after);
      const made = seen(reqs);
      expect(s.expectSeen.filter((x) => !made.has(x))).toEqual([]);
      const denied = reqs
        .filter((r) => !allows(grants, r.group, r.subresource ? `${r.resource}/${r.subresource}` : r.resource, r.verb, r.namespace))
        .map((r) => `${r.verb} ${r.group || 'core'}/${r.resource}${r.subresource ? `/${r.subresource}` : ''} ns=${r.namespace ?? '*'}`);
      expect([...new Set(denied)]).toEqual([]);
    });
  }
});
