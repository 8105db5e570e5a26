// attach_metadata deployment, job and cronjob against the API emulator: the
// replicasets and jobs watches the pod owner metadata needs are served, and the
// owner names reach the pod targets.
import { startKubeEmulator, type KubeEmulator } from '../../src/sandbox/kube/index.js';
import type { Target } from '../../src/relabel/targets.js';
import { runDiscovery, type Running } from './helpers.js';

const NS = 'owners';

function ownedPod(name: string, ip: string, kind: string, owner: string): any {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NS, ownerReferences: [{ apiVersion: 'v1', kind, name: owner, uid: `${owner}-uid`, controller: true }] },
    spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'c:1', ports: [{ containerPort: 8080, protocol: 'TCP' }] }] },
    status: { phase: 'Running', podIP: ip, conditions: [{ type: 'Ready', status: 'True' }] },
  };
}

describe('discovery.kubernetes e2e: pod owner metadata', () => {
  let emu: KubeEmulator;
  let r: Running | undefined;
  beforeEach(async () => {
    emu = await startKubeEmulator();
    emu.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    const owner = (kind: string, name: string) => [{ kind, name, uid: `${name}-uid`, controller: true }];
    emu.apply({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web-rs', namespace: NS, ownerReferences: owner('Deployment', 'web') } });
    emu.apply({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'nightly-1', namespace: NS, ownerReferences: owner('CronJob', 'nightly') } });
    emu.apply(ownedPod('web-rs-x', '10.9.0.1', 'ReplicaSet', 'web-rs'));
    emu.apply(ownedPod('nightly-1-y', '10.9.0.2', 'Job', 'nightly-1'));
  });
  afterEach(async () => {
    await r?.stop();
    r = undefined;
    await emu.close();
  });

  test('deployment, job and cronjob names through the watched ReplicaSets and Jobs', async () => {
    r = await runDiscovery(emu, { role: 'pod', namespaces: { names: [NS] }, attach_metadata: { deployment: true, job: true, cronjob: true } });
    await r.waitHealth('healthy');
    await r.ctx.waitForExports((e) => ((e.targets as Target[]) ?? []).length === 2, 10000);
    const byPod = new Map(r.targets().map((t) => [t.__meta_kubernetes_pod_name, t]));
    expect(byPod.get('web-rs-x')).toMatchObject({ __meta_kubernetes_pod_controller_kind: 'ReplicaSet', __meta_kubernetes_pod_deployment_name: 'web' });
    expect(byPod.get('nightly-1-y')).toMatchObject({
      __meta_kubernetes_pod_controller_kind: 'Job',
      __meta_kubernetes_pod_job_name: 'nightly-1',
      __meta_kubernetes_pod_cronjob_name: 'nightly',
    });
    const watched = new Set(emu.requests.filter((q) => q.verb === 'list').map((q) => `${q.group}/${q.resource}`));
    expect([...watched].sort()).toEqual(['/pods', 'apps/replicasets', 'batch/jobs']);
  }, 30000);
});
