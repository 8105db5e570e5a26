// Faults: watch drop, 410 (HTTP status and ERROR event), API down for a few
// seconds, 403 then fixed. The component recovers to the exact state and its
// health goes unhealthy with the reason and back.
import { startKubeEmulator, type KubeEmulator } from '../../src/sandbox/kube/index.js';
import type { Target } from '../../src/discovery/kubernetes/types.js';
import { NS_A, loadFixture, pod } from './fixture.js';
import { canon, expectedTargets, runDiscovery, type Running } from './helpers.js';

const args = { role: 'pod' as const, namespaces: { names: [NS_A] } };

describe('discovery.kubernetes e2e: faults', () => {
  let emu: KubeEmulator;
  let r: Running | undefined;
  const settle = () => {
    const want = JSON.stringify(canon(expectedTargets(emu, args, [NS_A])));
    return r!.ctx.waitForExports((e) => JSON.stringify(canon((e.targets ?? []) as Target[])) === want, 20000);
  };
  const lists = () => emu.requests.filter((q) => q.resource === 'pods' && q.verb === 'list' && q.status === 200).length;

  beforeEach(async () => {
    emu = await startKubeEmulator();
    loadFixture(emu);
    r = await runDiscovery(emu, args);
    await settle();
    await r.waitHealth('healthy');
  });
  afterEach(async () => {
    await r?.stop();
    await emu.close();
  });

  test('watch drop: resumes without a re-list and catches up', async () => {
    emu.faults.dropWatches();
    emu.apply(pod(NS_A, 'after-drop', 'node-a', '10.0.0.50'));
    emu.remove('v1', 'Pod', NS_A, 'web-2');
    await settle();
    expect(lists()).toBe(1);
    expect(r!.ctx.health.state).toBe('healthy');
  }, 30000);

  test('410 as HTTP status on the watch: re-lists, pods removed meanwhile are deleted', async () => {
    emu.faults.failNext(1, 410, { resource: 'pods', verb: 'watch' });
    emu.faults.dropWatches();
    emu.remove('v1', 'Pod', NS_A, 'web-1');
    emu.apply(pod(NS_A, 'web-9', 'node-b', '10.0.0.59'));
    await settle();
    expect(lists()).toBe(2);
    expect(emu.requests.some((q) => q.resource === 'pods' && q.verb === 'watch' && q.status === 410)).toBe(true);
    expect(r!.targets().some((t) => t.__meta_kubernetes_pod_name === 'web-1')).toBe(false);
  }, 30000);

  test('expired history on resume (ERROR 410 event in the stream): re-lists to the exact state', async () => {
    emu.faults.expireHistory();
    emu.faults.dropWatches();
    // Changes while disconnected; the resume is refused, so only a re-list can see them.
    emu.remove('v1', 'Pod', NS_A, 'web-1');
    emu.apply(pod(NS_A, 'web-9', 'node-b', '10.0.0.59'));
    emu.faults.expireHistory();
    await settle();
    expect(lists()).toBe(2);
    expect(r!.targets().some((t) => t.__meta_kubernetes_pod_name === 'web-1')).toBe(false);
  }, 30000);

  test('410 as an in-stream ERROR event: re-lists to the exact state', async () => {
    emu.faults.sendErrorEventOnWatches(410);
    emu.remove('v1', 'Pod', NS_A, 'web-2');
    await settle();
    expect(lists()).toBe(2);
    expect(r!.ctx.health.state).toBe('healthy');
  }, 30000);

  test('API down for 3 s: unhealthy with the reason, then back to the exact state', async () => {
    const t0 = Date.now();
    emu.faults.setDown(true);
    emu.faults.dropWatches();
    await r!.waitHealth('unhealthy', /cannot (watch|list) pods in the namespace "disco-a"/);
    const before = r!.targets();
    expect(before.length).toBeGreaterThan(0); // last good state is kept
    emu.apply(pod(NS_A, 'while-down', 'node-a', '10.0.0.77'));
    emu.remove('v1', 'Pod', NS_A, 'web-1');
    await new Promise((res) => setTimeout(res, Math.max(0, 3000 - (Date.now() - t0)))); // the outage itself
    emu.faults.setDown(false);
    await settle();
    await r!.waitHealth('healthy');
    expect(r!.targets().some((t) => t.__meta_kubernetes_pod_name === 'while-down')).toBe(true);
  }, 40000);

  test('403 then fixed: unhealthy naming resource and verb, recovers by itself', async () => {
    await r!.stop();
    emu.faults.failNext(3, 403, { resource: 'pods' });
    r = await runDiscovery(emu, { role: 'pod', namespaces: { names: ['disco-b'] } });
    await r.waitHealth('unhealthy', /cannot list pods in the namespace "disco-b": forbidden \(RBAC: grant list\+watch on pods\)/);
    await r.waitHealth('healthy', undefined, 20000);
    const want = JSON.stringify(canon(expectedTargets(emu, args, ['disco-b'])));
    await r.ctx.waitForExports((e) => JSON.stringify(canon((e.targets ?? []) as Target[])) === want, 20000);
  }, 40000);
});
