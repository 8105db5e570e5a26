// prometheus.operator.probes and .scrapeconfigs end to end: `alloy run`
// (child process, --stability.level=experimental for scrapeconfigs) against
// the API emulator, Probe/ScrapeConfig/Ingress YAML applied with kubectl,
// provers and exporters on 127.0.0.1, samples received through
// prometheus.remote_write. Expected labels follow the prometheus-operator's
// generateProbeConfig / generateScrapeConfig (pkg/prometheus/promcfg.go):
// probed targets in __param_target and instance, __address__ pointing at the
// prober URL, the ingress URL built from scheme, host and path, jobName as
// the job label. Also the status each resource gets, read with kubectl, and
// scrape classes: the ingress Probe and the ScrapeConfig name a class of
// their component (a relabel rule and a metric relabel rule of its own).
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import YAML from 'yaml';
import { chromium } from 'playwright-core';
import { startAlloyProcess, type AlloyProcess } from '../lib/alloy-process.js';
import { RemoteWriteReceiver, type ReceivedSeries } from '../../src/sandbox/receivers/remote-write-receiver.js';
import { Exporter } from './exporter.js';
import { HAVE_KUBECTL, type KubeEnv, startKubeEnv } from './helpers.js';
import { waitFor } from '../lib/wait.js';
import { loadKubeClient } from '../../src/kube/client.js';

// Components are built here without the controller, which would load the client first.
beforeAll(() => loadKubeClient());

const suite = HAVE_KUBECTL ? describe : describe.skip;

const PROBE_STATIC = (proberPort: number, module: string) => `apiVersion: monitoring.coreos.com/v1
kind: Probe
metadata:
  name: websites
  namespace: shop
spec:
  jobName: blackbox
  interval: 1s
  module: ${module}
  prober:
    url: 127.0.0.1:${proberPort}
    path: /probe
  targets:
    staticConfig:
      static:
      - https://shop.example.com
      - http://status.example.com/health
      labels:
        env: prod
      relabelingConfigs:
      - {sourceLabels: [instance], regex: 'https?://([^/]+).*', targetLabel: site, replacement: '\${1}'}
`;

const PROBE_INGRESS = (proberPort: number) => `apiVersion: monitoring.coreos.com/v1
kind: Probe
metadata:
  name: ingresses
  namespace: shop
spec:
  interval: 1s
  module: http_2xx
  scrapeClass: tagged
  prober:
    url: 127.0.0.1:${proberPort}
  targets:
    ingress:
      selector:
        matchLabels: {probe: "yes"}
`;

const INGRESS = (name: string, probe: string, host: string, p: string, tls = false) => `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: ${name}
  namespace: shop
  labels: {probe: "${probe}"}
spec:
${tls ? `  tls:\n  - hosts: [${host}]\n` : ''}  rules:
  - host: ${host}
    http:
      paths:
      - path: ${p}
        pathType: Prefix
        backend: {service: {name: web, port: {number: 80}}}
`;

const BAD_PROBE = `apiVersion: monitoring.coreos.com/v1
kind: Probe
metadata:
  name: bad-url
  namespace: shop
spec:
  prober:
    url: http://127.0.0.1:9115/probe
  targets:
    staticConfig:
      static: [https://example.com]
`;

const SCRAPE_CONFIG = (staticPort: number, sdUrl: string, file: string) => `apiVersion: monitoring.coreos.com/v1alpha1
kind: ScrapeConfig
metadata:
  name: mixed
  namespace: shop
spec:
  scrapeInterval: 1s
  scrapeClass: tagged
  staticConfigs:
  - targets: [127.0.0.1:${staticPort}]
    labels: {source: static}
  httpSDConfigs:
  - url: ${sdUrl}
    refreshInterval: 1s
  fileSDConfigs:
  - files: [${file}]
    refreshInterval: 1s
  kubernetesSDConfigs:
  - role: Pod
    namespaces: {ownNamespace: true}
  relabelings:
  - {sourceLabels: [__meta_kubernetes_pod_label_app], regex: 'cache', targetLabel: source, replacement: kubernetes}
  - {sourceLabels: [__meta_kubernetes_pod_name], targetLabel: pod}
  - {sourceLabels: [__meta_url], regex: '(.+)', targetLabel: source, replacement: http}
  - {sourceLabels: [__meta_filepath], regex: '(.+)', targetLabel: source, replacement: file}
`;

const BAD_SCRAPE_CONFIG = `apiVersion: monitoring.coreos.com/v1alpha1
kind: ScrapeConfig
metadata:
  name: consul
  namespace: shop
spec:
  consulSDConfigs:
  - server: consul:8500
`;

// A named class (no default: the static Probe gets none): a target label, and a metric
// relabel rule that drops static_metric (the ScrapeConfig's static target serves it).
const SCRAPE_CLASS = `scrape_class {
    name = "tagged"
    relabel_rule {
      target_label = "tier"
      replacement  = "gold"
    }
    metric_relabel_rule {
      source_labels = ["__name__"]
      regex         = "static_metric"
      action        = "drop"
    }
  }`;

suite('Probes and ScrapeConfigs through kubectl', () => {
  let k: KubeEnv;
  let rx: RemoteWriteReceiver;
  let alloy: AlloyProcess | undefined;
  let sd: http.Server;
  let tmp: string;
  const ex: Record<string, Exporter> = {};

  const series = (pred: (l: Record<string, string>) => boolean): ReceivedSeries[] => [...rx.series.values()].filter((s) => pred(s.labels));
  const last = (s: ReceivedSeries) => s.samples[s.samples.length - 1];
  const live = (s: ReceivedSeries) => last(s) !== undefined && !Number.isNaN(last(s).v) && Date.now() - last(s).t < 3000;
  const liveUp = (pred: (l: Record<string, string>) => boolean) => series((l) => l.__name__ === 'up' && pred(l)).filter(live);
  const getYaml = async (what: string) => {
    const r = await k.kubectl('get', what, '-n', 'shop', '-o', 'yaml');
    if (r.code !== 0) throw new Error(r.stderr);
    return YAML.parse(r.stdout);
  };
  const accepted = (obj: any) => (obj.status?.conditions ?? []).find((c: any) => c.type === 'Accepted');

  beforeAll(async () => {
    ex.prober = await new Exporter('probe_success 1\n').start();
    ex.static = await new Exporter('static_metric 1\n').start();
    ex.http = await new Exporter('http_sd_metric 1\n').start();
    ex.file = await new Exporter('file_sd_metric 1\n').start();
    ex.pod = await new Exporter('pod_metric 1\n').start();
    sd = http.createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify([{ targets: [`127.0.0.1:${ex.http.port}`], labels: { team: 'sd' } }]));
    });
    await new Promise<void>((r) => sd.listen(0, '127.0.0.1', () => r()));
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'scrapeconfig-e2e-'));
    fs.writeFileSync(path.join(tmp, 'targets.json'), JSON.stringify([{ targets: [`127.0.0.1:${ex.file.port}`], labels: { team: 'files' } }]));
    rx = await new RemoteWriteReceiver().start();
    k = await startKubeEnv();
    k.api.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
    k.api.apply({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'cache-0', namespace: 'shop', labels: { app: 'cache' } },
      spec: { containers: [{ name: 'cache', image: 'cache:1', ports: [{ name: 'metrics', containerPort: ex.pod.port }] }] },
      status: { phase: 'Running', podIP: '127.0.0.1' },
    });
    await k.apply(PROBE_STATIC(ex.prober.port, 'http_2xx'), 'probe-static');
    await k.apply(PROBE_INGRESS(ex.prober.port), 'probe-ingress');
    await k.apply(INGRESS('shop', 'yes', 'shop.example.com', '/cart', true), 'ing-shop');
    await k.apply(INGRESS('admin', 'no', 'admin.example.com', '/'), 'ing-admin');
    await k.apply(BAD_PROBE, 'bad-probe');
    await k.apply(SCRAPE_CONFIG(ex.static.port, `http://127.0.0.1:${(sd.address() as AddressInfo).port}/targets`, path.join(tmp, '*.json')), 'sc');
    await k.apply(BAD_SCRAPE_CONFIG, 'bad-sc');
    const c = k.clientArgs;
    const client = `client {
    api_server   = "${c.api_server}"
    bearer_token = "${c.bearer_token}"
    tls_config { ca_file = "${c.tls_config.ca_file}" }
  }`;
    alloy = await startAlloyProcess({
      args: ['--stability.level=experimental'],
      config: `
prometheus.operator.probes "pr" {
  forward_to = [prometheus.remote_write.rw.receiver]
  ${client}
  ${SCRAPE_CLASS}
}
prometheus.operator.scrapeconfigs "sc" {
  forward_to = [prometheus.remote_write.rw.receiver]
  allow_arbitrary_file_access = true
  ${client}
  ${SCRAPE_CLASS}
}
prometheus.remote_write "rw" {
  endpoint {
    url = "${rx.url}"
    queue_config {
      batch_send_deadline = "200ms"
      min_backoff         = "50ms"
    }
  }
}
`,
    });
  }, 60_000);

  afterAll(async () => {
    await alloy?.stop();
    await rx?.stop();
    await k?.close();
    await new Promise<void>((r) => (sd ? sd.close(() => r()) : r()));
    for (const e of Object.values(ex)) await e.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  test('static Probe targets go through the prober with the operator labels and the module', async () => {
    await waitFor('both static probes live', () => liveUp((l) => l.job === 'blackbox').length === 2, { timeoutMs: 20_000, intervalMs: 50 });
    const ups = liveUp((l) => l.job === 'blackbox')
      .map((s) => s.labels)
      .sort((a, b) => a.instance.localeCompare(b.instance));
    expect(ups).toEqual([
      { __name__: 'up', env: 'prod', instance: 'http://status.example.com/health', job: 'blackbox', namespace: 'shop', site: 'status.example.com' },
      { __name__: 'up', env: 'prod', instance: 'https://shop.example.com', job: 'blackbox', namespace: 'shop', site: 'shop.example.com' },
    ]);
    // The ingress Probe (next test) goes through the same prober; its first probe may land after
    // the static ones are live, so wait for it before comparing the whole set.
    const probed = () => ex.prober.seenUrls.map((u) => new URL(u, 'http://x'));
    await waitFor('the ingress target probed', () => probed().some((u) => u.searchParams.get('target') === 'https://shop.example.com/cart'), { timeoutMs: 20_000, intervalMs: 50 });
    const urls = probed();
    expect(urls.every((u) => u.pathname === '/probe')).toBe(true);
    expect(new Set(urls.filter((u) => u.searchParams.get('module') === 'http_2xx').map((u) => u.searchParams.get('target')))).toEqual(
      new Set(['https://shop.example.com', 'http://status.example.com/health', 'https://shop.example.com/cart']),
    );
    expect(series((l) => l.__name__ === 'probe_success' && l.job === 'blackbox').length).toBe(2);
  });

  test('ingress Probe targets: selected ingresses only, URL from scheme, host and path', async () => {
    await waitFor('ingress probe live', () => liveUp((l) => l.job === 'probe/shop/ingresses').length === 1, { timeoutMs: 20_000, intervalMs: 50 });
    expect(liveUp((l) => l.job === 'probe/shop/ingresses').map((s) => s.labels)).toEqual([
      { __name__: 'up', ingress: 'shop', instance: 'https://shop.example.com/cart', job: 'probe/shop/ingresses', namespace: 'shop', tier: 'gold' },
    ]);
    // Debug info per resource: each target's scrape URL (the prober, with the module and target) and final
    // labels, and the unselected Ingress with the rule that dropped it.
    const dbg = ((await (await fetch(`${alloy!.url}/api/v0/web/components/prometheus.operator.probes.pr`)).json()) as any).debugInfo;
    const job = dbg.resources.find((r: any) => r.name === 'Probe/shop/ingresses').jobs[0];
    expect(job).toMatchObject({ job: 'probe/shop/ingresses', state: 'ok', targets_discovered: 2, targets_active: 1, targets_dropped: 1 });
    expect(job.targets).toEqual([
      expect.objectContaining({
        url: `http://127.0.0.1:${ex.prober.port}/probe?module=http_2xx&target=${encodeURIComponent('https://shop.example.com/cart')}`,
        labels: { ingress: 'shop', instance: 'https://shop.example.com/cart', job: 'probe/shop/ingresses', namespace: 'shop', tier: 'gold' },
      }),
    ]);
    expect(job.dropped).toEqual([
      {
        discovered_labels: expect.objectContaining({ __meta_kubernetes_ingress_name: 'admin' }),
        reason: 'dropped by relabeling: not selected by spec.targets.ingress.selector: the Ingress label probe fails the keep rule "(yes);true" on [__meta_kubernetes_ingress_label_probe, __meta_kubernetes_ingress_labelpresent_probe]',
      },
    ]);
    expect(dbg.targets.map((t: any) => t.url)).toContain(job.targets[0].url);
  });

  test('the component page shows each Probe, its targets (URL, labels) and dropped targets with why', async () => {
    const browser = await chromium.launchPersistentContext(fs.mkdtempSync(path.join(tmp, 'chromium-')), {
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const errors: string[] = [];
      const page = await browser.newPage();
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${alloy!.url}/#/component/prometheus.operator.probes.pr`, { waitUntil: 'load' });
      const ing = '.monitor[data-name="Probe/shop/ingresses"]';
      const url = `http://127.0.0.1:${ex.prober.port}/probe?module=http_2xx&target=${encodeURIComponent('https://shop.example.com/cart')}`;
      await page.waitForSelector(`${ing} tr[data-url="${url}"]`, { timeout: 15_000 });
      expect(await page.textContent(`${ing} tr[data-url="${url}"]`)).toContain('ingress=shop');
      expect(await page.textContent(`${ing} .drop-reason`)).toContain('not selected by spec.targets.ingress.selector');
      await expect(page.textContent('.monitor[data-name="Probe/shop/bad-url"] .reject-reason')).resolves.toContain('spec.prober.url');
      expect(errors).toEqual([]);
    } finally {
      await browser.close().catch(() => undefined);
    }
  }, 60_000);

  test('ScrapeConfig targets from static, HTTP, file and Kubernetes discovery', async () => {
    await waitFor('four ScrapeConfig targets live', () => liveUp((l) => l.job === 'scrapeConfig/shop/mixed').length === 4, { timeoutMs: 20_000, intervalMs: 50 });
    const ups = liveUp((l) => l.job === 'scrapeConfig/shop/mixed')
      .map((s) => s.labels)
      .sort((a, b) => a.source.localeCompare(b.source));
    expect(ups).toEqual([
      { __name__: 'up', instance: `127.0.0.1:${ex.file.port}`, job: 'scrapeConfig/shop/mixed', source: 'file', team: 'files', tier: 'gold' },
      { __name__: 'up', instance: `127.0.0.1:${ex.http.port}`, job: 'scrapeConfig/shop/mixed', source: 'http', team: 'sd', tier: 'gold' },
      { __name__: 'up', instance: `127.0.0.1:${ex.pod.port}`, job: 'scrapeConfig/shop/mixed', pod: 'cache-0', source: 'kubernetes', tier: 'gold' },
      { __name__: 'up', instance: `127.0.0.1:${ex.static.port}`, job: 'scrapeConfig/shop/mixed', source: 'static', tier: 'gold' },
    ]);
    expect(series((l) => l.__name__ === 'file_sd_metric').length).toBe(1);
    // The class's metric relabel rule dropped the static target's own series (up is not subject to it).
    expect(series((l) => l.__name__ === 'static_metric')).toEqual([]);
    const dbg = ((await (await fetch(`${alloy!.url}/api/v0/web/components/prometheus.operator.scrapeconfigs.sc`)).json()) as any).debugInfo;
    const job = dbg.resources.find((r: any) => r.name === 'ScrapeConfig/shop/mixed').jobs[0];
    expect(job).toMatchObject({ job: 'scrapeConfig/shop/mixed', scrape_class: 'tagged', targets_discovered: 4, targets_active: 4, targets_dropped: 0 });
    expect(job.targets.find((t: any) => t.labels.source === 'static')).toMatchObject({ url: `http://127.0.0.1:${ex.static.port}/metrics`, health: 'up' });
  });

  test('bad resources are refused with the reason, in health and in their status', async () => {
    const health = async (id: string) => ((await (await fetch(`${alloy!.url}/api/v0/web/components/${id}`)).json()) as any).health;
    const h = await waitFor('probe health names the bad Probe', async () => {
      const x = await health('prometheus.operator.probes.pr');
      return /Probe\/shop\/bad-url/.test(x?.message ?? '') ? x : undefined;
    }, { timeoutMs: 10_000, intervalMs: 100 });
    expect(h.state).toBe('unhealthy');
    expect(h.message).toContain('spec.prober.url: "http://127.0.0.1:9115/probe" is invalid');
    const sc = await waitFor('scrapeconfig health names the unsupported one', async () => {
      const x = await health('prometheus.operator.scrapeconfigs.sc');
      return /ScrapeConfig\/shop\/consul/.test(x?.message ?? '') ? x : undefined;
    }, { timeoutMs: 10_000, intervalMs: 100 });
    expect(sc.message).toContain('spec.consulSDConfigs: this discovery mechanism is not supported');
    // The refused Probe reads Accepted=False with the operator's reason, through kubectl.
    const bad = await waitFor('bad Probe status', async () => {
      const o = await getYaml('probe/bad-url');
      return accepted(o)?.status === 'False' ? o : undefined;
    }, { timeoutMs: 10_000, intervalMs: 100 });
    expect(accepted(bad)).toMatchObject({ type: 'Accepted', status: 'False', reason: 'InvalidConfiguration', observedGeneration: 1 });
    expect(accepted(bad).message).toContain('spec.prober.url');
    expect(typeof accepted(bad).lastTransitionTime).toBe('string');
    expect(series((l) => l.job === 'probe/shop/bad-url')).toEqual([]);
  });

  test('accepted Probes carry Accepted=True and their target count', async () => {
    const o = await waitFor('static probe status', async () => {
      const x = await getYaml('probe/websites');
      return accepted(x)?.status === 'True' ? x : undefined;
    }, { timeoutMs: 10_000, intervalMs: 100 });
    expect(accepted(o)).toMatchObject({ type: 'Accepted', status: 'True', reason: 'Accepted', observedGeneration: 1 });
    expect(o.status.observedTargets).toBe(2);
    const ing = await waitFor('ingress probe status', async () => {
      const x = await getYaml('probe/ingresses');
      return x.status?.observedTargets === 1 ? x : undefined;
    }, { timeoutMs: 10_000, intervalMs: 100 });
    expect(accepted(ing).status).toBe('True');
  });

  test('editing a Probe changes what the prober is asked; its status follows the generation; deleting it stops it', async () => {
    await k.apply(PROBE_STATIC(ex.prober.port, 'tcp_connect'), 'probe-static');
    await waitFor('the prober sees the new module', () => ex.prober.seenUrls.some((u) => u.includes('module=tcp_connect')), { timeoutMs: 10_000, intervalMs: 50 });
    const o = await waitFor('status at generation 2', async () => {
      const x = await getYaml('probe/websites');
      return accepted(x)?.observedGeneration === 2 ? x : undefined;
    }, { timeoutMs: 10_000, intervalMs: 100 });
    expect(accepted(o).status).toBe('True');
    await k.remove(PROBE_STATIC(ex.prober.port, 'tcp_connect'), 'probe-static');
    await waitFor('blackbox series stale', () => series((l) => l.__name__ === 'up' && l.job === 'blackbox').every((s) => Number.isNaN(last(s).v)), { timeoutMs: 10_000, intervalMs: 50 });
    // The ingress Probe keeps running.
    expect(liveUp((l) => l.job === 'probe/shop/ingresses').length).toBe(1);
  });

  test('editing a ScrapeConfig changes its targets\' labels; deleting it stops all its targets', async () => {
    const doc = SCRAPE_CONFIG(ex.static.port, `http://127.0.0.1:${(sd.address() as AddressInfo).port}/targets`, path.join(tmp, '*.json'));
    const edited = doc.replace('labels: {source: static}', 'labels: {source: static, edited: "yes"}');
    expect(edited).not.toBe(doc);
    await k.apply(edited, 'sc');
    await waitFor('the edited static target live', () => liveUp((l) => l.job === 'scrapeConfig/shop/mixed' && l.edited === 'yes').length === 1, { timeoutMs: 10_000, intervalMs: 50 });
    // The series under the old labels ends with a staleness marker; the other three targets go on.
    await waitFor('the old static series stale', () => series((l) => l.__name__ === 'up' && l.job === 'scrapeConfig/shop/mixed' && l.source === 'static' && l.edited === undefined).every((s) => Number.isNaN(last(s).v)), { timeoutMs: 10_000, intervalMs: 50 });
    expect(liveUp((l) => l.job === 'scrapeConfig/shop/mixed').length).toBe(4);
    await k.remove(edited, 'sc');
    await waitFor('every ScrapeConfig series stale', () => series((l) => l.__name__ === 'up' && l.job === 'scrapeConfig/shop/mixed').every((s) => Number.isNaN(last(s).v)), { timeoutMs: 10_000, intervalMs: 50 });
    const dbg = ((await (await fetch(`${alloy!.url}/api/v0/web/components/prometheus.operator.scrapeconfigs.sc`)).json()) as any).debugInfo;
    expect(dbg.resources.map((r: any) => r.name)).not.toContain('ScrapeConfig/shop/mixed');
  });
});
