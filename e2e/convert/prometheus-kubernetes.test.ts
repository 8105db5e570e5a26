// The usual annotation-driven "kubernetes-pods" job of a Prometheus config
// (kubernetes_sd_configs role pod + relabel_configs), converted by `alloy
// convert` and run by `alloy run` against the sandbox API emulator: the
// annotated pods' endpoints on 127.0.0.x are scraped at the annotated port and
// path, with the labels the rules give, and reach the remote-write receiver.
// (Debian's Prometheus is built without Kubernetes SD, so the oracle here is
// the expected label sets rather than a Prometheus run.)
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { type AlloyProcess, startAlloyProcess } from '../lib/alloy-process.js';
import { syntheticOpenMetrics, syntheticText } from '../scrape/synthetic.js';
import { startKubeEmulator, type KubeEmulator } from '../../src/sandbox/kube/index.js';
import { RemoteWriteReceiver } from '../../src/sandbox/receivers/remote-write-receiver.js';
import { alloyCli } from './cli.js';

function prometheusYaml(kubeconfig: string, rx: string): string {
  return `global: { scrape_interval: 1s, scrape_timeout: 1s }
scrape_configs:
  - job_name: kubernetes-pods
    kubernetes_sd_configs:
      - role: pod
        kubeconfig_file: ${kubeconfig}
        namespaces: { names: [apps] }
    relabel_configs:
      - source_labels: [__meta_kubernetes_pod_annotation_prometheus_io_scrape]
        action: keep
        regex: "true"
      - source_labels: [__meta_kubernetes_pod_annotation_prometheus_io_path]
        action: replace
        target_label: __metrics_path__
        regex: (.+)
      - source_labels: [__address__, __meta_kubernetes_pod_annotation_prometheus_io_port]
        action: replace
        regex: '([^:]+)(?::\\d+)?;(\\d+)'
        replacement: $1:$2
        target_label: __address__
      - action: labelmap
        regex: __meta_kubernetes_pod_label_(.+)
      - source_labels: [__meta_kubernetes_namespace]
        target_label: namespace
      - source_labels: [__meta_kubernetes_pod_name]
        target_label: pod
remote_write:
  - url: ${rx}
    queue_config: { batch_send_deadline: 1s, min_backoff: 100ms }
`;
}

describe('alloy convert: a converted kubernetes_sd scrape config runs against the API emulator', () => {
  let api: KubeEmulator;
  const rx = new RemoteWriteReceiver();
  const servers: http.Server[] = [];
  let alloy: AlloyProcess | undefined;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'convert-k8s-'));

  const exporter = async (host: string): Promise<number> => {
    const s = http.createServer((req, res) => {
      const om = req.url?.startsWith('/om');
      res.writeHead(200, { 'content-type': om ? 'application/openmetrics-text; version=1.0.0; charset=utf-8' : 'text/plain; version=0.0.4; charset=utf-8' });
      res.end(om ? syntheticOpenMetrics() : syntheticText());
    });
    await new Promise<void>((r) => s.listen(0, host, r));
    servers.push(s);
    return (s.address() as AddressInfo).port;
  };

  beforeAll(async () => {
    api = await startKubeEmulator();
    await rx.start();
  });
  afterAll(async () => {
    await alloy?.kill();
    for (const s of servers) await new Promise((r) => s.close(r));
    await rx.down();
    await api.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  test('annotated pods are scraped at their annotated port and path, with the relabeled labels', async () => {
    for (const ns of ['apps', 'elsewhere']) api.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    const [p2, p3, p4] = [await exporter('127.0.0.2'), await exporter('127.0.0.3'), await exporter('127.0.0.4')];
    const pod = (name: string, ip: string, annotations: Record<string, string>, ns = 'apps') =>
      api.apply({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name, namespace: ns, uid: `uid-${name}`, labels: { app: name.split('-')[0] }, annotations },
        spec: { nodeName: 'node-a', containers: [{ name: 'main', image: 'x', ports: [{ containerPort: 8080, name: 'http' }] }] },
        status: { phase: 'Running', podIP: ip, conditions: [{ type: 'Ready', status: 'True' }] },
      });
    pod('web-1', '127.0.0.2', { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(p2) });
    pod('om-1', '127.0.0.3', { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(p3), 'prometheus.io/path': '/om' });
    pod('quiet-1', '127.0.0.4', { 'prometheus.io/port': String(p4) }); // not annotated for scraping
    pod('other-1', '127.0.0.4', { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(p4) }, 'elsewhere'); // not a watched namespace

    const kubeconfig = path.join(tmp, 'kubeconfig');
    api.writeKubeconfig(kubeconfig);
    const conv = await alloyCli(['convert', '--source-format=prometheus', '-'], { stdin: prometheusYaml(kubeconfig, rx.url) });
    expect([conv.code, conv.stderr]).toEqual([0, '']);
    expect(conv.stdout).toContain('discovery.kubernetes "kubernetes_pods" {');
    alloy = await startAlloyProcess({ config: conv.stdout, timeoutMs: 60000 });

    const ups = () => [...rx.series.values()].filter((s) => s.labels.__name__ === 'up' && s.samples.some((x) => x.v === 1));
    await rx.waitFor(() => ups().length >= 2, 45000, 'up == 1 of the two annotated pods');
    await new Promise((r) => setTimeout(r, 2000)); // a third target, if any, would show up by now
    const upLabels = [...rx.series.values()]
      .filter((s) => s.labels.__name__ === 'up')
      .map((s) => s.labels)
      .sort((a, b) => a.pod.localeCompare(b.pod));
    expect(upLabels).toEqual([
      { __name__: 'up', app: 'om', instance: `127.0.0.3:${p3}`, job: 'kubernetes-pods', namespace: 'apps', pod: 'om-1' },
      { __name__: 'up', app: 'web', instance: `127.0.0.2:${p2}`, job: 'kubernetes-pods', namespace: 'apps', pod: 'web-1' },
    ]);
    // The annotated path was used: the OpenMetrics-only series comes from om-1, the text one from web-1.
    const names = (pod: string) => new Set([...rx.series.values()].filter((s) => s.labels.pod === pod).map((s) => s.labels.__name__));
    expect(names('om-1').has('om_jobs_total')).toBe(true);
    expect(names('web-1').has('synth_temperature')).toBe(true);
    expect(names('web-1').has('om_jobs_total')).toBe(false);
  }, 120000);
});
