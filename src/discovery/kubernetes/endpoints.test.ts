// Expected groups of Prometheus's discovery/kubernetes/endpoints_test.go.
import { endpointsTargets } from './endpoints.js';
import { contextOf, makeNamespace, makeNode } from '../../../e2e/lib/fixtures/kube-objects.js';
import type { Endpoints, Pod, Service, Target } from './types.js';

function makeEndpoints(namespace: string): Endpoints {
  return {
    metadata: { name: 'testendpoints', namespace, annotations: { 'test.annotation': 'test' } },
    subsets: [
      { addresses: [{ ip: '1.2.3.4', hostname: 'testendpoint1', nodeName: 'foobar' }], ports: [{ name: 'testport', port: 9000, protocol: 'TCP' }] },
      { addresses: [{ ip: '2.3.4.5' }], notReadyAddresses: [{ ip: '2.3.4.5' }], ports: [{ name: 'testport', port: 9001, protocol: 'TCP' }] },
      { addresses: [{ ip: '6.7.8.9', targetRef: { kind: 'Node', name: 'barbaz' } }], ports: [{ name: 'testport', port: 9002, protocol: 'TCP' }] },
    ],
  };
}

const ep = (addr: string, ready: string, extra: Target = {}): Target => ({
  __address__: addr,
  __meta_kubernetes_endpoint_port_name: 'testport',
  __meta_kubernetes_endpoint_port_protocol: 'TCP',
  __meta_kubernetes_endpoint_ready: ready,
  ...extra,
});

function baseTargets(node1: Target = {}, node2: Target = {}): Target[] {
  return [
    ep('1.2.3.4:9000', 'true', { __meta_kubernetes_endpoint_hostname: 'testendpoint1', __meta_kubernetes_endpoint_node_name: 'foobar', ...node1 }),
    ep('2.3.4.5:9001', 'true'),
    ep('2.3.4.5:9001', 'false'),
    ep('6.7.8.9:9002', 'true', { __meta_kubernetes_endpoint_address_target_kind: 'Node', __meta_kubernetes_endpoint_address_target_name: 'barbaz', ...node2 }),
  ];
}

const baseLabels = (ns: string): Target => ({
  __meta_kubernetes_namespace: ns,
  __meta_kubernetes_endpoints_name: 'testendpoints',
  __meta_kubernetes_endpoints_annotation_test_annotation: 'test',
  __meta_kubernetes_endpoints_annotationpresent_test_annotation: 'true',
});

const svcWithLabels = (labels: Record<string, string>, namespace = 'default'): Service => ({ metadata: { name: 'testendpoints', namespace, labels } });

function pod(namespace: string, podIP: string, containers: Pod['spec'], status: Pod['status'] = {}): Pod {
  return { metadata: { name: 'testpod', namespace, uid: 'deadbeef' }, spec: { nodeName: 'testnode', ...containers }, status: { hostIP: '2.3.4.5', podIP, ...status } };
}

const podLbls = (ip: string, ready = 'unknown', phase = ''): Target => ({
  __meta_kubernetes_pod_name: 'testpod',
  __meta_kubernetes_pod_ip: ip,
  __meta_kubernetes_pod_ready: ready,
  __meta_kubernetes_pod_phase: phase,
  __meta_kubernetes_pod_node_name: 'testnode',
  __meta_kubernetes_pod_host_ip: '2.3.4.5',
  __meta_kubernetes_pod_uid: 'deadbeef',
});

const container = (name: string, portName: string, port: number, init = 'false'): Target => ({
  __meta_kubernetes_pod_container_name: name,
  __meta_kubernetes_pod_container_image: `${name}:latest`,
  __meta_kubernetes_pod_container_port_name: portName,
  __meta_kubernetes_pod_container_port_number: String(port),
  __meta_kubernetes_pod_container_port_protocol: 'TCP',
  __meta_kubernetes_pod_container_init: init,
});

const podRefEndpoints = (namespace: string, name = 'testendpoints', ports = [{ name: 'testport', port: 9000, protocol: 'TCP' }]): Endpoints => ({
  metadata: { name, namespace },
  subsets: [{ addresses: [{ ip: '4.3.2.1', targetRef: { kind: 'Pod', name: 'testpod', namespace } }], ports }],
});
const podRef = { __meta_kubernetes_endpoint_address_target_kind: 'Pod', __meta_kubernetes_endpoint_address_target_name: 'testpod' };

describe('endpoints role (Prometheus endpoints_test.go)', () => {
  test('BeforeRun / OwnNamespace: hostname, node name, not-ready addresses, Node target refs', () => {
    expect(endpointsTargets(makeEndpoints('default'))).toEqual({ source: 'endpoints/default/testendpoints', targets: baseTargets(), labels: baseLabels('default') });
    // OwnNamespace: pods exist but no address refers to them, so nothing changes.
    const p = pod('own-ns', '4.3.2.1', { containers: [{ name: 'p1', image: 'p1:latest', ports: [{ name: 'mainport', containerPort: 9000, protocol: 'TCP' }] }] });
    expect(endpointsTargets(makeEndpoints('own-ns'), contextOf({ pods: [p], services: [] }))).toEqual({
      source: 'endpoints/own-ns/testendpoints',
      targets: baseTargets(),
      labels: baseLabels('own-ns'),
    });
  });

  test('Add: pod-backed address joined with its container; the other container port becomes an extra target', () => {
    const p = pod('default', '1.2.3.4', {
      containers: [
        { name: 'c1', image: 'c1:latest', ports: [{ name: 'mainport', containerPort: 9000, protocol: 'TCP' }] },
        { name: 'c2', image: 'c2:latest', ports: [{ name: 'sideport', containerPort: 9001, protocol: 'TCP' }] },
      ],
    });
    const eps = podRefEndpoints('default');
    eps.subsets![0].addresses![0].ip = '4.3.2.1';
    expect(endpointsTargets(eps, contextOf({ pods: [p], services: [] }))).toEqual({
      source: 'endpoints/default/testendpoints',
      targets: [
        { ...ep('4.3.2.1:9000', 'true'), ...podRef, ...podLbls('1.2.3.4'), ...container('c1', 'mainport', 9000) },
        { __address__: '1.2.3.4:9001', ...podLbls('1.2.3.4'), ...container('c2', 'sideport', 9001) },
      ],
      labels: { __meta_kubernetes_endpoints_name: 'testendpoints', __meta_kubernetes_namespace: 'default' },
    });
  });

  test('Update and EmptySubsets', () => {
    const eps: Endpoints = {
      metadata: { name: 'testendpoints', namespace: 'default' },
      subsets: [
        { addresses: [{ ip: '1.2.3.4' }], ports: [{ name: 'testport', port: 9000, protocol: 'TCP' }] },
        { addresses: [{ ip: '2.3.4.5' }], ports: [{ name: 'testport', port: 9001, protocol: 'TCP' }] },
      ],
    };
    const labels = { __meta_kubernetes_namespace: 'default', __meta_kubernetes_endpoints_name: 'testendpoints' };
    expect(endpointsTargets(eps)).toEqual({ source: 'endpoints/default/testendpoints', targets: [ep('1.2.3.4:9000', 'true'), ep('2.3.4.5:9001', 'true')], labels });
    expect(endpointsTargets({ metadata: eps.metadata, subsets: [] })).toEqual({ source: 'endpoints/default/testendpoints', targets: [], labels });
  });

  test('WithService and WithServiceUpdate: service labels join the group', () => {
    const cases: [Record<string, string>, Target][] = [
      [{ 'app/name': 'test' }, { __meta_kubernetes_service_label_app_name: 'test', __meta_kubernetes_service_labelpresent_app_name: 'true' }],
      [
        { 'app/name': 'svc', component: 'testing' },
        {
          __meta_kubernetes_service_label_app_name: 'svc',
          __meta_kubernetes_service_labelpresent_app_name: 'true',
          __meta_kubernetes_service_label_component: 'testing',
          __meta_kubernetes_service_labelpresent_component: 'true',
        },
      ],
    ];
    for (const [lbls, extra] of cases) {
      expect(endpointsTargets(makeEndpoints('default'), contextOf({ services: [svcWithLabels(lbls)] }))).toEqual({
        source: 'endpoints/default/testendpoints',
        targets: baseTargets(),
        labels: { ...baseLabels('default'), __meta_kubernetes_service_name: 'testendpoints', ...extra },
      });
    }
  });

  test('WithNodeMetadata: node labels by nodeName and by Node target ref', () => {
    // Prometheus's WithUpdatedNodeMetadata expects the old labels (its handler misses the in-place update);
    // we recompute from the current cache, so the second case expects the new ones.
    for (const az1 of ['us-east1', 'eu-central1']) {
      const ctx = contextOf({
        services: [svcWithLabels({ 'app/name': 'test' })],
        nodes: [makeNode('foobar', '', '', { az: az1 }), makeNode('barbaz', '', '', { az: 'us-west2' })],
      });
      expect(endpointsTargets(makeEndpoints('default'), ctx)).toEqual({
        source: 'endpoints/default/testendpoints',
        targets: baseTargets(
          { __meta_kubernetes_node_label_az: az1, __meta_kubernetes_node_labelpresent_az: 'true', __meta_kubernetes_node_name: 'foobar' },
          { __meta_kubernetes_node_label_az: 'us-west2', __meta_kubernetes_node_labelpresent_az: 'true', __meta_kubernetes_node_name: 'barbaz' },
        ),
        labels: {
          ...baseLabels('default'),
          __meta_kubernetes_service_label_app_name: 'test',
          __meta_kubernetes_service_labelpresent_app_name: 'true',
          __meta_kubernetes_service_name: 'testendpoints',
        },
      });
    }
  });

  test('Namespaces: per-namespace service and pod joins', () => {
    const p = pod('ns2', '4.3.2.1', { containers: [{ name: 'c1', image: 'c1:latest', ports: [{ name: 'mainport', containerPort: 9000, protocol: 'TCP' }] }] });
    const ctx = contextOf({ pods: [p], services: [svcWithLabels({ app: 'app1' }, 'ns1')] });
    expect(endpointsTargets(makeEndpoints('ns1'), ctx)).toEqual({
      source: 'endpoints/ns1/testendpoints',
      targets: baseTargets(),
      labels: { ...baseLabels('ns1'), __meta_kubernetes_service_label_app: 'app1', __meta_kubernetes_service_labelpresent_app: 'true', __meta_kubernetes_service_name: 'testendpoints' },
    });
    expect(endpointsTargets(podRefEndpoints('ns2'), ctx)).toEqual({
      source: 'endpoints/ns2/testendpoints',
      targets: [{ ...ep('4.3.2.1:9000', 'true'), ...podRef, ...podLbls('4.3.2.1'), ...container('c1', 'mainport', 9000) }],
      labels: { __meta_kubernetes_namespace: 'ns2', __meta_kubernetes_endpoints_name: 'testendpoints' },
    });
  });

  test('UpdatePod: the joined pod labels follow the pod (Pending -> Running, ready)', () => {
    const spec = { containers: [{ name: 'c1', image: 'c1:latest', ports: [{ name: 'mainport', containerPort: 9000, protocol: 'TCP' }] }] };
    const eps = podRefEndpoints('default', 'testendpoints', [{ name: 'mainport', port: 9000, protocol: 'TCP' }]);
    const running = pod('default', '4.3.2.1', spec, { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] });
    expect(endpointsTargets(eps, contextOf({ pods: [running] }))).toEqual({
      source: 'endpoints/default/testendpoints',
      targets: [
        {
          ...ep('4.3.2.1:9000', 'true'),
          __meta_kubernetes_endpoint_port_name: 'mainport',
          ...podRef,
          ...podLbls('4.3.2.1', 'true', 'Running'),
          ...container('c1', 'mainport', 9000),
        },
      ],
      labels: { __meta_kubernetes_namespace: 'default', __meta_kubernetes_endpoints_name: 'testendpoints' },
    });
  });

  test('SidecarContainer: init container ports are matched, the unmatched one is an extra target', () => {
    const p = pod('default', '4.3.2.1', {
      initContainers: [
        { name: 'ic1', image: 'ic1:latest', ports: [{ name: 'initport', containerPort: 1111, protocol: 'TCP' }] },
        { name: 'ic2', image: 'ic2:latest', ports: [{ name: 'initport', containerPort: 9111, protocol: 'TCP' }] },
      ],
      containers: [{ name: 'c1', image: 'c1:latest', ports: [{ name: 'mainport', containerPort: 9000, protocol: 'TCP' }] }],
    });
    const eps = podRefEndpoints('default', 'testsidecar', [
      { name: 'testport', port: 9000, protocol: 'TCP' },
      { name: 'initport', port: 9111, protocol: 'TCP' },
    ]);
    expect(endpointsTargets(eps, contextOf({ pods: [p] }))).toEqual({
      source: 'endpoints/default/testsidecar',
      targets: [
        { ...ep('4.3.2.1:9000', 'true'), ...podRef, ...podLbls('4.3.2.1'), ...container('c1', 'mainport', 9000) },
        { ...ep('4.3.2.1:9111', 'true'), __meta_kubernetes_endpoint_port_name: 'initport', ...podRef, ...podLbls('4.3.2.1'), ...container('ic2', 'initport', 9111, 'true') },
        { __address__: '4.3.2.1:1111', ...podLbls('4.3.2.1'), ...container('ic1', 'initport', 1111, 'true') },
      ],
      labels: { __meta_kubernetes_endpoints_name: 'testsidecar', __meta_kubernetes_namespace: 'default' },
    });
  });

  test('EmptyPodStatus: a pod without IP adds no extra targets', () => {
    const p = pod('ns', '', { containers: [{ name: 'p1', image: 'p1:latest', ports: [{ name: 'mainport', containerPort: 9000, protocol: 'TCP' }] }] }, {});
    delete p.status!.hostIP;
    const g = endpointsTargets(podRefEndpoints('ns', 'testendpoints', [{ name: 'other', port: 1, protocol: 'TCP' }]), contextOf({ pods: [p] }));
    expect(g.targets.map((t) => t.__address__)).toEqual(['4.3.2.1:1']);
  });

  test('WithNamespaceMetadata', () => {
    const ctx = contextOf({ namespaces: [makeNamespace('test-ns', { environment: 'production' }, { owner: 'platform' })] });
    expect(endpointsTargets(makeEndpoints('test-ns'), ctx).labels).toEqual({
      ...baseLabels('test-ns'),
      __meta_kubernetes_namespace_label_environment: 'production',
      __meta_kubernetes_namespace_labelpresent_environment: 'true',
      __meta_kubernetes_namespace_annotation_owner: 'platform',
      __meta_kubernetes_namespace_annotationpresent_owner: 'true',
    });
  });
});
