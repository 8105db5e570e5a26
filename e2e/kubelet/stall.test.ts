// discovery.kubelet against a kubelet that stops answering (the emulator's
// stall), through the real runtime and the default request deadline
// (refresh_interval 1s -> 10 s): a slow answer within the deadline stays
// healthy; a hung one becomes a clear health message naming the deadline while
// the last targets stay exported and polls never pile up; lifting the stall
// heals it at once with the pods changed meanwhile.
import { waitFor } from '../lib/wait.js';
import { startKubeEmulator, startKubeletEmulator, type KubeEmulator, type KubeletEmulator } from '../../src/sandbox/kube/index.js';
import { startCollector, q, type Collector } from './harness.js';

const NODE = 'node-s';
const ID = 'discovery.kubelet.local';
const DEADLINE_MS = 10_000; // the default for refresh_interval 1s (at least 10 s)

let api: KubeEmulator;
let kubelet: KubeletEmulator;
let collector: Collector | undefined;

function pod(name: string, ip: string): any {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', labels: { app: name } },
    spec: { nodeName: NODE, containers: [{ name: 'c', image: 'img:1', ports: [{ containerPort: 8080 }] }] },
    status: { phase: 'Running', podIP: ip, conditions: [{ type: 'Ready', status: 'True' }] },
  };
}

beforeAll(async () => {
  api = await startKubeEmulator();
  api.apply(pod('one', '127.0.1.1'));
  kubelet = await startKubeletEmulator({ api, nodeName: NODE, token: 'kt' });
});
afterAll(async () => {
  kubelet?.stall(0);
  await collector?.stop();
  await kubelet?.close();
  await api?.close();
});

const podPolls = () => kubelet.requests.filter((r) => r.path === '/pods');
const addresses = () => collector!.targets(ID).map((t) => t.__address__).sort();

test('a hung kubelet: timeout health message, last targets kept, no pile-up; recovery when the stall is lifted', async () => {
  collector = await startCollector(`
discovery.kubelet "local" {
  url              = ${q(kubelet.url)}
  bearer_token     = "kt"
  refresh_interval = "1s"
  tls_config {
    ca_file = ${q(kubelet.caCertPath)}
  }
}
`);
  const health = () => collector!.health(ID);
  await waitFor('healthy at start', () => health().state === 'healthy', { timeoutMs: 10_000, intervalMs: 20 });
  expect(addresses()).toEqual(['127.0.1.1:8080']);

  // 1. Slow but within the deadline: answers arrive late, the component stays healthy.
  kubelet.stall(400);
  const slowFrom = podPolls().length;
  await waitFor('two slow polls answered 200', () => podPolls().slice(slowFrom).filter((r) => r.status === 200).length >= 2, { timeoutMs: 10_000, intervalMs: 20 });
  expect(health().state).toBe('healthy');
  for (const r of podPolls().slice(slowFrom).filter((x) => x.status === 200)) expect(r.durationMs).toBeGreaterThanOrEqual(390);

  // 2. Hung: no answer within the deadline.
  kubelet.stall(10 * 60_000);
  const stallFrom = podPolls().length;
  const stalledAt = Date.now();
  await waitFor('unhealthy after the deadline', () => health().state === 'unhealthy', { timeoutMs: DEADLINE_MS + 5_000, intervalMs: 50 });
  const waited = Date.now() - stalledAt;
  expect(health().message).toMatch(
    new RegExp(`^discovery\\.kubelet: GET https://127\\.0\\.0\\.1:\\d+/pods: no complete answer within ${DEADLINE_MS} ms$`),
  );
  // At most one refresh_interval plus the deadline, and not before the deadline.
  expect(waited).toBeGreaterThanOrEqual(DEADLINE_MS - 1_000);
  expect(waited).toBeLessThan(DEADLINE_MS + 4_000);
  // The targets of the last good answer stay exported (their scrapes go on).
  expect(addresses()).toEqual(['127.0.1.1:8080']);
  // The abandoned request arrived, was held, and the client gave up at its deadline.
  const abandoned = podPolls()[stallFrom];
  expect(abandoned).toMatchObject({ tokenOk: true, status: 0 });
  await waitFor('the abandoned poll to finish', () => abandoned.durationMs !== undefined, { timeoutMs: 5_000, intervalMs: 20 });
  expect(abandoned.durationMs).toBeGreaterThanOrEqual(DEADLINE_MS - 500);
  expect(abandoned.durationMs).toBeLessThan(DEADLINE_MS + 2_000);
  // Polls never overlap: during the stall at most one request every deadline + refresh_interval.
  const stalledPolls = podPolls().slice(stallFrom);
  expect(stalledPolls.length).toBeLessThanOrEqual(Math.ceil((Date.now() - stalledAt) / (DEADLINE_MS + 1_000)) + 1);

  // 3. A pod changes while the kubelet is hung; lifting the stall answers the held poll at once.
  api.apply(pod('two', '127.0.1.2'));
  await waitFor('a poll held by the hung kubelet', () => podPolls().length > stallFrom + 1 && podPolls().at(-1)!.status === 0, { timeoutMs: DEADLINE_MS, intervalMs: 20 }); // a poll is being held
  const liftedAt = Date.now();
  kubelet.stall(0);
  await waitFor('healthy once the stall is lifted', () => health().state === 'healthy', { timeoutMs: 5_000, intervalMs: 20 });
  expect(Date.now() - liftedAt).toBeLessThan(2_000);
  expect(health().message).toMatch(/^2 pods, 2 targets from https:\/\/127\.0\.0\.1:\d+\/pods$/);
  expect(addresses()).toEqual(['127.0.1.1:8080', '127.0.1.2:8080']);
  console.log(JSON.stringify({ unhealthy_after_ms: waited, abandoned_after_ms: abandoned.durationMs, healthy_after_lift_ms: Date.now() - liftedAt }));
}, 60_000);
