// Table-driven tests of the annotation auto-scrape rules over hand-written
// discovery.kubernetes pod and service targets.
import type { Target } from '../../relabel/targets.js';
import { splitHostPort, withPort } from './address.js';
import { type Convention, parseConventions } from './conventions.js';
import { endpointTargets, type PodSpec, podTargets, serviceTargets } from '../../../e2e/lib/fixtures/discovered-targets.js';
import { annotateTargets, type SkipReason } from './rules.js';

/** What a scrape sees: every label except `__meta_*`. */
function scrapeView(t: Target): Target {
  return Object.fromEntries(Object.entries(t).filter(([k]) => !k.startsWith('__meta_')));
}

const web = (annotations: Record<string, string>, over: Partial<PodSpec> = {}): Target[] =>
  podTargets({
    namespace: 'shop',
    name: 'web-7d9f',
    ip: '10.1.2.3',
    labels: { 'app.kubernetes.io/name': 'web-frontend', app: 'web' },
    annotations,
    containers: [
      { name: 'app', ports: [{ name: 'http', containerPort: 8080 }, { name: 'metrics', containerPort: 9090 }] },
      { name: 'sidecar' },
      { name: 'migrate', init: true },
    ],
    ...over,
  });

const podBase = { namespace: 'shop', pod: 'web-7d9f', job: 'web-frontend' };

interface Case {
  name: string;
  targets: Target[];
  conventions?: Convention[];
  scrapeByDefault?: boolean;
  want: Target[];
  skipped?: Partial<Record<SkipReason, number>>;
}

const cases: Case[] = [
  {
    name: 'prometheus.io/scrape: every declared port of ready containers; port-less sidecar and init container left out',
    targets: web({ 'prometheus.io/scrape': 'true' }),
    want: [
      { __address__: '10.1.2.3:8080', ...podBase, container: 'app' },
      { __address__: '10.1.2.3:9090', ...podBase, container: 'app' },
    ],
    skipped: { init_container: 1, portless_duplicate: 1 },
  },
  {
    name: 'prometheus.io port/path/scheme/params',
    targets: web({
      'prometheus.io/scrape': 'true',
      'prometheus.io/port': '9090',
      'prometheus.io/path': '/stats/prometheus',
      'prometheus.io/scheme': 'HTTPS',
      'prometheus.io/param_format': 'prometheus',
    }),
    want: [
      {
        __address__: '10.1.2.3:9090',
        ...podBase,
        container: 'app',
        __metrics_path__: '/stats/prometheus',
        __scheme__: 'https',
        __param_format: 'prometheus',
      },
    ],
    skipped: { init_container: 1, duplicate: 2 },
  },
  {
    name: 'port annotation on a port no container declares: one target per pod and port',
    targets: web({ 'prometheus.io/scrape': 'true', 'prometheus.io/port': '7000' }),
    want: [{ __address__: '10.1.2.3:7000', ...podBase, container: 'app' }],
    skipped: { init_container: 1, duplicate: 2 },
  },
  {
    name: 'two containers with ports and a port annotation: one target, the container declaring the port',
    targets: podTargets({
      namespace: 'shop',
      name: 'api-1',
      ip: '10.1.2.4',
      annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9100' },
      containers: [
        { name: 'api', ports: [{ name: 'http', containerPort: 8080 }] },
        { name: 'exporter', ports: [{ name: 'metrics', containerPort: 9100 }] },
      ],
    }),
    want: [{ __address__: '10.1.2.4:9100', namespace: 'shop', pod: 'api-1', container: 'exporter', job: 'exporter' }],
    skipped: { duplicate: 1 },
  },
  {
    name: 'k8s.grafana.com portName keeps only that port',
    targets: web({ 'k8s.grafana.com/scrape': 'true', 'k8s.grafana.com/metrics.portName': 'metrics' }),
    want: [{ __address__: '10.1.2.3:9090', ...podBase, container: 'app' }],
    skipped: { init_container: 1, port_name_mismatch: 2 },
  },
  {
    name: 'k8s.grafana.com portNumber, path, scheme, params, interval, timeout, job, instance',
    targets: web({
      'k8s.grafana.com/scrape': 'true',
      'k8s.grafana.com/metrics.portNumber': '9090',
      'k8s.grafana.com/metrics.path': '/custom',
      'k8s.grafana.com/metrics.scheme': 'http',
      'k8s.grafana.com/metrics.param_module': 'http_2xx',
      'k8s.grafana.com/metrics.scrapeInterval': '15s',
      'k8s.grafana.com/metrics.scrapeTimeout': '5s',
      'k8s.grafana.com/job': 'integrations/web',
      'k8s.grafana.com/instance': 'web-primary',
    }),
    want: [
      {
        __address__: '10.1.2.3:9090',
        namespace: 'shop',
        pod: 'web-7d9f',
        container: 'app',
        job: 'integrations/web',
        instance: 'web-primary',
        __metrics_path__: '/custom',
        __scheme__: 'http',
        __param_module: 'http_2xx',
        __scrape_interval__: '15s',
        __scrape_timeout__: '5s',
      },
    ],
    skipped: { init_container: 1, duplicate: 2 },
  },
  {
    name: 'k8s.grafana.com metrics.container keeps only that container (port-less: bare IP)',
    targets: web({ 'k8s.grafana.com/scrape': 'true', 'k8s.grafana.com/metrics.container': 'sidecar' }),
    want: [{ __address__: '10.1.2.3', ...podBase, container: 'sidecar' }],
    skipped: { init_container: 1, container_mismatch: 2 },
  },
  {
    name: 'k8s.grafana.com wins over prometheus.io when both set a value',
    targets: web({
      'prometheus.io/scrape': 'true',
      'k8s.grafana.com/scrape': 'true',
      'prometheus.io/port': '8080',
      'k8s.grafana.com/metrics.portNumber': '9090',
      'prometheus.io/path': '/a',
      'k8s.grafana.com/metrics.path': '/b',
      'prometheus.io/param_x': 'from-prom',
      'k8s.grafana.com/metrics.param_x': 'from-grafana',
      'prometheus.io/param_y': 'only-prom',
    }),
    want: [{ __address__: '10.1.2.3:9090', ...podBase, container: 'app', __metrics_path__: '/b', __param_x: 'from-grafana', __param_y: 'only-prom' }],
  },
  {
    name: 'only the prometheus.io convention: k8s.grafana.com annotations are ignored',
    targets: [...web({ 'k8s.grafana.com/scrape': 'true' }), ...web({ 'prometheus.io/scrape': 'true', 'k8s.grafana.com/job': 'ignored' }, { name: 'other' })],
    conventions: ['prometheus.io'],
    want: [
      { __address__: '10.1.2.3:8080', namespace: 'shop', pod: 'other', job: 'web-frontend', container: 'app' },
      { __address__: '10.1.2.3:9090', namespace: 'shop', pod: 'other', job: 'web-frontend', container: 'app' },
    ],
  },
  {
    name: 'not annotated / "false" / not ready / not running pods are left out',
    targets: [
      ...web({}, { name: 'plain' }),
      ...web({ 'prometheus.io/scrape': 'false' }, { name: 'optout' }),
      ...web({ 'prometheus.io/scrape': 'true' }, { name: 'notready', ready: 'false' }),
      ...web({ 'prometheus.io/scrape': 'true' }, { name: 'pending', phase: 'Pending', ready: 'false' }),
      ...web({ 'prometheus.io/scrape': 'true' }, { name: 'done', phase: 'Succeeded', ready: 'false' }),
    ],
    want: [],
    skipped: { not_annotated: 4, opted_out: 4, pod_not_ready: 4, pod_not_running: 8 },
  },
  {
    name: 'scrape_by_default: unannotated pods are scraped, "false" opts out',
    targets: [...web({}, { name: 'plain' }), ...web({ 'k8s.grafana.com/scrape': 'false' }, { name: 'optout' })],
    scrapeByDefault: true,
    want: [
      { __address__: '10.1.2.3:8080', namespace: 'shop', pod: 'plain', job: 'web-frontend', container: 'app' },
      { __address__: '10.1.2.3:9090', namespace: 'shop', pod: 'plain', job: 'web-frontend', container: 'app' },
    ],
  },
  {
    name: 'IPv6 pod: bracketed address rewritten, bare address gets a port',
    targets: podTargets({
      namespace: 'v6',
      name: 'exporter',
      ip: 'fd00:10:244::5',
      annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9100' },
      containers: [{ name: 'main', ports: [{ name: 'http', containerPort: 8080 }] }, { name: 'side' }],
    }),
    want: [{ __address__: '[fd00:10:244::5]:9100', namespace: 'v6', pod: 'exporter', job: 'main', container: 'main' }],
    skipped: { duplicate: 1 },
  },
  {
    name: 'IPv6 pod without ports and a port annotation',
    targets: podTargets({
      name: 'v6only',
      ip: '2001:db8::1',
      annotations: { 'k8s.grafana.com/scrape': 'true', 'k8s.grafana.com/metrics.portNumber': '8443', 'k8s.grafana.com/metrics.scheme': 'https' },
      containers: [{ name: 'svc' }],
    }),
    want: [{ __address__: '[2001:db8::1]:8443', namespace: 'default', pod: 'v6only', job: 'svc', container: 'svc', __scheme__: 'https' }],
  },
  {
    name: 'job falls back: app label, then container name',
    targets: [
      ...podTargets({ name: 'a', ip: '10.0.0.1', labels: { app: 'legacy' }, annotations: { 'prometheus.io/scrape': 'true' }, containers: [{ name: 'c', ports: [{ containerPort: 80 }] }] }),
      ...podTargets({ name: 'b', ip: '10.0.0.2', annotations: { 'prometheus.io/scrape': 'true' }, containers: [{ name: 'c2', ports: [{ containerPort: 80 }] }] }),
    ],
    want: [
      { __address__: '10.0.0.1:80', namespace: 'default', pod: 'a', container: 'c', job: 'legacy' },
      { __address__: '10.0.0.2:80', namespace: 'default', pod: 'b', container: 'c2', job: 'c2' },
    ],
  },
  {
    name: 'UDP/SCTP ports are not scraped; CoreDNS-style port annotation keeps one target',
    targets: [
      ...podTargets({
        namespace: 'kube-system',
        name: 'coredns-1',
        ip: '10.0.0.53',
        labels: { 'k8s-app': 'kube-dns' },
        annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9153' },
        containers: [
          {
            name: 'coredns',
            ports: [
              { name: 'dns', containerPort: 53, protocol: 'UDP' },
              { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' },
              { name: 'metrics', containerPort: 9153, protocol: 'TCP' },
            ],
          },
        ],
      }),
      ...podTargets({
        name: 'udp-only',
        ip: '10.0.0.54',
        annotations: { 'prometheus.io/scrape': 'true' },
        containers: [{ name: 'syslog', ports: [{ containerPort: 514, protocol: 'UDP' }] }],
      }),
    ],
    want: [{ __address__: '10.0.0.53:9153', namespace: 'kube-system', pod: 'coredns-1', container: 'coredns', job: 'coredns' }],
    skipped: { duplicate: 2, not_tcp: 1 },
  },
  {
    name: 'service: every port, job from app.kubernetes.io/name',
    targets: serviceTargets({
      namespace: 'shop',
      name: 'web',
      labels: { 'app.kubernetes.io/name': 'web-frontend' },
      annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/path': '/m' },
      ports: [
        { name: 'http', containerPort: 80 },
        { name: 'metrics', containerPort: 9102 },
      ],
    }),
    want: [
      { __address__: 'web.shop.svc:80', namespace: 'shop', service: 'web', job: 'web-frontend', __metrics_path__: '/m' },
      { __address__: 'web.shop.svc:9102', namespace: 'shop', service: 'web', job: 'web-frontend', __metrics_path__: '/m' },
    ],
  },
  {
    name: 'service: port number annotation selects one target; job falls back to the service name',
    targets: serviceTargets({
      name: 'db',
      annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9187' },
      ports: [
        { name: 'pg', containerPort: 5432 },
        { name: 'metrics', containerPort: 9187 },
      ],
    }),
    want: [{ __address__: 'db.default.svc:9187', namespace: 'default', service: 'db', job: 'db' }],
    skipped: { duplicate: 1 },
  },
  {
    name: 'service: k8s.grafana.com portName and job',
    targets: serviceTargets({
      name: 'cache',
      labels: { app: 'redis' },
      annotations: { 'k8s.grafana.com/scrape': 'true', 'k8s.grafana.com/metrics.portName': 'exporter', 'k8s.grafana.com/job': 'integrations/redis' },
      ports: [
        { name: 'redis', containerPort: 6379 },
        { name: 'exporter', containerPort: 9121 },
      ],
    }),
    want: [{ __address__: 'cache.default.svc:9121', namespace: 'default', service: 'cache', job: 'integrations/redis' }],
    skipped: { port_name_mismatch: 1 },
  },
  {
    name: 'invalid port and scheme annotations are ignored',
    targets: podTargets({
      name: 'odd',
      ip: '10.0.0.9',
      annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': 'http', 'prometheus.io/scheme': 'ftp' },
      containers: [{ name: 'c', ports: [{ containerPort: 8080 }] }],
    }),
    want: [{ __address__: '10.0.0.9:8080', namespace: 'default', pod: 'odd', container: 'c', job: 'c' }],
  },
  {
    name: 'node targets are not handled; endpoints targets without an endpoint (extra pod ports) are left out',
    targets: [
      { __address__: '192.168.1.10:10250', __meta_kubernetes_node_name: 'node-1' },
      { __address__: '10.0.0.1:80', __meta_kubernetes_endpoints_name: 'web', __meta_kubernetes_service_name: 'web', __meta_kubernetes_pod_name: 'web-1' },
    ],
    scrapeByDefault: true,
    want: [],
    skipped: { unsupported_role: 1, not_an_endpoint: 1 },
  },
  {
    name: 'endpoints: Service annotations, one target per ready endpoint, pod and container labels',
    targets: endpointTargets(
      {
        namespace: 'db',
        name: 'postgres',
        labels: { 'app.kubernetes.io/name': 'postgresql' },
        annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9187' },
        ports: [
          { name: 'tcp-postgresql', containerPort: 5432 },
          { name: 'http-metrics', containerPort: 9187 },
        ],
      },
      'postgresql',
      [
        { ip: '10.2.0.1', pod: 'postgres-0', ready: true },
        { ip: '10.2.0.2', pod: 'postgres-1', ready: false },
        { ip: 'fd00::7', pod: 'postgres-2', ready: true },
      ],
    ),
    want: [
      { __address__: '10.2.0.1:9187', namespace: 'db', service: 'postgres', pod: 'postgres-0', container: 'postgresql', job: 'postgresql' },
      { __address__: '[fd00::7]:9187', namespace: 'db', service: 'postgres', pod: 'postgres-2', container: 'postgresql', job: 'postgresql' },
    ],
    skipped: { endpoint_not_ready: 2, duplicate: 2 },
  },
  {
    name: 'endpointslice: k8s.grafana.com portName on the Service',
    targets: endpointTargets(
      {
        name: 'api',
        annotations: { 'k8s.grafana.com/scrape': 'true', 'k8s.grafana.com/metrics.portName': 'metrics' },
        ports: [
          { name: 'http', containerPort: 8080 },
          { name: 'metrics', containerPort: 9090 },
        ],
      },
      'server',
      [{ ip: '10.3.0.1', pod: 'api-x', ready: true }],
      true,
    ),
    want: [{ __address__: '10.3.0.1:9090', namespace: 'default', service: 'api', pod: 'api-x', container: 'server', job: 'api' }],
    skipped: { port_name_mismatch: 1 },
  },
];

describe('annotation auto-scrape rules', () => {
  test.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const conventions = c.conventions ?? parseConventions(['prometheus.io', 'k8s.grafana.com']);
    const result = annotateTargets(c.targets, { conventions, scrapeByDefault: c.scrapeByDefault ?? false });
    expect(result.targets.map(scrapeView)).toEqual(c.want);
    if (c.skipped) expect(result.skipped).toMatchObject(c.skipped);
  });

  test('meta labels stay on the output for later relabeling; inputs are not mutated', () => {
    const input = web({ 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9090' });
    const copy = JSON.parse(JSON.stringify(input));
    const [out] = annotateTargets(input, { conventions: parseConventions(['prometheus.io']), scrapeByDefault: false }).targets;
    expect(out!.__meta_kubernetes_pod_container_port_name).toBe('metrics');
    expect(out!.__meta_kubernetes_pod_annotation_prometheus_io_port).toBe('9090');
    expect(input).toEqual(copy);
  });

  test('conventions are validated and put in precedence order', () => {
    expect(parseConventions(['prometheus.io', 'k8s.grafana.com'])).toEqual(['k8s.grafana.com', 'prometheus.io']);
    expect(() => parseConventions(['prometheus.io', 'example.com'])).toThrow('unknown annotation convention "example.com"');
    expect(() => parseConventions([])).toThrow('at least one');
  });
});

describe('address helpers', () => {
  test.each([
    ['10.0.0.1:80', '10.0.0.1', '80'],
    ['10.0.0.1', '10.0.0.1', ''],
    ['[::1]:80', '::1', '80'],
    ['[fd00::5]', 'fd00::5', ''],
    ['fd00::5', 'fd00::5', ''],
    ['web.shop.svc:9102', 'web.shop.svc', '9102'],
  ])('split %s', (addr, host, port) => {
    expect(splitHostPort(addr)).toEqual({ host, port });
  });

  test.each([
    ['10.0.0.1:80', '10.0.0.1:9100'],
    ['10.0.0.1', '10.0.0.1:9100'],
    ['[::1]:80', '[::1]:9100'],
    ['::1', '[::1]:9100'],
  ])('withPort %s', (addr, want) => {
    expect(withPort(addr, '9100')).toBe(want);
  });
});
