// mimir.rules.kubernetes and loki.rules.kubernetes against our stateful ruler
// receivers, PrometheusRules applied/edited/deleted with the real kubectl:
// create/update/delete calls, managed namespace names, tenant header,
// external labels, unmanaged namespaces left alone, a ruler that is down
// (3 s here instead of the 30 s), a bad CR, and 3 clustered replicas
// of which exactly one writes.
import type { Cluster } from '../../src/clustering/cluster.js';
import { allSeeParticipants, startTestNode } from '../lib/cluster-nodes.js';
import { rulesArgsSchema } from '../../src/crd/rules/args.js';
import { RulesComponent } from '../../src/crd/rules/component.js';
import { makeTestContext, type TestContext } from '../lib/component-context.js';
import { RulerReceiver } from '../../src/sandbox/receivers/ruler-receiver.js';
import { HAVE_KUBECTL, type KubeEnv, startKubeEnv } from './helpers.js';
import { waitFor } from '../lib/wait.js';
import { loadKubeClient } from '../../src/kube/client.js';

const suite = HAVE_KUBECTL ? describe : describe.skip;

/** Decoded arguments as the runtime would hand them (defaults filled in). */
function args(flavor: 'mimir' | 'loki', extra: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, s] of Object.entries(rulesArgsSchema(flavor).attrs ?? {})) if (s.default !== undefined) out[k] = s.default;
  return { ...out, ...extra };
}

const RULE = (name: string, ns: string, ruler: string, groups: string) => `apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: ${name}
  namespace: ${ns}
  labels: {ruler: ${ruler}}
spec:
  groups:
${groups}`;

const MIMIR_GROUPS_V1 = `  - name: api.rules
    interval: 30s
    rules:
    - record: job:http_requests:rate5m
      expr: sum by (job) (rate(http_requests_total[5m]))
    - alert: HighErrorRate
      expr: job:http_errors:ratio5m > 0.05
      for: 10m
      labels: {severity: page}
      annotations: {summary: "High error rate on {{ $labels.job }}"}
  - name: capacity.rules
    rules:
    - record: node:cpu:sum
      expr: sum(rate(node_cpu_seconds_total[5m]))
`;
const MIMIR_GROUPS_V2 = `  - name: api.rules
    interval: 30s
    rules:
    - record: job:http_requests:rate5m
      expr: sum by (job) (rate(http_requests_total[1m]))
`;
const LOKI_GROUPS = `  - name: logs.rules
    rules:
    - alert: ManyErrors
      expr: sum(rate({app="shop"} |= "error" [5m])) > 10
      for: 5m
`;

suite('rules sync e2e', () => {
  beforeAll(() => loadKubeClient()); // the components' makeKubeConfig needs the client module, loaded lazily
  let k: KubeEnv;
  let mimir: RulerReceiver;
  let loki: RulerReceiver;
  const stops: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    k = await startKubeEnv();
    await k.apply('apiVersion: v1\nkind: Namespace\nmetadata: {name: monitoring}\n', 'ns');
    mimir = await new RulerReceiver({ prefixes: ['/prometheus/config/v1/rules'], requireTenant: true, token: 'ruler-token' }).start();
    loki = await new RulerReceiver({ prefixes: ['/loki/api/v1/rules'] }).start();
    // Namespaces we do not manage: another tool's, and one with our prefix but no CR uid.
    mimir.put('team-a', 'hand-written', { name: 'keep-me', rules: [{ record: 'x', expr: '1' }] });
    mimir.put('team-a', 'alloy/not-a-uid', { name: 'keep-me-too', rules: [{ record: 'y', expr: '1' }] });
  });
  afterAll(async () => {
    for (const s of stops.reverse()) await s();
    await mimir?.stop();
    await loki?.stop();
    await k?.close();
  });

  function start(flavor: 'mimir' | 'loki', extra: Record<string, unknown>, ctxOpts: Parameters<typeof makeTestContext>[0] = {}): { c: RulesComponent; ctx: TestContext } {
    const ctx = makeTestContext({ id: `${flavor}.rules.kubernetes.test`, ...ctxOpts });
    const c = new RulesComponent(ctx, flavor, { debounceMs: 50, minBackoffMs: 200, maxBackoffMs: 1000 });
    stops.push(() => c.stop());
    void c.update(args(flavor, { client: k.clientArgs, ...extra }));
    return { c, ctx };
  }

  test('apply, edit and delete PrometheusRules: matching create/update/delete calls; unmanaged namespaces untouched', async () => {
    const { ctx: mctx } = start('mimir', {
      address: mimir.url,
      tenant_id: 'team-a',
      bearer_token: 'ruler-token',
      external_labels: { cluster: 'prod-eu', severity: 'override' },
      rule_selector: { match_labels: { ruler: 'mimir' } },
    });
    start('loki', { address: loki.url, rule_selector: { match_labels: { ruler: 'loki' } } });

    await k.apply(RULE('api', 'monitoring', 'mimir', MIMIR_GROUPS_V1), 'mimir-rule');
    await k.apply(RULE('shop-logs', 'monitoring', 'loki', LOKI_GROUPS), 'loki-rule');
    const uid = k.api.get('monitoring.coreos.com/v1', 'PrometheusRule', 'monitoring', 'api').metadata.uid;
    const lokiUid = k.api.get('monitoring.coreos.com/v1', 'PrometheusRule', 'monitoring', 'shop-logs').metadata.uid;
    const mns = `alloy/monitoring/api/${uid}`;
    const lns = `alloy-monitoring-shop-logs-${lokiUid}`;

    await mimir.waitFor(() => mimir.snapshot('team-a')[mns]?.length === 2, 10_000, 'mimir groups created');
    await loki.waitFor(() => loki.snapshot()[lns]?.length === 1, 10_000, 'loki group created');
    expect(mimir.snapshot('team-a')).toEqual({ 'alloy/not-a-uid': ['keep-me-too'], [mns]: ['api.rules', 'capacity.rules'], 'hand-written': ['keep-me'] });
    expect(loki.snapshot()).toEqual({ [lns]: ['logs.rules'] });
    // Every Mimir request carried the tenant and the token.
    expect(mimir.calls.every((c) => c.tenant === 'team-a' && c.authorization === 'Bearer ruler-token')).toBe(true);
    // External labels are merged into every rule and win over the rule's own.
    expect(mimir.group('team-a', mns, 'api.rules')).toEqual({
      name: 'api.rules',
      interval: '30s',
      rules: [
        { record: 'job:http_requests:rate5m', expr: 'sum by (job) (rate(http_requests_total[5m]))', labels: { cluster: 'prod-eu', severity: 'override' } },
        {
          alert: 'HighErrorRate',
          expr: 'job:http_errors:ratio5m > 0.05',
          for: '10m',
          labels: { cluster: 'prod-eu', severity: 'override' },
          annotations: { summary: 'High error rate on {{ $labels.job }}' },
        },
      ],
    });
    expect(loki.group('anonymous', lns, 'logs.rules').rules[0]).toEqual({ alert: 'ManyErrors', expr: 'sum(rate({app="shop"} |= "error" [5m])) > 10', for: '5m' });
    const createCalls = mimir.writes('team-a').map((c) => `${c.action} ${c.namespace} ${c.group}`);
    expect(createCalls.sort()).toEqual([`set-group ${mns} api.rules`, `set-group ${mns} capacity.rules`]);

    // Edit: one group changes, the other goes.
    const before = mimir.writes().length;
    await k.apply(RULE('api', 'monitoring', 'mimir', MIMIR_GROUPS_V2), 'mimir-rule');
    await mimir.waitFor(() => mimir.snapshot('team-a')[mns]?.join() === 'api.rules' && mimir.group('team-a', mns, 'api.rules').rules.length === 1, 10_000, 'edit applied');
    expect(mimir.writes().slice(before).map((c) => `${c.action} ${c.group}`).sort()).toEqual(['delete-group capacity.rules', 'set-group api.rules']);
    expect(mimir.group('team-a', mns, 'api.rules').rules[0].expr).toBe('sum by (job) (rate(http_requests_total[1m]))');

    // Delete: its groups go; the unmanaged namespaces stay and were never written to.
    await k.remove(RULE('api', 'monitoring', 'mimir', MIMIR_GROUPS_V2), 'mimir-rule');
    await mimir.waitFor(() => mimir.snapshot('team-a')[mns] === undefined, 10_000, 'groups deleted');
    expect(mimir.snapshot('team-a')).toEqual({ 'alloy/not-a-uid': ['keep-me-too'], 'hand-written': ['keep-me'] });
    expect(mimir.writes().filter((c) => !c.namespace?.startsWith('alloy/monitoring/'))).toEqual([]);
    await waitFor('mimir healthy', () => mctx.health.state === 'healthy', { timeoutMs: 10_000, intervalMs: 50 });
  });

  test('a bad PrometheusRule is reported by name and skipped; the others sync', async () => {
    const { ctx } = start('mimir', { address: mimir.url, tenant_id: 'team-b', bearer_token: 'ruler-token', rule_selector: { match_labels: { ruler: 'mimir-b' } } });
    await k.apply(RULE('good', 'monitoring', 'mimir-b', MIMIR_GROUPS_V2), 'good');
    await k.apply(
      RULE('broken', 'monitoring', 'mimir-b', `  - name: broken
    rules:
    - record: both
      alert: AndAlert
      expr: up
`),
      'broken',
    );
    await waitFor('health names the bad CR', () => /PrometheusRule\/monitoring\/broken: spec\.groups\[0\]\.rules\[0\]: exactly one of record and alert/.test(ctx.health.message), { timeoutMs: 10_000, intervalMs: 50 });
    const uid = k.api.get('monitoring.coreos.com/v1', 'PrometheusRule', 'monitoring', 'good').metadata.uid;
    await mimir.waitFor(() => mimir.snapshot('team-b')[`alloy/monitoring/good/${uid}`]?.join() === 'api.rules', 10_000, 'good CR synced');
    expect(Object.keys(mimir.snapshot('team-b'))).toEqual([`alloy/monitoring/good/${uid}`]);
    expect(ctx.health.state).toBe('unhealthy');
  });

  test('ruler down at start and again later: retries with backoff and converges', async () => {
    const ruler = await new RulerReceiver({ prefixes: ['/prometheus/config/v1/rules'] }).start();
    stops.push(() => ruler.stop());
    await ruler.down();
    const { ctx } = start('mimir', { address: ruler.url, tenant_id: 'team-c', rule_selector: { match_labels: { ruler: 'mimir-c' } } });
    await k.apply(RULE('outage', 'monitoring', 'mimir-c', MIMIR_GROUPS_V1), 'outage');
    await waitFor('unhealthy while the ruler is down', () => ctx.health.state === 'unhealthy' && /ECONNREFUSED/.test(ctx.health.message), { timeoutMs: 10_000, intervalMs: 50 });
    const downFor = 3000;
    await new Promise((r) => setTimeout(r, downFor));
    await ruler.up();
    const uid = k.api.get('monitoring.coreos.com/v1', 'PrometheusRule', 'monitoring', 'outage').metadata.uid;
    const ns = `alloy/monitoring/outage/${uid}`;
    await ruler.waitFor(() => ruler.snapshot('team-c')[ns]?.length === 2, 5000, 'converged after the ruler came back');
    await waitFor('healthy again', () => ctx.health.state === 'healthy', { timeoutMs: 10_000, intervalMs: 50 });

    // Down again while the CR changes: the change lands once it is back.
    await ruler.down();
    await k.apply(RULE('outage', 'monitoring', 'mimir-c', MIMIR_GROUPS_V2), 'outage');
    await waitFor('unhealthy again', () => ctx.health.state === 'unhealthy', { timeoutMs: 10_000, intervalMs: 50 });
    await ruler.up();
    await ruler.waitFor(() => ruler.snapshot('team-c')[ns]?.join() === 'api.rules', 5000, 'edit landed after the outage');
  });

  test('3 clustered replicas: exactly one writes; another takes over when it leaves', async () => {
    const ruler = await new RulerReceiver({ prefixes: ['/prometheus/config/v1/rules'] }).start();
    stops.push(() => ruler.stop());
    const a = await startTestNode({ nodeName: 'a', listenAddr: '127.0.0.1:0' });
    const b = await startTestNode({ nodeName: 'b', listenAddr: '127.0.0.1:0', joinAddresses: [a.advertiseAddress] });
    const c = await startTestNode({ nodeName: 'c', listenAddr: '127.0.0.1:0', joinAddresses: [a.advertiseAddress] });
    const nodes: Cluster[] = [a, b, c];
    stops.push(async () => {
      for (const n of nodes) await n.stop();
    });
    for (const n of nodes) n.setState('participant');
    await waitFor('3 participants', () => allSeeParticipants(nodes, ['a', 'b', 'c']), { timeoutMs: 5000, intervalMs: 10 });
    const id = 'mimir.rules.kubernetes.clustered';
    await waitFor('one agreed owner', () => new Set(nodes.map((n) => n.ownerOf(id))).size === 1 && nodes[0].ownerOf(id) !== undefined, { timeoutMs: 5000, intervalMs: 10 });
    const comps = nodes.map((n) => start('mimir', { address: ruler.url, tenant_id: 'team-d', rule_selector: { match_labels: { ruler: 'mimir-d' } } }, { id, cluster: n }));
    await k.apply(RULE('clustered', 'monitoring', 'mimir-d', MIMIR_GROUPS_V1), 'clustered');
    await ruler.waitFor(() => Object.keys(ruler.snapshot('team-d')).length === 1, 10_000, 'clustered CR synced');
    // Let the standbys see the same events; still only the owner may have written.
    await Promise.all(comps.map((x) => x.c.settle()));
    const owner = a.ownerOf(id)!;
    // Which replica sent requests: only the owner has operations on record.
    const opsPer = comps.map((x) => (x.c.debugInfo() as { recent_operations: unknown[] }).recent_operations.length);
    expect(opsPer.filter((n) => n > 0)).toHaveLength(1);
    expect(opsPer[nodes.findIndex((n) => n.self === owner)]).toBe(2);
    const roles = comps.map((x) => (x.c.debugInfo() as { role: string }).role);
    expect(roles.filter((r) => r === 'writer')).toHaveLength(1);
    expect(roles[nodes.findIndex((n) => n.self === owner)]).toBe('writer');
    const callsBefore = ruler.calls.length;
    expect(ruler.writes('team-d')).toHaveLength(2);

    // The owner leaves: a survivor becomes the writer and applies the next change.
    const leaving = nodes.find((n) => n.self === owner)!;
    await leaving.leave();
    const survivors = nodes.filter((n) => n !== leaving);
    await waitFor('new owner', () => survivors.every((n) => n.ownerOf(id) !== undefined && n.ownerOf(id) !== owner), { timeoutMs: 5000, intervalMs: 10 });
    await k.apply(RULE('clustered', 'monitoring', 'mimir-d', MIMIR_GROUPS_V2), 'clustered');
    await ruler.waitFor(() => Object.values(ruler.snapshot('team-d'))[0]?.join() === 'api.rules', 10_000, 'change applied by the new owner');
    const newOwner = survivors[0].ownerOf(id);
    const newRoles = comps.map((x) => (x.c.debugInfo() as { role: string }).role);
    expect(newRoles[nodes.findIndex((n) => n.self === newOwner)]).toBe('writer');
    expect(ruler.calls.length).toBeGreaterThan(callsBefore);
  });
});
