// The sample cluster's internal consistency, the log producer, fixture files and the standalone entry.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnProcess } from '../lib/spawn.js';
import { loadFixtureFile, loadSampleCluster, SAMPLE_NODES, startKubeEmulator, startLogProducer, type KubeEmulator } from '../../src/sandbox/kube/index.js';

let api: KubeEmulator;
let dir: string;

beforeAll(async () => {
  api = await startKubeEmulator();
  loadSampleCluster(api);
  dir = mkdtempSync(join(tmpdir(), 'emu-fixtures-'));
});
afterAll(async () => {
  await api.close();
  rmSync(dir, { recursive: true, force: true });
});

test('sample cluster: nodes, namespaces, annotated pods, every service flavour, ingress', () => {
  const nodes = api.list('v1', 'Node');
  expect(nodes.map((n) => n.metadata.name).sort()).toEqual(SAMPLE_NODES.map((n) => n.name).sort());
  expect(nodes.every((n) => n.status.addresses.some((a: any) => a.type === 'InternalIP'))).toBe(true);
  expect(api.list('v1', 'Namespace').map((n) => n.metadata.name)).toEqual(expect.arrayContaining(['default', 'monitoring', 'shop']));
  const pods = api.list('v1', 'Pod');
  expect(pods.some((p) => p.metadata.annotations?.['prometheus.io/scrape'] === 'true')).toBe(true);
  expect(pods.some((p) => p.metadata.annotations?.['k8s.grafana.com/scrape'] === 'true')).toBe(true);
  expect(pods.some((p) => (p.spec.initContainers ?? []).length > 0)).toBe(true);
  expect(pods.some((p) => p.status.podIP.includes(':'))).toBe(true);
  expect(pods.some((p) => p.spec.containers.some((c: any) => (c.ports ?? []).some((port: any) => !port.name)))).toBe(true);
  expect(pods.every((p) => nodes.some((n) => n.metadata.name === p.spec.nodeName))).toBe(true);
  const types = api.list('v1', 'Service').map((s) => (s.spec.clusterIP === 'None' ? 'Headless' : s.spec.type));
  expect(new Set(types)).toEqual(new Set(['ClusterIP', 'Headless', 'NodePort', 'ExternalName']));
  const ing = api.list('networking.k8s.io/v1', 'Ingress')[0];
  expect(ing.spec.tls).toHaveLength(1);
  expect(ing.spec.rules).toHaveLength(2);
});

test('sample cluster: endpoints and endpoint slices agree with the pods they select', () => {
  const pods = api.list('v1', 'Pod');
  const ready = (p: any) => p.status.conditions.find((c: any) => c.type === 'Ready').status === 'True';
  for (const svc of api.list('v1', 'Service').filter((s) => s.spec.selector)) {
    const selected = pods.filter((p) => p.metadata.namespace === svc.metadata.namespace && Object.entries(svc.spec.selector).every(([k, v]) => p.metadata.labels[k] === v));
    const slices = api.list('discovery.k8s.io/v1', 'EndpointSlice', svc.metadata.namespace).filter((s) => s.metadata.labels['kubernetes.io/service-name'] === svc.metadata.name);
    const inSlices = slices.flatMap((s) => s.endpoints.map((e: any) => `${e.targetRef.name}:${e.conditions.ready}`)).sort();
    expect(inSlices).toEqual(selected.map((p) => `${p.metadata.name}:${ready(p)}`).sort());
    const ep = api.get('v1', 'Endpoints', svc.metadata.namespace, svc.metadata.name);
    const v4 = selected.filter((p) => !p.status.podIP.includes(':'));
    const epReady = ep.subsets.flatMap((s: any) => s.addresses.map((a: any) => a.targetRef.name)).sort();
    const epNotReady = ep.subsets.flatMap((s: any) => (s.notReadyAddresses ?? []).map((a: any) => a.targetRef.name)).sort();
    expect(epReady).toEqual(v4.filter(ready).map((p) => p.metadata.name).sort());
    expect(epNotReady).toEqual(v4.filter((p) => !ready(p)).map((p) => p.metadata.name).sort());
  }
  // One pod is not ready, so the fixture covers notReadyAddresses.
  expect(pods.some((p) => !ready(p))).toBe(true);
});

test('log producer appends lines to running sample containers until stopped', async () => {
  const producer = startLogProducer(api, { intervalMs: 20 });
  const url = `${api.url}/api/v1/namespaces/default/pods/redis-6f5d4c3b2-uvwxy/log?follow=true`;
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), 5000);
  try {
    const res = await fetch(url, { signal: ctrl.signal });
    const reader = res.body!.getReader();
    let got = '';
    while (got.split('\n').length < 3) got += Buffer.from((await reader.read()).value!).toString();
    expect(got).toMatch(/(level=info|"level":"info"|level=error|"level":"error")/);
  } finally {
    producer.stop();
    clearTimeout(timer);
    ctrl.abort();
  }
});

test('fixture files: multi-document YAML and Lists; errors name the object', () => {
  const ok = join(dir, 'ok.yaml');
  writeFileSync(ok, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: f1}\n---\napiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: f2}}\n');
  expect(loadFixtureFile(api, ok)).toBe(2);
  expect(api.get('v1', 'ConfigMap', 'default', 'f2')).toBeDefined();
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: f3, namespace: missing}\n');
  expect(() => loadFixtureFile(api, bad)).toThrow(`${bad}: ConfigMap missing/f3: namespaces "missing" not found`);
});

test('standalone entry prints its URL and serves the fixture', async () => {
  const f = join(dir, 'main.yaml');
  writeFileSync(f, 'apiVersion: v1\nkind: Namespace\nmetadata: {name: from-file}\n');
  const child = await spawnProcess(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('../../src/sandbox/kube/main.ts', import.meta.url)), '--port', '0', '--fixture', f], {
    name: 'sandbox kube',
    cwd: process.cwd(), // where node_modules (tsx) is
    ready: { line: /^http:\/\/127\.0\.0\.1:\d+$/ },
    readyTimeoutMs: 20_000,
  });
  try {
    const url = child.readyLine!;
    const ns = (await (await fetch(`${url}/api/v1/namespaces/from-file`)).json()) as any;
    expect(ns.metadata.name).toBe('from-file');
  } finally {
    await child.stop();
  }
}, 30_000);
