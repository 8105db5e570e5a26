// The labels discovery.kubernetes produces for objects written without the fields the API server
// defaults (as `kubectl apply` of a minimal manifest does): the emulator defaults them like a
// real apiserver, so the labels equal what Prometheus shows on a real cluster.
import { startKubeEmulator, type KubeEmulator } from '../../src/sandbox/kube/index.js';
import type { Target } from '../../src/discovery/kubernetes/types.js';
import { runDiscovery, type Running } from './helpers.js';

const NS = 'defaults';

describe('discovery.kubernetes e2e: labels from API-server defaults', () => {
  let emu: KubeEmulator;
  const running: Running[] = [];
  const run = async (...a: Parameters<typeof runDiscovery>) => {
    const r = await runDiscovery(...a);
    running.push(r);
    return r;
  };
  const post = async (path: string, body: unknown): Promise<any> => {
    const res = await fetch(`${emu.url}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    if (res.status !== 201) throw new Error(`POST ${path}: ${res.status} ${await res.text()}`);
    return res.json();
  };
  const put = async (path: string, body: unknown): Promise<any> => {
    const res = await fetch(`${emu.url}${path}`, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    if (res.status !== 200) throw new Error(`PUT ${path}: ${res.status} ${await res.text()}`);
    return res.json();
  };
  const targetsWhere = (r: Running, pred: (ts: Target[]) => boolean) => r.ctx.waitForExports((e) => pred((e.targets ?? []) as Target[]), 10000);

  beforeEach(async () => {
    emu = await startKubeEmulator();
    emu.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((r) => r.stop()));
    await emu.close();
  });

  test('pod: port protocols default to TCP; a pod created over HTTP is Pending without targets until the kubelet reports', async () => {
    const created = await post(`/api/v1/namespaces/${NS}/pods`, {
      metadata: { name: 'app' },
      spec: { nodeName: 'n1', containers: [{ name: 'app', image: 'app:1', ports: [{ name: 'http', containerPort: 8080 }] }], initContainers: [{ name: 'init', image: 'init:1', ports: [{ containerPort: 9000 }] }] },
      status: { phase: 'Running', podIP: '10.2.0.1' },
    });
    const r = await run(emu, { role: 'pod', namespaces: { names: [NS] } });
    await r.waitHealth('healthy');
    // The sent status was ignored: no pod IP yet, so no targets (Prometheus skips pods without IP).
    expect(r.targets()).toEqual([]);
    // The kubelet's status report, with the plural IP field only (as dual-stack kubelets send both;
    // the apiserver fills the singular one Prometheus reads).
    await put(`/api/v1/namespaces/${NS}/pods/app/status`, { ...created, status: { phase: 'Running', podIPs: [{ ip: '10.2.0.1' }], hostIPs: [{ ip: '192.168.9.1' }] } });
    const e = await targetsWhere(r, (ts) => ts.length === 2);
    const byContainer = Object.fromEntries((e.targets as Target[]).map((t) => [t.__meta_kubernetes_pod_container_name, t]));
    expect(byContainer.app).toMatchObject({
      __address__: '10.2.0.1:8080',
      __meta_kubernetes_pod_ip: '10.2.0.1',
      __meta_kubernetes_pod_host_ip: '192.168.9.1',
      __meta_kubernetes_pod_phase: 'Running',
      __meta_kubernetes_pod_container_port_name: 'http',
      __meta_kubernetes_pod_container_port_protocol: 'TCP',
    });
    expect(byContainer.init).toMatchObject({ __address__: '10.2.0.1:9000', __meta_kubernetes_pod_container_init: 'true', __meta_kubernetes_pod_container_port_protocol: 'TCP' });
  }, 20000);

  test('endpointslice: an unnamed port without protocol is port_name="" and port_protocol="TCP"', async () => {
    await post(`/apis/discovery.k8s.io/v1/namespaces/${NS}/endpointslices`, {
      metadata: { name: 'web-x', labels: { 'kubernetes.io/service-name': 'web' } },
      addressType: 'IPv4',
      ports: [{ port: 8080 }],
      endpoints: [{ addresses: ['10.2.0.5'], conditions: { ready: true } }],
    });
    const r = await run(emu, { role: 'endpointslice', namespaces: { names: [NS] } });
    const e = await targetsWhere(r, (ts) => ts.length === 1);
    const [t] = e.targets as Target[];
    expect(t).toMatchObject({
      __address__: '10.2.0.5:8080',
      __meta_kubernetes_endpointslice_port: '8080',
      __meta_kubernetes_endpointslice_port_name: '',
      __meta_kubernetes_endpointslice_port_protocol: 'TCP',
      __meta_kubernetes_endpointslice_endpoint_conditions_ready: 'true',
    });
    // Conditions are not defaulted: serving/terminating were not given, so they have no labels.
    expect(t).not.toHaveProperty('__meta_kubernetes_endpointslice_endpoint_conditions_serving');
    expect(t).not.toHaveProperty('__meta_kubernetes_endpointslice_endpoint_conditions_terminating');
  }, 20000);

  test('service: type ClusterIP and port protocol TCP when not given, ExternalName included; endpoints port protocol TCP', async () => {
    await post(`/api/v1/namespaces/${NS}/services`, { metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80 }] } });
    emu.apply({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'ext', namespace: NS }, spec: { type: 'ExternalName', externalName: 'db.example.com', ports: [{ port: 5432 }] } });
    emu.apply({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'web', namespace: NS }, subsets: [{ addresses: [{ ip: '10.2.0.7' }], ports: [{ name: 'http', port: 8080 }] }] });
    const svc = await run(emu, { role: 'service', namespaces: { names: [NS] } });
    const e = await targetsWhere(svc, (ts) => ts.length === 2);
    const byName = Object.fromEntries((e.targets as Target[]).map((t) => [t.__meta_kubernetes_service_name, t]));
    expect(byName.web).toMatchObject({ __meta_kubernetes_service_type: 'ClusterIP', __meta_kubernetes_service_port_protocol: 'TCP', __address__: `web.${NS}.svc:80` });
    expect(byName.web.__meta_kubernetes_service_cluster_ip).toMatch(/^10\.96\./);
    expect(byName.ext).toMatchObject({ __meta_kubernetes_service_type: 'ExternalName', __meta_kubernetes_service_port_protocol: 'TCP', __meta_kubernetes_service_external_name: 'db.example.com' });

    const eps = await run(emu, { role: 'endpoints', namespaces: { names: [NS] } });
    const e2 = await targetsWhere(eps, (ts) => ts.length === 1);
    expect((e2.targets as Target[])[0]).toMatchObject({ __address__: '10.2.0.7:8080', __meta_kubernetes_endpoint_port_protocol: 'TCP', __meta_kubernetes_service_name: 'web' });
  }, 20000);

  test('a Service re-applied without its clusterIP keeps the address label', async () => {
    const body = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'keep', namespace: NS }, spec: { ports: [{ port: 80 }] } };
    const first = emu.apply(body);
    const r = await run(emu, { role: 'service', namespaces: { names: [NS] } });
    await targetsWhere(r, (ts) => ts.length === 1);
    emu.apply({ ...body, metadata: { ...body.metadata, labels: { rev: '2' } } });
    const e = await targetsWhere(r, (ts) => ts[0]?.__meta_kubernetes_service_label_rev === '2');
    expect((e.targets as Target[])[0].__meta_kubernetes_service_cluster_ip).toBe(first.spec.clusterIP);
  }, 20000);

  test('attach_metadata.namespace: the kubernetes.io/metadata.name label is always there', async () => {
    emu.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS, labels: { team: 'x' } } });
    emu.apply({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: NS }, spec: { containers: [{ name: 'c', image: 'c:1' }] }, status: { phase: 'Running', podIP: '10.2.0.9' } });
    const r = await run(emu, { role: 'pod', namespaces: { names: [NS] }, attach_metadata: { namespace: true } });
    const e = await targetsWhere(r, (ts) => ts.length === 1);
    expect((e.targets as Target[])[0]).toMatchObject({ __meta_kubernetes_namespace_label_kubernetes_io_metadata_name: NS, __meta_kubernetes_namespace_label_team: 'x' });
  }, 20000);
});
