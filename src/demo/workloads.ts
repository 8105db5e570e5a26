// The demo's sandbox workloads: pods whose IPs are loopback addresses
// (127.0.0.x) where small in-process exporters really listen, annotated with
// both scrape conventions, so the whole pipeline runs without a cluster.
import http from 'node:http';

export interface DemoPod {
  namespace: string;
  app: string;
  name: string;
  ip: string;
  port: number;
  node: string;
  annotations: Record<string, string>;
}

export const DEMO_PODS: DemoPod[] = [
  { namespace: 'shop', app: 'checkout', name: 'checkout-7d9f8-abcde', ip: '127.0.0.11', port: 8080, node: 'node-a', annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '8080' } },
  { namespace: 'shop', app: 'checkout', name: 'checkout-7d9f8-fghij', ip: '127.0.0.12', port: 8080, node: 'node-b', annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '8080' } },
  { namespace: 'shop', app: 'cart', name: 'cart-5c6b7-klmno', ip: '127.0.0.13', port: 9090, node: 'node-a', annotations: { 'k8s.grafana.com/scrape': 'true', 'k8s.grafana.com/metrics.portNumber': '9090', 'k8s.grafana.com/job': 'shop/cart' } },
  { namespace: 'shop', app: 'catalog', name: 'catalog-6f7a8-pqrst', ip: '127.0.0.14', port: 8080, node: 'node-b', annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/path': '/custom/metrics' } },
  { namespace: 'payments', app: 'ledger', name: 'ledger-0', ip: '127.0.0.15', port: 8080, node: 'node-c', annotations: { 'k8s.grafana.com/scrape': 'true' } },
  { namespace: 'payments', app: 'fraud', name: 'fraud-1a2b3-uvwxy', ip: '127.0.0.16', port: 8080, node: 'node-c', annotations: {} }, // not annotated: not scraped
  // Not annotated either: scraped because a ServiceMonitor selects its Service.
  { namespace: 'shop', app: 'inventory', name: 'inventory-4d5e6-zabcd', ip: '127.0.0.17', port: 8080, node: 'node-a', annotations: {} },
];

/** The CR-driven part of the demo: a Service + Endpoints for `inventory`, its ServiceMonitor, and a PrometheusRule. */
export function monitoringObjects(): any[] {
  const inv = DEMO_PODS.find((p) => p.app === 'inventory')!;
  return [
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'inventory', namespace: 'shop', labels: { app: 'inventory' } },
      spec: { selector: { app: 'inventory' }, ports: [{ name: 'http-metrics', port: 8080, targetPort: 8080 }], clusterIP: '10.96.0.50' },
    },
    {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'inventory', namespace: 'shop', labels: { app: 'inventory' } },
      subsets: [
        {
          addresses: [{ ip: inv.ip, nodeName: inv.node, targetRef: { kind: 'Pod', name: inv.name, namespace: 'shop' } }],
          ports: [{ name: 'http-metrics', port: 8080, protocol: 'TCP' }],
        },
      ],
    },
    {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      metadata: { name: 'inventory', namespace: 'shop', labels: { team: 'shop' } },
      spec: {
        selector: { matchLabels: { app: 'inventory' } },
        endpoints: [{ port: 'http-metrics', interval: '5s', scrapeTimeout: '4s', metricRelabelings: [{ sourceLabels: ['__name__'], regex: 'demo_scrapes_seen_total', action: 'drop' }] }],
      },
    },
    {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: { name: 'shop-slos', namespace: 'shop', labels: { team: 'shop' } },
      spec: {
        groups: [
          {
            name: 'shop.rules',
            rules: [
              { record: 'shop:demo_requests:rate5m', expr: 'sum by (app) (rate(demo_requests_total[5m]))' },
              { alert: 'ShopErrorsHigh', expr: 'sum(rate(demo_requests_total{code="500"}[5m])) > 1', for: '10m', labels: { severity: 'warning' } },
            ],
          },
        ],
      },
    },
  ];
}

export function podObject(p: DemoPod): any {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: p.name, namespace: p.namespace, labels: { app: p.app, 'app.kubernetes.io/name': p.app }, annotations: p.annotations },
    spec: {
      nodeName: p.node,
      containers: [{ name: p.app, image: `demo/${p.app}:1.0`, ports: [{ name: 'http-metrics', containerPort: p.port, protocol: 'TCP' }] }],
    },
    status: {
      phase: 'Running',
      podIP: p.ip,
      podIPs: [{ ip: p.ip }],
      hostIP: '127.0.0.1',
      conditions: [{ type: 'Ready', status: 'True' }],
      containerStatuses: [{ name: p.app, ready: true, restartCount: 0, image: `demo/${p.app}:1.0`, containerID: `containerd://${p.name}`, state: { running: { startedAt: new Date().toISOString() } } }],
    },
  };
}

export function namespaceObject(name: string): any {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name } };
}

/** Serves synthetic metrics for one pod: a counter, a gauge and a histogram that move. */
export function startExporter(p: DemoPod): Promise<http.Server> {
  const started = Date.now();
  let requests = 0;
  const server = http.createServer((req, res) => {
    requests++;
    const up = (Date.now() - started) / 1000;
    const path = p.annotations['prometheus.io/path'] ?? '/metrics';
    if (req.url !== path) {
      res.writeHead(404).end('not found\n');
      return;
    }
    const buckets = [0.05, 0.1, 0.5, 1];
    const total = Math.floor(up * 10);
    const lines = [
      '# HELP demo_requests_total Requests served by the demo app.',
      '# TYPE demo_requests_total counter',
      `demo_requests_total{app="${p.app}",code="200"} ${total}`,
      `demo_requests_total{app="${p.app}",code="500"} ${Math.floor(total / 50)}`,
      '# HELP demo_queue_depth Items waiting.',
      '# TYPE demo_queue_depth gauge',
      `demo_queue_depth ${Math.round(5 + 5 * Math.sin(up / 10))}`,
      '# HELP demo_request_duration_seconds Request latency.',
      '# TYPE demo_request_duration_seconds histogram',
      ...buckets.map((b, i) => `demo_request_duration_seconds_bucket{le="${b}"} ${Math.floor(total * (i + 1) / (buckets.length + 1))}`),
      `demo_request_duration_seconds_bucket{le="+Inf"} ${total}`,
      `demo_request_duration_seconds_sum ${(total * 0.2).toFixed(3)}`,
      `demo_request_duration_seconds_count ${total}`,
      `demo_scrapes_seen_total ${requests}`,
      '',
    ];
    res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' }).end(lines.join('\n'));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(p.port, p.ip, () => resolve(server));
  });
}
