// loki.source.podlogs -> loki.write end to end: PodLogs YAML applied with the
// machine's kubectl to the API emulator (TLS + token), pods and their logs in
// the emulator, lines checked at the sandbox Loki receiver. Covers selectors,
// namespaceSelector, relabelings, the component's namespace_selector and
// node_filter, a relabeling edit, a delete, and bad CRs reported by name.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jest } from '@jest/globals';
import { targetKey, type ClusterOwnership } from '../../src/clustering/ownership.js';
import { lokiSourcePodLogs } from '../../src/components/loki/source/podlogs.js';
import { lokiWrite } from '../../src/components/loki/write.js';
import type { PodLogsArgs } from '../../src/crd/podlogs/controller.js';
import type { LogsReceiver } from '../../src/pipeline/logs.js';
import type { Component } from '../../src/runtime/types.js';
import { startLokiReceiver, type LokiReceiver } from '../../src/sandbox/receivers/loki-receiver.js';
import { HAVE_KUBECTL, startKubeEnv, type KubeEnv } from '../crd/helpers.js';
import { makeTestContext, type TestContext } from '../lib/component-context.js';
import { waitFor } from '../lib/wait.js';
import { numbered, runningPod } from './harness.js';
import { loadKubeClient } from '../../src/kube/client.js';

// Components are built here without the controller, which would load the client first.
beforeAll(() => loadKubeClient());

jest.setTimeout(90_000);
Object.assign(process.env, {
  ALLOY_LOGS_TAIL_MIN_BACKOFF: '50ms',
  ALLOY_LOGS_TAIL_MAX_BACKOFF: '500ms',
  ALLOY_LOGS_TAIL_DRAIN_TIMEOUT: '2s',
  ALLOY_LOGS_POSITIONS_SHARED: 'false',
});

const PODLOGS_CRD = resolve(fileURLToPath(import.meta.url), '../../../manifests/crds/monitoring.grafana.com_podlogs.yaml');
const suite = HAVE_KUBECTL ? describe : describe.skip;

const namespace = (name: string, labels: Record<string, string>) => `apiVersion: v1
kind: Namespace
metadata:
  name: ${name}
  labels: ${JSON.stringify({ 'kubernetes.io/metadata.name': name, ...labels })}
`;

const PODLOGS_SHOP = (extraRule = '') => `apiVersion: monitoring.grafana.com/v1alpha2
kind: PodLogs
metadata:
  name: shop-logs
  namespace: monitoring
  labels: {team: red}
spec:
  selector:
    matchLabels: {tier: backend}
    matchExpressions:
    - {key: canary, operator: DoesNotExist}
  namespaceSelector:
    matchLabels: {env: prod}
  relabelings:
  - sourceLabels: [__meta_kubernetes_namespace]
    targetLabel: namespace
  - sourceLabels: [__meta_kubernetes_pod_name]
    targetLabel: pod
  - sourceLabels: [__meta_kubernetes_pod_container_name]
    targetLabel: container
  - sourceLabels: [__meta_kubernetes_pod_label_app]
    targetLabel: app
  - action: drop
    sourceLabels: [__meta_kubernetes_pod_container_init]
    regex: "true"${extraRule}
`;

function pod(ns: string, name: string, labels: Record<string, string>, node = 'node-a', init = false): any {
  const p = runningPod(ns, name, ['main']);
  p.metadata.labels = labels;
  p.spec.nodeName = node;
  if (init) p.spec.initContainers = [{ name: 'setup', image: 'busybox' }];
  p.metadata.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${name}-rs`, uid: 'rs-1', controller: true }];
  return p;
}

function linesOf(loki: LokiReceiver, match: Record<string, string>): string[] {
  const out: string[] = [];
  for (const s of loki.streams.values()) if (Object.entries(match).every(([k, v]) => s.labels[k] === v)) out.push(...s.entries.map((e) => e.line));
  return out;
}

suite('loki.source.podlogs e2e (kubectl apply, emulator, Loki receiver)', () => {
  let k: KubeEnv;
  let loki: LokiReceiver;
  let write: Component;
  let writeCtx: TestContext;
  const stops: (() => Promise<unknown>)[] = [];

  beforeEach(async () => {
    k = await startKubeEnv();
    const r = await k.kubectl('apply', '-f', PODLOGS_CRD);
    if (r.code !== 0) throw new Error(r.stderr);
    await k.apply(namespace('monitoring', {}) + '---\n' + namespace('shop', { env: 'prod' }) + '---\n' + namespace('staging', { env: 'test' }), 'ns');
    loki = await startLokiReceiver();
    writeCtx = makeTestContext({ id: 'loki.write.default' });
    const wargs = { endpoint: [{ url: loki.url, batch_wait: 20, min_backoff_period: 20, max_backoff_period: 200, max_backoff_retries: 1000 }] };
    write = lokiWrite.build(writeCtx, wargs);
    await write.update(wargs);
  });
  afterEach(async () => {
    for (const s of stops.splice(0).reverse()) await s();
    await write.stop?.();
    await loki.close();
    await k.close();
  });

  async function source(extra: Partial<PodLogsArgs> = {}, id = 'loki.source.podlogs.pods', cluster?: ClusterOwnership) {
    const ctx = makeTestContext({ id, cluster, dataDir: mkdtempSync(join(tmpdir(), 'podlogs-e2e-')) });
    const args: PodLogsArgs = { forward_to: [writeCtx.exports.receiver as LogsReceiver], client: k.clientArgs as never, ...extra };
    const c = lokiSourcePodLogs.build(ctx, args);
    await c.update(args);
    stops.push(async () => c.stop?.());
    return { c, ctx };
  }

  it('tails the selected containers with Alloy labels; an edit relabels, a delete stops', async () => {
    k.api.apply(pod('shop', 'cart-1', { app: 'cart', tier: 'backend' }, 'node-a', true));
    k.api.apply(pod('shop', 'cart-canary', { app: 'cart', tier: 'backend', canary: 'yes' }));
    k.api.apply(pod('shop', 'web-1', { app: 'web', tier: 'frontend' }));
    k.api.apply(pod('staging', 'cart-2', { app: 'cart', tier: 'backend' }));
    for (const [ns, p] of [['shop', 'cart-1'], ['shop', 'cart-canary'], ['shop', 'web-1'], ['staging', 'cart-2']]) k.api.logs.append(ns, p, 'main', numbered(`${p}`, 0, 5));
    k.api.logs.append('shop', 'cart-1', 'setup', ['init line']);
    await k.apply(PODLOGS_SHOP(), 'pl');
    const { c, ctx } = await source();
    await loki.waitFor(() => loki.totalEntries() >= 5, 20_000, 'cart-1 lines');
    await new Promise((r) => setTimeout(r, 500)); // room for lines that must not come
    expect(loki.streams.size).toBe(1);
    const [s] = [...loki.streams.values()];
    // job from the PodLogs, instance from the container, the rest from the relabelings; no meta labels.
    expect(s.labels).toEqual({ job: 'monitoring/shop-logs', instance: 'shop/cart-1:main', namespace: 'shop', pod: 'cart-1', container: 'main', app: 'cart' });
    expect(s.entries.map((e) => e.line)).toEqual(numbered('cart-1', 0, 5));
    expect(ctx.health.state).toBe('healthy');

    // Edit: one more relabeling (team label of the PodLogs) -> the stream restarts with it, no line twice.
    await k.apply(PODLOGS_SHOP(`
  - sourceLabels: [__meta_kubernetes_podlogs_label_team]
    targetLabel: team
  - sourceLabels: [__meta_kubernetes_pod_controller_kind]
    targetLabel: owner_kind`), 'pl');
    // Once the report carries the new labels the old stream has stopped (the set restarts it before reporting).
    await waitFor('the edited relabelings in effect', () => JSON.stringify(c.debugInfo!()).includes('owner_kind'), { timeoutMs: 10_000 });
    k.api.logs.append('shop', 'cart-1', 'main', numbered('cart-1', 5, 10));
    await loki.waitFor(() => linesOf(loki, { team: 'red' }).length >= 5, 20_000, 'relabeled lines');
    expect(linesOf(loki, { team: 'red', owner_kind: 'ReplicaSet', pod: 'cart-1' })).toEqual(numbered('cart-1', 5, 10));
    expect(loki.duplicates()).toBe(0);
    expect(loki.totalEntries()).toBe(10);

    // Delete: the stream stops; later lines are not collected.
    await k.remove(PODLOGS_SHOP(), 'pl');
    await waitFor('the deleted PodLogs gone', () => ctx.health.message.startsWith('0 PodLogs'), { timeoutMs: 10_000 });
    k.api.logs.append('shop', 'cart-1', 'main', numbered('cart-1', 10, 15));
    await new Promise((r) => setTimeout(r, 800));
    expect(loki.totalEntries()).toBe(10);
  });

  it('namespace_selector, selector and node_filter of the component', async () => {
    await k.apply(namespace('other', { team: 'blue' }), 'ns2');
    k.api.apply(pod('shop', 'a-on-a', { tier: 'backend' }, 'node-a'));
    k.api.apply(pod('shop', 'b-on-b', { tier: 'backend' }, 'node-b'));
    for (const p of ['a-on-a', 'b-on-b']) k.api.logs.append('shop', p, 'main', numbered(p, 0, 3));
    const pl = (name: string, ns: string, labels: string) => `apiVersion: monitoring.grafana.com/v1alpha2
kind: PodLogs
metadata: {name: ${name}, namespace: ${ns}, labels: ${labels}}
spec:
  selector: {matchLabels: {tier: backend}}
`;
    // Three PodLogs; only "picked" is in a namespace the component reads and matches its selector.
    await k.apply(pl('picked', 'monitoring', '{pick: "yes"}') + '---\n' + pl('unpicked', 'monitoring', '{pick: "no"}') + '---\n' + pl('elsewhere', 'other', '{pick: "yes"}'), 'pl3');
    await source({
      selector: { match_labels: { pick: 'yes' } },
      namespace_selector: { match_labels: {}, match_expression: [{ key: 'team', operator: 'DoesNotExist' }] },
      node_filter: { enabled: true, node_name: 'node-a' },
    });
    await loki.waitFor(() => loki.totalEntries() >= 3, 20_000, 'node-a lines');
    await new Promise((r) => setTimeout(r, 500));
    expect([...loki.streams.values()].map((s) => s.labels)).toEqual([{ job: 'monitoring/picked', instance: 'shop/a-on-a:main' }]);
    expect(loki.totalEntries()).toBe(3);
  });

  it('tail_from_end skips the history of a container without a position', async () => {
    k.api.apply(pod('shop', 'cart-1', { tier: 'backend' }));
    k.api.logs.append('shop', 'cart-1', 'main', numbered('old', 0, 5));
    await k.apply(PODLOGS_SHOP(), 'pl');
    await new Promise((r) => setTimeout(r, 50));
    const { c } = await source({ tail_from_end: true });
    await waitFor('the stream following', () => JSON.stringify(c.debugInfo!()).includes('"state":"following"'), { timeoutMs: 15_000 });
    k.api.logs.append('shop', 'cart-1', 'main', numbered('new', 0, 3));
    await loki.waitFor(() => loki.totalEntries() >= 3, 15_000, 'new lines');
    await new Promise((r) => setTimeout(r, 300));
    expect(linesOf(loki, { pod: 'cart-1' })).toEqual(numbered('new', 0, 3));
  });

  it('clustered: two instances split the containers, each line shipped once', async () => {
    const names = ['p0', 'p1', 'p2', 'p3'];
    for (const n of names) {
      k.api.apply(pod('shop', n, { tier: 'backend' }));
      k.api.logs.append('shop', n, 'main', numbered(n, 0, 4));
    }
    await k.apply(PODLOGS_SHOP(), 'pl');
    // Deterministic split (the hash ring's job): p0, p2 on node-1; p1, p3 on node-2.
    const table = new Map(names.map((n, i) => [targetKey({ namespace: 'shop', pod: n, container: 'main' }), i % 2 === 0 ? 'node-1' : 'node-2']));
    const owner = (key: string) => table.get(key) ?? 'node-1';
    const ring = (self: string): ClusterOwnership => ({ enabled: true, self, ownerOf: owner, owns: (key) => owner(key) === self, onChange: () => () => {}, peers: () => [{ name: self, address: '', state: 'participant', isSelf: true }] });
    const one = await source({ clustering: { enabled: true } }, 'loki.source.podlogs.one', ring('node-1'));
    const two = await source({ clustering: { enabled: true } }, 'loki.source.podlogs.two', ring('node-2'));
    await loki.waitFor(() => loki.totalEntries() >= 16, 20_000, 'all lines');
    await new Promise((r) => setTimeout(r, 500));
    expect(loki.totalEntries()).toBe(16);
    expect(loki.duplicates()).toBe(0);
    const tailed = (c: Component) => ((c.debugInfo!() as { streams: { stream: string }[] }).streams.map((s) => s.stream).sort());
    expect(tailed(one.c)).toEqual(['shop/p0:main', 'shop/p2:main']);
    expect(tailed(two.c)).toEqual(['shop/p1:main', 'shop/p3:main']);
  });

  it('bad PodLogs are reported with their name and reason; good ones keep working', async () => {
    k.api.apply(pod('shop', 'cart-1', { tier: 'backend' }));
    k.api.logs.append('shop', 'cart-1', 'main', numbered('l', 0, 3));
    await k.apply(PODLOGS_SHOP(), 'good');
    // What an API server without schema validation keeps: a bad operator, a bad regex, a wrong type.
    k.api.apply({ apiVersion: 'monitoring.grafana.com/v1alpha2', kind: 'PodLogs', metadata: { name: 'bad-op', namespace: 'monitoring' }, spec: { selector: { matchExpressions: [{ key: 'a', operator: 'Has' }] } } });
    k.api.apply({ apiVersion: 'monitoring.grafana.com/v1alpha2', kind: 'PodLogs', metadata: { name: 'bad-regex', namespace: 'monitoring' }, spec: { selector: {}, relabelings: [{ sourceLabels: ['x'], regex: '(', targetLabel: 'y' }] } });
    k.api.apply({ apiVersion: 'monitoring.grafana.com/v1alpha2', kind: 'PodLogs', metadata: { name: 'bad-type', namespace: 'monitoring' }, spec: { selector: { matchLabels: 'tier=backend' } } });
    const { ctx } = await source();
    await loki.waitFor(() => loki.totalEntries() >= 3, 20_000, 'good lines');
    await waitFor('bad PodLogs reported', () => ctx.health.state === 'unhealthy', { timeoutMs: 10_000 });
    const msg = ctx.health.message;
    expect(msg).toContain('3 of 4 PodLogs');
    expect(msg).toMatch(/PodLogs\/monitoring\/bad-op: spec\.selector: .*"Has"/);
    expect(msg).toMatch(/PodLogs\/monitoring\/bad-regex: spec\.relabelings: relabel rule 1: /);
    expect(msg).toMatch(/PodLogs\/monitoring\/bad-type: spec\.selector\.matchLabels: expected a map of strings/);
    expect(linesOf(loki, { pod: 'cart-1' })).toEqual(numbered('l', 0, 3));
  });
});

// Keep the CRD file honest: it is Alloy's group, version and names.
test('the PodLogs CRD file names monitoring.grafana.com/v1alpha2 podlogs', () => {
  const text = readFileSync(PODLOGS_CRD, 'utf8');
  expect(text).toContain('name: podlogs.monitoring.grafana.com');
  expect(text).toMatch(/- name: v1alpha2/);
});
