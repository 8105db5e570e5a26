// Conversions of promtail configs, read back with our parser.
import { attr, attrNames, run, sub } from '../../e2e/lib/converted.js';

const promtail = (yaml: string) => run(yaml, 'promtail');
const CLIENT = `clients:\n  - url: http://127.0.0.1:3100/loki/api/v1/push\n`;
const K8S_JOB = `scrape_configs:
  - job_name: kubernetes-pods
    kubernetes_sd_configs: [{ role: pod }]
`;

describe('alloy convert: promtail', () => {
  test('clients -> one loki.write each, with their settings, external_labels and limits_config.max_streams', () => {
    const r = promtail(`clients:
  - url: http://127.0.0.1:3100/loki/api/v1/push
    name: main
    tenant_id: t1
    batchwait: 2s
    batchsize: 2097152
    timeout: 5s
    headers: { X-A: b }
    backoff_config: { min_period: 100ms, max_period: 10s, max_retries: 3 }
    drop_rate_limited_batches: true
    external_labels: { cluster: c1 }
    basic_auth: { username: u, password: p }
  - url: http://127.0.0.2:3100/loki/api/v1/push
    batchsize: 1000
limits_config: { max_streams: 50 }
`);
    expect(r.errors).toEqual([]);
    const w = r.blocks.get('loki.write.default');
    expect(attr(w, 'external_labels').replace(/\s+/g, ' ')).toBe('{ cluster = "c1", }');
    expect(attr(w, 'max_streams')).toBe('50');
    const e = sub(w, 'endpoint')[0];
    expect(Object.fromEntries(attrNames(e).map((n) => [n, attr(e, n).replace(/\s+/g, ' ')]))).toEqual({
      name: '"main"',
      url: '"http://127.0.0.1:3100/loki/api/v1/push"',
      tenant_id: '"t1"',
      headers: '{ "X-A" = "b", }',
      batch_size: '"2MiB"',
      batch_wait: '"2s"',
      remote_timeout: '"5s"',
      min_backoff_period: '"100ms"',
      max_backoff_period: '"10s"',
      max_backoff_retries: '3',
      retry_on_http_429: 'false',
    });
    expect(attr(sub(e, 'basic_auth')[0], 'username')).toBe('"u"');
    expect(attr(sub(r.blocks.get('loki.write.default_2'), 'endpoint')[0], 'batch_size')).toBe('"1000B"');
  });

  test('kubernetes pods -> discovery.kubernetes (own node) -> discovery.relabel -> loki.source.kubernetes -> loki.process -> loki.write', () => {
    const r = promtail(`${CLIENT}scrape_configs:
  - job_name: kubernetes-pods
    kubernetes_sd_configs:
      - role: pod
        kubeconfig_file: /kubeconfig
        namespaces: { names: [apps] }
    relabel_configs:
      - source_labels: [__meta_kubernetes_pod_label_app]
        target_label: app
      - source_labels: [__meta_kubernetes_pod_uid, __meta_kubernetes_pod_container_name]
        separator: /
        target_label: __path__
        replacement: /var/log/pods/*$1/*.log
    pipeline_stages:
      - cri: {}
      - json: { expressions: { level: null, msg: message }, source: log, drop_malformed: true }
      - logfmt: { mapping: { code: null } }
      - labels: { level: null, lvl: level }
      - static_labels: { team: a }
      - drop: { source: [level, code], separator: ";", value: "debug;200", drop_counter_reason: noisy }
      - drop: { older_than: 1h, longer_than: 8KB }
`);
    expect(r.errors).toEqual([]);
    expect([...r.blocks.keys()]).toEqual([
      'discovery.kubernetes.kubernetes_pods',
      'discovery.relabel.kubernetes_pods',
      'loki.source.kubernetes.kubernetes_pods',
      'loki.process.kubernetes_pods',
      'loki.write.default',
    ]);
    const d = r.blocks.get('discovery.kubernetes.kubernetes_pods');
    // promtail tails only its node's pods; Alloy's converter adds the same selector.
    expect(sub(d, 'selectors').map((s) => [attr(s, 'role'), attr(s, 'field')])).toEqual([
      ['"pod"', '"spec.nodeName=" + coalesce(sys.env("HOSTNAME"), constants.hostname)'],
    ]);
    expect(sub(r.blocks.get('discovery.relabel.kubernetes_pods'), 'rule')).toHaveLength(2);
    const src = r.blocks.get('loki.source.kubernetes.kubernetes_pods');
    expect(attr(src, 'targets')).toBe('discovery.relabel.kubernetes_pods.output');
    expect(attr(src, 'forward_to')).toBe('[loki.process.kubernetes_pods.receiver]');
    expect(attr(sub(src, 'client')[0], 'kubeconfig_file')).toBe('"/kubeconfig"');
    const p = r.blocks.get('loki.process.kubernetes_pods');
    expect(attr(p, 'forward_to')).toBe('[loki.write.default.receiver]');
    const stages = (p?.body ?? []).filter((s) => s.kind === 'block').map((s) => s.name);
    expect(stages).toEqual(['stage.cri', 'stage.json', 'stage.logfmt', 'stage.labels', 'stage.static_labels', 'stage.drop', 'stage.drop']);
    const [json] = sub(p, 'stage.json');
    expect([attr(json, 'expressions').replace(/\s+/g, ' '), attr(json, 'source'), attr(json, 'drop_malformed')]).toEqual([
      '{ level = "", msg = "message", }',
      '"log"',
      'true',
    ]);
    expect(attr(sub(p, 'stage.labels')[0], 'values').replace(/\s+/g, ' ')).toBe('{ level = "", lvl = "level", }');
    const [drop1, drop2] = sub(p, 'stage.drop');
    expect([attr(drop1, 'source'), attr(drop1, 'value'), attr(drop1, 'drop_counter_reason')]).toEqual(['"level,code"', '"debug;200"', '"noisy"']);
    expect([attr(drop2, 'older_than'), attr(drop2, 'longer_than')]).toEqual(['"1h"', '"8KiB"']);
    const infos = r.diagnostics.list.filter((x) => x.severity === 'Info').map((x) => x.summary);
    expect(infos.some((s) => s.includes('rules that set __path__ have no effect'))).toBe(true);
    expect(infos).toContain(
      'scrape_configs[0].pipeline_stages[0].cri: converted to stage.cri; loki.source.kubernetes reads lines through the API server, which sends them without the CRI framing, and stage.cri passes such lines on unchanged.',
    );
  });

  test('without relabel rules or stages the source reads the discovery and writes to every client', () => {
    const r = promtail(`${CLIENT}  - url: http://127.0.0.2:3100/loki/api/v1/push\n${K8S_JOB}`);
    const src = r.blocks.get('loki.source.kubernetes.kubernetes_pods');
    expect(attr(src, 'targets')).toBe('discovery.kubernetes.kubernetes_pods.targets');
    expect(attr(src, 'forward_to')).toBe('[loki.write.default.receiver, loki.write.default_2.receiver]');
    expect(sub(src, 'client')).toEqual([]);
    expect(r.blocks.has('loki.process.kubernetes_pods')).toBe(false);
  });

  test('several SDs are concatenated; a role other than pod gets no node selector and a warning', () => {
    const r = promtail(`${CLIENT}scrape_configs:
  - job_name: k
    kubernetes_sd_configs: [{ role: pod }, { role: endpoints }]
`);
    expect(attr(r.blocks.get('loki.source.kubernetes.k'), 'targets').replace(/\s+/g, ' ')).toBe(
      'array.concat( discovery.kubernetes.k.targets, discovery.kubernetes.k_2.targets, )',
    );
    expect(sub(r.blocks.get('discovery.kubernetes.k_2'), 'selectors')).toEqual([]);
    expect(r.diagnostics.list.filter((d) => d.severity === 'Warning').map((d) => d.summary)).toEqual([
      'scrape_configs[0].kubernetes_sd_configs[1]: role endpoints: loki.source.kubernetes tails pods; targets without the __meta_kubernetes_pod_* labels are skipped.',
    ]);
  });

  test('stages promtail does not have, static_configs (files) and other sources are errors', () => {
    const r = promtail(`${CLIENT}scrape_configs:
  - job_name: k
    kubernetes_sd_configs: [{ role: pod }]
    pipeline_stages:
      - pattern: { pattern: "<a>" }
      - label_keep: [a]
      - nonsense: {}
  - job_name: files
    static_configs: [{ targets: [localhost], labels: { __path__: /var/log/*.log } }]
  - job_name: journal
    journal: { max_age: 12h }
wal: { enabled: true }
`);
    expect(r.errors).toEqual([
      "(Error) Promtail's WAL is currently not supported in Alloy",
      '(Error) The converter does not support converting the provided pipeline stage: pattern (scrape_configs[0].pipeline_stages[0]: promtail has no pattern stage; in Alloy it is stage.pattern, to be written by hand)',
      '(Error) The converter does not support converting the provided pipeline stage: label_keep (scrape_configs[0].pipeline_stages[1]: promtail has no label_keep stage; in Alloy it is stage.label_keep (promtail: labelallow), to be written by hand)',
      '(Error) The converter does not support converting the provided pipeline stage: nonsense (scrape_configs[0].pipeline_stages[2]: not a promtail stage)',
      '(Error) The converter does not support converting the provided scrape_configs[1].static_configs config: files matched by __path__ need local.file_match and loki.source.file, which this collector does not ship.',
      '(Error) The converter does not support converting the provided scrape_configs[2].journal config: this collector has no loki.source.journal',
    ]);
    // Bypassed, the jobs without a source produce no components.
    expect([...r.blocks.keys()].filter((k) => k.endsWith('.files') || k.endsWith('.journal'))).toEqual([]);
  });

  test('server, positions and target_config are reported with what replaces them', () => {
    const r = promtail(`server: { http_listen_port: 9080, log_level: debug }
positions: { filename: /run/positions.yaml }
target_config: { sync_period: 10s }
${CLIENT}${K8S_JOB}`);
    expect(r.errors).toEqual([]);
    const text = r.diagnostics.list.map((d) => `${d.severity}: ${d.summary}`);
    expect(text).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^Warning: The converter does not support converting the provided server.log_level config/),
        expect.stringMatching(/^Info: positions is not converted: loki.source.kubernetes keeps its positions under the --storage.path/),
        expect.stringMatching(/^Info: target_config.sync_period is not converted/),
      ]),
    );
  });

  test('a stage that is not a one-key mapping is critical', () => {
    const r = promtail(`${CLIENT}scrape_configs:\n  - job_name: k\n    kubernetes_sd_configs: [{ role: pod }]\n    pipeline_stages: [json]\n`);
    expect(r.output).toBeUndefined();
    expect(r.errors[0]).toMatch(/^\(Critical\) scrape_configs\[0\]\.pipeline_stages\[0\]: invalid input YAML config/);
  });
});
