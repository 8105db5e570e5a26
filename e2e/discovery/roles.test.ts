// discovery.kubernetes against the API emulator: every role matches the pure
// role functions on the emulator's state, hand-written spot checks, and
// scripted changes are reflected exactly.
import { startKubeEmulator, type KubeEmulator } from '../../src/sandbox/kube/index.js';
import type { Target } from '../../src/discovery/kubernetes/types.js';
import { NS_A, NS_B, endpoints, loadFixture, pod } from './fixture.js';
import { canon, expectedTargets, runDiscovery, type Running } from './helpers.js';

const find = (ts: Target[], pred: (t: Target) => boolean) => ts.filter(pred);

describe('discovery.kubernetes e2e: roles', () => {
  let emu: KubeEmulator;
  const running: Running[] = [];
  const run = async (...a: Parameters<typeof runDiscovery>) => {
    const r = await runDiscovery(...a);
    running.push(r);
    return r;
  };
  const settle = (r: Running, expected: () => Target[]) =>
    r.ctx.waitForExports((e) => JSON.stringify(canon((e.targets ?? []) as Target[])) === JSON.stringify(canon(expected())), 10000);

  beforeEach(async () => {
    emu = await startKubeEmulator();
    loadFixture(emu);
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((r) => r.stop()));
    await emu.close();
  });

  test.each(['pod', 'service', 'endpoints', 'endpointslice', 'node', 'ingress'] as const)('role %s equals the pure role functions', async (role) => {
    const args = { role, namespaces: role === 'node' ? undefined : { names: [NS_A, NS_B] }, attach_metadata: { node: true, namespace: true } };
    const r = await run(emu, args);
    await settle(r, () => expectedTargets(emu, args, role === 'node' ? undefined : [NS_A, NS_B]));
    expect(r.targets().length).toBeGreaterThan(0);
    await r.waitHealth('healthy');
  }, 20000);

  test('hand-written spot checks', async () => {
    const podR = await run(emu, { role: 'pod', namespaces: { names: [NS_A, NS_B] } });
    await podR.ctx.waitForExports((e) => ((e.targets as Target[]) ?? []).length === 10);
    const web1 = find(podR.targets(), (t) => t.__meta_kubernetes_pod_name === 'web-1');
    expect(web1.map((t) => t.__address__).sort()).toEqual(['10.0.0.11', '10.0.0.11', '10.0.0.11:8080', '10.0.0.11:9090']);
    const init = web1.find((t) => t.__meta_kubernetes_pod_container_name === 'init')!;
    expect(init).toMatchObject({ __meta_kubernetes_pod_container_init: 'true', __meta_kubernetes_pod_container_id: 'containerd://web-1-init', __address__: '10.0.0.11' });
    expect(web1[0]).toMatchObject({
      __meta_kubernetes_namespace: NS_A,
      __meta_kubernetes_pod_ready: 'true',
      __meta_kubernetes_pod_phase: 'Running',
      __meta_kubernetes_pod_annotation_prometheus_io_scrape: 'true',
      __meta_kubernetes_pod_annotationpresent_prometheus_io_scrape: 'true',
      __meta_kubernetes_pod_labelpresent_app: 'true',
    });

    const nodeR = await run(emu, { role: 'node' });
    await nodeR.ctx.waitForExports((e) => ((e.targets as Target[]) ?? []).length === 2);
    const [a, b] = [...nodeR.targets()].sort((x, y) => (x.instance < y.instance ? -1 : 1));
    expect(a).toMatchObject({ __address__: '192.168.0.1:10250', instance: 'node-a', __meta_kubernetes_node_address_Hostname: 'node-a', __meta_kubernetes_node_label_topology_kubernetes_io_zone: 'z1', __meta_kubernetes_node_condition_ready: 'true' });
    expect(b).toMatchObject({ __address__: 'b.example.com:10250', instance: 'node-b', __meta_kubernetes_node_address_ExternalDNS: 'b.example.com' });

    const epR = await run(emu, { role: 'endpoints', namespaces: { names: [NS_A] } });
    await epR.ctx.waitForExports((e) => ((e.targets as Target[]) ?? []).length === 3);
    const byAddr = Object.fromEntries(epR.targets().map((t) => [`${t.__address__}/${t.__meta_kubernetes_endpoint_ready ?? '-'}`, t]));
    expect(byAddr['10.0.0.11:8080/true']).toMatchObject({ __meta_kubernetes_service_name: 'web', __meta_kubernetes_service_label_tier: 'front', __meta_kubernetes_pod_container_name: 'main', __meta_kubernetes_pod_container_port_name: 'p0' });
    expect(byAddr['10.0.0.12:8080/false']).toMatchObject({ __meta_kubernetes_pod_name: 'web-2', __meta_kubernetes_pod_ready: 'false' });
    // web-1's second container port is not in the endpoints: an extra target without endpoint labels.
    expect(byAddr['10.0.0.11:9090/-']).toMatchObject({ __meta_kubernetes_pod_container_port_number: '9090', __meta_kubernetes_endpoints_name: 'web' });

    const ingR = await run(emu, { role: 'ingress', namespaces: { names: [NS_A] } });
    await ingR.ctx.waitForExports((e) => ((e.targets as Target[]) ?? []).length === 3);
    expect(canon(ingR.targets().map((t) => ({ a: t.__address__, s: t.__meta_kubernetes_ingress_scheme, p: t.__meta_kubernetes_ingress_path })))).toEqual(
      canon([
        { a: 'web.example.com', s: 'https', p: '/' },
        { a: 'web.example.com', s: 'https', p: '/api' },
        { a: 'plain.test', s: 'http', p: '/' },
      ]),
    );
  }, 30000);

  test('scripted changes: pod added, relabeled, deleted; endpoints not ready; service deleted', async () => {
    const podArgs = { role: 'pod' as const, namespaces: { names: [NS_A] } };
    const podR = await run(emu, podArgs);
    const epArgs = { role: 'endpoints' as const, namespaces: { names: [NS_A] } };
    const epR = await run(emu, epArgs);
    const svcArgs = { role: 'service' as const, namespaces: { names: [NS_A] } };
    const svcR = await run(emu, svcArgs);
    await settle(podR, () => expectedTargets(emu, podArgs, [NS_A]));
    await settle(epR, () => expectedTargets(emu, epArgs, [NS_A]));
    await settle(svcR, () => expectedTargets(emu, svcArgs, [NS_A]));

    emu.apply(pod(NS_A, 'web-3', 'node-a', '10.0.0.13'));
    await settle(podR, () => expectedTargets(emu, podArgs, [NS_A]));
    expect(podR.targets().some((t) => t.__meta_kubernetes_pod_name === 'web-3')).toBe(true);

    emu.apply(pod(NS_A, 'web-3', 'node-a', '10.0.0.13', { labels: { app: 'relabeled' } }));
    await settle(podR, () => expectedTargets(emu, podArgs, [NS_A]));
    expect(podR.targets().filter((t) => t.__meta_kubernetes_pod_name === 'web-3').every((t) => t.__meta_kubernetes_pod_label_app === 'relabeled')).toBe(true);

    emu.remove('v1', 'Pod', NS_A, 'web-3');
    await settle(podR, () => expectedTargets(emu, podArgs, [NS_A]));
    expect(podR.targets().some((t) => t.__meta_kubernetes_pod_name === 'web-3')).toBe(false);

    emu.apply(endpoints(NS_A, 'web', [], [{ ip: '10.0.0.11', pod: 'web-1' }, { ip: '10.0.0.12', pod: 'web-2' }]));
    await settle(epR, () => expectedTargets(emu, epArgs, [NS_A]));
    expect(epR.targets().filter((t) => t.__meta_kubernetes_endpoint_ready !== undefined).map((t) => t.__meta_kubernetes_endpoint_ready)).toEqual(['false', 'false']);

    emu.remove('v1', 'Service', NS_A, 'web');
    await settle(epR, () => expectedTargets(emu, epArgs, [NS_A]));
    await settle(svcR, () => expectedTargets(emu, svcArgs, [NS_A]));
    expect(svcR.targets()).toEqual([]);
    expect(epR.targets().some((t) => t.__meta_kubernetes_service_name !== undefined)).toBe(false);
    const publishes = podR.ctx.exportHistory.length;
    // Unrelated churn in another namespace does not re-publish.
    emu.apply(pod(NS_B, 'other', 'node-a', '10.0.9.9'));
    await svcR.ctx.nextExports(1000).catch(() => undefined);
    expect(podR.ctx.exportHistory.length).toBe(publishes);
  }, 30000);
});
