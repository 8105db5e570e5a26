// discovery.kubelet vs discovery.kubernetes role "pod" narrowed to one node
// (`selectors { field = "spec.nodeName=" + sys.env("HOSTNAME") }`), both from
// one Alloy config against the emulators: label-for-label equal targets before
// and after pods are added, deleted and relabeled, and the API watch is node-scoped.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { waitFor } from '../lib/wait.js';
import { canon, expectedTargets } from '../discovery/helpers.js';
import { loadSampleCluster, startKubeEmulator, startKubeletEmulator, type KubeEmulator, type KubeletEmulator } from '../../src/sandbox/kube/index.js';
import { startCollector, q, type Collector } from './harness.js';

const NODE = 'node-b';
const KUBELET = 'discovery.kubelet.local';
const API = 'discovery.kubernetes.node_pods';

let api: KubeEmulator;
let kubelet: KubeletEmulator;
let collector: Collector;
const prevHostname = process.env.HOSTNAME;
let tokenDir: string | undefined;

function testPod(name: string, node: string, ip: string, labels: Record<string, string>): any {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'default',
      labels,
      annotations: { 'prometheus.io/scrape': 'true', 'example.com/team': 'kubelet-e2e' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', uid: 'ds-1', controller: true }],
    },
    spec: {
      nodeName: node,
      containers: [
        { name: 'app', image: 'app:2', ports: [{ name: 'metrics', containerPort: 9100, protocol: 'TCP' }, { name: 'dns', containerPort: 53, protocol: 'UDP' }] },
        { name: 'proxy', image: 'envoy:1' },
      ],
      initContainers: [{ name: 'setup', image: 'busybox:1' }],
    },
    status: {
      phase: 'Running',
      podIP: ip,
      hostIP: '192.168.49.3',
      conditions: [{ type: 'Ready', status: 'True' }],
      containerStatuses: [
        { name: 'app', containerID: `containerd://${name}-app` },
        { name: 'proxy', containerID: `containerd://${name}-proxy` },
      ],
      initContainerStatuses: [{ name: 'setup', containerID: `containerd://${name}-setup` }],
    },
  };
}

/** The pod role's targets (pure role function, no attach_metadata) for the pods on NODE. */
const expectedOnNode = () => expectedTargets(api, { role: 'pod' }).filter((t) => t.__meta_kubernetes_pod_node_name === NODE);

/** Both components export exactly the expected targets (order-insensitive, label for label). */
async function bothEqualExpected(what: string): Promise<void> {
  await waitFor(
    'kubelet and API discovery to agree with the cluster',
    () => {
      const want = JSON.stringify(canon(expectedOnNode()));
      return JSON.stringify(canon(collector.targets(KUBELET))) === want && JSON.stringify(canon(collector.targets(API))) === want;
    },
    { timeoutMs: 10_000, intervalMs: 50 },
  ).catch((e) => {
    throw new Error(`${what}: ${(e as Error).message}\nkubelet: ${collector.targets(KUBELET).length} targets, api: ${collector.targets(API).length}, expected ${expectedOnNode().length}`);
  });
  expect(canon(collector.targets(KUBELET))).toEqual(canon(collector.targets(API)));
}

beforeAll(async () => {
  api = await startKubeEmulator();
  loadSampleCluster(api);
  kubelet = await startKubeletEmulator({ api, nodeName: NODE, token: 'node-token' });
  process.env.HOSTNAME = NODE;
  tokenDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubelet-token-'));
  const tokenFile = path.join(tokenDir, 'token');
  fs.writeFileSync(tokenFile, 'node-token\n');
  collector = await startCollector(`
discovery.kubelet "local" {
  url               = ${q(kubelet.url)}
  bearer_token_file = ${q(tokenFile)}
  refresh_interval  = "200ms"
  tls_config {
    ca_file = ${q(kubelet.caCertPath)}
  }
}

discovery.kubernetes "node_pods" {
  role       = "pod"
  api_server = ${q(api.url)}
  selectors {
    role  = "pod"
    field = "spec.nodeName=" + sys.env("HOSTNAME")
  }
}
`);
});

afterAll(async () => {
  await collector?.stop();
  await kubelet?.close();
  await api?.close();
  if (tokenDir) fs.rmSync(tokenDir, { recursive: true, force: true });
  if (prevHostname === undefined) delete process.env.HOSTNAME;
  else process.env.HOSTNAME = prevHostname;
});

test('node-scoped API discovery: every pod list/watch carries the node field selector, none is cluster-wide', async () => {
  await bothEqualExpected('initial sync');
  const podReqs = api.requests.filter((r) => r.resource === 'pods' && (r.verb === 'list' || r.verb === 'watch'));
  expect(podReqs.some((r) => r.verb === 'list')).toBe(true);
  expect(podReqs.some((r) => r.verb === 'watch')).toBe(true);
  for (const r of podReqs) {
    expect(r.query.fieldSelector).toBe(`spec.nodeName=${NODE}`);
    expect(r.namespace).toBeUndefined();
  }
  // The selector really narrows: other nodes' pods exist but are in neither export.
  const otherNodes = api.list('v1', 'Pod').filter((p) => p.spec?.nodeName && p.spec.nodeName !== NODE && p.status?.podIP);
  expect(otherNodes.length).toBeGreaterThan(0);
  const names = new Set(collector.targets(API).map((t) => t.__meta_kubernetes_pod_name));
  for (const p of otherNodes) expect(names.has(p.metadata.name)).toBe(false);
});

test('kubelet targets equal the pod role targets label for label, through adds, relabels and deletes', async () => {
  await bothEqualExpected('initial');
  const initial = collector.targets(KUBELET);
  expect(initial.length).toBeGreaterThan(3);
  expect(initial.every((t) => t.__meta_kubernetes_pod_node_name === NODE)).toBe(true);
  // nothing the kubelet cannot know leaks in either way
  expect(initial.some((t) => Object.keys(t).some((k) => k.startsWith('__meta_kubernetes_node_') || k.startsWith('__meta_kubernetes_namespace_')))).toBe(false);
  // kubelet discovery made zero pod requests to the API server: all pod requests are the field-selected ones
  expect(api.requests.filter((r) => r.resource === 'pods' && r.query.fieldSelector !== `spec.nodeName=${NODE}`)).toEqual([]);

  // added: two on this node (one without an IP yet), one elsewhere
  api.apply(testPod('kl-one', NODE, '10.244.1.201', { app: 'kl-one', 'app.kubernetes.io/name': 'one' }));
  const pending = testPod('kl-two', NODE, '', { app: 'kl-two' });
  delete pending.status.podIP;
  pending.status.phase = 'Pending';
  api.apply(pending);
  api.apply(testPod('kl-far', 'node-c', '10.244.2.201', { app: 'kl-far' }));
  await bothEqualExpected('after adds');
  const names = () => new Set(collector.targets(KUBELET).map((t) => t.__meta_kubernetes_pod_name));
  expect(names().has('kl-one')).toBe(true);
  expect(names().has('kl-two')).toBe(false); // no IP: no targets, as in the pod role
  expect(names().has('kl-far')).toBe(false);

  // the pending pod gets its IP; the first is relabeled and turns not ready
  api.apply(testPod('kl-two', NODE, '10.244.1.202', { app: 'kl-two' }));
  const relabeled = testPod('kl-one', NODE, '10.244.1.201', { app: 'kl-one', tier: 'gold' });
  relabeled.metadata.annotations['prometheus.io/port'] = '9100';
  relabeled.status.conditions = [{ type: 'Ready', status: 'False' }];
  api.apply(relabeled);
  await bothEqualExpected('after relabel');
  const one = collector.targets(KUBELET).filter((t) => t.__meta_kubernetes_pod_name === 'kl-one');
  expect(one).toHaveLength(4); // two ports + the port-less container + the init container
  for (const t of one) {
    expect(t.__meta_kubernetes_pod_label_tier).toBe('gold');
    expect(t.__meta_kubernetes_pod_labelpresent_app_kubernetes_io_name).toBeUndefined();
    expect(t.__meta_kubernetes_pod_annotation_prometheus_io_port).toBe('9100');
    expect(t.__meta_kubernetes_pod_ready).toBe('false');
    expect(t.__meta_kubernetes_pod_controller_kind).toBe('DaemonSet');
  }

  // deleted: a test pod and a sample pod of this node
  api.remove('v1', 'Pod', 'default', 'kl-one');
  const sample = api.list('v1', 'Pod').find((p) => p.spec?.nodeName === NODE && p.metadata.namespace !== 'default');
  expect(sample).toBeDefined();
  api.remove('v1', 'Pod', sample!.metadata.namespace, sample!.metadata.name);
  await bothEqualExpected('after deletes');
  expect(names().has('kl-one')).toBe(false);
  expect(names().has(sample!.metadata.name)).toBe(false);
  expect(collector.health(KUBELET).state).toBe('healthy');
  expect(collector.health(API).state).toBe('healthy');
});
