// The status written to each ServiceMonitor, PodMonitor, Probe and
// PrometheusRule by two clustered collector instances (real gossip nodes,
// in-process components, each instance with its own API token so the
// emulator's request log says who wrote): an Accepted condition and the
// target count, visible with `kubectl get ... -o yaml`, written by the ring
// owner of the component id only; when the owner leaves, the other writes.
import type { Cluster } from '../../src/clustering/cluster.js';
import { CrJobsComponent } from '../../src/crd/crjobs/component.js';
import type { OperatorArgs } from '../../src/crd/operator/args.js';
import { MonitorComponent } from '../../src/crd/operator/component.js';
import { PROBE_KIND } from '../../src/crd/probe/probe.js';
import { rulesArgsSchema } from '../../src/crd/rules/args.js';
import { RulesComponent } from '../../src/crd/rules/component.js';
import type { MetricsReceiver } from '../../src/pipeline/metrics.js';
import { RulerReceiver } from '../../src/sandbox/receivers/ruler-receiver.js';
import { allSeeParticipants, startTestNode } from '../lib/cluster-nodes.js';
import { makeTestContext } from '../lib/component-context.js';
import { waitFor } from '../lib/wait.js';
import YAML from 'yaml';
import { Exporter } from './exporter.js';
import { HAVE_KUBECTL, type KubeEnv, startKubeEnv } from './helpers.js';
import { loadKubeClient } from '../../src/kube/client.js';

// Components are built here without the controller, which would load the client first.
beforeAll(() => loadKubeClient());

const suite = HAVE_KUBECTL ? describe : describe.skip;
const TOKENS = { 'token-a': 'collector-a', 'token-b': 'collector-b' };

const SM = (extra = '') => `apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  endpoints:
  - port: metrics
    interval: 1s${extra}
`;
const PM = `apiVersion: monitoring.coreos.com/v1
kind: PodMonitor
metadata: {name: web-pods, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  podMetricsEndpoints:
  - port: metrics
    interval: 1s
`;
const BAD_PM = `apiVersion: monitoring.coreos.com/v1
kind: PodMonitor
metadata: {name: bad, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  podMetricsEndpoints:
  - port: metrics
    scheme: gopher
`;
const PROBE = (port: number) => `apiVersion: monitoring.coreos.com/v1
kind: Probe
metadata: {name: site, namespace: shop}
spec:
  interval: 1s
  prober: {url: "127.0.0.1:${port}"}
  targets:
    staticConfig:
      static: [https://a.example.com, https://b.example.com, https://c.example.com]
`;
const RULE = `apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata: {name: web-rules, namespace: shop}
spec:
  groups:
  - name: web
    rules:
    - {record: "job:up:sum", expr: "sum by (job) (up)"}
`;

const nothing: MetricsReceiver = { append: () => {} };

suite('status written by one of two clustered instances', () => {
  let k: KubeEnv;
  let ruler: RulerReceiver;
  const stops: (() => Promise<void>)[] = [];
  const ex: Exporter[] = [];

  beforeAll(async () => {
    k = await startKubeEnv({ tokens: TOKENS });
    ruler = await new RulerReceiver({ prefixes: ['/prometheus/config/v1/rules'] }).start();
    k.api.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
    for (let i = 0; i < 2; i++) {
      const e = await new Exporter('x 1\n').start();
      ex.push(e);
      k.api.apply({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: `web-${i}`, namespace: 'shop', labels: { app: 'web' } },
        spec: { containers: [{ name: 'web', image: 'web:1', ports: [{ name: 'metrics', containerPort: e.port }] }] },
        status: { phase: 'Running', podIP: '127.0.0.1' },
      });
    }
    k.api.apply({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'shop', labels: { app: 'web' } }, spec: { selector: { app: 'web' }, ports: [{ name: 'metrics', port: 8080 }] } });
    k.api.apply({
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'web', namespace: 'shop' },
      subsets: ex.map((e, i) => ({ addresses: [{ ip: '127.0.0.1', targetRef: { kind: 'Pod', name: `web-${i}`, namespace: 'shop' } }], ports: [{ name: 'metrics', port: e.port, protocol: 'TCP' }] })),
    });
    const prober = await new Exporter('probe_success 1\n').start();
    ex.push(prober);
    for (const [doc, name] of [[SM(), 'sm'], [PM, 'pm'], [BAD_PM, 'bad-pm'], [PROBE(prober.port), 'probe'], [RULE, 'rule']] as const) await k.apply(doc, name);
  }, 60_000);

  afterAll(async () => {
    for (const s of stops.reverse()) await s();
    await ruler?.stop();
    await k?.close();
    for (const e of ex) await e.stop();
  });

  const yamlOf = async (what: string) => {
    const r = await k.kubectl('get', what, '-n', 'shop', '-o', 'yaml');
    if (r.code !== 0) throw new Error(r.stderr);
    return YAML.parse(r.stdout);
  };
  const accepted = (o: any) => (o.status?.conditions ?? []).find((c: any) => c.type === 'Accepted');
  const statusWriters = (resource: string, from = 0) => new Set(k.api.requests.slice(from).filter((r) => r.resource === resource && r.subresource === 'status' && r.verb === 'patch').map((r) => r.user));

  test('each resource gets Accepted and its target count; only the owner of the component id writes; a takeover moves the writer', async () => {
    const a = await startTestNode({ nodeName: 'a', listenAddr: '127.0.0.1:0' });
    const b = await startTestNode({ nodeName: 'b', listenAddr: '127.0.0.1:0', joinAddresses: [a.advertiseAddress] });
    const nodes: Record<'a' | 'b', Cluster> = { a, b };
    let bStopped = false;
    stops.push(async () => {
      await a.stop();
      if (!bStopped) await b.stop();
    });
    for (const n of [a, b]) n.setState('participant');
    await waitFor('2 participants', () => allSeeParticipants([a, b], ['a', 'b']), { timeoutMs: 5000, intervalMs: 10 });

    const ids = {
      servicemonitors: 'prometheus.operator.servicemonitors.sm',
      podmonitors: 'prometheus.operator.podmonitors.pm',
      probes: 'prometheus.operator.probes.pr',
      prometheusrules: 'mimir.rules.kubernetes.rules',
    };
    await waitFor('agreed owners', () => Object.values(ids).every((id) => a.ownerOf(id) !== undefined && a.ownerOf(id) === b.ownerOf(id)), { timeoutMs: 5000, intervalMs: 10 });
    const comps: Record<'a' | 'b', { stop(): Promise<void> }[]> = { a: [], b: [] };
    for (const self of ['a', 'b'] as const) {
      const cluster = nodes[self];
      const client = { ...k.clientArgs, bearer_token: self === 'a' ? 'token-a' : 'token-b' };
      const op: OperatorArgs = { forward_to: [nothing], kubernetes_role: 'endpoints', allow_arbitrary_file_access: false, informer_sync_timeout: 60_000, client, clustering: { enabled: true } };
      const sm = new MonitorComponent(makeTestContext({ id: ids.servicemonitors, cluster }), 'ServiceMonitor', { debounceMs: 20 });
      const pm = new MonitorComponent(makeTestContext({ id: ids.podmonitors, cluster }), 'PodMonitor', { debounceMs: 20 });
      const pr = new CrJobsComponent(makeTestContext({ id: ids.probes, cluster }), PROBE_KIND, { debounceMs: 20 });
      const rules = new RulesComponent(makeTestContext({ id: ids.prometheusrules, cluster }), 'mimir', { debounceMs: 20 });
      const defaults = Object.fromEntries(Object.entries(rulesArgsSchema('mimir').attrs ?? {}).filter(([, s]) => s.default !== undefined).map(([n, s]) => [n, s.default]));
      await sm.update(op);
      await pm.update(op);
      await pr.update(op);
      await rules.update({ ...defaults, address: ruler.url, client });
      comps[self].push(sm, pm, pr, rules);
      stops.push(async () => {
        for (const c of comps[self]) await c.stop();
      });
    }

    const sm = await waitFor('ServiceMonitor status', async () => {
      const o = await yamlOf('servicemonitor/web');
      return o.status?.observedTargets === 2 ? o : undefined;
    }, { timeoutMs: 15_000, intervalMs: 200 });
    expect(accepted(sm)).toMatchObject({ type: 'Accepted', status: 'True', reason: 'Accepted', observedGeneration: 1 });
    const pm = await waitFor('PodMonitor status', async () => ((await yamlOf('podmonitor/web-pods')).status?.observedTargets === 2 ? yamlOf('podmonitor/web-pods') : undefined), { timeoutMs: 15_000, intervalMs: 200 });
    expect(accepted(pm).status).toBe('True');
    const bad = await waitFor('bad PodMonitor status', async () => {
      const o = await yamlOf('podmonitor/bad');
      return accepted(o) ? o : undefined;
    }, { timeoutMs: 15_000, intervalMs: 200 });
    expect(accepted(bad)).toMatchObject({ status: 'False', reason: 'InvalidConfiguration' });
    expect(accepted(bad).message).toContain('spec.podMetricsEndpoints[0].scheme: must be http or https, got "gopher"');
    const probe = await waitFor('Probe status', async () => {
      const o = await yamlOf('probe/site');
      return o.status?.observedTargets === 3 ? o : undefined;
    }, { timeoutMs: 15_000, intervalMs: 200 });
    expect(accepted(probe).status).toBe('True');
    const rule = await waitFor('PrometheusRule status', async () => {
      const o = await yamlOf('prometheusrule/web-rules');
      return accepted(o) ? o : undefined;
    }, { timeoutMs: 15_000, intervalMs: 200 });
    expect(accepted(rule)).toMatchObject({ status: 'True', observedGeneration: 1 });

    // Let the standby instances see the same events; still only each id's owner wrote.
    await new Promise((r) => setTimeout(r, 1000));
    for (const [resource, id] of Object.entries(ids)) {
      expect([...statusWriters(resource)]).toEqual([`collector-${a.ownerOf(id)}`]);
    }
    // A status already in place is not written again (the watch echo of a write causes no other write).
    const writes = k.api.requests.filter((r) => r.subresource === 'status').length;
    await new Promise((r) => setTimeout(r, 1500));
    expect(k.api.requests.filter((r) => r.subresource === 'status').length).toBe(writes);

    // The ServiceMonitor's owner leaves: the other instance takes over and writes the next change.
    const owner = a.ownerOf(ids.servicemonitors) as 'a' | 'b';
    const other = owner === 'a' ? 'b' : 'a';
    for (const c of comps[owner]) await c.stop();
    if (owner === 'b') bStopped = true;
    await nodes[owner].stop();
    await waitFor('the other owns the id', () => nodes[other].ownerOf(ids.servicemonitors) === other, { timeoutMs: 15_000, intervalMs: 50 });
    const from = k.api.requests.length;
    await k.apply(SM('\n    relabelings:\n    - {targetLabel: edited, replacement: "yes"}'), 'sm');
    const edited = await waitFor('status at generation 2', async () => {
      const o = await yamlOf('servicemonitor/web');
      return accepted(o)?.observedGeneration === 2 ? o : undefined;
    }, { timeoutMs: 15_000, intervalMs: 200 });
    expect(accepted(edited).status).toBe('True');
    expect([...statusWriters('servicemonitors', from)]).toEqual([`collector-${other}`]);
  }, 90_000);
});
