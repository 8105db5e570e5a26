// Final target labels of ServiceMonitor / PodMonitor jobs, as the
// prometheus-operator's generated scrape configs give them (expected label
// sets written from the operator's documented relabelings, per case).
import { endpointsTargets } from '../../discovery/kubernetes/endpoints.js';
import { endpointSliceTargets } from '../../discovery/kubernetes/endpointslice.js';
import { flattenGroups } from '../../discovery/kubernetes/labels.js';
import { podTargets } from '../../discovery/kubernetes/pod.js';
import { contextOf } from '../../../e2e/lib/fixtures/kube-objects.js';
import type { EndpointSlice, Endpoints, Pod, Service } from '../../discovery/kubernetes/types.js';
import { populateTarget } from '../../scrape/target.js';
import { targetDefaults, wireConfig } from '../../scrape/wire.js';
import { buildJob, type JobOptions, relabelTargets } from './job.js';
import { parseMonitor } from './monitor.js';
import { RefStore } from './secrets.js';

const refs = {} as RefStore; // no Secret references in these cases
const OPTS: JobOptions = { role: 'endpoints', scrape: { intervalMs: 60_000, timeoutMs: 10_000, sampleLimit: 0 }, extraRules: [], allowFileAccess: false };

const pod = (name: string, ip: string, labels: Record<string, string>, phase = 'Running'): Pod => ({
  metadata: { name, namespace: 'shop', uid: `uid-${name}`, labels },
  spec: {
    nodeName: 'node-a',
    containers: [
      { name: 'app', image: 'shop:1', ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }, { name: 'admin', containerPort: 9090, protocol: 'TCP' }] },
      { name: 'sidecar', image: 'proxy:1', ports: [{ name: 'proxy-metrics', containerPort: 15090, protocol: 'TCP' }] },
    ],
  },
  status: { podIP: ip, hostIP: '192.168.0.1', phase, conditions: [{ type: 'Ready', status: 'True' }] },
});

const pods = [pod('cart-1', '10.1.0.1', { app: 'cart', tier: 'backend', team: 'red' }), pod('cart-2', '10.1.0.2', { app: 'cart', tier: 'backend' }, 'Succeeded')];
const svc: Service = {
  metadata: { name: 'cart', namespace: 'shop', labels: { app: 'cart', 'app.kubernetes.io/part-of': 'webshop', env: 'prod' } },
  spec: { ports: [{ name: 'web', port: 80 }, { name: 'metrics', port: 9090 }], clusterIP: '10.96.0.10' },
};
const eps: Endpoints = {
  metadata: { name: 'cart', namespace: 'shop' },
  subsets: [
    {
      addresses: pods.map((p) => ({ ip: p.status!.podIP!, nodeName: 'node-a', targetRef: { kind: 'Pod', name: p.metadata!.name, namespace: 'shop' } })),
      ports: [{ name: 'web', port: 8080, protocol: 'TCP' }, { name: 'metrics', port: 9090, protocol: 'TCP' }],
    },
  ],
};
const slice: EndpointSlice = {
  metadata: { name: 'cart-abc', namespace: 'shop', labels: { 'kubernetes.io/service-name': 'cart' } },
  addressType: 'IPv4',
  endpoints: pods.map((p) => ({ addresses: [p.status!.podIP!], conditions: { ready: true }, nodeName: 'node-a', targetRef: { kind: 'Pod', name: p.metadata!.name, namespace: 'shop' } })),
  ports: [{ name: 'web', port: 8080, protocol: 'TCP' }, { name: 'metrics', port: 9090, protocol: 'TCP' }],
};
const ctx = contextOf({ pods, services: [svc] });

function discoveredFor(kind: 'ServiceMonitor' | 'PodMonitor', role: 'endpoints' | 'endpointslice' = 'endpoints') {
  return kind === 'PodMonitor' ? flattenGroups(pods.map((p) => podTargets(p))) : flattenGroups([role === 'endpoints' ? endpointsTargets(eps, ctx) : endpointSliceTargets(slice, ctx)]);
}

function finalLabels(kind: 'ServiceMonitor' | 'PodMonitor', spec: object, role: 'endpoints' | 'endpointslice' = 'endpoints', opts: Partial<JobOptions> = {}) {
  const m = parseMonitor(kind, { metadata: { name: 'cart', namespace: 'shop', uid: 'u1' }, spec });
  const job = buildJob(m, m.endpoints[0], { ...OPTS, role, ...opts }, refs);
  const discovered = discoveredFor(kind, role);
  return relabelTargets(discovered, job)
    .active.map((t) => populateTarget(t, targetDefaults(job.scrape)))
    .map((r) => {
      if ('error' in r) throw new Error(r.error);
      const o: Record<string, string> = {};
      for (let i = 0; i < r.target.labels.length; i += 2) o[r.target.labels[i]] = r.target.labels[i + 1];
      return { url: r.target.url, labels: o };
    })
    .sort((a, b) => a.url.localeCompare(b.url));
}

describe('ServiceMonitor target labels', () => {
  test('named port, endpoints role: namespace/service/pod/container/endpoint/job, Succeeded pod dropped', () => {
    const got = finalLabels('ServiceMonitor', { selector: { matchLabels: { app: 'cart' } }, endpoints: [{ port: 'metrics' }] });
    expect(got).toEqual([
      {
        url: 'http://10.1.0.1:9090/metrics',
        labels: { container: 'app', endpoint: 'metrics', instance: '10.1.0.1:9090', job: 'cart', namespace: 'shop', pod: 'cart-1', service: 'cart' },
      },
    ]);
  });

  test('same over endpointslice', () => {
    const got = finalLabels('ServiceMonitor', { selector: { matchLabels: { app: 'cart' } }, endpoints: [{ port: 'metrics' }] }, 'endpointslice');
    expect(got.map((g) => g.labels)).toEqual([
      { container: 'app', endpoint: 'metrics', instance: '10.1.0.1:9090', job: 'cart', namespace: 'shop', pod: 'cart-1', service: 'cart' },
    ]);
  });

  test('jobLabel, targetLabels, podTargetLabels, matchExpressions, relabelings and path/params', () => {
    const got = finalLabels('ServiceMonitor', {
      jobLabel: 'app.kubernetes.io/part-of',
      targetLabels: ['env', 'missing'],
      podTargetLabels: ['team'],
      selector: { matchExpressions: [{ key: 'env', operator: 'In', values: ['prod', 'staging'] }, { key: 'canary', operator: 'DoesNotExist' }] },
      endpoints: [
        {
          port: 'web',
          path: '/stats',
          params: { format: ['prometheus'] },
          relabelings: [{ sourceLabels: ['__meta_kubernetes_pod_node_name'], targetLabel: 'node_name' }, { action: 'labeldrop', regex: 'container' }],
        },
      ],
    });
    expect(got).toEqual([
      {
        url: 'http://10.1.0.1:8080/stats?format=prometheus',
        labels: { endpoint: 'web', env: 'prod', instance: '10.1.0.1:8080', job: 'webshop', namespace: 'shop', node_name: 'node-a', pod: 'cart-1', service: 'cart', team: 'red' },
      },
    ]);
  });

  test('selector that does not match keeps nothing; NotIn drops', () => {
    expect(finalLabels('ServiceMonitor', { selector: { matchLabels: { app: 'other' } }, endpoints: [{ port: 'metrics' }] })).toEqual([]);
    expect(finalLabels('ServiceMonitor', { selector: { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }] }, endpoints: [{ port: 'metrics' }] })).toEqual([]);
  });

  test('numeric targetPort matches the container port number; endpoint label is the number', () => {
    const got = finalLabels('ServiceMonitor', { selector: {}, endpoints: [{ targetPort: 8080 }] });
    expect(got.map((g) => g.labels)).toEqual([
      { container: 'app', endpoint: '8080', instance: '10.1.0.1:8080', job: 'cart', namespace: 'shop', pod: 'cart-1', service: 'cart' },
    ]);
  });

  test('filterRunning: false keeps the Succeeded pod', () => {
    const got = finalLabels('ServiceMonitor', { selector: {}, endpoints: [{ port: 'metrics', filterRunning: false }] });
    expect(got.map((g) => g.labels.pod)).toEqual(['cart-1', 'cart-2']);
  });
});

describe('PodMonitor target labels', () => {
  test('named port: namespace/container/pod/endpoint, job is <ns>/<name>', () => {
    const got = finalLabels('PodMonitor', { selector: { matchLabels: { app: 'cart' } }, podMetricsEndpoints: [{ port: 'proxy-metrics', interval: '15s' }] });
    expect(got).toEqual([
      {
        url: 'http://10.1.0.1:15090/metrics',
        labels: { container: 'sidecar', endpoint: 'proxy-metrics', instance: '10.1.0.1:15090', job: 'shop/cart', namespace: 'shop', pod: 'cart-1' },
      },
    ]);
  });

  test('portNumber has no endpoint label; jobLabel and podTargetLabels; honorLabels travels to the workers', () => {
    const m = parseMonitor('PodMonitor', {
      metadata: { name: 'cart', namespace: 'shop' },
      spec: { jobLabel: 'tier', podTargetLabels: ['team'], selector: { matchExpressions: [{ key: 'team', operator: 'Exists' }] }, podMetricsEndpoints: [{ portNumber: 9090, honorLabels: true }] },
    });
    const job = buildJob(m, m.endpoints[0], OPTS, refs);
    expect(wireConfig(job.scrape).honorLabels).toBe(true);
    const got = finalLabels('PodMonitor', {
      jobLabel: 'tier',
      podTargetLabels: ['team'],
      selector: { matchExpressions: [{ key: 'team', operator: 'Exists' }] },
      podMetricsEndpoints: [{ portNumber: 9090 }],
    });
    expect(got.map((g) => g.labels)).toEqual([{ container: 'app', instance: '10.1.0.1:9090', job: 'backend', namespace: 'shop', pod: 'cart-1', team: 'red' }]);
  });
});

describe('bad CRs', () => {
  test('a field of the wrong type names its path', () => {
    expect(() => parseMonitor('ServiceMonitor', { metadata: { name: 'x', namespace: 'a' }, spec: { selector: { matchLabels: { app: 3 } } } })).toThrow(
      'spec.selector.matchLabels.app: expected a string, got number 3',
    );
    // One bad endpoint rejects the whole CR, as the operator's checkServiceMonitor does.
    expect(() => parseMonitor('ServiceMonitor', { metadata: { name: 'x', namespace: 'a' }, spec: { selector: {}, endpoints: [{ port: 'a' }, { port: 'b', honorLabels: 'yes' }] } })).toThrow(
      'spec.endpoints[1].honorLabels: expected a boolean, got string "yes"',
    );
  });

  test('invalid regex in relabelings and metricRelabelings', () => {
    const m = parseMonitor('ServiceMonitor', {
      metadata: { name: 'x', namespace: 'a' },
      spec: { selector: {}, endpoints: [{ port: 'a', relabelings: [{ sourceLabels: ['x'], targetLabel: 'y', regex: '(unclosed' }] }, { port: 'a', metricRelabelings: [{ action: 'drop', regex: '[z-a]' }] }] },
    });
    expect(() => buildJob(m, m.endpoints[0], OPTS, refs)).toThrow(/^spec\.endpoints\[0\]\.relabelings: .*/);
    // The message quotes the regex as the user wrote it, never the anchored ^(?s:...)$ form compiled.
    expect(() => buildJob(m, m.endpoints[0], OPTS, refs)).toThrow('invalid regex "(unclosed": error parsing regexp: missing closing ): `(unclosed`');
    expect(() => buildJob(m, m.endpoints[0], OPTS, refs)).not.toThrow('(?s:');
    expect(() => buildJob(m, m.endpoints[1], OPTS, refs)).toThrow(/^spec\.endpoints\[1\]\.metricRelabelings: .*/);
  });

  test('file references are refused unless allowed', () => {
    const m = parseMonitor('ServiceMonitor', { metadata: { name: 'x', namespace: 'a' }, spec: { selector: {}, endpoints: [{ port: 'a', bearerTokenFile: '/etc/passwd' }] } });
    expect(() => buildJob(m, m.endpoints[0], OPTS, refs)).toThrow(/bearerTokenFile references a file .* refused/);
    const job = buildJob(m, m.endpoints[0], { ...OPTS, allowFileAccess: true }, refs);
    expect(wireConfig(job.scrape).http.client).toEqual({ bearer_token_file: '/etc/passwd' });
  });

  test('timeout: default capped at the interval; explicit timeout above the interval is an error', () => {
    const m = parseMonitor('PodMonitor', { metadata: { name: 'x', namespace: 'a' }, spec: { selector: {}, podMetricsEndpoints: [{ interval: '2s' }, { interval: '2s', scrapeTimeout: '5s' }] } });
    expect(targetDefaults(buildJob(m, m.endpoints[0], OPTS, refs).scrape)).toMatchObject({ intervalMs: 2000, timeoutMs: 2000 });
    expect(() => buildJob(m, m.endpoints[1], OPTS, refs)).toThrow('scrapeTimeout (5s) is greater than the interval (2s)');
  });
});
