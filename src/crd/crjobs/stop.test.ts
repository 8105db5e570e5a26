// Stopping as the controller does (abort the node's signal, then await
// stop()) leaves no list+watch loop of the operator components running: the
// second stop() call waits for the shutdown the abort started instead of
// returning while the watches are still open.
import { CRDS } from '../../../manifests/crds/generate.js';
import { makeTestContext } from '../../../e2e/lib/component-context.js';
import { loadKubeClient } from '../../kube/client.js';
import { activeInformers } from '../../kube/informers.js';
import { startKubeEmulator, type KubeEmulator } from '../../sandbox/kube/index.js';
import type { OperatorArgs } from '../operator/args.js';
import { MonitorComponent } from '../operator/component.js';
import { PROBE_KIND } from '../probe/probe.js';
import { SCRAPECONFIG_KIND } from '../scrapeconfig/scrapeconfig.js';
import { CrJobsComponent } from './component.js';

let api: KubeEmulator;

beforeAll(async () => {
  await loadKubeClient();
  api = await startKubeEmulator();
  for (const f of ['monitoring.coreos.com_probes.yaml', 'monitoring.coreos.com_scrapeconfigs.yaml', 'monitoring.coreos.com_podmonitors.yaml']) api.apply(CRDS[f]);
  api.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
  api.apply({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'shop', labels: { app: 'a' } }, spec: { containers: [{ name: 'c' }] }, status: { phase: 'Running', podIP: '127.0.0.1' } });
  // Discovery of every pod (ScrapeConfig), of ingresses (Probe), of the PodMonitor's pods.
  api.apply({ apiVersion: 'monitoring.coreos.com/v1alpha1', kind: 'ScrapeConfig', metadata: { name: 'pods', namespace: 'shop' }, spec: { kubernetesSDConfigs: [{ role: 'Pod' }] } });
  api.apply({ apiVersion: 'monitoring.coreos.com/v1', kind: 'Probe', metadata: { name: 'ing', namespace: 'shop' }, spec: { prober: { url: '127.0.0.1:9' }, targets: { ingress: { selector: {} } } } });
  api.apply({ apiVersion: 'monitoring.coreos.com/v1', kind: 'PodMonitor', metadata: { name: 'pm', namespace: 'shop' }, spec: { selector: {}, podMetricsEndpoints: [{ port: 'metrics' }] } });
});

afterAll(async () => {
  await api?.close();
});

const ARGS = (url: string): OperatorArgs => ({ forward_to: [], kubernetes_role: 'endpoints', allow_arbitrary_file_access: false, informer_sync_timeout: 60_000, client: { api_server: url } });

async function waitForInformers(pred: (list: string[]) => boolean): Promise<string[]> {
  for (let i = 0; i < 200; i++) {
    const list = activeInformers();
    if (pred(list)) return list;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`informers never matched: ${activeInformers().join(', ')}`);
}

test.each([
  ['prometheus.operator.scrapeconfigs', 'core/v1/pods ns=*', (ctx: ReturnType<typeof makeTestContext>) => new CrJobsComponent(ctx, SCRAPECONFIG_KIND, { debounceMs: 10 })],
  ['prometheus.operator.probes', 'networking.k8s.io/v1/ingresses ns=shop', (ctx: ReturnType<typeof makeTestContext>) => new CrJobsComponent(ctx, PROBE_KIND, { debounceMs: 10 })],
  ['prometheus.operator.podmonitors', 'core/v1/pods ns=shop', (ctx: ReturnType<typeof makeTestContext>) => new MonitorComponent(ctx, 'PodMonitor', { debounceMs: 10 })],
] as const)('%s: abort, then stop() returns only once every watch it opened is closed', async (name, discovery, build) => {
  expect(activeInformers()).toEqual([]);
  const ctx = makeTestContext({ id: `${name}.t` });
  const c = build(ctx);
  await c.update(ARGS(api.url));
  // Its CR watch and the discovery the CR asks for are running.
  await waitForInformers((l) => l.includes(discovery));
  ctx.abort(); // the controller aborts the node's signal first (the component starts stopping) ...
  await c.stop(); // ... then awaits stop(): it must not return before the shutdown is done.
  expect(activeInformers()).toEqual([]);
});
