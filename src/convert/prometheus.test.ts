// Conversions of Prometheus configs, construct by construct, read back with our parser.
import { attr, attrNames, run, sub } from '../../e2e/lib/converted.js';
import { validateConfig } from '../cli/validate.js';

const prom = (yaml: string) => run(yaml, 'prometheus');
const RW = `remote_write:\n  - url: http://127.0.0.1:9009/api/v1/push\n`;

describe('alloy convert: Prometheus', () => {
  test('static_configs, global interval and timeout inheritance, forward_to the remote_write', () => {
    const r = prom(`global: { scrape_interval: 15s }
scrape_configs:
  - job_name: node
    static_configs:
      - targets: ['127.0.0.1:9100', '127.0.0.2:9100']
        labels: { env: prod, team: infra }
  - job_name: fast
    scrape_interval: 5s
    static_configs: [{ targets: ['127.0.0.3:80'] }]
${RW}`);
    expect(r.errors).toEqual([]);
    const node = r.blocks.get('prometheus.scrape.node');
    expect(attr(node, 'job_name')).toBe('"node"');
    expect(attr(node, 'scrape_interval')).toBe('"15s"');
    // The global timeout (10s default) is not longer than 15s: nothing to write.
    expect(attr(node, 'scrape_timeout')).toBe('');
    expect(attr(node, 'forward_to')).toBe('[prometheus.remote_write.default.receiver]');
    expect(attr(node, 'targets').replace(/\s+/g, ' ')).toBe(
      '[ { __address__ = "127.0.0.1:9100", env = "prod", team = "infra", }, { __address__ = "127.0.0.2:9100", env = "prod", team = "infra", }, ]',
    );
    // A 5s interval caps the inherited 10s timeout at 5s, as Prometheus does.
    const fast = r.blocks.get('prometheus.scrape.fast');
    expect(attr(fast, 'scrape_interval')).toBe('"5s"');
    expect(attr(fast, 'scrape_timeout')).toBe('"5s"');
    expect(r.blocks.has('prometheus.remote_write.default')).toBe(true);
  });

  test('defaults are not written: a plain job has targets, forward_to and job_name only', () => {
    const r = prom(`scrape_configs:\n  - job_name: x\n    static_configs: [{ targets: [a:1] }]\n${RW}`);
    expect(attrNames(r.blocks.get('prometheus.scrape.x'))).toEqual(['targets', 'forward_to', 'job_name']);
  });

  test('Prometheus durations (days, compound) become Go durations; a timeout above the interval is critical', () => {
    const r = prom(`scrape_configs:\n  - job_name: x\n    scrape_interval: 1d\n    scrape_timeout: 1m30s\n${RW}`);
    expect(attr(r.blocks.get('prometheus.scrape.x'), 'scrape_interval')).toBe('"24h"');
    expect(attr(r.blocks.get('prometheus.scrape.x'), 'scrape_timeout')).toBe('"1m30s"');
    const bad = prom(`scrape_configs:\n  - job_name: x\n    scrape_interval: 10s\n    scrape_timeout: 20s\n${RW}`);
    expect(bad.output).toBeUndefined();
    expect(bad.errors).toEqual(['(Critical) scrape_configs[0]: scrape timeout greater than scrape interval']);
    const notDuration = prom(`scrape_configs:\n  - job_name: x\n    scrape_interval: 1.5s\n${RW}`);
    expect(notDuration.errors[0]).toMatch(/scrape_configs\[0\]\.scrape_interval: not a valid duration string/);
  });

  test.each(['pod', 'service', 'endpoints', 'endpointslice', 'node', 'ingress'])('kubernetes_sd_configs role %s', (role) => {
    const r = prom(`scrape_configs:\n  - job_name: k\n    kubernetes_sd_configs: [{ role: ${role} }]\n${RW}`);
    expect(attr(r.blocks.get('discovery.kubernetes.k'), 'role')).toBe(JSON.stringify(role));
    expect(attr(r.blocks.get('prometheus.scrape.k'), 'targets')).toBe('discovery.kubernetes.k.targets');
  });

  test('kubernetes_sd_configs: namespaces, selectors, attach_metadata, api_server and client options; several SDs and static targets concatenated', () => {
    const r = prom(`scrape_configs:
  - job_name: kubernetes-pods
    kubernetes_sd_configs:
      - role: pod
        api_server: https://127.0.0.1:6443
        bearer_token_file: /run/token
        tls_config: { ca_file: /ca.crt, insecure_skip_verify: true, server_name: kube }
        namespaces: { names: [default, kube-system], own_namespace: true }
        selectors:
          - { role: pod, label: "app=web", field: "spec.nodeName=n1" }
        attach_metadata: { node: true }
      - role: node
        kubeconfig_file: /kubeconfig
    static_configs: [{ targets: ['127.0.0.1:80'] }]
${RW}`);
    expect(r.errors).toEqual([]);
    const d = r.blocks.get('discovery.kubernetes.kubernetes_pods');
    expect(attr(d, 'api_server')).toBe('"https://127.0.0.1:6443"');
    expect(attr(d, 'bearer_token_file')).toBe('"/run/token"');
    const tls = sub(d, 'tls_config')[0];
    expect([attr(tls, 'ca_file'), attr(tls, 'insecure_skip_verify'), attr(tls, 'server_name')]).toEqual(['"/ca.crt"', 'true', '"kube"']);
    const ns = sub(d, 'namespaces')[0];
    expect([attr(ns, 'names'), attr(ns, 'own_namespace')]).toEqual(['["default", "kube-system"]', 'true']);
    const sel = sub(d, 'selectors');
    expect(sel.map((s) => [attr(s, 'role'), attr(s, 'label'), attr(s, 'field')])).toEqual([['"pod"', '"app=web"', '"spec.nodeName=n1"']]);
    expect(attr(sub(d, 'attach_metadata')[0], 'node')).toBe('true');
    // The second SD of the job gets "_2".
    expect(attr(r.blocks.get('discovery.kubernetes.kubernetes_pods_2'), 'kubeconfig_file')).toBe('"/kubeconfig"');
    const targets = attr(r.blocks.get('prometheus.scrape.kubernetes_pods'), 'targets').replace(/\s+/g, ' ');
    expect(targets).toBe(
      'array.concat( discovery.kubernetes.kubernetes_pods.targets, discovery.kubernetes.kubernetes_pods_2.targets, [ { __address__ = "127.0.0.1:80", }, ], )',
    );
    // Job names become labels the way Alloy sanitizes them, the job_name stays.
    expect(attr(r.blocks.get('prometheus.scrape.kubernetes_pods'), 'job_name')).toBe('"kubernetes-pods"');
  });

  test('an unknown SD role or selector role is critical: no output', () => {
    const r = prom(`scrape_configs:\n  - job_name: k\n    kubernetes_sd_configs: [{ role: pods }]\n${RW}`);
    expect(r.output).toBeUndefined();
    expect(r.errors[0]).toMatch(/^\(Critical\) scrape_configs\[0\]\.kubernetes_sd_configs\[0\]\.role: unknown Kubernetes SD role "pods"/);
  });

  test('relabel_configs -> discovery.relabel rules; the scrape takes its output', () => {
    const r = prom(`scrape_configs:
  - job_name: k
    kubernetes_sd_configs: [{ role: pod }]
    relabel_configs:
      - source_labels: [__meta_kubernetes_pod_annotation_prometheus_io_scrape]
        regex: "true"
        action: Keep
      - source_labels: [__address__]
        modulus: 4
        target_label: __tmp_hash
        action: hashmod
      - regex: __meta_kubernetes_pod_label_(.+)
        action: labelmap
      - source_labels: [a, b]
        separator: "-"
        target_label: c
        replacement: x$1
${RW}`);
    expect(r.errors).toEqual([]);
    const rel = r.blocks.get('discovery.relabel.k');
    expect(attr(rel, 'targets')).toBe('discovery.kubernetes.k.targets');
    const rules = sub(rel, 'rule');
    expect(rules.map((b) => attrNames(b))).toEqual([
      ['source_labels', 'regex', 'action'],
      ['source_labels', 'modulus', 'target_label', 'action'],
      ['regex', 'action'],
      ['source_labels', 'separator', 'target_label', 'replacement'],
    ]);
    expect(attr(rules[0], 'action')).toBe('"keep"'); // Prometheus accepts any case, Alloy lowercase only
    expect(attr(rules[1], 'modulus')).toBe('4');
    expect(attr(r.blocks.get('prometheus.scrape.k'), 'targets')).toBe('discovery.relabel.k.output');
  });

  test('a relabel rule Prometheus refuses is critical', () => {
    const r = prom(`scrape_configs:\n  - job_name: k\n    relabel_configs: [{ source_labels: [a], regex: "(", target_label: b }]\n${RW}`);
    expect(r.output).toBeUndefined();
    expect(r.errors[0]).toMatch(/^\(Critical\) scrape_configs\[0\]\.relabel_configs\[0\]: invalid relabel rule/);
  });

  test('relabel rules reading labels the scrape adds later are warned about', () => {
    const r = prom(`scrape_configs:\n  - job_name: k\n    relabel_configs: [{ source_labels: [job, __metrics_path__], target_label: x }]\n${RW}`);
    expect(r.diagnostics.list.filter((d) => d.severity === 'Warning').map((d) => d.summary)).toEqual([
      expect.stringContaining('read __metrics_path__, job: discovery.relabel runs before prometheus.scrape adds these labels'),
    ]);
  });

  test('metric_relabel_configs -> metric_relabel blocks of the scrape', () => {
    const r = prom(`scrape_configs:
  - job_name: k
    static_configs: [{ targets: [a:1] }]
    metric_relabel_configs:
      - { source_labels: [__name__], regex: go_.*, action: drop }
      - { regex: exported_job, action: labeldrop }
${RW}`);
    const mr = sub(r.blocks.get('prometheus.scrape.k'), 'metric_relabel');
    expect(mr.map((b) => [attr(b, 'regex'), attr(b, 'action')])).toEqual([
      ['"go_.*"', '"drop"'],
      ['"exported_job"', '"labeldrop"'],
    ]);
    expect([...r.blocks.keys()].some((k) => k.startsWith('prometheus.relabel'))).toBe(false);
  });

  test('scrape settings and limits (global limits inherited, 0 means the global one)', () => {
    const r = prom(`global: { sample_limit: 500, label_limit: 30, body_size_limit: 10MB }
scrape_configs:
  - job_name: k
    honor_labels: true
    honor_timestamps: false
    track_timestamps_staleness: true
    metrics_path: /probe
    scheme: https
    params: { module: [http_2xx], target: [a, b] }
    enable_compression: false
    scrape_protocols: [PrometheusText0.0.4, OpenMetricsText1.0.0]
    sample_limit: 0
    target_limit: 10
    label_name_length_limit: 100
    label_value_length_limit: 200
${RW}`);
    expect(r.errors).toEqual([]);
    const s = r.blocks.get('prometheus.scrape.k');
    const got = Object.fromEntries(attrNames(s).map((n) => [n, attr(s, n).replace(/\s+/g, ' ')]));
    expect(got).toMatchObject({
      honor_labels: 'true',
      honor_timestamps: 'false',
      track_timestamps_staleness: 'true',
      metrics_path: '"/probe"',
      scheme: '"https"',
      params: '{ module = ["http_2xx"], target = ["a", "b"], }',
      enable_compression: 'false',
      scrape_protocols: '["PrometheusText0.0.4", "OpenMetricsText1.0.0"]',
      body_size_limit: '"10MB"',
      sample_limit: '500',
      target_limit: '10',
      label_limit: '30',
      label_name_length_limit: '100',
      label_value_length_limit: '200',
    });
  });

  test('scrape HTTP client: basic_auth, authorization, oauth2, tls_config (PEMs renamed), bearer token, follow_redirects', () => {
    const r = prom(`scrape_configs:
  - job_name: a
    basic_auth: { username: u, password_file: /pw }
    tls_config: { ca: "PEM-CA", cert_file: /c.crt, key_file: /c.key }
    follow_redirects: false
  - job_name: b
    authorization: { type: Token, credentials: s3cret }
  - job_name: c
    oauth2: { client_id: id, client_secret: sec, token_url: "http://127.0.0.1/token", scopes: [x], endpoint_params: { aud: y } }
  - job_name: d
    bearer_token: tok
${RW}`);
    expect(r.errors).toEqual([]);
    const a = r.blocks.get('prometheus.scrape.a');
    expect([attr(sub(a, 'basic_auth')[0], 'username'), attr(sub(a, 'basic_auth')[0], 'password_file')]).toEqual(['"u"', '"/pw"']);
    expect(attrNames(sub(a, 'tls_config')[0])).toEqual(['ca_pem', 'cert_file', 'key_file']);
    expect(attr(a, 'follow_redirects')).toBe('false');
    const b = sub(r.blocks.get('prometheus.scrape.b'), 'authorization')[0];
    expect([attr(b, 'type'), attr(b, 'credentials')]).toEqual(['"Token"', '"s3cret"']);
    const c = sub(r.blocks.get('prometheus.scrape.c'), 'oauth2')[0];
    expect(attrNames(c)).toEqual(['client_id', 'client_secret', 'token_url', 'scopes', 'endpoint_params']);
    expect(attr(r.blocks.get('prometheus.scrape.d'), 'bearer_token')).toBe('"tok"');
  });

  test('client options prometheus.scrape does not have are errors naming the field', () => {
    const r = prom(`scrape_configs:
  - job_name: a
    proxy_url: http://127.0.0.1:3128
    tls_config: { min_version: TLS12, max_version: TLS13 }
    http_headers: { X-A: { values: [v] } }
    enable_http2: false
${RW}`);
    expect(r.errors).toEqual([
      '(Error) The converter does not support converting the provided scrape_configs[0].proxy_url config: prometheus.scrape: this collector connects directly; proxies are not supported',
      '(Error) The converter does not support converting the provided scrape_configs[0].http_headers config: prometheus.scrape of this collector has no http_headers argument',
      '(Error) The converter does not support converting the provided scrape_configs[0].tls_config.min_version config: the tls_config of prometheus.scrape in this collector has no min_version',
      '(Error) The converter does not support converting the provided scrape_configs[0].tls_config.max_version config.',
    ]);
    expect(r.diagnostics.list.some((d) => d.severity === 'Info' && d.summary.includes('enable_http2'))).toBe(true);
  });

  test('remote_write: endpoints, queue_config, metadata_config, write_relabel_configs, auth, headers; external_labels', () => {
    const r = prom(`global: { external_labels: { cluster: c1, region: eu } }
remote_write:
  - url: http://127.0.0.1:9009/api/v1/push
    name: mimir
    remote_timeout: 1m
    headers: { X-Scope-OrgID: t1 }
    send_exemplars: true
    basic_auth: { username: u, password: p }
    queue_config: { capacity: 5000, max_shards: 10, min_shards: 2, max_samples_per_send: 100, batch_send_deadline: 2s, min_backoff: 50ms, max_backoff: 1s, retry_on_http_429: false, sample_age_limit: 5m }
    metadata_config: { send: false }
    write_relabel_configs:
      - { source_labels: [__name__], regex: tmp_.*, action: drop }
  - url: https://127.0.0.2/push
    tls_config: { insecure_skip_verify: true, min_version: TLS12 }
    enable_http2: false
`);
    expect(r.errors).toEqual([]);
    const rw = r.blocks.get('prometheus.remote_write.default');
    expect(attr(rw, 'external_labels').replace(/\s+/g, ' ')).toBe('{ cluster = "c1", region = "eu", }');
    const [e1, e2] = sub(rw, 'endpoint');
    expect(attrNames(e1)).toEqual(['name', 'url', 'remote_timeout', 'headers']);
    expect(attr(e1, 'remote_timeout')).toBe('"1m"');
    const q = sub(e1, 'queue_config')[0];
    expect(Object.fromEntries(attrNames(q).map((n) => [n, attr(q, n)]))).toEqual({
      capacity: '5000',
      max_shards: '10',
      min_shards: '2',
      max_samples_per_send: '100',
      batch_send_deadline: '"2s"',
      min_backoff: '"50ms"',
      max_backoff: '"1s"',
      retry_on_http_429: 'false',
      sample_age_limit: '"5m"',
    });
    expect(attr(sub(e1, 'metadata_config')[0], 'send')).toBe('false');
    expect(attr(sub(e1, 'write_relabel_config')[0], 'action')).toBe('"drop"');
    expect(attr(sub(e1, 'basic_auth')[0], 'password')).toBe('"p"');
    // Prometheus sends no exemplars by default, Alloy's endpoint does: the default is written out.
    expect(attr(e2, 'send_exemplars')).toBe('false');
    expect(attr(e2, 'enable_http2')).toBe('false');
    expect(attrNames(sub(e2, 'tls_config')[0])).toEqual(['min_version', 'insecure_skip_verify']);
    expect(r.diagnostics.list.find((d) => d.summary.startsWith('Converted 2 remote_write'))?.summary).toBe('Converted 2 remote_write[s] "mimir," into...');
  });

  test('no remote_write: forward_to is empty and a warning says so', () => {
    const r = prom(`scrape_configs:\n  - job_name: x\n    static_configs: [{ targets: [a:1] }]\n`);
    expect(attr(r.blocks.get('prometheus.scrape.x'), 'forward_to')).toBe('[]');
    expect(r.diagnostics.list.filter((d) => d.severity === 'Warning')).toHaveLength(1);
  });

  test("unsupported sections and fields are errors in Alloy's words; the output exists for --bypass-errors", () => {
    const r = prom(`global: { evaluation_interval: 30s, query_log_file: /q.log }
rule_files: [rules.yml]
alerting: { alertmanagers: [{ static_configs: [{ targets: [am:9093] }] }] }
remote_read: [{ url: http://127.0.0.1/read }]
storage: { tsdb: { out_of_order_time_window: 1h } }
scrape_configs:
  - job_name: c
    consul_sd_configs: [{ server: 127.0.0.1:8500 }]
    keep_dropped_targets: 5
    not_a_field: 1
remote_write:
  - url: http://127.0.0.1/push
`);
    expect(r.errors).toEqual([
      '(Error) The converter does not support converting the provided global evaluation_interval config.',
      '(Error) The converter does not support converting the provided global.query_log_file config.',
      '(Error) The converter does not support converting the provided consul service discovery.',
      '(Error) The converter does not support converting the provided scrape_configs[0].keep_dropped_targets config.',
      '(Error) The converter does not know the field scrape_configs[0].not_a_field; it was not converted.',
      '(Error) The converter does not support converting the provided alerting config.',
      '(Error) The converter does not support converting the provided rule_files config.',
      '(Error) The converter does not support converting the provided remote_read config.',
      '(Error) The converter does not support converting the provided storage config.',
    ]);
    expect(r.output).toContain('prometheus.scrape "c"');
    expect(r.diagnostics.allowsOutput(false)).toBe(false);
    expect(r.diagnostics.allowsOutput(true)).toBe(true);
  });

  test('native histogram, naming and cloud-auth options carry over under Alloy names, and the result validates', () => {
    const r = prom(`scrape_configs:
  - job_name: h
    static_configs: [{ targets: [127.0.0.1:9100] }]
    scrape_native_histograms: true
    always_scrape_classic_histograms: true
    convert_classic_histograms_to_nhcb: true
    native_histogram_bucket_limit: 160
    native_histogram_min_bucket_factor: 1.1
    scrape_fallback_protocol: PrometheusText1.0.0
    metric_name_validation_scheme: utf8
    scrape_failure_log_file: /tmp/failures.log
remote_write:
  - url: http://127.0.0.1/push
    protobuf_message: io.prometheus.write.v2.Request
    round_robin_dns: true
    send_native_histograms: true
    sigv4: { region: eu-west-1, access_key: AK, secret_key: SK, role_arn: 'arn:aws:iam::1:role/x' }
`);
    expect(r.errors).toEqual([]);
    for (const line of [
      'scrape_native_histograms           = true',
      'scrape_classic_histograms          = true',
      'convert_classic_histograms_to_nhcb = true',
      'native_histogram_bucket_limit      = 160',
      'native_histogram_min_bucket_factor = 1.1',
      'scrape_fallback_protocol           = "PrometheusText1.0.0"',
      'metric_name_validation_scheme      = "utf8"',
      'scrape_failure_log_file            = "/tmp/failures.log"',
      'protobuf_message       = "io.prometheus.write.v2.Request"',
      'round_robin_dns        = true',
      'region     = "eu-west-1"',
      'role_arn   = "arn:aws:iam::1:role/x"',
    ]) expect(r.output).toContain(line);
    expect(validateConfig([{ name: 'converted.alloy', source: r.output! }], 'converted.alloy', 'experimental')).toEqual([]);
  });

  test('job names that sanitize to one label are critical (duplicate component)', () => {
    const r = prom(`scrape_configs:\n  - job_name: a-b\n  - job_name: a_b\n${RW}`);
    expect(r.output).toBeUndefined();
    expect(r.errors).toEqual([
      '(Critical) duplicate label after conversion "prometheus.scrape.a_b". this is due to how valid Alloy labels are assembled and can be avoided by updating named properties in the source config.',
    ]);
    expect(prom(`scrape_configs:\n  - job_name: 1st job\n${RW}`).blocks.has('prometheus.scrape._1st_job')).toBe(true);
    const kw = prom(`scrape_configs:\n  - job_name: "true"\n    relabel_configs: [{ target_label: a }]\n${RW}`);
    expect(attr(kw.blocks.get('prometheus.scrape._true'), 'targets')).toBe('discovery.relabel._true.output');
  });

  test('broken YAML and wrong types are critical', () => {
    expect(prom('scrape_configs: [').errors[0]).toMatch(/^\(Critical\) failed to parse Prometheus config: /);
    expect(prom('scrape_configs:\n  - job_name: a\n    honor_labels: yes please\n').errors).toEqual([
      '(Critical) scrape_configs[0].honor_labels: expected true or false, got string "yes please"',
    ]);
  });
});
