// `alloy convert` as a process (flags, exit codes, --output, --report,
// --bypass-errors, stdin), and the converted configs of every construct
// checked by the runtime's own decoding (e2e/charts/config-check.ts): each
// component's schema and validation accept what the converter writes.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { convert } from '../../src/convert/index.js';
import { checkConfig } from '../charts/config-check.js';
import { alloyCli } from './cli.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'convert-cli-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const WITH_ERRORS = `scrape_configs:
  - job_name: node
    static_configs: [{ targets: ['127.0.0.1:9100'] }]
  - job_name: consul
    consul_sd_configs: [{ server: '127.0.0.1:8500' }]
remote_write: [{ url: 'http://127.0.0.1:9009/api/v1/push' }]
rule_files: [rules.yml]
`;

describe('alloy convert CLI', () => {
  test('errors: exit 1, the errors on stderr, no config written; the report says how to bypass', async () => {
    const src = path.join(tmp, 'errors.yml');
    fs.writeFileSync(src, WITH_ERRORS);
    const out = path.join(tmp, 'errors.alloy');
    const report = path.join(tmp, 'errors.txt');
    const r = await alloyCli(['convert', '--source-format', 'prometheus', '-o', out, '-r', report, src]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('(Error) The converter does not support converting the provided consul service discovery.');
    expect(r.stderr).toContain('(Error) The converter does not support converting the provided rule_files config.');
    expect(fs.existsSync(out)).toBe(false);
    expect(fs.readFileSync(report, 'utf8')).toContain('You can bypass the errors by using the --bypass-errors flag.');
  });

  test('--bypass-errors writes the config and the full report', async () => {
    const src = path.join(tmp, 'bypass.yml');
    fs.writeFileSync(src, WITH_ERRORS);
    const out = path.join(tmp, 'bypass.alloy');
    const report = path.join(tmp, 'bypass.txt');
    const r = await alloyCli(['convert', '--source-format=prometheus', '--bypass-errors', `--output=${out}`, `--report=${report}`, src]);
    expect(r).toMatchObject({ code: 0, stdout: '', stderr: '' });
    const config = fs.readFileSync(out, 'utf8');
    expect(config).toContain('prometheus.scrape "node" {');
    expect(config).toContain('prometheus.scrape "consul" {');
    const text = fs.readFileSync(report, 'utf8');
    expect(text).toContain('(Info) Converted scrape_configs job_name "node" into...\n\tA prometheus.scrape.node component');
    expect(text.trimEnd().endsWith('A configuration file was generated successfully.')).toBe(true);
    expect((await alloyCli(['fmt', '--check', out])).code).toBe(0);
  });

  test('stdin in, stdout out; bad flags are clear errors', async () => {
    const r = await alloyCli(['convert', '-f', 'promtail', '-'], { stdin: 'clients: [{ url: "http://127.0.0.1:3100/loki/api/v1/push" }]\n' });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('loki.write "default" {');
    const noFormat = await alloyCli(['convert', path.join(tmp, 'x.yml')]);
    expect([noFormat.code, noFormat.stderr.trim()]).toEqual([1, 'alloy convert: --source-format is required (prometheus, promtail or otelcol)']);
    const badFormat = await alloyCli(['convert', '--source-format=jaeger', path.join(tmp, 'x.yml')]);
    expect(badFormat.stderr.trim()).toBe('alloy convert: unsupported --source-format "jaeger" (supported: prometheus, promtail, otelcol)');
    const missing = await alloyCli(['convert', '--source-format=prometheus', path.join(tmp, 'missing.yml')]);
    expect([missing.code, missing.stderr.trim()]).toEqual([1, `alloy convert: cannot read ${path.join(tmp, 'missing.yml')}: no such file`]);
    const critical = await alloyCli(['convert', '--source-format=prometheus', '-b', '-'], { stdin: 'scrape_configs: [' });
    expect(critical.code).toBe(1);
    expect(critical.stderr).toMatch(/^\(Critical\) failed to parse Prometheus config/);
  }, 60000);
});

describe('converted configs pass the runtime\'s decoding', () => {
  test('Prometheus: every kubernetes SD option, scrape client and limits, remote_write with everything', () => {
    const kubeconfig = path.join(tmp, 'kubeconfig');
    fs.writeFileSync(kubeconfig, 'apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n');
    const r = convert(
      `global: { scrape_interval: 30s, external_labels: { cluster: c } }
scrape_configs:
  - job_name: pods
    kubernetes_sd_configs:
      - role: pod
        api_server: https://127.0.0.1:6443
        bearer_token_file: /run/token
        tls_config: { ca_file: /ca.crt, insecure_skip_verify: true }
        namespaces: { names: [a], own_namespace: false }
        selectors: [{ role: pod, label: "app=x", field: "spec.nodeName=n" }]
        attach_metadata: { node: true }
      - role: endpoints
        kubeconfig_file: ${kubeconfig}
      - role: endpointslice
      - role: service
      - role: node
        api_server: https://127.0.0.1:6443
        authorization: { credentials: tok }
      - role: ingress
        api_server: https://127.0.0.1:6443
        basic_auth: { username: u, password: p }
    relabel_configs:
      - { source_labels: [__meta_kubernetes_pod_annotation_prometheus_io_scrape], regex: "true", action: keep }
      - { source_labels: [__address__], modulus: 2, target_label: __tmp_shard, action: hashmod }
    metric_relabel_configs:
      - { source_labels: [__name__], regex: go_.*, action: drop }
    scheme: https
    honor_labels: true
    params: { a: [b] }
    sample_limit: 10
    body_size_limit: 1MB
    scrape_protocols: [OpenMetricsText1.0.0, PrometheusText0.0.4]
    oauth2: { client_id: i, client_secret: s, token_url: "https://127.0.0.1/token" }
    tls_config: { ca: "-----BEGIN CERTIFICATE-----" , server_name: x }
remote_write:
  - url: https://127.0.0.1/push
    name: a
    headers: { X-Scope-OrgID: t }
    remote_timeout: 10s
    queue_config: { capacity: 100, max_shards: 2, batch_send_deadline: 1s, retry_on_http_429: false }
    metadata_config: { send: false }
    write_relabel_configs: [{ regex: x, action: labeldrop }]
    basic_auth: { username: u, password: p }
    tls_config: { min_version: TLS12 }
    enable_http2: false
    follow_redirects: false
    http_headers: { X-A: { values: [v] } }
  - url: http://127.0.0.2/push
    oauth2: { client_id: i, client_secret: s, token_url: "http://127.0.0.1/token", scopes: [a] }
`,
      'prometheus',
    );
    expect(r.diagnostics.atLeast('Error')).toEqual([]);
    const check = checkConfig(r.output!);
    expect(check.deferred).toEqual([]);
    expect(check.components.filter((c) => c === 'discovery.kubernetes')).toHaveLength(6);
  });

  test('promtail: clients, kubernetes pods with a client, relabel rules and every stage', () => {
    const r = convert(
      `clients:
  - url: http://127.0.0.1:3100/loki/api/v1/push
    tenant_id: t
    batchsize: 102400
    batchwait: 500ms
    timeout: 3s
    backoff_config: { min_period: 10ms, max_period: 1s, max_retries: 2 }
    drop_rate_limited_batches: true
    bearer_token: tok
    external_labels: { a: b }
  - url: http://127.0.0.2:3100/loki/api/v1/push
limits_config: { max_streams: 10 }
scrape_configs:
  - job_name: pods
    kubernetes_sd_configs:
      - role: pod
        api_server: https://127.0.0.1:6443
        tls_config: { insecure_skip_verify: true }
        bearer_token: tok
    relabel_configs:
      - { source_labels: [__meta_kubernetes_pod_label_app], target_label: app }
    pipeline_stages:
      - docker: {}
      - json: { expressions: { level: null, m: msg }, source: x, drop_malformed: true }
      - logfmt: { mapping: { a: null }, source: y }
      - labels: { level: null }
      - static_labels: { s: v }
      - drop: { source: level, value: debug, older_than: 1h, longer_than: 1KB, drop_counter_reason: r }
      - drop: { expression: ".*health.*" }
`,
      'promtail',
    );
    expect(r.diagnostics.atLeast('Error')).toEqual([]);
    const check = checkConfig(r.output!, 'promtail.alloy', { HOSTNAME: 'node-a' });
    expect(check.deferred).toEqual([]);
    expect(check.components).toEqual(['discovery.kubernetes', 'discovery.relabel', 'loki.source.kubernetes', 'loki.process', 'loki.write', 'loki.write']);
  });
});
