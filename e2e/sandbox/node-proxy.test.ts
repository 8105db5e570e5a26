// The API emulator's node proxy (`/api/v1/nodes/<node>/proxy/pods`): the node's PodList, the same
// one its kubelet gives, over HTTPS with a bearer token, logged as `get` on `nodes/proxy`.
import { readFileSync } from 'node:fs';
import https from 'node:https';
import { parseRequestInfo } from '../../src/sandbox/kube/request-info.js';
import { loadSampleCluster, startKubeEmulator, startKubeletEmulator, type KubeEmulator, type KubeletEmulator } from '../../src/sandbox/kube/index.js';

let api: KubeEmulator;
let kubelet: KubeletEmulator;

beforeAll(async () => {
  api = await startKubeEmulator({ tls: true, token: 'api-token', user: 'system:serviceaccount:monitoring:alloy' });
  loadSampleCluster(api);
  kubelet = await startKubeletEmulator({ api, nodeName: 'node-b', token: 'kt' });
});
afterAll(async () => {
  await kubelet.close();
  await api.close();
});

function request(base: string, ca: string, path: string, token?: string, method = 'GET'): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      `${base}${path}`,
      { method, ca: readFileSync(ca), headers: token ? { Authorization: `Bearer ${token}` } : {}, agent: false },
      (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body }));
      },
    );
    req.setTimeout(5000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}
const viaApi = (path: string, token: string | null = 'api-token', method = 'GET') => request(api.url, api.caCertPath!, path, token ?? undefined, method);

test('request info: proxy is the subresource whatever path follows; a GET is a get', () => {
  const ri = parseRequestInfo('GET', '/api/v1/nodes/node-b/proxy/pods', { watch: 'true' });
  expect(ri).toMatchObject({ isResource: true, resource: 'nodes', name: 'node-b', subresource: 'proxy', proxyPath: '/pods', verb: 'get' });
  expect(parseRequestInfo('GET', '/api/v1/nodes/node-b/proxy', {})).toMatchObject({ subresource: 'proxy', proxyPath: '/' });
  // other subresources keep their old shape
  const log = parseRequestInfo('GET', '/api/v1/namespaces/a/pods/p/log', {});
  expect(log).toMatchObject({ resource: 'pods', name: 'p', subresource: 'log' });
  expect(log).not.toHaveProperty('proxyPath');
});

test('GET …/proxy/pods answers the PodList the node-b kubelet gives, logged as get nodes/proxy', async () => {
  const from = api.requests.length;
  const r = await viaApi('/api/v1/nodes/node-b/proxy/pods');
  expect(r.status).toBe(200);
  expect(r.type).toBe('application/json');
  const direct = await request(kubelet.url, kubelet.caCertPath, '/pods', 'kt');
  const viaProxy = JSON.parse(r.body);
  expect(viaProxy.kind).toBe('PodList');
  expect(viaProxy.items.length).toBeGreaterThan(0);
  expect(viaProxy).toEqual(JSON.parse(direct.body));
  expect(api.requests.slice(from)).toEqual([
    expect.objectContaining({
      method: 'GET',
      verb: 'get',
      path: '/api/v1/nodes/node-b/proxy/pods',
      group: '',
      version: 'v1',
      resource: 'nodes',
      subresource: 'proxy',
      name: 'node-b',
      user: 'system:serviceaccount:monitoring:alloy',
      status: 200,
    }),
  ]);
  expect(api.requests[from].namespace).toBeUndefined();
});

test('the list is live and node-local; node:port is accepted', async () => {
  const names = async (node: string) => JSON.parse((await viaApi(`/api/v1/nodes/${node}/proxy/pods`)).body).items.map((p: any) => p.metadata.name).sort();
  const onB = await names('node-b');
  const expected = api.list('v1', 'Pod').filter((p) => p.spec.nodeName === 'node-b').map((p) => p.metadata.name).sort();
  expect(onB).toEqual(expected);
  expect(await names('node-b:10250')).toEqual(onB);
  const onA = await names('node-a');
  expect(onA.filter((n: string) => onB.includes(n))).toEqual([]);

  api.apply({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'proxy-new', namespace: 'default' }, spec: { nodeName: 'node-b', containers: [{ name: 'c' }] } });
  expect(await names('node-b')).toContain('proxy-new');
  api.remove('v1', 'Pod', 'default', 'proxy-new');
  expect(await names('node-b')).not.toContain('proxy-new');
});

test('errors: no token 401, unknown node 404 Status, other kubelet paths 404 text, writes 405, injected 403', async () => {
  expect((await viaApi('/api/v1/nodes/node-b/proxy/pods', null)).status).toBe(401);

  const missing = await viaApi('/api/v1/nodes/node-x/proxy/pods');
  expect(missing.status).toBe(404);
  expect(JSON.parse(missing.body)).toMatchObject({ kind: 'Status', reason: 'NotFound', message: 'nodes "node-x" not found' });

  const other = await viaApi('/api/v1/nodes/node-b/proxy/stats/summary');
  expect(other).toMatchObject({ status: 404, body: '404 page not found' });
  expect(other.type).toMatch(/^text\/plain/);

  const post = await viaApi('/api/v1/nodes/node-b/proxy/pods', 'api-token', 'POST');
  expect(post.status).toBe(405);
  expect(JSON.parse(post.body).reason).toBe('MethodNotAllowed');

  // RBAC is not emulated: a missing nodes/proxy permission is injected as a 403 on get nodes.
  api.faults.failNext(1, 403, { resource: 'nodes', verb: 'get' });
  const forbidden = await viaApi('/api/v1/nodes/node-b/proxy/pods');
  expect(forbidden.status).toBe(403);
  expect((await viaApi('/api/v1/nodes/node-b/proxy/pods')).status).toBe(200);
});
