// discovery.kubelet through the API server's node proxy
// (`url = "<api>/api/v1/nodes/node-b/proxy"`, bearer token over TLS, as client-go
// sends tokens only over TLS), from an Alloy config run by the real runtime,
// next to a direct kubelet poll that authenticates with an `authorization` block:
// both give the same targets; every proxy request is `get` on `nodes/proxy`
// (no pod list or watch); 401 / 403 / unknown node are clear health messages.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { waitFor } from '../lib/wait.js';
import { canon } from '../discovery/helpers.js';
import { loadSampleCluster, startKubeEmulator, startKubeletEmulator, type KubeEmulator, type KubeletEmulator } from '../../src/sandbox/kube/index.js';
import { startCollector, q, type Collector } from './harness.js';

const NODE = 'node-b';
const SA = 'system:serviceaccount:monitoring:alloy';
const VIA_API = 'discovery.kubelet.via_api';
const DIRECT = 'discovery.kubelet.direct';
const UNKNOWN = 'discovery.kubelet.unknown_node';

let api: KubeEmulator;
let kubelet: KubeletEmulator;
let collector: Collector | undefined;
let dir: string;
let apiTokenFile: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubelet-proxy-'));
  api = await startKubeEmulator({ tls: true, tokens: { 'sa-token': SA } });
  loadSampleCluster(api);
  kubelet = await startKubeletEmulator({ api, nodeName: NODE, token: 'kubelet-token', user: SA });
  apiTokenFile = path.join(dir, 'api-token');
  fs.writeFileSync(apiTokenFile, 'sa-token\n');
  const kubeletCredentials = path.join(dir, 'kubelet-credentials');
  fs.writeFileSync(kubeletCredentials, 'kubelet-token\n');
  collector = await startCollector(`
discovery.kubelet "via_api" {
  url               = ${q(`${api.url}/api/v1/nodes/${NODE}/proxy`)}
  bearer_token_file = ${q(apiTokenFile)}
  refresh_interval  = "200ms"
  tls_config {
    ca_file = ${q(api.caCertPath!)}
  }
}

discovery.kubelet "direct" {
  url              = ${q(kubelet.url)}
  refresh_interval = "200ms"
  authorization {
    type             = "Bearer"
    credentials_file = ${q(kubeletCredentials)}
  }
  tls_config {
    ca_file = ${q(kubelet.caCertPath)}
  }
}

discovery.kubelet "unknown_node" {
  url              = ${q(`${api.url}/api/v1/nodes/node-x/proxy`)}
  bearer_token     = "sa-token"
  refresh_interval = "200ms"
  tls_config {
    ca_file = ${q(api.caCertPath!)}
  }
}
`);
});
afterAll(async () => {
  await collector?.stop();
  await kubelet?.close();
  await api?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const healthy = (id: string, re?: RegExp) => {
  const h = collector!.health(id);
  return h.state === 'healthy' && (!re || re.test(h.message));
};
async function waitState(id: string, state: string, re: RegExp, what: string): Promise<void> {
  await waitFor(`${what}: ${id} ${state}`, () => {
    const h = collector!.health(id);
    return h.state === state && re.test(h.message);
  }, { timeoutMs: 10_000, intervalMs: 10 }).catch((e) => {
    throw new Error(`${what}: ${(e as Error).message}; now ${JSON.stringify(collector!.health(id))}`);
  });
}
/** Drops the last request when it is still in flight (its status is set when its answer starts). */
const answered = <T extends { status: number }>(xs: T[]): T[] => (xs.at(-1)?.status === 0 ? xs.slice(0, -1) : xs);
const names = (id: string) => [...new Set(collector!.targets(id).map((t) => t.__meta_kubernetes_pod_name))].sort();

test('through the node proxy: the same targets as the kubelet itself, live; every request get nodes/proxy by the service account', async () => {
  const onNode = api.list('v1', 'Pod').filter((p) => p.spec?.nodeName === NODE).length;
  await waitFor('both components healthy', () => healthy(VIA_API) && healthy(DIRECT), { timeoutMs: 10_000, intervalMs: 20 });
  expect(collector!.health(VIA_API).message).toMatch(
    new RegExp(`^${onNode} pods, \\d+ targets from https://127\\.0\\.0\\.1:\\d+/api/v1/nodes/${NODE}/proxy/pods$`),
  );
  expect(collector!.targets(VIA_API).length).toBeGreaterThan(0);
  expect(canon(collector!.targets(VIA_API))).toEqual(canon(collector!.targets(DIRECT)));
  expect(collector!.targets(VIA_API).every((t) => t.__meta_kubernetes_pod_node_name === NODE)).toBe(true);

  // a pod scheduled onto the node appears through both paths
  api.apply({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'proxied-new', namespace: 'default', labels: { app: 'proxied-new' } },
    spec: { nodeName: NODE, containers: [{ name: 'c', image: 'img:1', ports: [{ containerPort: 9100 }] }] },
    status: { phase: 'Running', podIP: '10.244.1.200', conditions: [{ type: 'Ready', status: 'True' }] },
  });
  await waitFor('proxied-new discovered by both', () => names(VIA_API).includes('proxied-new') && names(DIRECT).includes('proxied-new'), { timeoutMs: 10_000, intervalMs: 20 });
  expect(canon(collector!.targets(VIA_API))).toEqual(canon(collector!.targets(DIRECT)));

  // What the API server saw: only gets of nodes/proxy (the RBAC the chart grants for this mode), by the SA.
  const proxied = answered(api.requests.filter((r) => r.name === NODE));
  expect(proxied.length).toBeGreaterThanOrEqual(2);
  for (const r of proxied) {
    expect(r).toMatchObject({ method: 'GET', verb: 'get', group: '', version: 'v1', resource: 'nodes', subresource: 'proxy', user: SA, status: 200 });
    expect(r.path).toBe(`/api/v1/nodes/${NODE}/proxy/pods`);
  }
  expect(api.requests.filter((r) => r.resource === 'pods')).toEqual([]);
  // The direct poll's authorization block reached the kubelet as a Bearer token.
  const direct = answered(kubelet.requests.filter((r) => r.path === '/pods'));
  expect(direct.length).toBeGreaterThanOrEqual(2);
  expect(direct.every((r) => r.authScheme === 'Bearer' && r.tokenOk && r.status === 200)).toBe(true);
});

test('an unknown node: the API server\'s 404 Status message', async () => {
  await waitState(UNKNOWN, 'unhealthy', /unexpected status 404: nodes "node-x" not found$/, 'unknown node');
  expect(collector!.targets(UNKNOWN)).toEqual([]);
  const unknown = answered(api.requests.filter((r) => r.name === 'node-x'));
  expect(unknown.length).toBeGreaterThan(0);
  expect(unknown.every((r) => r.subresource === 'proxy' && r.status === 404)).toBe(true);
});

test('a rejected token (401) and a missing nodes/proxy permission (403) name the API server and the RBAC; both heal', async () => {
  const before = collector!.targets(VIA_API);
  fs.writeFileSync(apiTokenFile, 'revoked');
  await waitState(VIA_API, 'unhealthy', /401 Unauthorized; the API server rejected the credentials: bearer_token_file .*api-token$/, '401');
  expect(collector!.targets(VIA_API)).toEqual(before); // last good targets kept
  fs.writeFileSync(apiTokenFile, 'sa-token\n');
  await waitState(VIA_API, 'healthy', /pods/, '401 recovery');

  // RBAC is not emulated: the missing permission is injected as 403s on get nodes (about 2 s of polls).
  api.faults.failNext(10, 403, { resource: 'nodes', verb: 'get' });
  await waitState(
    VIA_API,
    'unhealthy',
    /403 Forbidden \(injected failure: 403 for get nodes\); through the API server's node proxy the service account needs RBAC 'get' on 'nodes\/proxy'$/,
    '403',
  );
  await waitState(VIA_API, 'healthy', /pods/, '403 recovery');
  expect(canon(collector!.targets(VIA_API))).toEqual(canon(before));
});
