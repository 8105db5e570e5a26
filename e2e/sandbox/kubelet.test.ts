// The kubelet emulator: TLS with its own CA, bearer auth, live node-local pod list, setDown,
// request log and stall.
import { readFileSync } from 'node:fs';
import https from 'node:https';
import { loadSampleCluster, startKubeEmulator, startKubeletEmulator, type KubeEmulator, type KubeletEmulator } from '../../src/sandbox/kube/index.js';
import { waitFor } from '../lib/wait.js';

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

function get(path: string, token?: string, timeoutMs = 5000): Promise<{ status: number; body: string }> {
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
    req.setTimeout(timeoutMs, () => req.destroy(new Error('timeout')));
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

test('logs every request: method, path, auth scheme, token check, user, status', async () => {
  const from = kubelet.requests.length;
  await get('/pods', 'kt');
  await get('/pods', 'nope');
  await get('/nothing', 'kt');
  const seen = kubelet.requests.slice(from);
  expect(seen.map(({ method, path, authScheme, tokenOk, user, status }) => ({ method, path, authScheme, tokenOk, user, status }))).toEqual([
    { method: 'GET', path: '/pods', authScheme: 'Bearer', tokenOk: true, user: 'kubelet-client', status: 200 },
    { method: 'GET', path: '/pods', authScheme: 'Bearer', tokenOk: false, user: 'system:anonymous', status: 401 },
    { method: 'GET', path: '/nothing', authScheme: 'Bearer', tokenOk: true, user: 'kubelet-client', status: 404 },
  ]);
  for (const r of seen) {
    expect(Date.parse(r.time)).toBeGreaterThan(Date.now() - 60_000);
    expect(r.durationMs).toBeGreaterThanOrEqual(0);
  }
});

test('stall holds answers back; a client that gives up is logged unanswered; stall(0) answers held requests at once', async () => {
  expect(() => kubelet.stall(-1)).toThrow(/stall\(-1\): ms must be a non-negative number/);
  kubelet.stall(60_000);
  try {
    // The client gives up after 300 ms: the request arrived but was never answered.
    const from = kubelet.requests.length;
    const t0 = Date.now();
    await expect(get('/pods', 'kt', 300)).rejects.toThrow(/timeout/);
    expect(Date.now() - t0).toBeLessThan(5_000);
    const abandoned = kubelet.requests[from];
    expect(abandoned).toMatchObject({ path: '/pods', tokenOk: true, status: 0 });

    // A held request is answered as soon as the stall is lifted, not after the 60 s.
    const held = get('/pods', 'kt');
    const arrived = kubelet.requests.length;
    await waitFor('the request to reach the kubelet', () => kubelet.requests.length > arrived, { timeoutMs: 5000, intervalMs: 10 });
    expect(kubelet.requests[kubelet.requests.length - 1].status).toBe(0);
    const lifted = Date.now();
    kubelet.stall(0);
    expect((await held).status).toBe(200);
    expect(Date.now() - lifted).toBeLessThan(5_000);
    expect(abandoned.status).toBe(0);
  } finally {
    kubelet.stall(0);
  }
});

test('a short stall delays each answer by about that long', async () => {
  kubelet.stall(250);
  try {
    const t0 = Date.now();
    expect((await get('/pods', 'kt')).status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(240);
    expect(kubelet.requests[kubelet.requests.length - 1].durationMs).toBeGreaterThanOrEqual(240);
  } finally {
    kubelet.stall(0);
  }
});
