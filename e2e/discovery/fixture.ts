// A small cluster for discovery e2e tests: two nodes, two namespaces, pods
// (multi-port, no-port, init container, not ready), services of every type,
// endpoints (ready + not ready), an endpointslice and an ingress with TLS.
import type { KubeEmulator } from '../../src/sandbox/kube/index.js';

export const NS_A = 'disco-a';
export const NS_B = 'disco-b';

export function pod(ns: string, name: string, node: string, ip: string, extra: { labels?: Record<string, string>; ready?: boolean; ports?: number[] } = {}): any {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, labels: extra.labels ?? { app: name }, annotations: { 'prometheus.io/scrape': 'true' } },
    spec: {
      nodeName: node,
      containers: [
        { name: 'main', image: 'main:1', ports: (extra.ports ?? [8080]).map((p, i) => ({ name: `p${i}`, containerPort: p, protocol: 'TCP' })) },
        { name: 'sidecar', image: 'sidecar:1' },
      ],
      initContainers: [{ name: 'init', image: 'init:1' }],
    },
    status: {
      phase: 'Running',
      podIP: ip,
      hostIP: node === 'node-a' ? '192.168.0.1' : '192.168.0.2',
      conditions: [{ type: 'Ready', status: extra.ready === false ? 'False' : 'True' }],
      containerStatuses: [
        { name: 'main', containerID: `containerd://${name}-main` },
        { name: 'sidecar', containerID: `containerd://${name}-sidecar` },
      ],
      initContainerStatuses: [{ name: 'init', containerID: `containerd://${name}-init` }],
    },
  };
}

export function endpoints(ns: string, name: string, ready: { ip: string; pod: string }[], notReady: { ip: string; pod: string }[] = []): any {
  const addr = (a: { ip: string; pod: string }) => ({ ip: a.ip, nodeName: 'node-a', targetRef: { kind: 'Pod', name: a.pod, namespace: ns } });
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name, namespace: ns, labels: { svc: name } },
    subsets: [{ addresses: ready.map(addr), notReadyAddresses: notReady.map(addr), ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] }],
  };
}

export function loadFixture(emu: KubeEmulator): void {
  for (const ns of [NS_A, NS_B]) emu.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { team: ns } } });
  emu.apply({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'node-a', labels: { 'topology.kubernetes.io/zone': 'z1' } },
    spec: { providerID: 'kind://node-a' },
    status: {
      addresses: [
        { type: 'Hostname', address: 'node-a' },
        { type: 'InternalIP', address: '192.168.0.1' },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      conditions: [{ type: 'Ready', status: 'True' }],
    },
  });
  emu.apply({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'node-b' },
    status: { addresses: [{ type: 'ExternalDNS', address: 'b.example.com' }, { type: 'Hostname', address: 'node-b' }], daemonEndpoints: { kubeletEndpoint: { Port: 10250 } } },
  });
  emu.apply(pod(NS_A, 'web-1', 'node-a', '10.0.0.11', { ports: [8080, 9090] }));
  emu.apply(pod(NS_A, 'web-2', 'node-b', '10.0.0.12', { labels: { app: 'web-1' }, ready: false }));
  emu.apply(pod(NS_B, 'db-1', 'node-a', '10.0.1.11', { ports: [5432] }));
  emu.apply({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: NS_A, labels: { tier: 'front' } },
    spec: { type: 'ClusterIP', clusterIP: '10.96.0.10', ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] },
  });
  emu.apply({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'ext', namespace: NS_B },
    spec: { type: 'ExternalName', externalName: 'db.example.com', ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }] },
  });
  emu.apply({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'lb', namespace: NS_B },
    spec: { type: 'LoadBalancer', clusterIP: '10.96.0.11', ports: [{ name: 'https', port: 443, protocol: 'TCP' }] },
    status: { loadBalancer: { ingress: [{ ip: '203.0.113.5' }] } },
  });
  emu.apply(endpoints(NS_A, 'web', [{ ip: '10.0.0.11', pod: 'web-1' }], [{ ip: '10.0.0.12', pod: 'web-2' }]));
  emu.apply({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'web-abc', namespace: NS_A, labels: { 'kubernetes.io/service-name': 'web' } },
    addressType: 'IPv4',
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    endpoints: [
      { addresses: ['10.0.0.11'], conditions: { ready: true, serving: true, terminating: false }, nodeName: 'node-a', zone: 'z1', targetRef: { kind: 'Pod', name: 'web-1', namespace: NS_A } },
      { addresses: ['10.0.0.12'], conditions: { ready: false }, nodeName: 'node-b', targetRef: { kind: 'Pod', name: 'web-2', namespace: NS_A } },
    ],
  });
  emu.apply({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: 'web', namespace: NS_A },
    spec: {
      ingressClassName: 'nginx',
      tls: [{ hosts: ['*.example.com'] }],
      rules: [
        { host: 'web.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 8080 } } } }, { path: '/api', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 8080 } } } }] } },
        { host: 'plain.test', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 8080 } } } }] } },
      ],
    },
  });
}
