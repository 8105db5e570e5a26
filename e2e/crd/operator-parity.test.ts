// prometheus.operator.servicemonitors end to end, operator parity: scrape
// classes (a default one and a named one) declared as scrape_class blocks and
// merged as the operator's promcfg.go does; attachMetadata.node; a CR naming an unknown class and a
// CR with one bad endpoint are rejected whole, with the reason in health and
// debug info; debug info (and the component page in headless Chromium) shows
// per CR each target's final labels and scrape URL and why targets dropped.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { startAlloyProcess, type AlloyProcess } from '../lib/alloy-process.js';
import { RemoteWriteReceiver, type ReceivedSeries } from '../../src/sandbox/receivers/remote-write-receiver.js';
import { Exporter } from './exporter.js';
import { HAVE_KUBECTL, type KubeEnv, operatorConfig, startKubeEnv } from './helpers.js';
import { waitFor } from '../lib/wait.js';

const CHROMIUM = '/usr/bin/chromium';
const suite = HAVE_KUBECTL ? describe : describe.skip;

const pod = (name: string, labels: Record<string, string>, ports: { name: string; containerPort: number }[]) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'shop', labels },
  spec: { nodeName: 'node-a', containers: [{ name: 'app', image: 'app:1', ports }] },
  status: { phase: 'Running', podIP: '127.0.0.1', hostIP: '127.0.0.1', conditions: [{ type: 'Ready', status: 'True' }] },
});
const service = (name: string, ports: { name: string; port: number }[]) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: 'shop', labels: { app: name } },
  spec: { selector: { app: name }, ports },
});
const endpoints = (name: string, podName: string, ports: { name: string; port: number }[]) => ({
  apiVersion: 'v1',
  kind: 'Endpoints',
  metadata: { name, namespace: 'shop', labels: { app: name } },
  subsets: [{ addresses: [{ ip: '127.0.0.1', nodeName: 'node-a', targetRef: { kind: 'Pod', name: podName, namespace: 'shop' } }], ports: ports.map((p) => ({ ...p, protocol: 'TCP' })) }],
});

const CRS = `apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata: {name: orders, namespace: shop}
spec:
  selector: {matchLabels: {app: orders}}
  endpoints:
  - port: metrics
    interval: 1s
    relabelings:
    - {sourceLabels: [cluster], targetLabel: seen_cluster}
---
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata: {name: vault, namespace: shop}
spec:
  scrapeClass: secure
  attachMetadata: {node: true}
  selector: {matchLabels: {app: vault}}
  endpoints:
  - port: metrics
    interval: 1s
    relabelings:
    - {sourceLabels: [__meta_kubernetes_node_label_topology_kubernetes_io_zone], targetLabel: zone}
---
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata: {name: ghost, namespace: shop}
spec:
  scrapeClass: nope
  selector: {matchLabels: {app: orders}}
  endpoints:
  - port: metrics
    interval: 1s
    relabelings:
    - {targetLabel: monitor, replacement: ghost}
---
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata: {name: one-bad-endpoint, namespace: shop}
spec:
  selector: {matchLabels: {app: orders}}
  endpoints:
  - port: metrics
    interval: 1s
    relabelings:
    - {targetLabel: monitor, replacement: one-bad-endpoint}
  - port: web
    interval: 1s
    metricRelabelings:
    - {sourceLabels: [__name__], regex: "orders_[", action: drop}
---
# RoleSelector: the selector goes to discovery (label selectors on the
# Endpoints and Service watches) instead of keep rules.
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata: {name: vault-by-role, namespace: shop}
spec:
  selectorMechanism: RoleSelector
  selector: {matchLabels: {app: vault}}
  endpoints:
  - port: metrics
    interval: 1s
    relabelings:
    - {targetLabel: via, replacement: role-selector}
---
apiVersion: monitoring.coreos.com/v1
kind: PodMonitor
metadata: {name: pm-bad, namespace: shop}
spec:
  selector: {matchLabels: {app: orders}}
  podMetricsEndpoints:
  - port: metrics
    interval: 1s
    relabelings:
    - {targetLabel: monitor, replacement: pm-bad}
  - port: metrics
    interval: 2s
    scrapeTimeout: 3s
`;

const CLASSES = `
  scrape_class {
    name    = "base"
    default = true
    relabel_rule {
      target_label = "cluster"
      replacement  = "east"
    }
    metric_relabel_rule {
      source_labels = ["__name__"]
      regex         = "noise_.*"
      action        = "drop"
    }
  }
  scrape_class {
    name = "secure"
    authorization {
      type        = "Bearer"
      credentials = "class-token"
    }
    relabel_rule {
      target_label = "class"
      replacement  = "secure"
    }
  }
`;

suite('prometheus.operator.* operator parity e2e', () => {
  let k: KubeEnv;
  let rx: RemoteWriteReceiver;
  let alloy: AlloyProcess | undefined;
  let browser: BrowserContext | undefined;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'op-parity-'));
  const ex: Record<string, Exporter> = {};

  const series = (pred: (l: Record<string, string>) => boolean): ReceivedSeries[] => [...rx.series.values()].filter((s) => pred(s.labels));
  const component = async (id: string) => (await (await fetch(`${alloy!.url}/api/v0/web/components/${id}`)).json()) as any;

  beforeAll(async () => {
    ex.orders = await new Exporter('orders_total 5\nnoise_gauge 1\n').start();
    ex.vault = await new Exporter('vault_unsealed 1\n', 'class-token').start();
    rx = await new RemoteWriteReceiver().start();
    k = await startKubeEnv();
    k.api.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
    for (const o of [
      { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-a', labels: { 'topology.kubernetes.io/zone': 'z1' } }, status: { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }] } },
      pod('orders-0', { app: 'orders' }, [{ name: 'metrics', containerPort: ex.orders.port }, { name: 'web', containerPort: 18090 }]),
      service('orders', [{ name: 'metrics', port: 8080 }, { name: 'web', port: 80 }]),
      endpoints('orders', 'orders-0', [{ name: 'metrics', port: ex.orders.port }, { name: 'web', port: 18090 }]),
      pod('vault-0', { app: 'vault' }, [{ name: 'metrics', containerPort: ex.vault.port }]),
      service('vault', [{ name: 'metrics', port: 8200 }]),
      endpoints('vault', 'vault-0', [{ name: 'metrics', port: ex.vault.port }]),
    ])
      k.api.apply(o);
    await k.apply(CRS, 'crs');
    alloy = await startAlloyProcess({ config: operatorConfig(k, rx.url, CLASSES) });
  }, 60_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await alloy?.stop();
    await rx?.stop();
    await k?.close();
    for (const e of Object.values(ex)) await e.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  test('default and named scrape classes: relabelings between generated and CR ones, metric relabelings, authorization', async () => {
    await waitFor('up for orders, vault and vault-by-role', () => series((l) => l.__name__ === 'up').length >= 3, { timeoutMs: 20_000, intervalMs: 50 });
    // A few more scrapes so that series of the rejected CRs would have shown up by now.
    await waitFor('orders scraped 3 times', () => ex.orders.scrapes >= 3, { timeoutMs: 10_000, intervalMs: 50 });
    const ups = series((l) => l.__name__ === 'up')
      .map((s) => s.labels)
      .sort((a, b) => a.job.localeCompare(b.job) || (a.via ?? '').localeCompare(b.via ?? ''));
    expect(ups).toEqual([
      // Default class "base": cluster set after the generated rules, visible to the CR's own relabeling.
      { __name__: 'up', cluster: 'east', container: 'app', endpoint: 'metrics', instance: `127.0.0.1:${ex.orders.port}`, job: 'orders', namespace: 'shop', pod: 'orders-0', seen_cluster: 'east', service: 'orders' },
      // Named class "secure" replaces the default: its label, not "cluster". attachMetadata.node: the
      // Node's labels reach the CR's relabelings (zone); the others, without it, have none.
      { __name__: 'up', class: 'secure', container: 'app', endpoint: 'metrics', instance: `127.0.0.1:${ex.vault.port}`, job: 'vault', namespace: 'shop', pod: 'vault-0', service: 'vault', zone: 'z1' },
      // RoleSelector: only vault's endpoints are discovered; the default class applies (no auth, so vault answers 401: up 0).
      { __name__: 'up', cluster: 'east', container: 'app', endpoint: 'metrics', instance: `127.0.0.1:${ex.vault.port}`, job: 'vault', namespace: 'shop', pod: 'vault-0', service: 'vault', via: 'role-selector' },
    ]);
    expect(series((l) => l.__name__ === 'up' && l.via === undefined).every((s) => s.samples.every((x) => x.v === 1))).toBe(true);
    // The class's metric relabeling dropped noise_gauge; the class's authorization reached the vault exporter.
    expect(series((l) => l.__name__ === 'orders_total')).toHaveLength(1);
    expect(series((l) => l.__name__ === 'noise_gauge')).toEqual([]);
    expect(ex.vault.seenAuth.length).toBeGreaterThan(0);
    expect(ex.vault.seenAuth.filter((a) => a !== '').every((a) => a === 'Bearer class-token')).toBe(true);
    expect(ex.orders.seenAuth.every((a) => a === '')).toBe(true);
    // Rejected CRs scrape nothing, not even their good endpoints.
    expect(series((l) => l.monitor !== undefined)).toEqual([]);
  });

  test('an unknown scrape class and one bad endpoint reject the CR whole, the reason in health and debug info', async () => {
    const sm = await component('prometheus.operator.servicemonitors.sm');
    expect(sm.health.state).toBe('unhealthy');
    expect(sm.health.message).toMatch(/^2 of 5 ServiceMonitors rejected: /);
    expect(sm.health.message).toContain('ServiceMonitor/shop/ghost: spec.scrapeClass: scrape class "nope" is not defined (defined: base, secure)');
    expect(sm.health.message).toContain('ServiceMonitor/shop/one-bad-endpoint: spec.endpoints[1].metricRelabelings: relabel rule 1: invalid regex "orders_["');
    const byName = Object.fromEntries((sm.debugInfo.monitors as { name: string }[]).map((m) => [m.name, m])) as Record<string, any>;
    expect(byName['ServiceMonitor/shop/one-bad-endpoint']).toMatchObject({ state: 'error', endpoints: [] });
    expect(byName['ServiceMonitor/shop/ghost']).toMatchObject({ state: 'error', error: expect.stringContaining('scrape class "nope"') });
    // Accepted CRs: per endpoint each target's final labels and scrape URL, and why the others dropped.
    const orders = byName['ServiceMonitor/shop/orders'].endpoints[0];
    expect(orders).toMatchObject({ job: 'serviceMonitor/shop/orders/0', state: 'ok', scrape_class: 'base', targets_active: 1, targets_dropped: 2 });
    expect(orders.targets).toEqual([
      expect.objectContaining({
        url: `http://127.0.0.1:${ex.orders.port}/metrics`,
        health: 'up',
        labels: { cluster: 'east', container: 'app', endpoint: 'metrics', instance: `127.0.0.1:${ex.orders.port}`, job: 'orders', namespace: 'shop', pod: 'orders-0', seen_cluster: 'east', service: 'orders' },
      }),
    ]);
    // The namespace's other Service (vault) fails the selector; orders' web port fails the port rule.
    const why = Object.fromEntries((orders.dropped as { discovered_labels: Record<string, string>; reason: string }[]).map((d) => [d.discovered_labels.__address__, d.reason]));
    expect(why).toEqual({
      '127.0.0.1:18090': 'dropped by relabeling: the endpoint port is not named "metrics" (spec.endpoints[0].port)',
      [`127.0.0.1:${ex.vault.port}`]: 'dropped by relabeling: not selected by spec.selector: the Service label app fails the keep rule "(orders);true" on [__meta_kubernetes_service_label_app, __meta_kubernetes_service_labelpresent_app]',
    });
    // RoleSelector: discovery only lists vault's Endpoints, so nothing is dropped by a selector rule.
    expect(byName['ServiceMonitor/shop/vault-by-role'].endpoints[0]).toMatchObject({ targets_discovered: 1, targets_active: 1, targets_dropped: 0 });
    const pm = await component('prometheus.operator.podmonitors.pm');
    expect(pm.health.state).toBe('unhealthy');
    expect(pm.health.message).toBe(
      '1 of 1 PodMonitors rejected: PodMonitor/shop/pm-bad: scrape job "podMonitor/shop/pm-bad/1": spec.podMetricsEndpoints[1].scrapeTimeout (3s) is greater than the interval (2s)',
    );
    expect(byName['ServiceMonitor/shop/vault'].endpoints[0]).toMatchObject({ scrape_class: 'secure', targets: [expect.objectContaining({ url: `http://127.0.0.1:${ex.vault.port}/metrics` })] });
  });

  test('the component page shows each CR, its targets (URL, labels), dropped targets with why, and rejection reasons', async () => {
    browser = await chromium.launchPersistentContext(fs.mkdtempSync(path.join(tmp, 'chromium-')), {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1400, height: 900 },
    });
    const errors: string[] = [];
    const page = await browser.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${alloy!.url}/#/component/prometheus.operator.servicemonitors.sm`, { waitUntil: 'load' });
    const orders = '.monitor[data-name="ServiceMonitor/shop/orders"]';
    await page.waitForSelector(`${orders} tr[data-url="http://127.0.0.1:${ex.orders.port}/metrics"]`, { timeout: 15_000 });
    const row = await page.textContent(`${orders} tr[data-url="http://127.0.0.1:${ex.orders.port}/metrics"]`);
    expect(row).toContain('cluster=east');
    expect(row).toContain('seen_cluster=east');
    await expect(page.textContent(`${orders} tr[data-address="127.0.0.1:18090"] .drop-reason`)).resolves.toBe(
      'dropped by relabeling: the endpoint port is not named "metrics" (spec.endpoints[0].port)',
    );
    await expect(page.textContent('.monitor[data-name="ServiceMonitor/shop/ghost"] .reject-reason')).resolves.toContain('scrape class "nope" is not defined');
    await expect(page.textContent('.monitor[data-name="ServiceMonitor/shop/one-bad-endpoint"] .badge')).resolves.toBe('rejected');
    expect(errors).toEqual([]);
  }, 60_000);
});
