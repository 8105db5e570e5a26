// A promtail config (kubernetes pods, relabel_configs, pipeline_stages, a
// client) converted by `alloy convert` and run by `alloy run` against the
// sandbox API emulator delivers the log lines to the Loki receiver: only the
// pods of the node named by HOSTNAME (promtail's rule), with the labels the
// relabel rules and stages give, without the lines the drop stage removes.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type AlloyProcess, startAlloyProcess } from '../lib/alloy-process.js';
import { runningPod } from '../logs/harness.js';
import { startKubeEmulator, type KubeEmulator } from '../../src/sandbox/kube/index.js';
import { startLokiReceiver, type LokiReceiver } from '../../src/sandbox/receivers/loki-receiver.js';
import { alloyCli } from './cli.js';

function promtailYaml(kubeconfig: string, lokiUrl: string): string {
  return `server:
  http_listen_port: 9080
positions:
  filename: /tmp/positions.yaml
clients:
  - url: ${lokiUrl}
    batchwait: 100ms
    backoff_config: { min_period: 50ms, max_period: 500ms }
    external_labels: { cluster: sandbox }
scrape_configs:
  - job_name: kubernetes-pods
    kubernetes_sd_configs:
      - role: pod
        kubeconfig_file: ${kubeconfig}
    relabel_configs:
      - source_labels: [__meta_kubernetes_pod_label_app]
        regex: web|api
        action: keep
      - source_labels: [__meta_kubernetes_pod_label_app]
        target_label: app
      - source_labels: [__meta_kubernetes_pod_uid, __meta_kubernetes_pod_container_name]
        separator: /
        target_label: __path__
        replacement: /var/log/pods/*$1/*.log
    pipeline_stages:
      - cri: {}
      - json:
          expressions: { level: null, msg: message }
      - labels: { level: null }
      - static_labels: { team: payments }
      - drop: { source: level, value: debug }
`;
}

describe('alloy convert: a converted promtail config runs and delivers logs', () => {
  let api: KubeEmulator;
  let loki: LokiReceiver;
  let alloy: AlloyProcess | undefined;
  let tmp: string;

  beforeAll(async () => {
    api = await startKubeEmulator();
    loki = await startLokiReceiver();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'convert-promtail-'));
  });
  afterAll(async () => {
    await alloy?.kill();
    await loki.close();
    await api.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  test('lines of the own node\'s kept pods arrive with the converted labels', async () => {
    const pod = (name: string, app: string, node: string) => {
      const p = runningPod('default', name, ['main']);
      p.metadata.labels = { app };
      p.spec.nodeName = node;
      return api.apply(p);
    };
    pod('web-1', 'web', 'node-a');
    pod('api-1', 'api', 'node-a');
    pod('batch-1', 'batch', 'node-a'); // dropped by the keep rule
    pod('web-2', 'web', 'node-b'); // another node's pod: promtail there reads it
    const line = (level: string, i: number) => JSON.stringify({ level, message: `m${i}` });
    for (const name of ['web-1', 'api-1', 'batch-1', 'web-2']) {
      api.logs.append('default', name, 'main', [line('info', 1), line('debug', 2), line('error', 3)]);
    }

    const kubeconfig = path.join(tmp, 'kubeconfig');
    api.writeKubeconfig(kubeconfig);
    const yml = path.join(tmp, 'promtail.yml');
    fs.writeFileSync(yml, promtailYaml(kubeconfig, loki.url));
    const conv = await alloyCli(['convert', '--source-format=promtail', yml]);
    expect(conv.stderr).toBe('');
    expect(conv.code).toBe(0);
    const fmt = await alloyCli(['fmt', '--check', '-'], { stdin: conv.stdout });
    expect(fmt.code).toBe(0);

    alloy = await startAlloyProcess({ config: conv.stdout, env: { HOSTNAME: 'node-a' }, timeoutMs: 60000 });
    // 2 kept pods on node-a x 2 lines that are not debug.
    await loki.waitFor(() => loki.totalEntries() >= 4, 45000, 'the converted pipeline delivers 4 lines');
    await new Promise((r) => setTimeout(r, 1000)); // anything else that would arrive (it must not)
    const got = [...loki.streams.values()]
      .flatMap((s) => s.entries.map((e) => ({ labels: s.labels, line: e.line })))
      .map(({ labels, line }) => `${labels.pod} ${labels.app} ${labels.level} ${labels.team} ${labels.cluster} ${JSON.parse(line).message}`)
      .sort();
    expect(got).toEqual([
      'api-1 api error payments sandbox m3',
      'api-1 api info payments sandbox m1',
      'web-1 web error payments sandbox m3',
      'web-1 web info payments sandbox m1',
    ]);
    const labels = [...loki.streams.values()][0].labels;
    expect(Object.keys(labels).sort()).toEqual(['app', 'cluster', 'container', 'instance', 'job', 'level', 'namespace', 'pod', 'team']);
  }, 120000);
});
