// mimir.alerts.kubernetes end to end, with the real kubectl against the
// sandbox API and the Mimir Alertmanager API stand-in: a realistic
// AlertmanagerConfig (Secret-held webhook URL, child routes, inhibit rule,
// mute time interval) arrives merged into global_config; an edit and a
// delete are synced; a broken CR is reported with its reason while a good
// one keeps syncing; CRs outside the selectors are left out; an unchanged
// state is not posted again; Mimir refusing the merged config is reported;
// an edited Secret or template is synced; Mimir down at first is retried;
// in a cluster only the owner of the component's key writes.
import fs from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { startAlloy } from '../../src/app.js';
import { createLogger } from '../../src/runtime/logger.js';
import { alertsArgsSchema } from '../../src/crd/alerts/args.js';
import { AlertsComponent } from '../../src/crd/alerts/component.js';
import { AlertmanagerReceiver } from '../../src/sandbox/receivers/alertmanager-receiver.js';
import { loadKubeClient } from '../../src/kube/client.js';
import { Secret } from '../../src/syntax/secret.js';
import { makeTestContext, type TestContext } from '../lib/component-context.js';
import { sleep, waitFor } from '../lib/wait.js';
import type { ClusterOwnership } from '../../src/clustering/ownership.js';
import { HAVE_KUBECTL, type KubeEnv, startKubeEnv } from './helpers.js';

const suite = HAVE_KUBECTL ? describe : describe.skip;

const GLOBAL = `global:
  resolve_timeout: 5m
route:
  receiver: "null"
  group_by: [alertname]
  routes:
  - receiver: ops
    matchers: ['team="ops"']
receivers:
- name: "null"
- name: ops
  webhook_configs:
  - url: http://127.0.0.1:9/ops
templates:
- default_template
`;

const TEMPLATES = { default_template: '{{ define "__alertmanager" }}AlertManager{{ end }}' };

function args(extra: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, s] of Object.entries(alertsArgsSchema.attrs ?? {})) if (s.default !== undefined) out[k] = s.default;
  return { ...out, global_config: new Secret(GLOBAL), template_files: TEMPLATES, ...extra };
}

const TEAM_A = (groupWait: string, extraRoute = '') => `apiVersion: monitoring.coreos.com/v1alpha1
kind: AlertmanagerConfig
metadata:
  name: team-a
  namespace: shop
  labels: {alertmanager: mimir}
spec:
  route:
    receiver: pager
    groupBy: [alertname, service]
    groupWait: ${groupWait}
    routes:
    - receiver: chat
      matchers:
      - {name: severity, value: warning, matchType: "="}
      muteTimeIntervals: [nights]
${extraRoute}  receivers:
  - name: pager
    webhookConfigs:
    - urlSecret: {name: hooks, key: pager}
      sendResolved: true
      httpConfig:
        authorization:
          credentials: {name: hooks, key: token}
  - name: chat
    slackConfigs:
    - apiURL: {name: hooks, key: slack}
      channel: "#shop-alerts"
      text: '{{ .CommonAnnotations.summary }}'
  inhibitRules:
  - sourceMatch: [{name: severity, value: critical, matchType: "="}]
    targetMatch: [{name: severity, value: warning, matchType: "="}]
    equal: [alertname]
  muteTimeIntervals:
  - name: nights
    timeIntervals:
    - times: [{startTime: "22:00", endTime: "24:00"}]
      weekdays: [monday:friday]
`;

const SIMPLE = (ns: string, name: string, receiver: string, routeReceiver = receiver, labels = '{alertmanager: mimir}') => `apiVersion: monitoring.coreos.com/v1alpha1
kind: AlertmanagerConfig
metadata:
  name: ${name}
  namespace: ${ns}
  labels: ${labels}
spec:
  route:
    receiver: ${routeReceiver}
  receivers:
  - name: ${receiver}
    webhookConfigs:
    - url: http://127.0.0.1:9/${name}
`;

const SECRET = `apiVersion: v1
kind: Secret
metadata: {name: hooks, namespace: shop}
stringData:
  pager: https://pager.example/hook
  token: pager-token
  slack: https://hooks.slack.example/T000/B000
`;


/** The value of the series `name` whose labels include `labels` (the registry adds component_id and component_path). */
async function metric(ctx: TestContext, name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
  for (const line of (await ctx.metrics.metrics()).split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(m[3]);
  }
  return undefined;
}

const receiverNames = (cfg: any): string[] => (cfg?.receivers ?? []).map((r: { name: string }) => r.name);
const routeReceivers = (cfg: any): string[] => (cfg?.route?.routes ?? []).map((r: { receiver: string }) => r.receiver);

suite('mimir.alerts.kubernetes against the sandbox API and a Mimir Alertmanager API', () => {
  beforeAll(() => loadKubeClient());
  let k: KubeEnv;
  const stops: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    k = await startKubeEnv();
    await k.apply('apiVersion: v1\nkind: Namespace\nmetadata: {name: shop, labels: {alerts: "on"}}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: quiet}\n', 'ns');
    await k.apply(SECRET, 'secret');
  });
  afterAll(async () => {
    for (const s of stops.reverse()) await s();
    await k?.close();
  });

  async function start(extra: Record<string, unknown>, opts: { tenant?: string } = {}): Promise<{ am: AlertmanagerReceiver; c: AlertsComponent; ctx: TestContext; logs: any[] }> {
    const am = await new AlertmanagerReceiver({ requireTenant: !!opts.tenant }).start();
    stops.push(() => am.stop());
    const ctx = makeTestContext({ id: 'mimir.alerts.kubernetes.e2e' });
    const logs: any[] = [];
    (ctx as { logger: unknown }).logger = pino({ level: 'info' }, { write: (line: string) => logs.push(JSON.parse(line)) });
    const c = new AlertsComponent(ctx, { debounceMs: 50, minBackoffMs: 200, maxBackoffMs: 1000 });
    stops.push(() => c.stop());
    await c.update(args({ client: k.clientArgs, address: am.url, ...(opts.tenant ? { http_headers: { 'X-Scope-OrgID': [new Secret(opts.tenant)] } } : {}), ...extra }));
    return { am, c, ctx, logs };
  }

  test('a realistic AlertmanagerConfig is merged into global_config; edits, deletes and broken CRs are synced and reported', async () => {
    const { am, c, ctx, logs } = await start({ alertmanagerconfig_selector: { match_labels: { alertmanager: 'mimir' } } }, { tenant: 'team-shop' });
    // Before any CR: global_config alone, with the templates.
    await am.waitFor(() => am.config('team-shop') !== undefined, 10_000, 'base config posted');
    expect(routeReceivers(am.config('team-shop'))).toEqual(['ops']);
    expect(am.state.get('team-shop')!.templates).toEqual(TEMPLATES);

    await k.apply(TEAM_A('30s'), 'team-a');
    await am.waitFor(() => routeReceivers(am.config('team-shop'))[0] === 'shop/team-a/pager', 10_000, 'team-a merged');
    const cfg = am.config('team-shop');
    expect(cfg.route.receiver).toBe('null');
    expect(cfg.route.routes).toEqual([
      {
        receiver: 'shop/team-a/pager',
        group_by: ['alertname', 'service'],
        group_wait: '30s',
        matchers: ['namespace="shop"'],
        continue: true,
        routes: [{ receiver: 'shop/team-a/chat', matchers: ['severity="warning"'], mute_time_intervals: ['shop/team-a/nights'] }],
      },
      { receiver: 'ops', matchers: ['team="ops"'] },
    ]);
    expect(receiverNames(cfg)).toEqual(['null', 'ops', 'shop/team-a/pager', 'shop/team-a/chat']);
    // Secret references are read from the CR's namespace.
    expect(cfg.receivers[2].webhook_configs).toEqual([{ url: 'https://pager.example/hook', send_resolved: true, http_config: { authorization: { credentials: 'pager-token' } } }]);
    expect(cfg.receivers[3].slack_configs).toEqual([{ api_url: 'https://hooks.slack.example/T000/B000', channel: '#shop-alerts', text: '{{ .CommonAnnotations.summary }}' }]);
    expect(cfg.inhibit_rules).toEqual([{ source_matchers: ['severity="critical"', 'namespace="shop"'], target_matchers: ['severity="warning"', 'namespace="shop"'], equal: ['alertname'] }]);
    expect(cfg.mute_time_intervals).toEqual([{ name: 'shop/team-a/nights', time_intervals: [{ times: [{ start_time: '22:00', end_time: '24:00' }], weekdays: ['monday:friday'] }] }]);
    expect(cfg.global).toEqual({ resolve_timeout: '5m' });
    expect(cfg.templates).toEqual(['default_template']);
    await waitFor('healthy', () => ctx.health.state === 'healthy', { timeoutMs: 5000, intervalMs: 50 });

    // An edit of the CR.
    await k.apply(TEAM_A('1m', '    - receiver: pager\n      matchers: [{name: severity, value: critical, matchType: "="}]\n'), 'team-a');
    await am.waitFor(() => am.config('team-shop')?.route.routes[0].group_wait === '1m', 10_000, 'edit synced');
    expect(am.config('team-shop').route.routes[0].routes.map((r: any) => r.receiver)).toEqual(['shop/team-a/chat', 'shop/team-a/pager']);

    // A broken CR (its route names a receiver it does not define) is skipped with its reason ...
    await k.apply(SIMPLE('shop', 'broken', 'hook', 'missing'), 'broken');
    await waitFor('broken CR reported', () => /1 AlertmanagerConfig\(s\) skipped/.test(ctx.health.message), { timeoutMs: 10_000, intervalMs: 50 });
    expect(ctx.health.state).toBe('unhealthy');
    expect(ctx.health.message).toContain('AlertmanagerConfig/shop/broken: receiver "missing" not found');
    // ... while a good CR applied next to it still syncs.
    await k.apply(SIMPLE('shop', 'team-b', 'hook'), 'team-b');
    await am.waitFor(() => routeReceivers(am.config('team-shop')).includes('shop/team-b/hook'), 10_000, 'team-b merged beside the broken CR');
    expect(routeReceivers(am.config('team-shop'))).toEqual(['shop/team-a/pager', 'shop/team-b/hook', 'ops']);
    expect(receiverNames(am.config('team-shop')).some((n) => n.startsWith('shop/broken/'))).toBe(false);
    const info = c.debugInfo() as { alertmanager_configs: { name: string; state: string; error?: string }[] };
    expect(info.alertmanager_configs.map((s) => `${s.name} ${s.state}`)).toEqual(['AlertmanagerConfig/shop/broken error', 'AlertmanagerConfig/shop/team-a ok', 'AlertmanagerConfig/shop/team-b ok']);
    expect(info.alertmanager_configs[0].error).toBe('receiver "missing" not found');
    // The skip is logged once with the CR's name.
    await sleep(300);
    expect(logs.filter((l) => l.alertmanager_config === 'AlertmanagerConfig/shop/broken').map((l) => l.reason)).toEqual(['receiver "missing" not found']);

    // Fixing the broken CR: it syncs and the component is healthy again.
    await k.apply(SIMPLE('shop', 'broken', 'hook'), 'broken');
    await am.waitFor(() => routeReceivers(am.config('team-shop')).includes('shop/broken/hook'), 10_000, 'fixed CR merged');
    await waitFor('healthy again', () => ctx.health.state === 'healthy', { timeoutMs: 5000, intervalMs: 50 });

    // A delete.
    await k.remove(TEAM_A('1m'), 'team-a');
    await am.waitFor(() => !routeReceivers(am.config('team-shop')).includes('shop/team-a/pager'), 10_000, 'delete synced');
    expect(routeReceivers(am.config('team-shop'))).toEqual(['shop/broken/hook', 'shop/team-b/hook', 'ops']);
    expect(am.config('team-shop').inhibit_rules).toBeUndefined();
    expect(am.config('team-shop').mute_time_intervals).toBeUndefined();
    // Every write carried the tenant.
    expect(am.posts().every((p) => p.tenant === 'team-shop')).toBe(true);
    await k.remove(SIMPLE('shop', 'broken', 'hook'), 'broken');
    await k.remove(SIMPLE('shop', 'team-b', 'hook'), 'team-b');
  });

  test('selectors and matcher strategy; an unchanged state is not posted again', async () => {
    await k.apply(SIMPLE('shop', 'sel-in', 'r', 'r', '{pick: "yes"}'), 'sel-in');
    await k.apply(SIMPLE('quiet', 'sel-ns-out', 'r', 'r', '{pick: "yes"}'), 'sel-ns-out');
    await k.apply(SIMPLE('shop', 'sel-label-out', 'r', 'r', '{pick: "no"}'), 'sel-label-out');
    const { am, ctx } = await start({
      alertmanagerconfig_selector: { match_labels: { pick: 'yes' } },
      alertmanagerconfig_namespace_selector: { match_labels: { alerts: 'on' } },
      alertmanagerconfig_matcher: { strategy: 'None' },
      sync_interval: 300,
    });
    await am.waitFor(() => routeReceivers(am.config()).includes('shop/sel-in/r'), 10_000, 'selected CR merged');
    // Only the CR matching both selectors; strategy None: no namespace matcher.
    expect(am.config().route.routes).toEqual([{ receiver: 'shop/sel-in/r', continue: true }, { receiver: 'ops', matchers: ['team="ops"'] }]);
    // Several sync intervals later (each re-reads Mimir), still one POST: the state did not change.
    const posted = am.posts().length;
    await sleep(1200);
    expect(am.calls.filter((c) => c.method === 'GET').length).toBeGreaterThanOrEqual(3);
    expect(am.posts().length).toBe(posted);
    expect(await metric(ctx, 'mimir_alerts_events_total', { type: 'sync-mimir' })).toBeGreaterThanOrEqual(3);

    // Labelling the namespace brings its CR in.
    await k.apply('apiVersion: v1\nkind: Namespace\nmetadata: {name: quiet, labels: {alerts: "on"}}\n', 'ns-quiet');
    await am.waitFor(() => routeReceivers(am.config()).includes('quiet/sel-ns-out/r'), 10_000, 'CR of the relabelled namespace merged');
    expect(routeReceivers(am.config())).not.toContain('shop/sel-label-out/r');
    await waitFor('healthy', () => ctx.health.state === 'healthy', { timeoutMs: 5000, intervalMs: 50 });
  });

  test('Mimir refusing the merged configuration (4xx) is reported and not re-sent until it changes', async () => {
    await k.apply(SIMPLE('shop', 'too-many', 'r', 'r', '{limit: "test"}'), 'too-many');
    const am = await new AlertmanagerReceiver({ refuse: (cfg) => (cfg.receivers?.length > 2 ? 'the number of receivers exceeds the limit of 2' : undefined) }).start();
    stops.push(() => am.stop());
    const ctx = makeTestContext({ id: 'mimir.alerts.kubernetes.refused' });
    const c = new AlertsComponent(ctx, { debounceMs: 50, minBackoffMs: 100, maxBackoffMs: 200 });
    stops.push(() => c.stop());
    await c.update(args({ client: k.clientArgs, address: am.url, alertmanagerconfig_selector: { match_labels: { limit: 'test' } } }));
    await waitFor('refusal reported', () => /Mimir refused the merged configuration/.test(ctx.health.message), { timeoutMs: 10_000, intervalMs: 50 });
    expect(ctx.health.state).toBe('unhealthy');
    expect(ctx.health.message).toMatch(/POST \/api\/v1\/alerts: HTTP 400: .*the number of receivers exceeds the limit of 2/);
    // Not retried in a loop: the same content would be refused again.
    await sleep(800);
    expect(am.posts().filter((p) => p.status === 400)).toHaveLength(1);
    // Alloy's metrics: the refused event failed, the POST was timed with its status.
    expect(await metric(ctx, 'mimir_alerts_events_failed_total', { type: 'resource-changed' })).toBe(1);
    expect(await metric(ctx, 'mimir_alerts_mimir_client_request_duration_seconds_count', { operation: 'POST /api/v1/alerts', status_code: '400' })).toBe(1);
    expect(await metric(ctx, 'mimir_alerts_config_updates_total')).toBe(1);
    // Removing the CR changes the content: it goes out and is accepted.
    await k.remove(SIMPLE('shop', 'too-many', 'r', 'r', '{limit: "test"}'), 'too-many');
    await am.waitFor(() => am.config() !== undefined, 10_000, 'base config accepted');
    await waitFor('healthy', () => ctx.health.state === 'healthy', { timeoutMs: 5000, intervalMs: 50 });
  });

  test('an edited Secret and changed template_files are synced; Mimir down at first is retried until it is up', async () => {
    await k.apply(TEAM_A('30s').replace('alertmanager: mimir', 'alertmanager: secret-edit'), 'team-a-secret');
    const am = new AlertmanagerReceiver();
    await am.start();
    await am.down(); // the port is taken, then closed: connection refused until up()
    stops.push(() => am.stop());
    const ctx = makeTestContext({ id: 'mimir.alerts.kubernetes.retry' });
    const c = new AlertsComponent(ctx, { debounceMs: 50, minBackoffMs: 100, maxBackoffMs: 300 });
    stops.push(() => c.stop());
    const base = args({ client: k.clientArgs, address: am.url, alertmanagerconfig_selector: { match_labels: { alertmanager: 'secret-edit' } } });
    await c.update(base);
    await waitFor('retrying reported', () => /syncing the Mimir Alertmanager failed \(retrying in \d+ ms\)/.test(ctx.health.message), { timeoutMs: 10_000, intervalMs: 50 });
    await am.up();
    await am.waitFor(() => am.config()?.receivers?.[2]?.webhook_configs?.[0]?.url === 'https://pager.example/hook', 10_000, 'synced once Mimir is up');
    await waitFor('healthy', () => ctx.health.state === 'healthy', { timeoutMs: 5000, intervalMs: 50 });
    expect(await metric(ctx, 'mimir_alerts_events_retried_total', { type: 'resource-changed' })).toBeGreaterThanOrEqual(1);
    expect(await metric(ctx, 'mimir_alerts_mimir_client_request_duration_seconds_count', { operation: 'GET /api/v1/alerts', status_code: 'error' })).toBeGreaterThanOrEqual(1);
    expect(await metric(ctx, 'mimir_alerts_mimir_client_request_duration_seconds_count', { operation: 'GET /api/v1/alerts', status_code: '404' })).toBe(1);
    expect(await metric(ctx, 'mimir_alerts_mimir_client_request_duration_seconds_count', { operation: 'POST /api/v1/alerts', status_code: '201' })).toBe(1);

    // The Secret the CR references changes: the new URL is sent.
    await k.apply(SECRET.replace('https://pager.example/hook', 'https://pager.example/v2'), 'secret');
    await am.waitFor(() => am.config()?.receivers?.[2]?.webhook_configs?.[0]?.url === 'https://pager.example/v2', 10_000, 'edited Secret synced');
    // New templates (an argument change) are sent with the same configuration.
    await c.update({ ...base, template_files: { other: '{{ define "x" }}y{{ end }}' } });
    await am.waitFor(() => am.state.get('anonymous')?.templates.other !== undefined, 10_000, 'templates synced');
    expect(am.state.get('anonymous')!.templates).toEqual({ other: '{{ define "x" }}y{{ end }}' });
    await k.apply(SECRET, 'secret');
    await k.remove(TEAM_A('30s').replace('alertmanager: mimir', 'alertmanager: secret-edit'), 'team-a-secret');
  });

  test('in a cluster only the owner of the component key writes; a new owner takes over', async () => {
    await k.apply(SIMPLE('shop', 'clustered', 'r', 'r', '{alertmanager: cluster}'), 'clustered');
    const am = await new AlertmanagerReceiver().start();
    stops.push(() => am.stop());
    let owner = 'node-b';
    const listeners: (() => void)[] = [];
    const cluster: ClusterOwnership = {
      enabled: true,
      self: 'node-a',
      ownerOf: () => owner,
      owns: () => owner === 'node-a',
      onChange: (l) => {
        listeners.push(l);
        return () => undefined;
      },
      peers: () => [],
    };
    const ctx = makeTestContext({ id: 'mimir.alerts.kubernetes.cluster', cluster });
    const c = new AlertsComponent(ctx, { debounceMs: 50 });
    stops.push(() => c.stop());
    await c.update(args({ client: k.clientArgs, address: am.url, alertmanagerconfig_selector: { match_labels: { alertmanager: 'cluster' } } }));
    await waitFor('standby', () => /^standby: node-b syncs/.test(ctx.health.message), { timeoutMs: 5000, intervalMs: 50 });
    await sleep(300);
    expect(am.calls).toEqual([]);
    expect((c.debugInfo() as { role: string }).role).toBe('standby');
    owner = 'node-a';
    for (const l of listeners) l();
    await am.waitFor(() => routeReceivers(am.config()).includes('shop/clustered/r'), 10_000, 'the new owner writes');
    expect((c.debugInfo() as { role: string }).role).toBe('writer');
    await k.remove(SIMPLE('shop', 'clustered', 'r', 'r', '{alertmanager: cluster}'), 'clustered');
  });

  test('alloy run: the Alloy config (local.file global_config, selector and matcher blocks) syncs, and a changed base file is pushed', async () => {
    await k.apply(SIMPLE('shop', 'via-run', 'r', 'r', '{alertmanager: run}'), 'via-run');
    const am = await new AlertmanagerReceiver().start();
    stops.push(() => am.stop());
    const dir = fs.mkdtempSync(path.join(k.dir, 'run-'));
    const baseFile = path.join(dir, 'alertmanager.yaml');
    fs.writeFileSync(baseFile, GLOBAL);
    const configFile = path.join(dir, 'config.alloy');
    fs.writeFileSync(
      configFile,
      `local.file "am" {
  filename       = ${JSON.stringify(baseFile)}
  is_secret      = true
  detector       = "poll"
  poll_frequency = "100ms"
}

mimir.alerts.kubernetes "default" {
  address        = ${JSON.stringify(am.url)}
  global_config  = local.file.am.content
  template_files = { "default_template" = "{{ define \\"x\\" }}y{{ end }}" }
  alertmanagerconfig_selector { match_labels = { alertmanager = "run" } }
  alertmanagerconfig_matcher { }
  client {
    api_server   = ${JSON.stringify(k.clientArgs.api_server)}
    bearer_token = ${JSON.stringify(k.clientArgs.bearer_token)}
    tls_config { ca_file = ${JSON.stringify(k.clientArgs.tls_config.ca_file)} }
  }
}
`,
    );
    const opts = { configFile, listenAddr: '127.0.0.1:0', storagePath: path.join(dir, 'data'), logLevel: 'error', logFormat: 'json' as const, uiPathPrefix: '/', configWatchIntervalMs: 0, logger: createLogger({ level: 'error', format: 'json' }) };
    // Experimental, as in Alloy: refused at the default stability level.
    await expect(startAlloy(opts)).rejects.toThrow(/mimir\.alerts\.kubernetes.*experimental/);
    const alloy = await startAlloy({ ...opts, minStability: 'experimental' });
    stops.push(() => alloy.shutdown());
    await am.waitFor(() => routeReceivers(am.config()).includes('shop/via-run/r'), 15_000, 'merged config from alloy run');
    // The empty matcher block keeps the default strategy OnNamespace.
    expect(am.config().route.routes[0]).toEqual({ receiver: 'shop/via-run/r', matchers: ['namespace="shop"'], continue: true });
    expect(am.state.get('anonymous')!.templates).toEqual({ default_template: '{{ define "x" }}y{{ end }}' });
    await waitFor('healthy in the controller', () => alloy.controller.view('mimir.alerts.kubernetes.default')?.health.state === 'healthy', { timeoutMs: 5000, intervalMs: 50 });
    const view = alloy.controller.view('mimir.alerts.kubernetes.default') as { debugInfo: { alertmanager_configs: { name: string; state: string }[] } };
    expect(view.debugInfo.alertmanager_configs).toEqual([{ name: 'AlertmanagerConfig/shop/via-run', state: 'ok', receivers: 1 }]);

    // The base file changes: local.file's export re-evaluates the component and the new base goes out.
    fs.writeFileSync(baseFile, GLOBAL.replace('resolve_timeout: 5m', 'resolve_timeout: 9m'));
    await am.waitFor(() => am.config()?.global?.resolve_timeout === '9m', 15_000, 'new base pushed');
    expect(routeReceivers(am.config())).toEqual(['shop/via-run/r', 'ops']);
    await k.remove(SIMPLE('shop', 'via-run', 'r', 'r', '{alertmanager: run}'), 'via-run');
  });
});
