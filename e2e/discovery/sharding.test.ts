// sharding { enabled = true } (alloy-ts extension): replicas of one cluster each
// export only the targets they own, together exactly the unsharded targets with
// the same full labels; a member leaving moves its targets to the others from the
// informer caches, without any new API request.
import { startKubeEmulator, type KubeEmulator } from '../../src/sandbox/kube/index.js';
import type { Target } from '../../src/discovery/kubernetes/types.js';
import { NS_A, endpoints, loadFixture, pod } from './fixture.js';
import { runDiscovery, type Running } from './helpers.js';
import { StaticRing } from './static-ring.js';
import { loadKubeClient } from '../../src/kube/client.js';

// Components are built here without the controller, which would load the client first.
beforeAll(() => loadKubeClient());

const PODS = 40;
const REPLICAS = ['replica-0', 'replica-1', 'replica-2'];
const targetsOf = (e: Record<string, unknown>) => (e.targets ?? []) as Target[];
const canon = (ts: Target[]) => ts.map((t) => JSON.stringify(Object.entries(t).sort(([a], [b]) => (a < b ? -1 : 1)))).sort();
const apiRequests = (emu: KubeEmulator) => emu.requests.filter((r) => r.verb === 'list' || r.verb === 'watch').length;

describe('discovery.kubernetes e2e: sharding by object ownership', () => {
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
    const many = Array.from({ length: PODS }, (_, i) => ({ ip: `10.9.0.${i + 1}`, pod: `shard-${i}` }));
    for (const p of many) emu.apply(pod(NS_A, p.pod, i2node(p.pod), p.ip));
    emu.apply(endpoints(NS_A, 'shard-svc', many));
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((r) => r.stop()));
    await emu.close();
  });

  /** The unsharded targets, then one sharded discovery per replica, each waited for until its exports settle on `expected`'s share. */
  async function shardedRun(role: 'pod' | 'endpoints'): Promise<{ all: Target[]; rings: StaticRing[]; replicas: Running[] }> {
    const full = await run(emu, { role });
    const all = targetsOf(await full.ctx.waitForExports((e) => targetsOf(e).length > PODS, 15000));
    const rings = REPLICAS.map((self) => new StaticRing(self, REPLICAS));
    const replicas: Running[] = [];
    for (const ring of rings) replicas.push(await run(emu, { role, sharding: { enabled: true } }, undefined, ring));
    await waitUnion(replicas, all);
    return { all, rings, replicas };
  }

  async function waitUnion(replicas: Running[], all: Target[]): Promise<void> {
    const want = canon(all);
    for (let i = 0; i < 150; i++) {
      const union = canon(replicas.flatMap((r) => r.targets()));
      if (JSON.stringify(union) === JSON.stringify(want)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    const union = canon(replicas.flatMap((r) => r.targets()));
    expect(union).toEqual(want);
  }

  test.each(['pod', 'endpoints'] as const)('role %s: replicas split the targets, full labels, none twice', async (role) => {
    const { all, replicas } = await shardedRun(role);
    const shares = replicas.map((r) => r.targets().length);
    // Every replica owns a real share of 40+ objects, and no target is exported twice.
    for (const n of shares) expect(n).toBeGreaterThan(0);
    expect(shares.reduce((a, b) => a + b, 0)).toBe(all.length);
    for (const r of replicas) expect(r.targets().length).toBeLessThan(all.length);
    // Debug info shows what each replica left to the others.
    const info = replicas[0].comp.debugInfo?.() as { shard: { ownedTargets: number } };
    expect(info.shard.ownedTargets).toBe(replicas[0].targets().length);
  }, 60000);

  test('a pod is owned by the same replica in the pod and the endpoints role', async () => {
    const pods = await shardedRun('pod');
    const eps = REPLICAS.map((self) => new StaticRing(self, REPLICAS));
    const epRuns: Running[] = [];
    for (const ring of eps) epRuns.push(await run(emu, { role: 'endpoints', sharding: { enabled: true } }, undefined, ring));
    const full = await run(emu, { role: 'endpoints' });
    await waitUnion(epRuns, targetsOf(await full.ctx.waitForExports((e) => targetsOf(e).length > PODS, 15000)));
    for (let i = 0; i < REPLICAS.length; i++) {
      const podNames = new Set(pods.replicas[i].targets().map((t) => t.__meta_kubernetes_pod_name));
      const joined = epRuns[i].targets().filter((t) => t.__meta_kubernetes_endpoints_name === 'shard-svc');
      for (const t of joined) expect(podNames.has(t.__meta_kubernetes_pod_name)).toBe(true);
    }
  }, 60000);

  test('a member leaving: the others take its targets from their caches, no new list or watch', async () => {
    const { all, rings, replicas } = await shardedRun('pod');
    const before = apiRequests(emu);
    const leaving = replicas[2].targets().length;
    expect(leaving).toBeGreaterThan(0);
    for (const ring of rings.slice(0, 2)) ring.setMembers(REPLICAS.slice(0, 2));
    await waitUnion(replicas.slice(0, 2), all);
    expect(apiRequests(emu)).toBe(before);
    // And back: the joiner's share leaves the other two again.
    for (const ring of rings.slice(0, 2)) ring.setMembers(REPLICAS);
    await waitUnion(replicas, all);
    expect(replicas[0].targets().length + replicas[1].targets().length).toBe(all.length - replicas[2].targets().length);
    expect(apiRequests(emu)).toBe(before);
  }, 60000);

  test('clustered but sharding off: every target, as Alloy', async () => {
    const full = await run(emu, { role: 'pod' });
    const all = targetsOf(await full.ctx.waitForExports((e) => targetsOf(e).length > PODS, 15000));
    const clustered = await run(emu, { role: 'pod' }, undefined, new StaticRing('replica-0', REPLICAS));
    const got = targetsOf(await clustered.ctx.waitForExports((e) => targetsOf(e).length === all.length, 15000));
    expect(canon(got)).toEqual(canon(all));
  }, 30000);
});

function i2node(name: string): string {
  return Number(name.split('-')[1]) % 2 === 0 ? 'node-a' : 'node-b';
}
