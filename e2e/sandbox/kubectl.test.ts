// The machine's real kubectl (client-go 1.32) against the emulator over TLS with a bearer token:
// get -A, get -w, apply (Deployment, Service, CRD, custom resource), re-apply, delete -f.
// Every command must exit 0 with an empty stderr.
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSampleCluster, startKubeEmulator, type KubeEmulator } from '../../src/sandbox/kube/index.js';
import { waitFor } from '../lib/wait.js';

const KUBECTL = process.env.KUBECTL ?? '/usr/bin/kubectl';
const suite = existsSync(KUBECTL) ? describe : describe.skip;

let api: KubeEmulator;
let dir: string;
let env: NodeJS.ProcessEnv;

function kubectl(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(KUBECTL, args, { env, timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as any).code ?? 1) : 0, stdout, stderr });
    });
  });
}

const DEPLOY = (image: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: default
  labels: {app: web}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
      annotations: {prometheus.io/scrape: "true"}
    spec:
      containers:
      - name: app
        image: ${image}
        ports:
        - {name: http, containerPort: 8080}
      - name: sidecar
        image: busybox
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: default
spec:
  selector: {app: web}
  ports:
  - {name: http, port: 80, targetPort: http}
`;

const CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: servicemonitors.monitoring.coreos.com
spec:
  group: monitoring.coreos.com
  scope: Namespaced
  names: {plural: servicemonitors, singular: servicemonitor, kind: ServiceMonitor, listKind: ServiceMonitorList, shortNames: [smon]}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
`;

const SM = `apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: web
  namespace: default
spec:
  selector:
    matchLabels: {app: web}
  endpoints:
  - {port: http, interval: 15s}
`;

suite('real kubectl', () => {
  beforeAll(async () => {
    api = await startKubeEmulator({ tls: true, token: 'kubectl-token', user: 'kubectl-user' });
    loadSampleCluster(api);
    dir = mkdtempSync(join(tmpdir(), 'emu-kubectl-'));
    api.writeKubeconfig(join(dir, 'kubeconfig'));
    writeFileSync(join(dir, 'deploy.yaml'), DEPLOY('nginx:1.25'));
    writeFileSync(join(dir, 'deploy2.yaml'), DEPLOY('nginx:1.27'));
    writeFileSync(join(dir, 'crd.yaml'), CRD);
    writeFileSync(join(dir, 'sm.yaml'), SM);
    // A private HOME keeps kubectl's discovery cache per test run.
    env = { PATH: process.env.PATH, HOME: dir, KUBECONFIG: join(dir, 'kubeconfig') };
  });
  afterAll(async () => {
    await api?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('get pods -A lists every pod with server-side columns', async () => {
    const r = await kubectl('get', 'pods', '-A');
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^NAMESPACE\s+NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/);
    const listed = lines.slice(1).map((l) => l.split(/\s+/).slice(0, 2).join('/')).sort();
    const stored = api.list('v1', 'Pod').map((p) => `${p.metadata.namespace}/${p.metadata.name}`).sort();
    expect(listed).toEqual(stored);
    expect(r.stdout).toMatch(/frontend-7d9f8c6b5-fghij\s+0\/1\s+Running/);
    // Every request carried the token.
    expect(api.requests.every((q) => q.user === 'kubectl-user' && q.status !== 401)).toBe(true);
  });

  test('apply -f creates, re-apply patches, CRD then custom resource, delete -f removes', async () => {
    const a1 = await kubectl('apply', '-f', join(dir, 'deploy.yaml'));
    expect(a1).toMatchObject({ code: 0, stderr: '' });
    expect(a1.stdout).toContain('deployment.apps/web created');
    const d1 = api.get('apps/v1', 'Deployment', 'default', 'web');
    expect(d1.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']).toContain('nginx:1.25');
    expect(api.get('v1', 'Service', 'default', 'web').spec.clusterIP).toMatch(/^10\.96\./);

    const a2 = await kubectl('apply', '-f', join(dir, 'deploy2.yaml'));
    expect(a2).toMatchObject({ code: 0, stderr: '' });
    expect(a2.stdout).toContain('deployment.apps/web configured');
    expect(a2.stdout).toContain('service/web unchanged');
    const d2 = api.get('apps/v1', 'Deployment', 'default', 'web');
    expect(d2.spec.template.spec.containers.map((c: any) => `${c.name}=${c.image}`)).toEqual(['app=nginx:1.27', 'sidecar=busybox']);
    expect(d2.metadata.generation).toBe(2);
    expect(api.requests.some((q) => q.verb === 'patch' && q.resource === 'deployments' && q.status === 200)).toBe(true);

    const c = await kubectl('apply', '-f', join(dir, 'crd.yaml'));
    expect(c).toMatchObject({ code: 0, stderr: '' });
    const s = await kubectl('apply', '-f', join(dir, 'sm.yaml'));
    expect(s).toMatchObject({ code: 0, stderr: '' });
    expect(s.stdout).toContain('servicemonitor.monitoring.coreos.com/web created');
    expect(api.get('monitoring.coreos.com/v1', 'ServiceMonitor', 'default', 'web').spec.endpoints[0].port).toBe('http');
    const g = await kubectl('get', 'smon', '-n', 'default');
    expect(g).toMatchObject({ code: 0, stderr: '' });
    expect(g.stdout).toMatch(/^NAME\s+AGE\nweb\s+\S+\n$/);

    const del = await kubectl('delete', '-f', join(dir, 'sm.yaml'), '-f', join(dir, 'deploy.yaml'));
    expect(del).toMatchObject({ code: 0, stderr: '' });
    expect(del.stdout).toContain('deployment.apps "web" deleted');
    expect(api.get('apps/v1', 'Deployment', 'default', 'web')).toBeUndefined();
    expect(api.get('v1', 'Service', 'default', 'web')).toBeUndefined();
    expect(api.list('monitoring.coreos.com/v1', 'ServiceMonitor')).toEqual([]);
  }, 60_000);

  test('get -w prints the list, then a line per change', async () => {
    const child = spawn(KUBECTL, ['get', 'pods', '-n', 'shop', '-w'], { env });
    let out = '';
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const waitOut = (re: RegExp, ms = 15_000) =>
      new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`timed out waiting for ${re}; stdout: ${out}; stderr: ${err}`)), ms);
        const check = () => {
          if (re.test(out)) {
            clearTimeout(t);
            child.stdout.off('data', onData);
            resolve();
          }
        };
        const onData = (d: Buffer) => {
          out += d;
          check();
        };
        child.stdout.on('data', onData);
        check();
      });
    try {
      await waitOut(/cart-5c4b7d8f9-pqrst/);
      // Wait until kubectl's watch is open, so the changes below reach it as events.
      await waitFor('kubectl to open its watch of shop pods', () => api.requests.some((q) => q.verb === 'watch' && q.resource === 'pods' && q.namespace === 'shop'), { timeoutMs: 10_000, intervalMs: 20 });
      const pod = api.get('v1', 'Pod', 'shop', 'frontend-7d9f8c6b5-fghij');
      api.apply({ ...pod, status: { ...pod.status, phase: 'Failed', reason: 'Evicted' } });
      await waitOut(/frontend-7d9f8c6b5-fghij\s+0\/1\s+Evicted/);
      api.apply({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'newcomer', namespace: 'shop' }, spec: { containers: [{ name: 'c', image: 'i' }] } });
      await waitOut(/newcomer\s+0\/1\s+Pending/);
      expect(out.split('\n')[0]).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/);
    } finally {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    expect(err).toBe('');
  }, 40_000);
});
