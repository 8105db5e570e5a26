// prometheus.operator.servicemonitors / .podmonitors end to end: `alloy run`
// (child process) against the API emulator, ServiceMonitor/PodMonitor/Secret
// YAML applied with the machine's kubectl, pods backed by real metrics
// endpoints on 127.0.0.1, samples received through prometheus.remote_write.
// The expected label sets are written per case from the prometheus-operator's
// generated relabelings (pkg/prometheus/promcfg.go): job/namespace/service/
// pod/container/endpoint, jobLabel/targetLabels/podTargetLabels, selectors,
// the Succeeded/Failed filter, then the CR's relabelings and metricRelabelings.
import { startAlloyProcess, type AlloyProcess } from '../lib/alloy-process.js';
import { RemoteWriteReceiver, type ReceivedSeries } from '../../src/sandbox/receivers/remote-write-receiver.js';
import { Exporter } from './exporter.js';
import { HAVE_KUBECTL, type KubeEnv, operatorConfig, startKubeEnv } from './helpers.js';
import { waitFor } from '../lib/wait.js';

const suite = HAVE_KUBECTL ? describe : describe.skip;

const pod = (ns: string, name: string, labels: Record<string, string>, container: string, ports: { name?: string; containerPort: number }[], phase = 'Running') => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: ns, labels },
  spec: { nodeName: 'node-a', containers: [{ name: container, image: `${container}:1`, ports }] },
  status: { phase, podIP: '127.0.0.1', hostIP: '127.0.0.1', conditions: [{ type: 'Ready', status: phase === 'Running' ? 'True' : 'False' }] },
});

const service = (ns: string, name: string, labels: Record<string, string>, ports: { name?: string; port: number }[]) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: ns, labels },
  spec: { selector: { app: labels.app }, ports },
});

/** One subset per backing pod (a named target port resolves to a different number per pod). */
const endpoints = (ns: string, name: string, backends: { pod: string; ports: { name?: string; port: number }[] }[]) => ({
  apiVersion: 'v1',
  kind: 'Endpoints',
  metadata: { name, namespace: ns },
  subsets: backends.map((b) => ({
    addresses: [{ ip: '127.0.0.1', nodeName: 'node-a', targetRef: { kind: 'Pod', name: b.pod, namespace: ns } }],
    ports: b.ports.map((p) => ({ ...p, protocol: 'TCP' })),
  })),
});

const SM_CART = (extraRelabel = '') => `apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: cart
  namespace: shop
  labels: {team: red}
spec:
  jobLabel: app.kubernetes.io/job-name
  targetLabels: [team]
  selector:
    matchLabels: {app: cart}
    matchExpressions:
    - {key: tier, operator: In, values: [backend, api]}
    - {key: canary, operator: DoesNotExist}
  endpoints:
  - port: metrics
    interval: 1s
    relabelings:
    - sourceLabels: [__meta_kubernetes_pod_node_name]
      targetLabel: node_name${extraRelabel}
    metricRelabelings:
    - action: labeldrop
      regex: scope
`;

const SM_BILLING = `apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: billing
  namespace: monitoring
spec:
  namespaceSelector:
    matchNames: [payments]
  selector:
    matchLabels: {app: billing}
  endpoints:
  - targetPort: BILLING_PORT
    interval: 1s
    honorLabels: true
    bearerTokenSecret: {name: billing-token, key: token}
    metricRelabelings:
    - sourceLabels: [__name__]
      regex: billing_.*
      action: keep
`;

const SECRET = (token: string) => `apiVersion: v1
kind: Secret
metadata:
  name: billing-token
  namespace: monitoring
type: Opaque
stringData:
  token: ${token}
`;

const PM_WORKERS = `apiVersion: monitoring.coreos.com/v1
kind: PodMonitor
metadata:
  name: workers
  namespace: shop
spec:
  podTargetLabels: [team]
  selector:
    matchLabels: {app: worker}
  podMetricsEndpoints:
  - port: http-metrics
    interval: 1s
`;

const BAD = `apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata: {name: bad-regex, namespace: shop}
spec:
  selector: {matchLabels: {app: cart}}
  endpoints:
  - port: metrics
    interval: 1s
    relabelings:
    - {sourceLabels: [__address__], regex: "(unclosed", targetLabel: x}
---
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata: {name: missing-secret, namespace: shop}
spec:
  selector: {matchLabels: {app: cart}}
  endpoints:
  - port: metrics
    interval: 1s
    bearerTokenSecret: {name: does-not-exist, key: token}
    relabelings:
    - {targetLabel: monitor, replacement: missing-secret}
---
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata: {name: wrong-type, namespace: shop}
spec:
  selector: {matchLabels: {app: cart}}
  endpoints:
  - port: metrics
    interval: 1s
    honorLabels: "yes"
    relabelings:
    - {targetLabel: monitor, replacement: wrong-type}
---
# Endpoint 0 is fine, endpoint 1 is not (timeout above its interval): the
# operator rejects the whole CR, so endpoint 0 is not scraped either.
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata: {name: half-bad, namespace: shop}
spec:
  selector: {matchLabels: {app: cart}}
  endpoints:
  - port: metrics
    interval: 1s
    relabelings:
    - {targetLabel: monitor, replacement: half-bad}
  - port: metrics
    interval: 1s
    scrapeTimeout: 5s
`;

suite('prometheus.operator.* e2e', () => {
  let k: KubeEnv;
  let rx: RemoteWriteReceiver;
  let alloy: AlloyProcess | undefined;
  const ex: Record<string, Exporter> = {};

  const series = (pred: (l: Record<string, string>) => boolean): ReceivedSeries[] => [...rx.series.values()].filter((s) => pred(s.labels));
  const upSeries = () => series((l) => l.__name__ === 'up');
  const last = (s: ReceivedSeries) => s.samples[s.samples.length - 1];
  const live = (s: ReceivedSeries) => last(s) !== undefined && !Number.isNaN(last(s).v) && Date.now() - last(s).t < 3000;
  const component = async (id: string) => (await (await fetch(`${alloy!.url}/api/v0/web/components/${id}`)).json()) as any;

  beforeAll(async () => {
    ex.cart0 = await new Exporter('cart_orders_total{scope="internal",shop="eu"} 5\n').start();
    ex.cart1 = await new Exporter('cart_orders_total{scope="internal",shop="us"} 7\n').start();
    ex.canary = await new Exporter('cart_orders_total 1\n').start();
    ex.worker0 = await new Exporter('jobs_processed_total 3\n').start();
    ex.worker1 = await new Exporter('jobs_processed_total 9\n').start();
    ex.billing = await new Exporter('billing_invoices_total{job="billing-app",namespace="app-ns"} 42\nother_metric 1\n', 'first-token').start();
    rx = await new RemoteWriteReceiver().start();
    k = await startKubeEnv();
    for (const ns of ['shop', 'payments', 'monitoring']) k.api.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    // Workloads through the control API (pod status with the podIP is taken as given).
    const objs = [
      pod('shop', 'cart-0', { app: 'cart' }, 'app', [{ name: 'metrics', containerPort: ex.cart0.port }, { name: 'web', containerPort: 18080 }]),
      pod('shop', 'cart-1', { app: 'cart' }, 'app', [{ name: 'metrics', containerPort: ex.cart1.port }, { name: 'web', containerPort: 18081 }]),
      pod('shop', 'cart-canary-0', { app: 'cart' }, 'app', [{ name: 'metrics', containerPort: ex.canary.port }]),
      service('shop', 'cart', { app: 'cart', tier: 'backend', team: 'red', 'app.kubernetes.io/job-name': 'cart-svc' }, [{ name: 'metrics', port: 8080 }, { name: 'web', port: 80 }]),
      endpoints('shop', 'cart', [
        { pod: 'cart-0', ports: [{ name: 'metrics', port: ex.cart0.port }, { name: 'web', port: 18080 }] },
        { pod: 'cart-1', ports: [{ name: 'metrics', port: ex.cart1.port }, { name: 'web', port: 18081 }] },
      ]),
      service('shop', 'cart-canary', { app: 'cart', tier: 'backend', canary: 'true' }, [{ name: 'metrics', port: 8080 }]),
      endpoints('shop', 'cart-canary', [{ pod: 'cart-canary-0', ports: [{ name: 'metrics', port: ex.canary.port }] }]),
      pod('shop', 'worker-0', { app: 'worker', team: 'blue' }, 'worker', [{ name: 'http-metrics', containerPort: ex.worker0.port }]),
      pod('shop', 'worker-1', { app: 'worker', team: 'blue' }, 'worker', [{ name: 'http-metrics', containerPort: ex.worker1.port }], 'Succeeded'),
      pod('payments', 'billing-0', { app: 'billing' }, 'api', [{ containerPort: ex.billing.port }]),
      service('payments', 'billing', { app: 'billing' }, [{ port: 443 }]),
      endpoints('payments', 'billing', [{ pod: 'billing-0', ports: [{ port: ex.billing.port }] }]),
    ];
    for (const o of objs) k.api.apply(o);
    await k.apply(SECRET('first-token'), 'secret');
    await k.apply(SM_CART(), 'sm-cart');
    await k.apply(SM_BILLING.replace('BILLING_PORT', String(ex.billing.port)), 'sm-billing');
    await k.apply(PM_WORKERS, 'pm-workers');
    await k.apply(BAD, 'bad');

    alloy = await startAlloyProcess({ config: operatorConfig(k, rx.url, 'scrape { default_scrape_interval = "1s" }') });
  }, 60_000);

  afterAll(async () => {
    await alloy?.stop();
    await rx?.stop();
    await k?.close();
    for (const e of Object.values(ex)) await e.stop();
  });

  test('samples carry exactly the labels the operator config would give them', async () => {
    await waitFor('4 live up series', () => upSeries().filter(live).length >= 4, { timeoutMs: 20_000, intervalMs: 50 });
    // Give the bad CRs' would-be targets a few scrape intervals to show up if they were not skipped.
    await new Promise((r) => setTimeout(r, 1500));
    const ups = upSeries()
      .map((s) => s.labels)
      .sort((a, b) => a.instance.localeCompare(b.instance) || a.job.localeCompare(b.job));
    const want = [
      // ServiceMonitor shop/cart: jobLabel from the Service, targetLabels, pod/container from the endpoint's pod, CR relabeling.
      { __name__: 'up', container: 'app', endpoint: 'metrics', instance: `127.0.0.1:${ex.cart0.port}`, job: 'cart-svc', namespace: 'shop', node_name: 'node-a', pod: 'cart-0', service: 'cart', team: 'red' },
      { __name__: 'up', container: 'app', endpoint: 'metrics', instance: `127.0.0.1:${ex.cart1.port}`, job: 'cart-svc', namespace: 'shop', node_name: 'node-a', pod: 'cart-1', service: 'cart', team: 'red' },
      // ServiceMonitor monitoring/billing over namespaceSelector, numbered targetPort: endpoint is the number.
      { __name__: 'up', container: 'api', endpoint: String(ex.billing.port), instance: `127.0.0.1:${ex.billing.port}`, job: 'billing', namespace: 'payments', pod: 'billing-0', service: 'billing' },
      // PodMonitor shop/workers: job <ns>/<name>, podTargetLabels; the Succeeded pod is dropped.
      { __name__: 'up', container: 'worker', endpoint: 'http-metrics', instance: `127.0.0.1:${ex.worker0.port}`, job: 'shop/workers', namespace: 'shop', pod: 'worker-0', team: 'blue' },
    ].sort((a, b) => a.instance.localeCompare(b.instance) || a.job.localeCompare(b.job));
    expect(ups).toEqual(want);
    expect(upSeries().every((s) => s.samples.every((x) => x.v === 1))).toBe(true);
    expect(ex.canary.scrapes).toBe(0);
    expect(ex.worker1.scrapes).toBe(0);

    // metricRelabelings: labeldrop of `scope`; honorLabels keeps the exporter's job/namespace; keep drops other_metric.
    const orders = series((l) => l.__name__ === 'cart_orders_total').map((s) => s.labels);
    expect(orders.find((l) => l.pod === 'cart-0')).toEqual({
      __name__: 'cart_orders_total',
      container: 'app',
      endpoint: 'metrics',
      instance: `127.0.0.1:${ex.cart0.port}`,
      job: 'cart-svc',
      namespace: 'shop',
      node_name: 'node-a',
      pod: 'cart-0',
      service: 'cart',
      shop: 'eu',
      team: 'red',
    });
    expect(series((l) => l.__name__ === 'billing_invoices_total').map((s) => s.labels)).toEqual([
      {
        __name__: 'billing_invoices_total',
        container: 'api',
        endpoint: String(ex.billing.port),
        instance: `127.0.0.1:${ex.billing.port}`,
        job: 'billing-app',
        namespace: 'app-ns',
        pod: 'billing-0',
        service: 'billing',
      },
    ]);
    expect(series((l) => l.__name__ === 'other_metric')).toEqual([]);
    expect(ex.billing.seenAuth.every((a) => a === 'Bearer first-token')).toBe(true);
  });

  test('bad CRs are rejected as a whole (one bad endpoint is enough), reported by name and reason', async () => {
    const sm = await waitFor('health names the bad CRs', async () => {
      const c = await component('prometheus.operator.servicemonitors.sm');
      return /ServiceMonitor\/shop\/bad-regex/.test(c.health?.message ?? '') ? c : undefined;
    }, { timeoutMs: 10_000, intervalMs: 50 });
    expect(sm.health.state).toBe('unhealthy');
    const msg: string = sm.health.message;
    expect(msg).toMatch(/^4 of 6 ServiceMonitors rejected: /);
    // The regex is quoted as written in the CR, not in the anchored form compiled.
    expect(msg).toContain('ServiceMonitor/shop/bad-regex: spec.endpoints[0].relabelings: relabel rule 1: invalid regex "(unclosed": error parsing regexp: missing closing ): `(unclosed`');
    expect(msg).toContain('ServiceMonitor/shop/missing-secret: spec.endpoints[0].bearerTokenSecret: Secret shop/does-not-exist not found');
    expect(msg).toContain('ServiceMonitor/shop/wrong-type: spec.endpoints[0].honorLabels: expected a boolean, got string "yes"');
    expect(msg).toContain('ServiceMonitor/shop/half-bad: scrape job "serviceMonitor/shop/half-bad/1": spec.endpoints[1].scrapeTimeout (5s) is greater than the interval (1s)');
    const monitors = sm.debugInfo.monitors as { name: string; state: string; error?: string; endpoints: unknown[] }[];
    expect(monitors.map((m) => m.name)).toContain('ServiceMonitor/monitoring/billing');
    expect(monitors.find((m) => m.name === 'ServiceMonitor/shop/half-bad')).toMatchObject({ state: 'error', error: expect.stringContaining('spec.endpoints[1].scrapeTimeout'), endpoints: [] });
    expect(series((l) => l.monitor !== undefined)).toEqual([]);
    const pm = await component('prometheus.operator.podmonitors.pm');
    expect(pm.health.state).toBe('healthy');
  });

  test('editing a CR changes the targets within seconds', async () => {
    const t0 = Date.now();
    await k.apply(SM_CART('\n    - {targetLabel: stage, replacement: edited}'), 'sm-cart');
    await waitFor('edited label on live up series', () => upSeries().filter((s) => s.labels.stage === 'edited' && live(s)).length === 2, { timeoutMs: 10_000, intervalMs: 50 });
    const tookMs = Date.now() - t0;
    // The old series (without stage) end with a staleness marker.
    await waitFor('old cart series stale', () => upSeries().filter((s) => s.labels.job === 'cart-svc' && s.labels.stage === undefined).every((s) => Number.isNaN(last(s).v)), { timeoutMs: 10_000, intervalMs: 50 });
    expect(tookMs).toBeLessThan(10_000);
    process.stdout.write(`CR edit reflected in ${tookMs} ms\n`);
  });

  test('editing the Secret changes the token used', async () => {
    ex.billing.token = 'second-token';
    await k.apply(SECRET('second-token'), 'secret');
    await waitFor('new token seen', () => ex.billing.seenAuth.includes('Bearer second-token'), { timeoutMs: 10_000, intervalMs: 50 });
    const billingUp = () => upSeries().find((s) => s.labels.job === 'billing')!;
    const n = billingUp().samples.length;
    await waitFor('billing up again after the switch', () => billingUp().samples.length > n + 1 && last(billingUp()).v === 1, { timeoutMs: 10_000, intervalMs: 50 });
  });

  test('deleting a CR removes its targets (staleness marker) within seconds', async () => {
    const t0 = Date.now();
    await k.remove(PM_WORKERS, 'pm-workers');
    await waitFor('worker up stale', () => {
      const s = upSeries().find((x) => x.labels.job === 'shop/workers');
      return s !== undefined && Number.isNaN(last(s).v);
    }, { timeoutMs: 10_000, intervalMs: 50 });
    process.stdout.write(`CR delete reflected in ${Date.now() - t0} ms\n`);
    const scrapes = ex.worker0.scrapes;
    await new Promise((r) => setTimeout(r, 1500));
    expect(ex.worker0.scrapes - scrapes).toBeLessThanOrEqual(1);
  });
});
