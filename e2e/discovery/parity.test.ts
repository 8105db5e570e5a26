// Component-level behaviours of Prometheus's kubernetes SD that the pure role
// functions cannot show alone: per-namespace discoverers (pod joins stay in
// the endpoints' namespace when namespaces are listed) and a node that loses
// every address keeping its last targets (Prometheus sends no group for it).
import { startKubeEmulator, type KubeEmulator } from '../../src/sandbox/kube/index.js';
import type { Target } from '../../src/discovery/kubernetes/types.js';
import { NS_A, NS_B, loadFixture } from './fixture.js';
import { runDiscovery, type Running } from './helpers.js';

const targetsOf = (e: Record<string, unknown>) => (e.targets ?? []) as Target[];

/** Endpoints in NS_A whose one address points at pod db-1 of NS_B. */
const crossNamespaceEndpoints = {
  apiVersion: 'v1',
  kind: 'Endpoints',
  metadata: { name: 'cross', namespace: NS_A },
  subsets: [{ addresses: [{ ip: '10.0.1.11', targetRef: { kind: 'Pod', name: 'db-1', namespace: NS_B } }], ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }] }],
};

describe('discovery.kubernetes e2e: Prometheus parity of the discoverer', () => {
  let emu: KubeEmulator;
  const running: Running[] = [];
  const run = async (...a: Parameters<typeof runDiscovery>) => {
    const r = await runDiscovery(...a);
    running.push(r);
    return r;
  };

  beforeEach(async () => {
    emu = await startKubeEmulator();
    loadFixture(emu);
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((r) => r.stop()));
    await emu.close();
  });

  test('a pod reference across listed namespaces does not join; across all namespaces it does', async () => {
    emu.apply(crossNamespaceEndpoints);
    const isCross = (t: Target) => t.__meta_kubernetes_endpoints_name === 'cross';

    const listed = await run(emu, { role: 'endpoints', namespaces: { names: [NS_A, NS_B] } });
    const scoped = (await listed.ctx.waitForExports((e) => targetsOf(e).some(isCross), 10000)).targets as Target[];
    const crossScoped = scoped.filter(isCross);
    // One target for the address; no pod labels, no extra targets for db-1's ports.
    expect(crossScoped).toHaveLength(1);
    expect(crossScoped[0]).toMatchObject({ __address__: '10.0.1.11:5432', __meta_kubernetes_endpoint_address_target_name: 'db-1' });
    expect(crossScoped[0].__meta_kubernetes_pod_name).toBeUndefined();

    const everywhere = await run(emu, { role: 'endpoints' });
    const all = (await everywhere.ctx.waitForExports((e) => targetsOf(e).some(isCross), 10000)).targets as Target[];
    const crossAll = all.filter(isCross);
    expect(crossAll).toHaveLength(1);
    expect(crossAll[0]).toMatchObject({ __meta_kubernetes_pod_name: 'db-1', __meta_kubernetes_namespace: NS_A, __meta_kubernetes_pod_container_port_name: 'p0' });
  }, 30000);

  test('a node that loses every address keeps its last targets until it is deleted', async () => {
    const r = await run(emu, { role: 'node' });
    const nodeA = (ts: Target[]) => ts.filter((t) => t.instance === 'node-a');
    const before = nodeA(targetsOf(await r.ctx.waitForExports((e) => nodeA(targetsOf(e)).length === 1, 10000)));
    expect(before[0].__address__).toBe('192.168.0.1:10250');

    // Remove node-a's addresses and change a label: Prometheus sends nothing for it.
    const a = structuredClone(emu.get('v1', 'Node', undefined, 'node-a'));
    a.status.addresses = [];
    a.metadata.labels = { ...a.metadata.labels, changed: 'yes' };
    emu.apply(a);
    // A change of node-b afterwards proves the addressless update of node-a was processed.
    const b = structuredClone(emu.get('v1', 'Node', undefined, 'node-b'));
    b.metadata.labels = { marker: '1' };
    emu.apply(b);
    const after = await r.ctx.waitForExports((e) => targetsOf(e).some((t) => t.__meta_kubernetes_node_label_marker === '1'), 10000);
    expect(nodeA(targetsOf(after))).toEqual(before);

    emu.remove('v1', 'Node', undefined, 'node-a');
    await r.ctx.waitForExports((e) => nodeA(targetsOf(e)).length === 0, 10000);
    expect(r.targets().map((t) => t.instance)).toEqual(['node-b']);
  }, 30000);
});
