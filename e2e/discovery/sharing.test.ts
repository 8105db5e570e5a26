// Shared informers across components, and selectors narrowing the watch.
import { startKubeEmulator, type KubeEmulator } from '../../src/sandbox/kube/index.js';
import type { Target } from '../../src/discovery/kubernetes/types.js';
import { NS_A, NS_B, loadFixture } from './fixture.js';
import { canon, expectedTargets, runDiscovery, type Running } from './helpers.js';

describe('discovery.kubernetes e2e: sharing and selectors', () => {
  let emu: KubeEmulator;
  const running: Running[] = [];
  beforeEach(async () => {
    emu = await startKubeEmulator();
    loadFixture(emu);
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((r) => r.stop()));
    await emu.close();
  });

  test('two components with the same role and scope share ONE list and ONE watch', async () => {
    const args = { role: 'pod' as const };
    const a = await runDiscovery(emu, args);
    const b = await runDiscovery(emu, args);
    running.push(a, b);
    const want = JSON.stringify(canon(expectedTargets(emu, args)));
    await a.ctx.waitForExports((e) => JSON.stringify(canon(e.targets as Target[])) === want, 10000);
    await b.ctx.waitForExports((e) => JSON.stringify(canon(e.targets as Target[])) === want, 10000);
    const pods = emu.requests.filter((r) => r.resource === 'pods');
    expect(pods.filter((r) => r.verb === 'list')).toHaveLength(1);
    expect(pods.filter((r) => r.verb === 'watch')).toHaveLength(1);
    // A different scope is a different watch.
    const c = await runDiscovery(emu, { role: 'pod', namespaces: { names: [NS_B] } });
    running.push(c);
    await c.waitHealth('healthy');
    const watches = emu.requests.filter((r) => r.resource === 'pods' && r.verb === 'watch');
    expect(watches.map((w) => w.namespace ?? '').sort()).toEqual(['', NS_B]);
  }, 30000);

  test('selectors { role = "pod" field = "spec.nodeName=node-a" } narrows the list and watch', async () => {
    const r = await runDiscovery(emu, { role: 'pod', selectors: [{ role: 'pod', field: 'spec.nodeName=node-a' }] });
    running.push(r);
    await r.waitHealth('healthy');
    await r.ctx.waitForExports((e) => ((e.targets as Target[]) ?? []).length > 0, 10000);
    const reqs = emu.requests.filter((q) => q.resource === 'pods');
    expect(reqs.some((q) => q.verb === 'list' && q.query.fieldSelector === 'spec.nodeName=node-a')).toBe(true);
    expect(reqs.some((q) => q.verb === 'watch' && q.query.fieldSelector === 'spec.nodeName=node-a')).toBe(true);
    expect(reqs.every((q) => q.query.fieldSelector === 'spec.nodeName=node-a')).toBe(true);
    expect(new Set(r.targets().map((t) => t.__meta_kubernetes_pod_node_name))).toEqual(new Set(['node-a']));
    expect(new Set(r.targets().map((t) => t.__meta_kubernetes_pod_name))).toEqual(new Set(['web-1', 'db-1']));
  }, 30000);

  test('label selectors for the joined resources of the endpoints role go to their own watches', async () => {
    const r = await runDiscovery(emu, {
      role: 'endpoints',
      namespaces: { names: [NS_A] },
      selectors: [
        { role: 'service', label: 'tier=front' },
        { role: 'pod', label: 'app=web-1' },
      ],
    });
    running.push(r);
    await r.waitHealth('healthy');
    const q = (res: string) => emu.requests.find((x) => x.resource === res && x.verb === 'watch')?.query.labelSelector;
    expect(q('services')).toBe('tier=front');
    expect(q('pods')).toBe('app=web-1');
    expect(q('endpoints')).toBeUndefined();
  }, 30000);
});
