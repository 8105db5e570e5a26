// The kubelet emulator: TLS with its own CA, bearer auth, live node-local pod list, setDown.
import { readFileSync } from 'node:fs';
import https from 'node:https';
import { loadSampleCluster, startKubeEmulator, startKubeletEmulator, type KubeEmulator, type KubeletEmulator } from './index.js';

let api: KubeEmulator;
let kubelet: KubeletEmulator;

beforeAll(async () => {
  api = await startKubeEmulator();
  loadSampleCluster(api);
  kubelet = await startKubeletEmulator({ api, nodeName: 'node-b', token: 'kt' });
});
afterAll(async () => {
  await kubelet.close();
  await api.close();
});

function get(path: string, token?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.get(
      `${kubelet.url}${path}`,
      { ca: readFileSync(kubelet.caCertPath), headers: token ? { Authorization: `Bearer ${token}` } : {}, agent: false },
      (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.setTimeout(5000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

test('serves the node-local PodList over TLS verified with its CA, live', async () => {
  expect(kubelet.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  const r = await get('/pods', 'kt');
  expect(r.status).toBe(200);
  const list = JSON.parse(r.body);
  expect(list.kind).toBe('PodList');
  const names = list.items.map((p: any) => p.metadata.name).sort();
  const expected = api.list('v1', 'Pod').filter((p) => p.spec.nodeName === 'node-b').map((p) => p.metadata.name).sort();
  expect(names).toEqual(expected);
  expect(names.length).toBeGreaterThan(0);

  api.remove('v1', 'Pod', 'shop', names[0]);
  const after = JSON.parse((await get('/pods', 'kt')).body).items.map((p: any) => p.metadata.name);
  expect(after).not.toContain(names[0]);
});

test('wrong or missing token gets 401', async () => {
  expect((await get('/pods')).status).toBe(401);
  expect((await get('/pods', 'nope')).status).toBe(401);
});

test('setDown closes the port and brings it back', async () => {
  kubelet.setDown(true);
  await kubelet.settled();
  await expect(get('/pods', 'kt')).rejects.toThrow();
  kubelet.setDown(false);
  await kubelet.settled();
  expect((await get('/pods', 'kt')).status).toBe(200);
});
