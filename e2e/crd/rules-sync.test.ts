// Rules sync robustness, with the real kubectl against the sandbox API:
// one invalid PrometheusRule (a query that does not parse, a duplicate group,
// a group the ruler refuses) is skipped with its reason while every other CR
// keeps syncing (Alloy #307); a multi-line PromQL query that the ruler
// stores in its own one-line form is pushed once, not on every sync (Alloy #5461).
import pino from 'pino';
import YAML from 'yaml';
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

const RULE = (name: string, ruler: string, groups: string) => `apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: ${name}
  namespace: sync
  labels: {ruler: ${ruler}}
spec:
  groups:
${groups}`;

const group = (name: string, expr: string) => `  - name: ${name}
    rules:
    - record: ${name.replace(/[^a-z]/g, '_')}
      expr: ${expr}
`;

/** Roughly how Mimir stores a query: Prometheus's printed form, on one line. */
function mimirPrinted(expr: string): string {
  return expr
    .replace(/\s+/g, ' ')
    .replace(/\(\s+/g, '(')
    .replace(/\s+\)/g, ')')
    .replace(/group_left(?!\s*\()/g, 'group_left ()')
    .trim();
}

suite('rules sync: bad CRs skipped, multi-line queries pushed once', () => {
  beforeAll(() => loadKubeClient());
  let k: KubeEnv;
  const stops: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    k = await startKubeEnv();
    await k.apply('apiVersion: v1\nkind: Namespace\nmetadata: {name: sync}\n', 'ns');
  });
  afterAll(async () => {
    for (const s of stops.reverse()) await s();
    await k?.close();
  });

  function start(ruler: RulerReceiver, extra: Record<string, unknown>, flavor: 'mimir' | 'loki' = 'mimir'): { c: RulesComponent; ctx: TestContext; logs: any[] } {
    const ctx = makeTestContext({ id: `${flavor}.rules.kubernetes.sync` });
    const logs: any[] = [];
    (ctx as { logger: unknown }).logger = pino({ level: 'info' }, { write: (line: string) => logs.push(JSON.parse(line)) });
    const c = new RulesComponent(ctx, flavor, { debounceMs: 50, minBackoffMs: 200, maxBackoffMs: 1000 });
    stops.push(() => c.stop());
    void c.update(args(flavor, { client: k.clientArgs, address: ruler.url, ...extra }));
    return { c, ctx, logs };
  }

  const uidOf = (name: string) => k.api.get('monitoring.coreos.com/v1', 'PrometheusRule', 'sync', name).metadata.uid as string;
  const nsOf = (name: string) => `alloy/sync/${name}/${uidOf(name)}`;
  const lokiNsOf = (name: string) => `alloy-sync-${name}-${uidOf(name)}`;
  /** The Accepted condition of a PrometheusRule as `kubectl get -o yaml` shows it, once it is `want`. */
  const acceptedIs = (name: string, want: 'True' | 'False') =>
    waitFor(`${name} Accepted=${want}`, async () => {
      const r = await k.kubectl('get', `prometheusrule/${name}`, '-n', 'sync', '-o', 'yaml');
      if (r.code !== 0) throw new Error(r.stderr);
      const c = (YAML.parse(r.stdout).status?.conditions ?? []).find((x: { type: string }) => x.type === 'Accepted');
      return c?.status === want ? c : undefined;
    }, { timeoutMs: 10_000, intervalMs: 100 });

  test('each invalid PrometheusRule is skipped with its reason; the others sync and keep syncing', async () => {
    const ruler = await new RulerReceiver({
      prefixes: ['/prometheus/config/v1/rules'],
      refuseExpr: (e) => (e.includes('too_many_series') ? 'per-tenant series limit exceeded' : undefined),
    }).start();
    stops.push(() => ruler.stop());
    const { c, ctx, logs } = start(ruler, { rule_selector: { match_labels: { ruler: 'bad' } } });

    await k.apply(RULE('first', 'bad', group('first.rules', 'sum(up)')), 'first');
    await k.apply(RULE('bad-query', 'bad', group('q.rules', '"sum(rate(x[5m])"')), 'bad-query');
    await k.apply(RULE('dup-groups', 'bad', group('d.rules', 'up') + group('d.rules', 'up')), 'dup-groups');
    await k.apply(RULE('refused', 'bad', group('r.rules', 'count(too_many_series)')), 'refused');
    await k.apply(RULE('last', 'bad', group('last.rules', 'sum(up) by (job)')), 'last');

    await ruler.waitFor(() => ruler.snapshot()[nsOf('first')]?.join() === 'first.rules' && ruler.snapshot()[nsOf('last')]?.join() === 'last.rules', 10_000, 'good CRs synced');
    await waitFor('health names all three bad CRs', () => /3 PrometheusRule\(s\) skipped/.test(ctx.health.message), { timeoutMs: 10_000, intervalMs: 50 });
    expect(ctx.health.state).toBe('unhealthy');
    const msg = ctx.health.message;
    expect(msg).toMatch(/PrometheusRule\/sync\/bad-query: spec\.groups\[0\]\.rules\[0\]\.expr: q_rules: could not parse expression: 1:\d+: parse error/);
    expect(msg).toContain('PrometheusRule/sync/dup-groups: spec.groups[1].name: duplicate group name "d.rules"');
    expect(msg).toMatch(/PrometheusRule\/sync\/refused: the ruler refused group "r\.rules": POST .*: HTTP 400: .*per-tenant series limit exceeded/);
    // Only the good CRs reached the ruler; the bad query and the duplicate were never sent.
    expect(Object.keys(ruler.snapshot()).sort()).toEqual([nsOf('first'), nsOf('last')].sort());
    expect(ruler.writes().filter((w) => w.status < 300).map((w) => w.group).sort()).toEqual(['first.rules', 'last.rules']);
    const info = c.debugInfo() as { prometheus_rules: { name: string; state: string; error?: string }[] };
    expect(info.prometheus_rules.map((s) => `${s.name} ${s.state}`).sort()).toEqual([
      'PrometheusRule/sync/bad-query error',
      'PrometheusRule/sync/dup-groups error',
      'PrometheusRule/sync/first ok',
      'PrometheusRule/sync/last ok',
      'PrometheusRule/sync/refused error',
    ]);

    // Each CR's status says so, with the reason (kubectl get -o yaml).
    expect(await acceptedIs('bad-query', 'False')).toMatchObject({ reason: 'InvalidConfiguration', message: expect.stringContaining('could not parse expression') });
    expect((await acceptedIs('refused', 'False')).message).toContain('per-tenant series limit exceeded');
    expect(await acceptedIs('first', 'True')).toMatchObject({ reason: 'Accepted' });

    // With the bad CRs still there, an edit to a good one goes out.
    await k.apply(RULE('last', 'bad', group('last.rules', 'sum(up) by (instance)')), 'last');
    await ruler.waitFor(() => ruler.group('anonymous', nsOf('last'), 'last.rules')?.rules[0].expr === 'sum(up) by (instance)', 10_000, 'edit of a good CR applied');

    // Each skip is logged once with the CR's name, not on every sync.
    const skipLogs = logs.filter((l) => typeof l.msg === 'string' && l.msg.startsWith('skipping '));
    expect(skipLogs.map((l) => l.prometheus_rule).sort()).toEqual(['PrometheusRule/sync/bad-query', 'PrometheusRule/sync/dup-groups', 'PrometheusRule/sync/refused']);

    // Fixing the bad query: it syncs and the skip list shrinks.
    await k.apply(RULE('bad-query', 'bad', group('q.rules', '"sum(rate(x[5m]))"')), 'bad-query');
    await ruler.waitFor(() => ruler.snapshot()[nsOf('bad-query')]?.join() === 'q.rules', 10_000, 'fixed CR synced');
    await waitFor('two left', () => /2 PrometheusRule\(s\) skipped/.test(ctx.health.message), { timeoutMs: 10_000, intervalMs: 50 });
    expect(ctx.health.message).not.toContain('bad-query');
    await acceptedIs('bad-query', 'True');
    // The refused group was sent once: the same content is not re-sent on every change of another CR.
    expect(ruler.writes().filter((w) => w.group === 'r.rules').map((w) => w.status)).toEqual([400]);
  });

  test('a multi-line PromQL query the ruler reprints is pushed once across many syncs', async () => {
    const ruler = await new RulerReceiver({ prefixes: ['/prometheus/config/v1/rules'], storeExpr: mimirPrinted }).start();
    stops.push(() => ruler.stop());
    const { ctx } = start(ruler, { rule_selector: { match_labels: { ruler: 'multi' } }, sync_interval: 300 });
    const multiLine = `  - name: multi.rules
    rules:
    - alert: PodMemoryHigh
      expr: |
        ( rate(container_memory_working_set_bytes[5m])
          * on (pod) group_left
          kube_pod_labels ) > 0.8
      for: 5m
      labels: {severity: warn, team: infra}
      annotations: {summary: "memory", runbook: "https://example.invalid/rb"}
    - record: job:up:sum
      expr: >-
        sum(up)
        by (job)
`;
    await k.apply(RULE('multi', 'multi', multiLine), 'multi');
    await ruler.waitFor(() => ruler.snapshot()[nsOf('multi')]?.join() === 'multi.rules', 10_000, 'multi-line group created');
    const stored = ruler.group('anonymous', nsOf('multi'), 'multi.rules');
    // The ruler really holds a different text than we sent.
    expect(stored.rules[0].expr).toBe('(rate(container_memory_working_set_bytes[5m]) * on (pod) group_left () kube_pod_labels) > 0.8');
    const listsAfterCreate = ruler.calls.filter((c) => c.action === 'list').length;
    // Several syncs: the 300 ms sync_interval re-reads the ruler, and a Kubernetes change to another CR triggers more.
    await k.apply(RULE('other', 'multi', group('other.rules', 'up')), 'other');
    await ruler.waitFor(() => ruler.calls.filter((c) => c.action === 'list').length >= listsAfterCreate + 5, 15_000, 'five more syncs');
    expect(ctx.health.state).toBe('healthy');
    const pushes = ruler.writes().filter((w) => w.namespace === nsOf('multi'));
    expect(pushes.map((w) => `${w.action} ${w.group}`)).toEqual(['set-group multi.rules']);
    expect(ruler.writes().filter((w) => w.namespace === nsOf('other'))).toHaveLength(1);

    // A real change of the same rule is still pushed.
    await k.apply(RULE('multi', 'multi', multiLine.replace('> 0.8', '> 0.9')), 'multi');
    await ruler.waitFor(() => ruler.writes().filter((w) => w.namespace === nsOf('multi')).length === 2, 10_000, 'changed rule pushed');
    expect(ruler.group('anonymous', nsOf('multi'), 'multi.rules').rules[0].expr).toMatch(/> 0\.9$/);
  });

  test('a refused group is tried again at sync_interval and lands once the ruler accepts it', async () => {
    let refuse = true;
    const ruler = await new RulerReceiver({ prefixes: ['/prometheus/config/v1/rules'], refuseExpr: () => (refuse ? 'rule group limit reached' : undefined) }).start();
    stops.push(() => ruler.stop());
    const { ctx } = start(ruler, { rule_selector: { match_labels: { ruler: 'retry' } }, sync_interval: 500 });
    await k.apply(RULE('limited', 'retry', group('limited.rules', 'up')), 'limited');
    await waitFor('refusal reported', () => /PrometheusRule\/sync\/limited: the ruler refused group "limited\.rules".*rule group limit reached/.test(ctx.health.message), { timeoutMs: 10_000, intervalMs: 50 });
    refuse = false; // e.g. the tenant's limit was raised; no Kubernetes change follows
    await ruler.waitFor(() => ruler.snapshot()[nsOf('limited')]?.join() === 'limited.rules', 10_000, 'accepted on a later sync');
    await waitFor('healthy', () => ctx.health.state === 'healthy', { timeoutMs: 10_000, intervalMs: 50 });
  });

  test('loki: a LogQL query that does not parse skips its CR; the others sync', async () => {
    const ruler = await new RulerReceiver({ prefixes: ['/loki/api/v1/rules'] }).start();
    stops.push(() => ruler.stop());
    const { ctx } = start(ruler, { rule_selector: { match_labels: { ruler: 'loki' } } }, 'loki');
    await k.apply(RULE('logs-bad', 'loki', group('bad.rules', `'sum(rate({app="shop"} |= [5m]))'`)), 'logs-bad');
    await k.apply(RULE('logs-good', 'loki', group('good.rules', `'sum(rate({app="shop"} |= "error" [5m])) > 1'`)), 'logs-good');
    await ruler.waitFor(() => ruler.snapshot()[lokiNsOf('logs-good')]?.join() === 'good.rules', 10_000, 'good loki CR synced');
    await waitFor('bad loki CR named', () => /PrometheusRule\/sync\/logs-bad: spec\.groups\[0\]\.rules\[0\]\.expr: bad_rules: could not parse expression/.test(ctx.health.message), { timeoutMs: 10_000, intervalMs: 50 });
    expect(Object.keys(ruler.snapshot())).toEqual([lokiNsOf('logs-good')]);
  });
});
