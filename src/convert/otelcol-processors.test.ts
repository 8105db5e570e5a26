// Conversions of Collector configs with the processors, loadbalancing exporter
// and bridges beyond Alloy's testdata pairs (otelcol.test.ts): each setting's
// Alloy form, each diagnostic of what has no equivalent, environment
// references, and that every converted config passes `alloy validate` (the
// runtime's registry and argument decoding, OTTL compiled).
import { validateConfig } from '../cli/validate.js';
import { format } from '../syntax/format.js';
import { parse } from '../syntax/parser.js';
import { convert } from './index.js';

const errorsOf = (r: ReturnType<typeof convert>) => r.diagnostics.list.filter((d) => d.severity === 'Error' || d.severity === 'Critical').map((d) => d.summary);
const warningsOf = (r: ReturnType<typeof convert>) => r.diagnostics.list.filter((d) => d.severity === 'Warning').map((d) => d.summary);
const validates = (output: string | undefined) => validateConfig([{ name: 'converted.alloy', source: output ?? '' }], 'converted.alloy', 'experimental');
const alloy = (text: string) => format(parse(text, 'want.alloy'));

/** One processor (or exporter) between an OTLP receiver and an OTLP exporter, in the given pipelines. */
function pipeline(kind: 'processors' | 'exporters', id: string, body: string, signals = ['traces', 'metrics', 'logs']): string {
  const pipelines = signals
    .map((s) => (kind === 'processors' ? `    ${s}: { receivers: [otlp], processors: [${id}], exporters: [otlp] }` : `    ${s}: { receivers: [otlp], exporters: [${id}] }`))
    .join('\n');
  return `receivers:
  otlp: { protocols: { grpc: { endpoint: 127.0.0.1:4317 } } }
${kind}:
  ${id}:
${body
  .split('\n')
  .map((l) => `    ${l}`)
  .join('\n')}
${kind === 'processors' ? 'exporters:\n  otlp: { endpoint: 127.0.0.1:4320, tls: { insecure: true } }\n' : ''}service:
  pipelines:
${pipelines}
`;
}

/** The block of a component in the output, formatted. */
function blockOf(output: string | undefined, id: string): string {
  const file = parse(output ?? '', 'out.alloy');
  const b = file.body.find((s) => s.kind === 'block' && `${s.name}.${s.label}` === id);
  if (!b) throw new Error(`${id} is not in the output:\n${output}`);
  return format({ name: 'x', body: [b] } as never);
}

describe('attributes', () => {
  test('actions with every field, include/exclude with lists, regexp, severity, attributes, resources and libraries', () => {
    const r = convert(
      pipeline(
        'processors',
        'attributes/x',
        `actions:
  - { key: env, value: prod, action: insert }
  - { key: tags, value: [a, b], action: upsert }
  - { key: user, pattern: '^(?P<name>.*)$', action: extract }
  - { key: from_ctx, from_context: metadata.tenant, action: insert }
include:
  match_type: regexp
  regexp: { cacheenabled: true, cachemaxnumentries: 100 }
  services: ['svc-.*']
  span_names: ['GET .*']
  log_severity_number: { min: 13, match_undefined: true }
  attributes: [{ key: http.method, value: GET }]
  resources: [{ key: host.name, value: h1 }]
  libraries: [{ name: lib, version: '1.0' }]
exclude:
  match_type: strict
  span_kinds: [SPAN_KIND_INTERNAL]`,
        ['traces'],
      ),
      'otelcol',
    );
    expect(errorsOf(r)).toEqual([]);
    expect(warningsOf(r)).toEqual([]);
    expect(blockOf(r.output, 'otelcol.processor.attributes.default_x')).toBe(
      alloy(`otelcol.processor.attributes "default_x" {
  action {
    key    = "env"
    value  = "prod"
    action = "insert"
  }
  action {
    key    = "tags"
    value  = ["a", "b"]
    action = "upsert"
  }
  action {
    key     = "user"
    pattern = "^(?P<name>.*)$"
    action  = "extract"
  }
  action {
    key          = "from_ctx"
    from_context = "metadata.tenant"
    action       = "insert"
  }
  include {
    match_type = "regexp"
    services   = ["svc-.*"]
    span_names = ["GET .*"]
    regexp {
      cache_enabled         = true
      cache_max_num_entries = 100
    }
    log_severity {
      min             = "WARN"
      match_undefined = true
    }
    attribute {
      key   = "http.method"
      value = "GET"
    }
    resource {
      key   = "host.name"
      value = "h1"
    }
    library {
      name    = "lib"
      version = "1.0"
    }
  }
  exclude {
    match_type = "strict"
    span_kinds = ["SPAN_KIND_INTERNAL"]
  }
  output {
    traces = [otelcol.exporter.otlp.default.input]
  }
}`),
    );
    expect(validates(r.output)).toEqual([]);
  });
});

describe('filter', () => {
  test('resource conditions become context groups (the traces block has no resource list); flat *_conditions keep their inferred context', () => {
    const r = convert(
      pipeline(
        'processors',
        'filter',
        `error_mode: propagate
traces:
  resource: ['attributes["service.name"] == "noisy"']
  span: ['name == "healthz"']
metrics:
  metric: ['name == "drop.me"']
log_conditions:
  - 'log.severity_number < SEVERITY_NUMBER_WARN'
  - { context: resource, conditions: ['attributes["env"] == "dev"'] }`,
      ),
      'otelcol',
    );
    expect(errorsOf(r)).toEqual([]);
    expect(blockOf(r.output, 'otelcol.processor.filter.default')).toBe(
      alloy(`otelcol.processor.filter "default" {
  error_mode = "propagate"
  trace_conditions {
    context    = "resource"
    conditions = ["attributes[\\"service.name\\"] == \\"noisy\\""]
  }
  trace_conditions {
    context    = "span"
    conditions = ["name == \\"healthz\\""]
  }
  metrics {
    metric = ["name == \\"drop.me\\""]
  }
  log_conditions {
    conditions = ["log.severity_number < SEVERITY_NUMBER_WARN"]
  }
  log_conditions {
    context    = "resource"
    conditions = ["attributes[\\"env\\"] == \\"dev\\""]
  }
  output {
    metrics = [otelcol.exporter.otlp.default.input]
    logs    = [otelcol.exporter.otlp.default.input]
    traces  = [otelcol.exporter.otlp.default.input]
  }
}`),
    );
    expect(validates(r.output)).toEqual([]);
  });

  test('the legacy include/exclude match form and per-group error_mode are errors naming the setting', () => {
    const r = convert(
      pipeline(
        'processors',
        'filter',
        `spans:
  include: { match_type: strict, services: [a] }
metrics:
  exclude: { match_type: strict, metric_names: [m] }
trace_conditions:
  - { context: span, conditions: ['name == "x"'], error_mode: silent }`,
      ),
      'otelcol',
    );
    expect(errorsOf(r)).toEqual([
      'processor "filter": setting "spans" cannot be converted: the include/exclude match properties are not supported by otelcol.processor.filter; rewrite them as OTTL conditions',
      'processor "filter" metrics: setting "exclude" cannot be converted: the include/exclude match properties are not supported by otelcol.processor.filter; rewrite them as OTTL conditions',
      'processor "filter" trace_conditions[0]: setting "error_mode" cannot be converted: otelcol.processor.filter has one error_mode for all conditions; set it at the top level',
    ]);
  });
});

describe('transform', () => {
  test('no error_mode: the Collector propagates, so it is written; flat statements become the statements block; conditions and a group error_mode carry over', () => {
    const r = convert(
      pipeline(
        'processors',
        'transform',
        `trace_statements:
  - context: span
    conditions: ['kind == SPAN_KIND_SERVER']
    error_mode: ignore
    statements: ['set(attributes["server"], true)']
log_statements:
  - 'set(log.attributes["seen"], true)'
  - 'set(resource.attributes["r"], "x")'`,
        ['traces', 'logs'],
      ),
      'otelcol',
    );
    expect(errorsOf(r)).toEqual([]);
    expect(blockOf(r.output, 'otelcol.processor.transform.default')).toBe(
      alloy(`otelcol.processor.transform "default" {
  error_mode = "propagate"
  trace_statements {
    context    = "span"
    statements = ["set(attributes[\\"server\\"], true)"]
    conditions = ["kind == SPAN_KIND_SERVER"]
    error_mode = "ignore"
  }
  statements {
    log = ["set(log.attributes[\\"seen\\"], true)", "set(resource.attributes[\\"r\\"], \\"x\\")"]
  }
  output {
    logs   = [otelcol.exporter.otlp.default.input]
    traces = [otelcol.exporter.otlp.default.input]
  }
}`),
    );
    // The log context is inferred for both (a log statement may read its resource), so the config loads.
    expect(validates(r.output)).toEqual([]);
  });

  test('flatten_data and a group without context are errors', () => {
    const r = convert(pipeline('processors', 'transform', `flatten_data: true\nlog_statements:\n  - statements: ['set(body, "x")']`, ['logs']), 'otelcol');
    expect(errorsOf(r)).toEqual([
      'processor "transform": setting "flatten_data" cannot be converted: otelcol.processor.transform has no flatten_data',
      'processor "transform" log_statements[0]: context is required for a group of statements',
    ]);
  });
});

describe('k8sattributes', () => {
  test('auth_type, passthrough, extract, filter (node_from_env_var as sys.env), pod_association, exclude and the timings', () => {
    const r = convert(
      pipeline(
        'processors',
        'k8sattributes',
        `auth_type: kubeConfig
wait_for_metadata: true
wait_for_metadata_timeout: 30s
pod_delete_grace_period: 1m
extract:
  metadata: [k8s.pod.name, k8s.namespace.name]
  otel_annotations: true
  labels: [{ tag_name: app, key: app.kubernetes.io/name, from: pod }]
  annotations: [{ key_regex: 'team/(.*)', tag_name: 'team.$$1' }]
filter:
  node_from_env_var: K8S_NODE_NAME
  namespace: prod
  labels: [{ key: tier, value: web, op: equals }]
pod_association:
  - sources: [{ from: resource_attribute, name: k8s.pod.ip }]
  - sources: [{ from: connection }]
exclude:
  pods: [{ name: istio-proxy }]`,
      ),
      'otelcol',
    );
    expect(errorsOf(r)).toEqual([]);
    expect(warningsOf(r)).toEqual([]);
    expect(blockOf(r.output, 'otelcol.processor.k8sattributes.default')).toBe(
      alloy(`otelcol.processor.k8sattributes "default" {
  auth_type                 = "kubeConfig"
  wait_for_metadata         = true
  wait_for_metadata_timeout = "30s"
  pod_delete_grace_period   = "1m"
  extract {
    metadata         = ["k8s.pod.name", "k8s.namespace.name"]
    otel_annotations = true
    annotation {
      tag_name  = "team.$1"
      key_regex = "team/(.*)"
    }
    label {
      tag_name = "app"
      key      = "app.kubernetes.io/name"
      from     = "pod"
    }
  }
  filter {
    node      = coalesce(sys.env("K8S_NODE_NAME"), "")
    namespace = "prod"
    label {
      key   = "tier"
      value = "web"
      op    = "equals"
    }
  }
  pod_association {
    source {
      from = "resource_attribute"
      name = "k8s.pod.ip"
    }
  }
  pod_association {
    source {
      from = "connection"
    }
  }
  exclude {
    pod {
      name = "istio-proxy"
    }
  }
  output {
    metrics = [otelcol.exporter.otlp.default.input]
    logs    = [otelcol.exporter.otlp.default.input]
    traces  = [otelcol.exporter.otlp.default.input]
  }
}`),
    );
    expect(validates(r.output)).toEqual([]);
  });

  test('context, auth_type tls and service_attributes have no equivalent: errors', () => {
    const r = convert(pipeline('processors', 'k8sattributes', `auth_type: tls\ncontext: other\nextract: { service_attributes: { enabled: true } }`), 'otelcol');
    expect(errorsOf(r)).toEqual([
      'processor "k8sattributes": setting "context" cannot be converted: otelcol.processor.k8sattributes uses the current context of the kubeconfig file',
      'processor "k8sattributes": auth_type "tls" cannot be converted: otelcol.processor.k8sattributes here authenticates with "serviceAccount", "kubeConfig" or "none"',
      'processor "k8sattributes" extract: setting "service_attributes" cannot be converted: otelcol.processor.k8sattributes does not derive service attributes',
    ]);
  });
});

describe('loadbalancing', () => {
  test('protocol.otlp (queue, retry, client with tls, keepalive, headers), resolvers static, dns and k8s, routing_key and the top-level queue', () => {
    const r = convert(
      pipeline(
        'exporters',
        'loadbalancing',
        `routing_key: service
timeout: 10s
sending_queue: { queue_size: 500 }
protocol:
  otlp:
    timeout: 2s
    sending_queue: { num_consumers: 4 }
    retry_on_failure: { max_elapsed_time: 1m }
    compression: none
    headers: { x-tenant: a }
    write_buffer_size: 1048576
    tls: { insecure: true }
    keepalive: { time: 30s, timeout: 5s, permit_without_stream: true }
resolver:
  dns: { hostname: backends.example, port: 4317, interval: 10s }
  k8s: { service: otel-backend.observability, ports: [4317, 4318] }`,
        ['traces', 'metrics'],
      ),
      'otelcol',
    );
    expect(errorsOf(r)).toEqual([]);
    expect(warningsOf(r)).toEqual([]);
    expect(blockOf(r.output, 'otelcol.exporter.loadbalancing.default')).toBe(
      alloy(`otelcol.exporter.loadbalancing "default" {
  routing_key = "service"
  timeout     = "10s"
  protocol {
    otlp {
      timeout = "2s"
      queue {
        num_consumers = 4
      }
      retry {
        max_elapsed_time = "1m"
      }
      client {
        compression       = "none"
        headers           = {
          "x-tenant" = "a",
        }
        write_buffer_size = "1048576B"
        tls {
          insecure = true
        }
        keepalive {
          ping_wait             = "30s"
          ping_response_timeout = "5s"
          ping_without_stream   = true
        }
      }
    }
  }
  resolver {
    dns {
      hostname = "backends.example"
      port     = "4317"
      interval = "10s"
    }
    kubernetes {
      service = "otel-backend.observability"
      ports   = [4317, 4318]
    }
  }
  sending_queue {
    enabled    = true
    queue_size = 500
  }
}`),
    );
    expect(validates(r.output)).toEqual([]);
  });

  test('static resolver with the defaults: only the client block is written; aws_cloud_map and a missing resolver are errors', () => {
    const ok = convert(pipeline('exporters', 'loadbalancing', `protocol: { otlp: { tls: { insecure: true } } }\nresolver: { static: { hostnames: [127.0.0.1:4317, 127.0.0.2:4317] } }`, ['traces']), 'otelcol');
    expect(errorsOf(ok)).toEqual([]);
    expect(blockOf(ok.output, 'otelcol.exporter.loadbalancing.default')).toBe(
      alloy(`otelcol.exporter.loadbalancing "default" {
  protocol {
    otlp {
      client {
        tls {
          insecure = true
        }
      }
    }
  }
  resolver {
    static {
      hostnames = ["127.0.0.1:4317", "127.0.0.2:4317"]
    }
  }
}`),
    );
    expect(validates(ok.output)).toEqual([]);
    const bad = convert(pipeline('exporters', 'loadbalancing', `protocol: { otlp: {} }\nresolver: { aws_cloud_map: { namespace: n, service_name: s } }`, ['traces']), 'otelcol');
    expect(errorsOf(bad)).toEqual([
      'exporter "loadbalancing" resolver: setting "aws_cloud_map" cannot be converted: otelcol.exporter.loadbalancing here resolves backends with static, dns, kubernetes or clustering',
    ]);
    expect(errorsOf(convert(pipeline('exporters', 'loadbalancing', 'protocol: { otlp: {} }', ['traces']), 'otelcol'))).toEqual(['exporter "loadbalancing": resolver is required (static, dns or k8s)']);
    const stream = convert(pipeline('exporters', 'loadbalancing', 'routing_key: streamID\nprotocol: { otlp: {} }\nresolver: { static: { hostnames: [a:4317] } }', ['metrics']), 'otelcol');
    expect(errorsOf(stream)).toEqual([expect.stringMatching(/^exporter "loadbalancing": routing_key "streamID" cannot be converted: otelcol.exporter.loadbalancing here routes by traceID, /)]);
  });
});

describe('bridges', () => {
  test('prometheusremotewrite -> otelcol.exporter.prometheus + prometheus.remote_write, basicauth inlined, queue and retry as queue_config', () => {
    const r = convert(
      `receivers:
  otlp: { protocols: { http: { endpoint: 127.0.0.1:4318 } } }
extensions:
  basicauth/cloud: { client_auth: { username: "123", password: "\${env:CLOUD_TOKEN}" } }
exporters:
  prometheusremotewrite/cloud:
    endpoint: https://prometheus.example/api/prom/push
    timeout: 15s
    headers: { X-Scope-OrgID: tenant-a }
    external_labels: { cluster: c1 }
    resource_to_telemetry_conversion: { enabled: true }
    add_metric_suffixes: false
    target_info: { enabled: false }
    remote_write_queue: { queue_size: 20000, num_consumers: 8 }
    retry_on_failure: { initial_interval: 1s, max_interval: 30s }
    tls: { ca_file: /etc/ca.pem, min_version: "1.2" }
    auth: { authenticator: basicauth/cloud }
service:
  extensions: [basicauth/cloud]
  pipelines:
    metrics: { receivers: [otlp], exporters: [prometheusremotewrite/cloud] }
`,
      'otelcol',
    );
    expect(errorsOf(r)).toEqual([]);
    expect(warningsOf(r)).toEqual([]);
    expect(blockOf(r.output, 'otelcol.exporter.prometheus.default_cloud')).toBe(
      alloy(`otelcol.exporter.prometheus "default_cloud" {
  forward_to                       = [prometheus.remote_write.default_cloud.receiver]
  add_metric_suffixes              = false
  resource_to_telemetry_conversion = true
  include_target_info              = false
}`),
    );
    expect(blockOf(r.output, 'prometheus.remote_write.default_cloud')).toBe(
      alloy(`prometheus.remote_write "default_cloud" {
  external_labels = {
    cluster = "c1",
  }
  endpoint {
    url            = "https://prometheus.example/api/prom/push"
    remote_timeout = "15s"
    headers        = {
      "X-Scope-OrgID" = "tenant-a",
    }
    basic_auth {
      username = "123"
      password = coalesce(sys.env("CLOUD_TOKEN"), "")
    }
    tls_config {
      ca_file     = "/etc/ca.pem"
      min_version = "TLS12"
    }
    queue_config {
      capacity    = 20000
      max_shards  = 8
      min_backoff = "1s"
      max_backoff = "30s"
    }
  }
}`),
    );
    expect(r.output).toContain('otelcol.receiver.otlp "default"');
    expect(r.output).toMatch(/metrics = \[otelcol\.exporter\.prometheus\.default_cloud\.input\]/);
    expect(validates(r.output)).toEqual([]);
  });

  test('prometheusremotewrite: namespace and export_created_metric have no equivalent (errors); wal is a warning', () => {
    const r = convert(pipeline('exporters', 'prometheusremotewrite', 'endpoint: http://127.0.0.1:9009/push\nnamespace: app\nexport_created_metric: { enabled: true }\nwal: { directory: /w }', ['metrics']), 'otelcol');
    expect(errorsOf(r)).toEqual([
      'exporter "prometheusremotewrite": setting "namespace" cannot be converted: otelcol.exporter.prometheus adds no metric name prefix; rename with prometheus.relabel',
      'exporter "prometheusremotewrite": setting "export_created_metric" cannot be converted: otelcol.exporter.prometheus writes no _created series',
    ]);
    expect(warningsOf(r)).toEqual(['exporter "prometheusremotewrite": setting "wal" is not converted: prometheus.remote_write always keeps its own write-ahead log']);
  });

  test('loki exporter -> otelcol.exporter.loki + loki.write, a bearer token extension inlined', () => {
    const r = convert(
      `receivers:
  otlp: { protocols: { grpc: { endpoint: 127.0.0.1:4317 } } }
extensions:
  bearertokenauth: { filename: /var/run/secrets/token }
exporters:
  loki:
    endpoint: http://127.0.0.1:3100/loki/api/v1/push
    headers: { X-Scope-OrgID: t1 }
    retry_on_failure: { initial_interval: 2s, max_interval: 1m }
    auth: { authenticator: bearertokenauth }
service:
  extensions: [bearertokenauth]
  pipelines:
    logs: { receivers: [otlp], exporters: [loki] }
`,
      'otelcol',
    );
    expect(errorsOf(r)).toEqual([]);
    expect(blockOf(r.output, 'otelcol.exporter.loki.default')).toBe(alloy(`otelcol.exporter.loki "default" {\n  forward_to = [loki.write.default.receiver]\n}`));
    expect(blockOf(r.output, 'loki.write.default')).toBe(
      alloy(`loki.write "default" {
  endpoint {
    url                = "http://127.0.0.1:3100/loki/api/v1/push"
    headers            = {
      "X-Scope-OrgID" = "t1",
    }
    min_backoff_period = "2s"
    max_backoff_period = "1m"
    bearer_token_file  = "/var/run/secrets/token"
  }
}`),
    );
    expect(validates(r.output)).toEqual([]);
  });

  test('an authenticator that cannot be inlined into an HTTP client is an error', () => {
    const r = convert(
      `receivers: { otlp: { protocols: { grpc: } } }
extensions: { headers_setter: { headers: [{ key: X, value: y }] } }
exporters: { loki: { endpoint: http://127.0.0.1:3100/loki/api/v1/push, auth: { authenticator: headers_setter } } }
service: { extensions: [headers_setter], pipelines: { logs: { receivers: [otlp], exporters: [loki] } } }
`,
      'otelcol',
    );
    expect(errorsOf(r)).toEqual(['exporter "loki": authenticator "headers_setter" (headers_setter) cannot be inlined into the HTTP client; only basicauth and bearertokenauth can']);
  });

  test('prometheus receiver: its scrape configs become prometheus.scrape components forwarding to otelcol.receiver.prometheus', () => {
    const r = convert(
      `receivers:
  prometheus:
    config:
      global: { scrape_interval: 15s }
      scrape_configs:
        - job_name: node
          static_configs: [{ targets: ['127.0.0.1:9100'] }]
          relabel_configs:
            - { source_labels: [__address__], regex: '(.*):.*', replacement: '$$1', target_label: host }
exporters:
  otlp: { endpoint: 127.0.0.1:4317, tls: { insecure: true } }
service:
  pipelines:
    metrics: { receivers: [prometheus], exporters: [otlp] }
`,
      'otelcol',
    );
    expect(errorsOf(r)).toEqual([]);
    expect(blockOf(r.output, 'otelcol.receiver.prometheus.default')).toBe(
      alloy(`otelcol.receiver.prometheus "default" {\n  output {\n    metrics = [otelcol.exporter.otlp.default.input]\n  }\n}`),
    );
    const scrape = blockOf(r.output, 'prometheus.scrape.default_node');
    expect(scrape).toContain('forward_to      = [otelcol.receiver.prometheus.default.receiver]');
    expect(scrape).toContain('scrape_interval = "15s"');
    // `$$` is the Collector's escape for a literal `$`.
    expect(blockOf(r.output, 'discovery.relabel.default_node')).toContain('replacement   = "$1"');
    expect(validates(r.output)).toEqual([]);
  });

  test('prometheus receiver: target_allocator and unknown scrape fields are errors', () => {
    const r = convert(
      `receivers:
  prometheus:
    target_allocator: { endpoint: http://ta }
    config: { scrape_configs: [{ job_name: a, bogus: 1 }] }
exporters: { debug: }
service: { pipelines: { metrics: { receivers: [prometheus], exporters: [debug] } } }
`,
      'otelcol',
    );
    expect(errorsOf(r)).toEqual([
      'receiver "prometheus": setting "target_allocator" cannot be converted: otelcol.receiver.prometheus here takes samples from prometheus.scrape; there is no target allocator or API server',
      'The converter does not know the field receiver "prometheus" config.scrape_configs[0].bogus; it was not converted.',
    ]);
  });
});

describe('environment references', () => {
  test('a reference inside a longer string is joined to the text; $$ is a literal $; an env value in a number setting is an error', () => {
    const r = convert(
      `receivers:
  otlp: { protocols: { grpc: { endpoint: "\${env:HOST:-127.0.0.1}:4317" } } }
processors:
  batch: { send_batch_size: "\${env:BATCH}" }
exporters:
  otlp:
    endpoint: 127.0.0.1:4320
    headers: { authorization: "Bearer \${env:TOKEN}", price: "$$5" }
service:
  pipelines:
    traces: { receivers: [otlp], processors: [batch], exporters: [otlp] }
`,
      'otelcol',
    );
    expect(errorsOf(r)).toEqual([
      'processor "batch": setting "send_batch_size" = "${env:BATCH}": an environment variable in a number or boolean setting cannot be converted (sys.env gives a string); write the value',
    ]);
    expect(r.output).toContain('endpoint = coalesce(sys.env("HOST"), "127.0.0.1") + ":4317"');
    expect(r.output).toContain('authorization = "Bearer " + coalesce(sys.env("TOKEN"), ""),');
    expect(r.output).toContain('price         = "$5",');
  });

  test('the converted expressions evaluate to the environment when the config loads', () => {
    const saved = process.env.OTELCONV_TEST_EP;
    process.env.OTELCONV_TEST_EP = 'not a url';
    try {
      const r = convert(pipeline('exporters', 'otlphttp', 'endpoint: ${env:OTELCONV_TEST_EP}', ['traces']), 'otelcol');
      expect(r.output).toContain('endpoint = coalesce(sys.env("OTELCONV_TEST_EP"), "")');
      // The value read from the environment is what the component checks.
      expect(validates(r.output).join('\n')).toContain('"not a url" must be an http:// or https:// URL');
      process.env.OTELCONV_TEST_EP = 'http://127.0.0.1:4318';
      expect(validates(r.output)).toEqual([]);
    } finally {
      if (saved === undefined) delete process.env.OTELCONV_TEST_EP;
      else process.env.OTELCONV_TEST_EP = saved;
    }
  });

  test('an invalid variable name is critical', () => {
    const r = convert(pipeline('exporters', 'debug', 'verbosity: ${env:1BAD}', ['traces']), 'otelcol');
    expect(r.output).toBeUndefined();
    expect(errorsOf(r)).toEqual(['failed to get otelcol config: cannot resolve the configuration: exporters.debug.verbosity: environment variable "1BAD" has invalid name: must match regex ^[A-Za-z_][A-Za-z0-9_]*$']);
  });
});
