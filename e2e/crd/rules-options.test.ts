// mimir.rules.kubernetes / loki.rules.kubernetes options beyond the basic
// sync: extra_query_matchers rewriting the expressions the ruler receives
// (value and value_from_label), the Kubernetes API unreachable at start
// (built, unhealthy with the reason, synced once it answers), and the
// KUBECONFIG environment variable used when no client is configured.
import fs from 'node:fs';
import path from 'node:path';
import { rulesArgsSchema } from '../../src/crd/rules/args.js';
import { RulesComponent } from '../../src/crd/rules/component.js';
import { RulerReceiver } from '../../src/sandbox/receivers/ruler-receiver.js';
import { makeTestContext, type TestContext } from '../lib/component-context.js';
import { waitFor } from '../lib/wait.js';
import { HAVE_KUBECTL, type KubeEnv, startKubeEnv } from './helpers.js';
import { loadKubeClient } from '../../src/kube/client.js';

const suite = HAVE_KUBECTL ? describe : describe.skip;

function args(flavor: 'mimir' | 'loki', extra: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, s] of Object.entries(rulesArgsSchema(flavor).attrs ?? {})) if (s.default !== undefined) out[k] = s.default;
  return { ...out, ...extra };
}

function rule(name: string, selectorLabel: string, labels: Record<string, string>, groups: unknown[]) {
  return { apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', metadata: { name, namespace: 'monitoring', labels: { ruler: selectorLabel, ...labels } }, spec: { groups } };
}

suite('rules options e2e', () => {
  beforeAll(() => loadKubeClient()); // the components' makeKubeConfig needs the client module, loaded lazily
  let k: KubeEnv;
  let mimir: RulerReceiver;
  let loki: RulerReceiver;
  const stops: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    k = await startKubeEnv();
    k.api.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'monitoring' } });
    mimir = await new RulerReceiver({ prefixes: ['/prometheus/config/v1/rules'] }).start();
    loki = await new RulerReceiver({ prefixes: ['/loki/api/v1/rules'] }).start();
  });
  afterAll(async () => {
    for (const s of stops.reverse()) await s();
    await mimir?.stop();
    await loki?.stop();
    await k?.close();
  });

  function start(flavor: 'mimir' | 'loki', extra: Record<string, unknown>, id = `${flavor}.rules.kubernetes.opts`): { c: RulesComponent; ctx: TestContext } {
    const ctx = makeTestContext({ id });
    const c = new RulesComponent(ctx, flavor, { debounceMs: 50, minBackoffMs: 100, maxBackoffMs: 500 });
    stops.push(() => c.stop());
    void c.update(args(flavor, extra));
    return { c, ctx };
  }

  test('extra_query_matchers: every selector of every Mimir rule gets the matchers (value and value_from_label)', async () => {
    const { ctx } = start('mimir', {
      address: mimir.url,
      tenant_id: 'eqm',
      client: k.clientArgs,
      rule_selector: { match_labels: { ruler: 'eqm' } },
      extra_query_matchers: {
        matcher: [
          { name: 'cluster', match_type: '=~', value: 'prod-.*' },
          { name: 'app', match_type: '=', value_from_label: 'application.kubernetes.io/name' },
        ],
      },
    });
    const cr = k.api.apply(
      rule('eqm', 'eqm', { 'application.kubernetes.io/name': 'my-app' }, [
        {
          name: 'g',
          rules: [
            { alert: 'Down', expr: 'up != 1' },
            { record: 'job:errors:ratio', expr: 'sum by (job) (rate(errors_total{cluster="dev"}[5m])) / sum by (job) (rate(requests_total[5m]))' },
          ],
        },
      ]),
    );
    const ns = `alloy/monitoring/eqm/${cr.metadata.uid}`;
    await mimir.waitFor(() => mimir.snapshot('eqm')[ns]?.length === 1, 10_000, 'group synced');
    expect(mimir.group('eqm', ns, 'g').rules.map((r: { expr: string }) => r.expr)).toEqual([
      'up{cluster=~"prod-.*", app="my-app"} != 1',
      'sum by (job) (rate(errors_total{cluster=~"prod-.*", app="my-app"}[5m])) / sum by (job) (rate(requests_total{cluster=~"prod-.*", app="my-app"}[5m]))',
    ]);
    await waitFor('healthy', () => ctx.health.state === 'healthy', { timeoutMs: 10_000, intervalMs: 50 });

    // A CR without the label value_from_label names is reported and held back.
    k.api.apply(rule('eqm-nolabel', 'eqm', {}, [{ name: 'g2', rules: [{ record: 'x', expr: 'up' }] }]));
    await waitFor('unhealthy naming the CR', () => /PrometheusRule\/monitoring\/eqm-nolabel: label application\.kubernetes\.io\/name not found/.test(ctx.health.message), {
      timeoutMs: 10_000,
      intervalMs: 50,
    });
    expect(Object.keys(mimir.snapshot('eqm'))).toEqual([ns]);
  });

  test('extra_query_matchers on LogQL: stream selectors get the matcher, label filters are left alone', async () => {
    start('loki', {
      address: loki.url,
      client: k.clientArgs,
      rule_selector: { match_labels: { ruler: 'eqm-loki' } },
      extra_query_matchers: { matcher: [{ name: 'env', match_type: '!=', value: 'dev' }] },
    });
    const cr = k.api.apply(rule('logs', 'eqm-loki', {}, [{ name: 'lg', rules: [{ alert: 'Errs', expr: 'sum(rate({app="shop"} |= "error" | json | env="x" [5m])) > 10' }] }]));
    const ns = `alloy-monitoring-logs-${cr.metadata.uid}`;
    await loki.waitFor(() => loki.snapshot()[ns]?.length === 1, 10_000, 'loki group synced');
    expect(loki.group('anonymous', ns, 'lg').rules[0].expr).toBe('sum(rate({app="shop", env!="dev"} |= "error" | json | env="x" [5m])) > 10');
  });

  test('API server unreachable at start: built, unhealthy with the reason, synced once it answers', async () => {
    k.api.faults.setDown(true);
    await k.api.faults.settled();
    let ctx: TestContext;
    try {
      ({ ctx } = start('mimir', { address: mimir.url, tenant_id: 'down', client: k.clientArgs, rule_selector: { match_labels: { ruler: 'down' } } }, 'mimir.rules.kubernetes.down'));
      await waitFor('unhealthy with the reason', () => ctx.health.state === 'unhealthy' && /cannot list PrometheusRules: .*(ECONNREFUSED|connect)/i.test(ctx.health.message), {
        timeoutMs: 15_000,
        intervalMs: 50,
      });
    } finally {
      k.api.faults.setDown(false);
      await k.api.faults.settled();
    }
    const cr = k.api.apply(rule('down', 'down', {}, [{ name: 'd', rules: [{ record: 'x', expr: 'up' }] }]));
    await mimir.waitFor(() => mimir.snapshot('down')[`alloy/monitoring/down/${cr.metadata.uid}`]?.length === 1, 20_000, 'synced after the API came up');
    await waitFor('healthy', () => ctx!.health.state === 'healthy', { timeoutMs: 10_000, intervalMs: 50 });
  });

  test('no client block: the KUBECONFIG file is used; a file that appears later is picked up on retry', async () => {
    const saved = { KUBECONFIG: process.env.KUBECONFIG, KUBERNETES_SERVICE_HOST: process.env.KUBERNETES_SERVICE_HOST };
    const file = path.join(k.dir, 'late-kubeconfig');
    process.env.KUBECONFIG = file;
    delete process.env.KUBERNETES_SERVICE_HOST;
    try {
      const { ctx } = start('mimir', { address: mimir.url, tenant_id: 'kcenv', rule_selector: { match_labels: { ruler: 'kcenv' } } }, 'mimir.rules.kubernetes.kcenv');
      await waitFor('unhealthy: the file is missing', () => ctx.health.state === 'unhealthy' && ctx.health.message.includes('cannot watch PrometheusRules (retrying') && ctx.health.message.includes(file), {
        timeoutMs: 10_000,
        intervalMs: 20,
      });
      fs.copyFileSync(path.join(k.dir, 'kubeconfig'), file);
      const cr = k.api.apply(rule('kcenv', 'kcenv', {}, [{ name: 'k', rules: [{ record: 'x', expr: 'up' }] }]));
      await mimir.waitFor(() => mimir.snapshot('kcenv')[`alloy/monitoring/kcenv/${cr.metadata.uid}`]?.length === 1, 20_000, 'synced through KUBECONFIG');
      await waitFor('healthy', () => ctx.health.state === 'healthy', { timeoutMs: 10_000, intervalMs: 50 });
    } finally {
      for (const [key, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[key];
        else process.env[key] = v;
      }
    }
  });
});
