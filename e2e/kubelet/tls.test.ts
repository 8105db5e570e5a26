// discovery.kubelet's TLS settings against the kubelet emulator's self-signed
// certificate (SANs 127.0.0.1 and localhost): ca_pem, server_name,
// insecure_skip_verify, and the messages of the failures.
import fs from 'node:fs';
import { DiscoveryKubelet, type KubeletArgs } from '../../src/components/discovery/kubelet.js';
import { makeTestContext, type TestContext } from '../lib/component-context.js';
import { Secret } from '../../src/syntax/secret.js';
import type { Target } from '../../src/discovery/kubernetes/types.js';
import { waitFor } from '../lib/wait.js';
import { startKubeEmulator, startKubeletEmulator, type KubeEmulator, type KubeletEmulator } from '../../src/sandbox/kube/index.js';

let api: KubeEmulator;
let kubelet: KubeletEmulator;
const running: { ctx: TestContext; comp: DiscoveryKubelet }[] = [];

beforeAll(async () => {
  api = await startKubeEmulator();
  api.apply({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'default' },
    spec: { nodeName: 'n1', containers: [{ name: 'c', ports: [{ containerPort: 8080 }] }] },
    status: { phase: 'Running', podIP: '127.0.0.9' },
  });
  kubelet = await startKubeletEmulator({ api, nodeName: 'n1', token: 't' });
});
afterAll(async () => {
  for (const r of running.splice(0)) {
    await r.comp.stop();
    r.ctx.abort();
  }
  await kubelet.close();
  await api.close();
});

async function run(tls: KubeletArgs['tls_config']): Promise<TestContext> {
  const ctx = makeTestContext({ id: 'discovery.kubelet.tls' });
  const comp = new DiscoveryKubelet(ctx, { defaultTokenFile: '/nonexistent' });
  running.push({ ctx, comp });
  await comp.update({ url: kubelet.url, bearer_token: new Secret('t'), refresh_interval: 100, tls_config: tls });
  return ctx;
}

const settled = (ctx: TestContext) => waitFor('the component health to be known', () => ctx.health.state !== 'unknown', { timeoutMs: 10_000, intervalMs: 20 });

test.each<[string, KubeletArgs['tls_config']]>([
  ['ca_pem', undefined],
  ['ca_pem + server_name localhost', { server_name: 'localhost' }],
  ['insecure_skip_verify', { insecure_skip_verify: true }],
])('%s connects', async (_n, extra) => {
  const tls = extra?.insecure_skip_verify ? extra : { ca_pem: fs.readFileSync(kubelet.caCertPath, 'utf8'), ...extra };
  const ctx = await run(tls);
  await settled(ctx);
  expect(ctx.health).toMatchObject({ state: 'healthy' });
  expect((ctx.exports.targets as Target[]).map((t) => t.__address__)).toEqual(['127.0.0.9:8080']);
});

test('system CAs only: not trusted, with the fix in the message', async () => {
  const ctx = await run(undefined);
  await settled(ctx);
  expect(ctx.health.state).toBe('unhealthy');
  expect(ctx.health.message).toMatch(/TLS: the certificate of https:\/\/127\.0\.0\.1:\d+ is not signed by a trusted CA \([A-Z_]+\); set tls_config\.ca_file or ca_pem/);
});

test('server_name the certificate does not carry: name mismatch message', async () => {
  const ctx = await run({ ca_file: kubelet.caCertPath, server_name: 'kubelet.example.com' });
  await settled(ctx);
  expect(ctx.health.state).toBe('unhealthy');
  expect(ctx.health.message).toMatch(/is not valid for .*set tls_config\.server_name to a name it carries/);
});

test('https URL to a plain-text port: handshake failure, no crash', async () => {
  const ctx = makeTestContext({ id: 'discovery.kubelet.tls' });
  const comp = new DiscoveryKubelet(ctx, { defaultTokenFile: '/nonexistent' });
  running.push({ ctx, comp });
  await comp.update({ url: api.url.replace(/^http:/, 'https:'), refresh_interval: 100 });
  await settled(ctx);
  expect(ctx.health.state).toBe('unhealthy');
  expect(ctx.health.message).toMatch(/TLS handshake with https:\/\/127\.0\.0\.1:\d+ failed/);
});
