// The emulator's sample cluster through every role (with node and namespace
// metadata attached): exports equal the pure role functions on the same state.
import { loadSampleCluster, startKubeEmulator, type KubeEmulator } from '../../src/sandbox/kube/index.js';
import type { Target } from '../../src/discovery/kubernetes/types.js';
import { canon, expectedTargets, runDiscovery, type Running } from './helpers.js';

describe('discovery.kubernetes e2e: sample cluster', () => {
  let emu: KubeEmulator;
  const running: Running[] = [];
  beforeAll(async () => {
    emu = await startKubeEmulator();
    loadSampleCluster(emu);
  });
  afterAll(async () => {
    await Promise.all(running.splice(0).map((r) => r.stop()));
    await emu.close();
  });

  test.each(['pod', 'service', 'endpoints', 'endpointslice', 'node', 'ingress'] as const)('role %s', async (role) => {
    const args = { role, attach_metadata: { node: true, namespace: true } };
    const r = await runDiscovery(emu, args);
    running.push(r);
    const want = expectedTargets(emu, args);
    expect(want.length).toBeGreaterThan(0);
    await r.ctx.waitForExports((e) => JSON.stringify(canon((e.targets ?? []) as Target[])) === JSON.stringify(canon(want)), 10000);
    // Same labels as without metadata, plus node/namespace labels only.
    const plain = expectedTargets(emu, { role });
    expect(r.targets()).toHaveLength(plain.length);
  }, 20000);
});
