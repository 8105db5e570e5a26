// sharding { enabled = true } (alloy-ts extension): replicas of one cluster each
// export only the targets they own, together exactly the unsharded targets with
// the same full labels. Each replica (its own bearer token, so its own informers
// and its own lines in the API request log, as separate processes would be) keeps
// whole only the pods it owns, the rest as index entries; a member leaving makes
// the others fetch its pods whole (one GET each, counted here) on their one watch
// per resource; a member rejoining costs the others no request.
import { startKubeEmulator, type KubeEmulator } from '../../src/sandbox/kube/index.js';
import type { Target } from '../../src/discovery/kubernetes/types.js';
import { NS_A, endpoints, loadFixture, pod } from './fixture.js';
import { runDiscovery, type Running } from './helpers.js';
import { StaticRing } from './static-ring.js';
import { loadKubeClient, makeKubeConfig } from '../../src/kube/client.js';
import { acquireInformer } from '../../src/kube/informers.js';

// Components are built here without the controller, which would load the client first.
beforeAll(() => loadKubeClient());

const PODS = 40;
const REPLICAS = ['replica-0', 'replica-1', 'replica-2'];
const targetsOf = (e: Record<string, unknown>) => (e.targets ?? []) as Target[];
const canon = (ts: Target[]) => ts.map((t) => JSON.stringify(Object.entries(t).sort(([a], [b]) => (a < b ? -1 : 1)))).sort();
const token = (user: string) => `tok-${user}`;
/** Requests of one replica (by user) of one verb, per resource. */
const byResource = (emu: KubeEmulator, user: string, verb: string) => {
  const out: Record<string, number> = {};
  for (const r of emu.requests) if (r.user === user && r.verb === verb) out[r.resource] = (out[r.resource] ?? 0) + 1;
  return out;
};
const podKeys = (ts: Target[]) => new Set(ts.map((t) => `${t.__meta_kubernetes_namespace}/${t.__meta_kubernetes_pod_name}`));
type ShardInfo = { shard: { ownedObjects: number; otherObjects: number; ownedTargets: number; pendingObjects: number; index: { indexed: number; gets: number; listPages: number; filled: number } } };
const shardInfo = (r: Running) => (r.comp.debugInfo?.() as ShardInfo).shard;

async function until(pred: () => boolean, what: string, ms = 10000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`${what}: not reached in ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('discovery.kubernetes e2e: sharding by object ownership', () => {
  let emu: KubeEmulator;
  const running: Running[] = [];
  const run = async (...a: Parameters<typeof runDiscovery>) => {
    const r = await runDiscovery(...a);
    running.push(r);
    return r;
  };

  beforeEach(async () => {
    const users = [...REPLICAS, 'replica-2-again'];
    emu = await startKubeEmulator({ token: 'admin', tokens: Object.fromEntries(users.map((u) => [token(u), u])) });
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
    const full = await run(emu, { role, bearer_token: 'admin' });
    const all = targetsOf(await full.ctx.waitForExports((e) => targetsOf(e).length > PODS, 15000));
    const rings = REPLICAS.map((self) => new StaticRing(self, REPLICAS));
    const replicas: Running[] = [];
    for (const ring of rings) replicas.push(await run(emu, { role, sharding: { enabled: true }, bearer_token: token(ring.self) }, undefined, ring));
    await waitUnion(replicas, all);
    return { all, rings, replicas };
  }

  /** Until the replicas' exports together are exactly `all` (each target once: the canonical lists compare with duplicates). */
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
    // One list and one watch per resource per replica, and nothing fetched one by one.
    for (const user of REPLICAS) {
      await until(() => Object.values(byResource(emu, user, 'watch')).length === (role === 'pod' ? 1 : 3), `${user}'s watches open`);
      const watches = byResource(emu, user, 'watch');
      for (const n of Object.values(watches)) expect(n).toBe(1);
      expect(byResource(emu, user, 'list')).toEqual(Object.fromEntries(Object.keys(watches).map((r) => [r, 1])));
      expect(byResource(emu, user, 'get')).toEqual({});
    }
    if (role === 'pod') {
      // Pods are object-keyed: each replica keeps whole only its own, the others are index entries.
      for (const r of replicas) {
        const s = shardInfo(r);
        expect(s.ownedObjects).toBeGreaterThan(0);
        expect(s.index.indexed).toBe(s.otherObjects);
        expect(s.index.indexed).toBeGreaterThan(0);
      }
    } else {
      // Endpoints objects hold every replica's targets: kept whole (see shard.ts).
      for (const r of replicas) expect(shardInfo(r).index.indexed).toBe(0);
    }
  }, 60000);

  test('a pod is owned by the same replica in the pod and the endpoints role', async () => {
    const pods = await shardedRun('pod');
    const eps = REPLICAS.map((self) => new StaticRing(self, REPLICAS));
    const epRuns: Running[] = [];
    for (const ring of eps) epRuns.push(await run(emu, { role: 'endpoints', sharding: { enabled: true }, bearer_token: token(ring.self) }, undefined, ring));
    const full = await run(emu, { role: 'endpoints', bearer_token: 'admin' });
    await waitUnion(epRuns, targetsOf(await full.ctx.waitForExports((e) => targetsOf(e).length > PODS, 15000)));
    for (let i = 0; i < REPLICAS.length; i++) {
      const podNames = new Set(pods.replicas[i].targets().map((t) => t.__meta_kubernetes_pod_name));
      const joined = epRuns[i].targets().filter((t) => t.__meta_kubernetes_endpoints_name === 'shard-svc');
      for (const t of joined) expect(podNames.has(t.__meta_kubernetes_pod_name)).toBe(true);
    }
  }, 60000);

  test('a member leaving and rejoining: targets split exactly once at each step, takeover fetches each pod once by GET on the one watch', async () => {
    const { all, rings, replicas } = await shardedRun('pod');
    const [r0, r1, r2] = replicas;
    const survivors = ['replica-0', 'replica-1'];
    for (const u of REPLICAS) await until(() => byResource(emu, u, 'watch').pods === 1, `${u}'s watch open`);
    const leavingPods = podKeys(r2.targets());
    expect(leavingPods.size).toBeGreaterThan(0);
    expect(r0.targets().length + r1.targets().length + r2.targets().length).toBe(all.length);

    // replica-2 leaves (its process stops), the ring of the other two follows.
    await r2.stop();
    running.splice(running.indexOf(r2), 1);
    for (const ring of rings.slice(0, 2)) ring.setMembers(survivors);
    await waitUnion([r0, r1], all);
    expect(r0.targets().length + r1.targets().length).toBe(all.length);
    // What each survivor took over it fetched whole, one GET per pod (a few of ~45 pods
    // in the namespace: GETs, not a list), and exactly the leaver's pods between them.
    const gets = survivors.map((u) => byResource(emu, u, 'get').pods ?? 0);
    expect(gets[0]).toBeGreaterThan(0);
    expect(gets[1]).toBeGreaterThan(0);
    expect(gets[0] + gets[1]).toBe(leavingPods.size);
    const fetched = emu.requests.filter((r) => survivors.includes(r.user) && r.verb === 'get').map((r) => `${r.namespace}/${r.name}`);
    expect(new Set(fetched)).toEqual(leavingPods);
    for (const [i, r] of [r0, r1].entries()) {
      const s = shardInfo(r);
      expect(s.index).toMatchObject({ gets: gets[i], filled: gets[i], listPages: 0 });
      expect(s.pendingObjects).toBe(0);
      expect(s.index.indexed).toBe(s.otherObjects);
    }
    // Still one list and one watch of pods per survivor: the takeover opened no watch.
    for (const u of survivors) {
      expect(byResource(emu, u, 'list')).toEqual({ pods: 1 });
      expect(byResource(emu, u, 'watch')).toEqual({ pods: 1 });
    }

    // replica-2 rejoins (a new process: its own list and watch); the others shrink its share back, sending nothing.
    const ring2 = new StaticRing('replica-2', REPLICAS);
    const back = await run(emu, { role: 'pod', sharding: { enabled: true }, bearer_token: token('replica-2-again') }, undefined, ring2);
    await back.ctx.waitForExports((e) => targetsOf(e).length > 0, 15000);
    for (const ring of rings.slice(0, 2)) ring.setMembers(REPLICAS);
    await waitUnion([r0, r1, back], all);
    expect(r0.targets().length + r1.targets().length + back.targets().length).toBe(all.length);
    expect(podKeys(back.targets())).toEqual(leavingPods);
    for (const [i, u] of survivors.entries()) {
      expect(byResource(emu, u, 'get').pods ?? 0).toBe(gets[i]);
      expect(byResource(emu, u, 'list')).toEqual({ pods: 1 });
      expect(byResource(emu, u, 'watch')).toEqual({ pods: 1 });
    }
    await until(() => byResource(emu, 'replica-2-again', 'watch').pods === 1, 'the rejoiner watches');
    expect(byResource(emu, 'replica-2-again', 'list')).toEqual({ pods: 1 });
    expect(byResource(emu, 'replica-2-again', 'get')).toEqual({});
    for (const r of [r0, r1, back]) expect(shardInfo(r).index.indexed).toBe(shardInfo(r).otherObjects);
  }, 60000);

  test('a component needing whole pods on the same informer (as k8sattributes) gets them whole; when it leaves, the index entries come back', async () => {
    const { replicas } = await shardedRun('pod');
    const r0 = replicas[0];
    const exported = canon(r0.targets());
    const s0 = shardInfo(r0);
    expect(s0.index.indexed).toBeGreaterThan(0);
    const other = acquireInformer({ kubeConfig: makeKubeConfig({ api_server: emu.url, bearer_token: token('replica-0') }), group: '', version: 'v1', resource: 'pods' });
    try {
      await other.whenSynced();
      const objs = other.objects() as { spec?: { containers?: unknown[] } }[];
      expect(objs).toHaveLength(s0.ownedObjects + s0.otherObjects);
      expect(objs.every((o) => Array.isArray(o.spec?.containers))).toBe(true);
      expect(shardInfo(r0).index.indexed).toBe(0);
      // Still the one watch (re-opened after the one re-list that made the cache whole).
      await until(() => byResource(emu, 'replica-0', 'watch').pods === 2, 'watch resumed');
      expect(byResource(emu, 'replica-0', 'list')).toEqual({ pods: 2 });
    } finally {
      await other.release();
    }
    await until(() => shardInfo(r0).index.indexed === s0.otherObjects, 'index entries back');
    expect(canon(r0.targets())).toEqual(exported);
  }, 60000);

  test('clustered but sharding off: every target, as Alloy', async () => {
    const full = await run(emu, { role: 'pod', bearer_token: 'admin' });
    const all = targetsOf(await full.ctx.waitForExports((e) => targetsOf(e).length > PODS, 15000));
    const clustered = await run(emu, { role: 'pod', bearer_token: token('replica-0') }, undefined, new StaticRing('replica-0', REPLICAS));
    const got = targetsOf(await clustered.ctx.waitForExports((e) => targetsOf(e).length === all.length, 15000));
    expect(canon(got)).toEqual(canon(all));
  }, 30000);
});

function i2node(name: string): string {
  return Number(name.split('-')[1]) % 2 === 0 ? 'node-a' : 'node-b';
}
