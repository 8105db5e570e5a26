// A promtail config with a k8s-monitoring-like pipeline (cri, a match on the
// app label with regex + labels + timestamp + output, a match that drops
// debug lines, labeldrop, a metrics counter), converted by `alloy convert`
// and run by `alloy run` against the sandbox API emulator: the lines arrive
// at the Loki receiver rewritten, labelled and timed by the converted stages,
// and the converted counter counts them.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type AlloyProcess, startAlloyProcess } from '../lib/alloy-process.js';
import { runningPod } from '../logs/harness.js';
import { metric } from '../logs/cli-harness.js';
import { startKubeEmulator, type KubeEmulator } from '../../src/sandbox/kube/index.js';
import { startLokiReceiver, type LokiReceiver } from '../../src/sandbox/receivers/loki-receiver.js';
import { alloyCli } from './cli.js';

function promtailYaml(kubeconfig: string, lokiUrl: string): string {
  return `clients:
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
        target_label: app
    pipeline_stages:
      - cri: {}
      - match:
          selector: '{app="web"}'
          pipeline_name: web
          stages:
            - regex:
                expression: '^(?P<ts>\\S+) (?P<level>\\w+) (?P<msg>.*)$'
            - labels: { level: }
            - timestamp: { source: ts, format: RFC3339 }
            - output: { source: msg }
      - match:
          selector: '{level="debug"}'
          action: drop
          drop_counter_reason: debug_lines
      - labeldrop: [instance]
      - metrics:
          lines_total:
            type: counter
            description: lines delivered
            prefix: promtail_custom_
            config: { match_all: true, action: inc }
`;
}

describe('alloy convert: a converted promtail pipeline with every kind of stage runs', () => {
  let api: KubeEmulator;
  let loki: LokiReceiver;
  let alloy: AlloyProcess | undefined;
  let tmp: string;

  beforeAll(async () => {
    api = await startKubeEmulator();
    loki = await startLokiReceiver();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'convert-promtail-stages-'));
  });
  afterAll(async () => {
    await alloy?.kill();
    await loki.close();
    await api.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  test('lines arrive rewritten, labelled and timed by the converted stages; debug lines are dropped and counted', async () => {
    const pod = (name: string, app: string) => {
      const p = runningPod('default', name, ['main']);
      p.metadata.labels = { app };
      p.spec.nodeName = 'node-a';
      return api.apply(p);
    };
    pod('web-1', 'web');
    pod('api-1', 'api');
    api.logs.append('default', 'web-1', 'main', ['2026-01-02T03:04:05Z info started', '2026-01-02T03:04:06Z debug noisy', '2026-01-02T03:04:07Z error failed']);
    api.logs.append('default', 'api-1', 'main', ['plain api line']);

    const kubeconfig = path.join(tmp, 'kubeconfig');
    api.writeKubeconfig(kubeconfig);
    const yml = path.join(tmp, 'promtail.yml');
    fs.writeFileSync(yml, promtailYaml(kubeconfig, loki.url));
    const conv = await alloyCli(['convert', '--source-format=promtail', yml]);
    expect(conv.stderr).toBe('');
    expect(conv.code).toBe(0);
    for (const stage of ['stage.cri', 'stage.match', 'stage.regex', 'stage.labels', 'stage.timestamp', 'stage.output', 'stage.label_drop', 'stage.metrics', 'metric.counter']) {
      expect(conv.stdout).toContain(`${stage} {`);
    }
    const validate = path.join(tmp, 'converted.alloy');
    fs.writeFileSync(validate, conv.stdout);
    const v = await alloyCli(['validate', '--stability.level=experimental', validate]);
    expect(v.stderr).toBe('');
    expect(v.code).toBe(0);

    alloy = await startAlloyProcess({ config: conv.stdout, env: { HOSTNAME: 'node-a' }, timeoutMs: 90000 });
    // web-1: info and error (debug dropped); api-1: its line unchanged.
    await loki.waitFor(() => loki.totalEntries() >= 3, 90000, 'the converted pipeline delivers 3 lines');
    await new Promise((r) => setTimeout(r, 1000)); // anything else that would arrive (it must not)
    const got = [...loki.streams.values()]
      .flatMap((s) => s.entries.map((e) => ({ labels: s.labels, e })))
      .map(({ labels, e }) => `${labels.pod} ${labels.level ?? '-'} ${labels.app} ${labels.cluster} ${e.line}`)
      .sort();
    expect(got).toEqual(['api-1 - api sandbox plain api line', 'web-1 error web sandbox failed', 'web-1 info web sandbox started']);
    const web = [...loki.streams.values()].filter((s) => s.labels.pod === 'web-1');
    const times = web.flatMap((s) => s.entries.map((e) => [e.line, e.ts]));
    // The timestamp stage set each entry's time from the line.
    expect(times.sort()).toEqual([
      ['failed', BigInt(Date.parse('2026-01-02T03:04:07Z')) * 1_000_000n],
      ['started', BigInt(Date.parse('2026-01-02T03:04:05Z')) * 1_000_000n],
    ]);
    for (const s of loki.streams.values()) {
      // labeldrop removed instance; the match stage added level to web's lines only.
      expect(Object.keys(s.labels).sort()).toEqual(
        s.labels.pod === 'web-1' ? ['app', 'cluster', 'container', 'job', 'level', 'namespace', 'pod'] : ['app', 'cluster', 'container', 'job', 'namespace', 'pod'],
      );
    }
    // The metrics stage comes after the drop: it counted the 3 delivered lines.
    expect(await metric(alloy, 'promtail_custom_lines_total')).toBe(3);
    expect(await metric(alloy, 'loki_process_dropped_lines_total')).toBe(1);
  }, 200000);
});
