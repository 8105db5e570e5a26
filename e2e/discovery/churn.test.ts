// 1,000 pod create/delete cycles: the exported targets end equal to the
// emulator's state, and the heap returns near its baseline.
import v8 from 'node:v8';
import vm from 'node:vm';
import { startKubeEmulator, type KubeEmulator } from '../../src/sandbox/kube/index.js';
import type { Target } from '../../src/discovery/kubernetes/types.js';
import { NS_A, NS_B, loadFixture, pod } from './fixture.js';
import { canon, expectedTargets, runDiscovery, type Running } from './helpers.js';

v8.setFlagsFromString('--expose-gc');
const gc: () => void = (globalThis as { gc?: () => void }).gc ?? vm.runInNewContext('gc');

function heapMB(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed / 1e6;
}

describe('discovery.kubernetes e2e: churn', () => {
  let emu: KubeEmulator;
  let r: Running | undefined;
  beforeEach(async () => {
    emu = await startKubeEmulator({ historyLimit: 50_000 });
    loadFixture(emu);
  });
  afterEach(async () => {
    await r?.stop();
    await emu.close();
  });

  test('1,000 create/delete cycles end in the exact emulator state; heap near baseline (the emulator shares the heap)', async () => {
    const args = { role: 'pod' as const, namespaces: { names: [NS_A, NS_B] } };
    r = await runDiscovery(emu, args);
    const settle = () => {
      const want = JSON.stringify(canon(expectedTargets(emu, args, [NS_A, NS_B])));
      return r!.ctx.waitForExports((e) => JSON.stringify(canon((e.targets ?? []) as Target[])) === want, 20000);
    };
    await settle();
    const baseline = heapMB();
    const cycles = 1000;
    for (let i = 0; i < cycles; i++) {
      emu.apply(pod(i % 2 ? NS_A : NS_B, `churn-${i}`, 'node-a', `10.9.${i >> 8}.${i & 255}`));
      // keep a sliding window of 7 live churn pods
      if (i >= 7) emu.remove('v1', 'Pod', (i - 7) % 2 ? NS_A : NS_B, `churn-${i - 7}`);
      if (i % 100 === 99) await new Promise((res) => setImmediate(res)); // let the watch stream flow
    }
    await settle();
    const live = r.targets().filter((t) => t.__meta_kubernetes_pod_name.startsWith('churn-'));
    expect(new Set(live.map((t) => t.__meta_kubernetes_pod_name)).size).toBe(7);
    // only the last 7 survive: every deleted pod is gone from the exports
    expect(live.every((t) => Number(t.__meta_kubernetes_pod_name.slice(6)) >= cycles - 7)).toBe(true);
    const after = heapMB();
    // eslint-disable-next-line no-console
    console.log(`churn heap: baseline ${baseline.toFixed(1)} MB, after ${cycles} cycles ${after.toFixed(1)} MB (delta ${(after - baseline).toFixed(1)} MB)`);
    expect(after - baseline).toBeLessThan(25);
  }, 60000);
});
