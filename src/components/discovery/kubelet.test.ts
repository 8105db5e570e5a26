// discovery.kubelet against a scripted local HTTP server: exports, re-export
// only on change, namespaces, tokens, and every failure as a health message
// with recovery.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { makeTestContext, type TestContext } from '../../../e2e/lib/component-context.js';
import { waitFor } from '../../../e2e/lib/wait.js';
import { Secret } from '../../syntax/secret.js';
import type { Target } from '../../discovery/kubernetes/types.js';
import { DiscoveryKubelet, discoveryKubelet, type KubeletArgs } from './kubelet.js';

type Reply = { status: number; body: string; hang?: boolean };

class FakeKubelet {
  server!: http.Server;
  pods: any[] = [];
  reply: Reply | undefined;
  requests: { auth?: string; path?: string }[] = [];
  private waiters: (() => void)[] = [];
  url = '';

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      this.requests.push({ auth: req.headers.authorization, path: req.url });
      for (const w of this.waiters.splice(0)) w();
      const r = this.reply ?? { status: 200, body: JSON.stringify({ kind: 'PodList', apiVersion: 'v1', metadata: {}, items: this.pods }) };
      if (r.hang) return; // never answers: the client's deadline must fire
      res.writeHead(r.status, { 'Content-Type': 'application/json' });
      res.end(r.body);
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }
  /** Resolves after `n` more requests arrived. */
  async requestsMore(n: number, timeoutMs = 5000): Promise<void> {
    const target = this.requests.length + n;
    const deadline = Date.now() + timeoutMs;
    while (this.requests.length < target) {
      if (Date.now() > deadline) throw new Error(`only ${this.requests.length}/${target} requests within ${timeoutMs} ms`);
      await new Promise<void>((r) => {
        const timer = setTimeout(r, deadline - Date.now());
        this.waiters.push(() => {
          clearTimeout(timer);
          r();
        });
      });
    }
  }
  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }
}

function pod(ns: string, name: string, ip: string, port = 8080): any {
  return {
    metadata: { name, namespace: ns, uid: `${ns}-${name}`, labels: { app: name } },
    spec: { nodeName: 'node-1', containers: [{ name: 'main', image: 'img:1', ports: [{ name: 'http', containerPort: port, protocol: 'TCP' }] }] },
    status: { phase: 'Running', podIP: ip, hostIP: '192.168.1.1', conditions: [{ type: 'Ready', status: 'True' }] },
  };
}

let kubelet: FakeKubelet;
let ctx: TestContext;
let comp: DiscoveryKubelet;
let tmp: string;
const noToken = () => path.join(tmp, 'absent-token');

const addrs = (e: Record<string, unknown>) => ((e.targets ?? []) as Target[]).map((t) => t.__address__).sort();

async function run(args: Partial<KubeletArgs>, opts: { timeoutMs?: number; defaultTokenFile?: string } = {}): Promise<void> {
  ctx = makeTestContext({ id: 'discovery.kubelet.test' });
  comp = new DiscoveryKubelet(ctx, { defaultTokenFile: opts.defaultTokenFile ?? noToken(), timeoutMs: opts.timeoutMs });
  await comp.update({ url: kubelet.url, refresh_interval: 40, namespaces: [], ...args });
}

async function waitHealth(state: string, re?: RegExp, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(ctx.health.state === state && (!re || re.test(ctx.health.message)))) {
    if (Date.now() > deadline) throw new Error(`health stayed ${ctx.health.state}: ${ctx.health.message}`);
    await kubelet.requestsMore(1).catch(() => undefined);
    await new Promise((r) => setImmediate(r));
  }
}

beforeEach(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kubelet-unit-'));
  kubelet = await new FakeKubelet().start();
});
afterEach(async () => {
  await comp?.stop();
  ctx?.abort();
  await kubelet.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('exports the pods as targets; adds and removals show; unchanged polls do not re-export', async () => {
  kubelet.pods = [pod('a', 'one', '10.0.0.1'), pod('b', 'two', '10.0.0.2')];
  await run({});
  await ctx.waitForExports((e) => addrs(e).length === 2);
  expect(addrs(ctx.exports)).toEqual(['10.0.0.1:8080', '10.0.0.2:8080']);
  expect(kubelet.requests[0].path).toBe('/pods');
  await waitHealth('healthy', /2 pods, 2 targets/);

  const exportsBefore = ctx.exportHistory.length;
  await kubelet.requestsMore(4);
  expect(ctx.exportHistory.length).toBe(exportsBefore);

  kubelet.pods.push(pod('a', 'three', '10.0.0.3', 9090));
  await ctx.waitForExports((e) => addrs(e).includes('10.0.0.3:9090'));
  kubelet.pods = kubelet.pods.filter((p) => p.metadata.name !== 'one');
  await ctx.waitForExports((e) => !addrs(e).includes('10.0.0.1:8080'));
  expect(addrs(ctx.exports)).toEqual(['10.0.0.2:8080', '10.0.0.3:9090']);
  // a relabel of a pod is a change too
  kubelet.pods[0].metadata.labels.app = 'renamed';
  await ctx.waitForExports((e) => ((e.targets ?? []) as Target[]).some((t) => t.__meta_kubernetes_pod_label_app === 'renamed'));
});

test('namespaces limits the pods', async () => {
  kubelet.pods = [pod('a', 'one', '10.0.0.1'), pod('b', 'two', '10.0.0.2'), pod('c', 'three', '10.0.0.3')];
  await run({ namespaces: ['b', 'c'] });
  await ctx.waitForExports((e) => addrs(e).length === 2);
  expect(addrs(ctx.exports)).toEqual(['10.0.0.2:8080', '10.0.0.3:8080']);
});

test('tokens: inline secret, file re-read on every poll (rotation), default service-account file, none', async () => {
  await run({ bearer_token: new Secret('inline') });
  await kubelet.requestsMore(1);
  expect(kubelet.requests.at(-1)!.auth).toBe('Bearer inline');
  await comp.stop();

  const file = path.join(tmp, 'token');
  fs.writeFileSync(file, 'first\n');
  await run({ bearer_token_file: file });
  await kubelet.requestsMore(1);
  expect(kubelet.requests.at(-1)!.auth).toBe('Bearer first');
  fs.writeFileSync(file, 'second');
  await kubelet.requestsMore(2);
  expect(kubelet.requests.at(-1)!.auth).toBe('Bearer second');
  await comp.stop();

  const sa = path.join(tmp, 'sa-token');
  fs.writeFileSync(sa, 'sa');
  await run({}, { defaultTokenFile: sa });
  await kubelet.requestsMore(1);
  expect(kubelet.requests.at(-1)!.auth).toBe('Bearer sa');
  await comp.stop();

  await run({});
  await kubelet.requestsMore(1);
  expect(kubelet.requests.at(-1)!.auth).toBeUndefined();
});

test('authorization and basic_auth blocks set the Authorization header; a 401 names the block', async () => {
  const file = path.join(tmp, 'credentials');
  fs.writeFileSync(file, 'first\n');
  await run({ authorization: { type: 'Bearer', credentials_file: file } });
  await kubelet.requestsMore(1);
  expect(kubelet.requests.at(-1)!.auth).toBe('Bearer first');
  fs.writeFileSync(file, 'second');
  await kubelet.requestsMore(2);
  expect(kubelet.requests.at(-1)!.auth).toBe('Bearer second');
  kubelet.reply = { status: 401, body: 'Unauthorized' };
  await waitHealth('unhealthy', /401 Unauthorized; the kubelet rejected the credentials: authorization \(type Bearer, credentials_file .*credentials\)$/);
  kubelet.reply = undefined;
  await comp.stop();

  await run({ basic_auth: { username: 'alloy', password: new Secret('pw') } });
  await kubelet.requestsMore(1);
  expect(kubelet.requests.at(-1)!.auth).toBe(`Basic ${Buffer.from('alloy:pw').toString('base64')}`);
});

test('an unreadable authorization.credentials_file is a health message naming it, no request', async () => {
  await run({ authorization: { credentials_file: path.join(tmp, 'missing') } });
  await waitFor('unhealthy', () => ctx.health.state === 'unhealthy', { timeoutMs: 5000, intervalMs: 10 });
  expect(ctx.health.message).toMatch(/^discovery\.kubelet: authorization\.credentials_file .*missing: cannot read: ENOENT$/);
  expect(kubelet.requests).toHaveLength(0);
});

test('an unreadable bearer_token_file is a health message naming the file, no crash', async () => {
  await run({ bearer_token_file: path.join(tmp, 'missing') });
  await waitFor('unhealthy', () => ctx.health.state === 'unhealthy', { timeoutMs: 5000, intervalMs: 10 });
  expect(ctx.health.message).toMatch(/bearer_token_file .*missing: cannot read: ENOENT/);
  expect(kubelet.requests).toHaveLength(0);
});

test.each<[string, Reply, RegExp]>([
  ['401', { status: 401, body: 'Unauthorized' }, /401 Unauthorized; the kubelet rejected the credentials: no token/],
  [
    '403 (API server proxy Status)',
    { status: 403, body: JSON.stringify({ kind: 'Status', message: 'nodes "n" is forbidden: User "system:serviceaccount:x:y" cannot get resource "nodes/proxy"' }) },
    /403 Forbidden \(nodes "n" is forbidden.*\); the service account needs RBAC 'get' on 'nodes\/pods' \(or 'nodes\/proxy'/,
  ],
  ['500', { status: 500, body: 'boom' }, /unexpected status 500: boom/],
  ['garbage', { status: 200, body: 'this is not json' }, /the answer is not JSON/],
])('%s: unhealthy with the reason, last targets kept, recovers by itself', async (_n, reply, re) => {
  kubelet.pods = [pod('a', 'one', '10.0.0.1')];
  await run({});
  await ctx.waitForExports((e) => addrs(e).length === 1);
  await waitHealth('healthy');
  kubelet.reply = reply;
  await waitHealth('unhealthy', re);
  expect(ctx.health.message).toMatch(/^discovery\.kubelet: GET http:\/\/127\.0\.0\.1:\d+\/pods: /);
  expect(addrs(ctx.exports)).toEqual(['10.0.0.1:8080']);
  kubelet.reply = undefined;
  await waitHealth('healthy');
  const failures = (await ctx.metrics.getSingleMetric('alloy_kubelet_polls_total')!.get()).values.filter((v) => v.labels.outcome !== 'success');
  expect(failures.reduce((n, v) => n + v.value, 0)).toBeGreaterThan(0);
});

test('a kubelet that never answers hits the deadline', async () => {
  kubelet.reply = { status: 200, body: '', hang: true };
  await run({}, { timeoutMs: 150 });
  await waitHealth('unhealthy', /no complete answer within 150 ms/);
});

test('connection refused names the address', async () => {
  const url = kubelet.url;
  await kubelet.close();
  ctx = makeTestContext({ id: 'discovery.kubelet.test' });
  comp = new DiscoveryKubelet(ctx, { defaultTokenFile: noToken() });
  await comp.update({ url, refresh_interval: 40 });
  await waitFor('unhealthy', () => ctx.health.state === 'unhealthy', { timeoutMs: 5000, intervalMs: 10 });
  expect(ctx.health.message).toMatch(/the kubelet at http:\/\/127\.0\.0\.1:\d+ is not reachable: ECONNREFUSED/);
  kubelet = await new FakeKubelet().start(); // for afterEach
});

test('invalid arguments: update throws a clear error and the component is unhealthy', async () => {
  ctx = makeTestContext({ id: 'discovery.kubelet.test' });
  comp = discoveryKubelet.build(ctx, {}) as DiscoveryKubelet;
  await expect(comp.update({ url: 'ftp://x' })).rejects.toThrow(/discovery\.kubelet: url "ftp:\/\/x": scheme must be http or https/);
  expect(ctx.health.state).toBe('unhealthy');
  expect(ctx.exports.targets).toEqual([]);
});

test('changing arguments restarts the poller; equal arguments do not', async () => {
  kubelet.pods = [pod('a', 'one', '10.0.0.1'), pod('b', 'two', '10.0.0.2')];
  await run({});
  await ctx.waitForExports((e) => addrs(e).length === 2);
  await kubelet.requestsMore(2);
  const polls = (comp.debugInfo() as { polls: number }).polls;
  const args = { url: kubelet.url, refresh_interval: 40, namespaces: [] };
  await comp.update(args);
  expect((comp.debugInfo() as { polls: number }).polls).toBeGreaterThanOrEqual(polls); // same poller kept
  await comp.update({ ...args, namespaces: ['a'] });
  await ctx.waitForExports((e) => addrs(e).length === 1);
  expect((comp.debugInfo() as { url: string }).url).toBe(`${kubelet.url}/pods`);
});

test('a base URL with a path (the API server node proxy) gets /pods appended to it', async () => {
  kubelet.pods = [pod('a', 'one', '10.0.0.1')];
  await run({ url: `${kubelet.url}/api/v1/nodes/node-1/proxy/` });
  await ctx.waitForExports((e) => addrs(e).length === 1);
  expect(kubelet.requests[0].path).toBe('/api/v1/nodes/node-1/proxy/pods');
});
