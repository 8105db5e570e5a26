// Expected groups of Prometheus's discovery/kubernetes/endpointslice_test.go.
import { endpointSliceTargets } from './endpointslice.js';
import { contextOf, makeNamespace, makeNode } from '../../../e2e/lib/fixtures/kube-objects.js';
import type { EndpointSlice, Pod, Service, Target } from './types.js';

const P = '__meta_kubernetes_endpointslice_';

function makeSlice(namespace: string): EndpointSlice {
  return {
    metadata: { name: 'testendpoints', namespace, labels: { 'kubernetes.io/service-name': 'testendpoints' }, annotations: { 'test.annotation': 'test' } },
    addressType: 'IPv4',
    ports: [{ name: 'testport', port: 9000, protocol: 'TCP', appProtocol: 'http' }],
    endpoints: [
      {
        addresses: ['1.2.3.4'],
        conditions: { ready: true, serving: true, terminating: false },
        hostname: 'testendpoint1',
        targetRef: {},
        nodeName: 'foobar',
        deprecatedTopology: { topology: 'value' },
        zone: 'us-east-1a',
      },
      { addresses: ['2.3.4.5'], conditions: { ready: true, serving: true, terminating: false }, zone: 'us-east-1b' },
      { addresses: ['3.4.5.6'], conditions: { ready: false, serving: true, terminating: true }, zone: 'us-east-1c' },
      { addresses: ['4.5.6.7'], conditions: { ready: true, serving: true, terminating: false }, targetRef: { kind: 'Node', name: 'barbaz' }, zone: 'us-east-1a' },
    ],
  };
}

const portLabels = { [`${P}port`]: '9000', [`${P}port_app_protocol`]: 'http', [`${P}port_name`]: 'testport', [`${P}port_protocol`]: 'TCP' };
const cond = (ready: string, serving: string, terminating: string) => ({
  [`${P}endpoint_conditions_ready`]: ready,
  [`${P}endpoint_conditions_serving`]: serving,
  [`${P}endpoint_conditions_terminating`]: terminating,
});

function baseTargets(node1: Target = {}, node2: Target = {}): Target[] {
  return [
    {
      __address__: '1.2.3.4:9000',
      [`${P}address_target_kind`]: '',
      [`${P}address_target_name`]: '',
      ...cond('true', 'true', 'false'),
      [`${P}endpoint_hostname`]: 'testendpoint1',
      [`${P}endpoint_node_name`]: 'foobar',
      [`${P}endpoint_topology_present_topology`]: 'true',
      [`${P}endpoint_topology_topology`]: 'value',
      [`${P}endpoint_zone`]: 'us-east-1a',
      ...portLabels,
      ...node1,
    },
    { __address__: '2.3.4.5:9000', ...cond('true', 'true', 'false'), [`${P}endpoint_zone`]: 'us-east-1b', ...portLabels },
    { __address__: '3.4.5.6:9000', ...cond('false', 'true', 'true'), [`${P}endpoint_zone`]: 'us-east-1c', ...portLabels },
    {
      __address__: '4.5.6.7:9000',
      [`${P}address_target_kind`]: 'Node',
      [`${P}address_target_name`]: 'barbaz',
      ...cond('true', 'true', 'false'),
      [`${P}endpoint_zone`]: 'us-east-1a',
      ...portLabels,
      ...node2,
    },
  ];
}

const baseLabels = (ns: string): Target => ({
  [`${P}address_type`]: 'IPv4',
  __meta_kubernetes_namespace: ns,
  [`${P}name`]: 'testendpoints',
  [`${P}label_kubernetes_io_service_name`]: 'testendpoints',
  [`${P}labelpresent_kubernetes_io_service_name`]: 'true',
  [`${P}annotation_test_annotation`]: 'test',
  [`${P}annotationpresent_test_annotation`]: 'true',
});

const podLbls = (ip: string): Target => ({
  __meta_kubernetes_pod_host_ip: '2.3.4.5',
  __meta_kubernetes_pod_ip: ip,
  __meta_kubernetes_pod_name: 'testpod',
  __meta_kubernetes_pod_node_name: 'testnode',
  __meta_kubernetes_pod_phase: '',
  __meta_kubernetes_pod_ready: 'unknown',
  __meta_kubernetes_pod_uid: 'deadbeef',
});
const container = (name: string, portName: string, port: number, init = 'false', protocol = 'TCP'): Target => ({
  __meta_kubernetes_pod_container_name: name,
  __meta_kubernetes_pod_container_image: `${name}:latest`,
  __meta_kubernetes_pod_container_port_name: portName,
  __meta_kubernetes_pod_container_port_number: String(port),
  __meta_kubernetes_pod_container_port_protocol: protocol,
  __meta_kubernetes_pod_container_init: init,
});

function pod(spec: Pod['spec'], podIP = '1.2.3.4'): Pod {
  return { metadata: { name: 'testpod', namespace: 'default', uid: 'deadbeef' }, spec: { nodeName: 'testnode', ...spec }, status: { hostIP: '2.3.4.5', podIP } };
}

function dualStackService(policy: string, families: string[]): Service {
  return { metadata: { name: 'testsvc', namespace: 'default' }, spec: { ipFamilyPolicy: policy, ipFamilies: families } };
}
function dualStackSlice(name: string, addressType: string, addr: string): EndpointSlice {
  return {
    metadata: { name, namespace: 'default', labels: { 'kubernetes.io/service-name': 'testsvc' } },
    addressType,
    ports: [{ name: 'http', port: 9000, protocol: 'TCP' }],
    endpoints: [{ addresses: [addr], conditions: { ready: true } }],
  };
}
const dsLabels = (addrType: string, slice: string): Target => ({
  __meta_kubernetes_namespace: 'default',
  [`${P}address_type`]: addrType,
  [`${P}name`]: slice,
  [`${P}label_kubernetes_io_service_name`]: 'testsvc',
  [`${P}labelpresent_kubernetes_io_service_name`]: 'true',
  __meta_kubernetes_service_name: 'testsvc',
});
const dsTarget = (addr: string): Target => ({
  __address__: addr,
  [`${P}endpoint_conditions_ready`]: 'true',
  [`${P}port`]: '9000',
  [`${P}port_name`]: 'http',
  [`${P}port_protocol`]: 'TCP',
});

describe('endpointslice role (Prometheus endpointslice_test.go)', () => {
  test('BeforeRun: conditions, hostname, topology, zone, app protocol, empty and Node target refs', () => {
    expect(endpointSliceTargets(makeSlice('default'))).toEqual({ source: 'endpointslice/default/testendpoints', targets: baseTargets(), labels: baseLabels('default') });
  });

  test('Add: pod join uses the container port protocol; uncovered container ports become extra targets', () => {
    const p = pod({
      containers: [
        { name: 'c1', image: 'c1:latest', ports: [{ name: 'mainport', containerPort: 9000, protocol: 'TCP' }] },
        { name: 'c2', image: 'c2:latest', ports: [{ name: 'sideport', containerPort: 9001, protocol: 'TCP' }] },
      ],
    });
    const slice: EndpointSlice = {
      metadata: { name: 'testendpoints', namespace: 'default' },
      addressType: 'IPv4',
      ports: [{ name: 'testport', port: 9000, protocol: 'TCP' }],
      endpoints: [{ addresses: ['4.3.2.1'], targetRef: { kind: 'Pod', name: 'testpod', namespace: 'default' }, conditions: { ready: false } }],
    };
    expect(endpointSliceTargets(slice, contextOf({ pods: [p], services: [] }))).toEqual({
      source: 'endpointslice/default/testendpoints',
      targets: [
        {
          __address__: '4.3.2.1:9000',
          [`${P}address_target_kind`]: 'Pod',
          [`${P}address_target_name`]: 'testpod',
          [`${P}endpoint_conditions_ready`]: 'false',
          [`${P}port`]: '9000',
          [`${P}port_name`]: 'testport',
          [`${P}port_protocol`]: 'TCP',
          ...container('c1', 'mainport', 9000),
          ...podLbls('1.2.3.4'),
        },
        { __address__: '1.2.3.4:9001', ...container('c2', 'sideport', 9001), ...podLbls('1.2.3.4') },
      ],
      labels: { [`${P}address_type`]: 'IPv4', [`${P}name`]: 'testendpoints', __meta_kubernetes_namespace: 'default' },
    });
  });

  test('container port protocol differs from the endpoint port protocol: the container one is reported', () => {
    const p = pod({ containers: [{ name: 'c1', image: 'c1:latest', ports: [{ name: 'dns', containerPort: 53, protocol: 'UDP' }] }] });
    const slice: EndpointSlice = {
      metadata: { name: 's', namespace: 'default' },
      addressType: 'IPv4',
      ports: [{ name: 'dns', port: 53, protocol: 'TCP' }],
      endpoints: [{ addresses: ['1.2.3.4'], targetRef: { kind: 'Pod', name: 'testpod', namespace: 'default' } }],
    };
    expect(endpointSliceTargets(slice, contextOf({ pods: [p] })).targets[0].__meta_kubernetes_pod_container_port_protocol).toBe('UDP');
  });

  test('Update / EmptyEndpoints', () => {
    const s = makeSlice('default');
    s.endpoints = [];
    expect(endpointSliceTargets(s)).toEqual({ source: 'endpointslice/default/testendpoints', targets: [], labels: baseLabels('default') });
  });

  test('WithService and WithServiceUpdate: service labels join via kubernetes.io/service-name', () => {
    for (const labels of [{ 'app/name': 'test' }, { 'app/name': 'svc', component: 'testing' }] as Record<string, string>[]) {
      const svc: Service = { metadata: { name: 'testendpoints', namespace: 'default', labels } };
      const extra: Target = { __meta_kubernetes_service_name: 'testendpoints' };
      for (const [k, v] of Object.entries(labels)) {
        const n = k.replace('/', '_');
        extra[`__meta_kubernetes_service_label_${n}`] = v;
        extra[`__meta_kubernetes_service_labelpresent_${n}`] = 'true';
      }
      expect(endpointSliceTargets(makeSlice('default'), contextOf({ services: [svc] }))).toEqual({
        source: 'endpointslice/default/testendpoints',
        targets: baseTargets(),
        labels: { ...baseLabels('default'), ...extra },
      });
    }
  });

  test('WithNodeMetadata: node labels by nodeName and by Node target ref', () => {
    const ctx = contextOf({ nodes: [makeNode('foobar', '', '', { az: 'us-east1' }), makeNode('barbaz', '', '', { az: 'us-west2' })] });
    expect(endpointSliceTargets(makeSlice('default'), ctx).targets).toEqual(
      baseTargets(
        { __meta_kubernetes_node_label_az: 'us-east1', __meta_kubernetes_node_labelpresent_az: 'true', __meta_kubernetes_node_name: 'foobar' },
        { __meta_kubernetes_node_label_az: 'us-west2', __meta_kubernetes_node_labelpresent_az: 'true', __meta_kubernetes_node_name: 'barbaz' },
      ),
    );
  });

  test('Namespaces / OwnNamespace', () => {
    for (const ns of ['ns1', 'own-ns']) expect(endpointSliceTargets(makeSlice(ns))).toEqual({ source: `endpointslice/${ns}/testendpoints`, targets: baseTargets(), labels: baseLabels(ns) });
  });

  test('SidecarContainer: init container port match and extra target', () => {
    const p = pod(
      {
        initContainers: [
          { name: 'ic1', image: 'ic1:latest', ports: [{ name: 'initport', containerPort: 1111, protocol: 'TCP' }] },
          { name: 'ic2', image: 'ic2:latest', ports: [{ name: 'initport', containerPort: 9111, protocol: 'TCP' }] },
        ],
        containers: [{ name: 'c1', image: 'c1:latest', ports: [{ name: 'mainport', containerPort: 9000, protocol: 'TCP' }] }],
      },
      '4.3.2.1',
    );
    const slice: EndpointSlice = {
      metadata: { name: 'testsidecar', namespace: 'default' },
      addressType: 'IPv4',
      ports: [
        { name: 'testport', port: 9000, protocol: 'TCP' },
        { name: 'initport', port: 9111, protocol: 'TCP' },
      ],
      endpoints: [{ addresses: ['4.3.2.1'], targetRef: { kind: 'Pod', name: 'testpod', namespace: 'default' } }],
    };
    const ref = { [`${P}address_target_kind`]: 'Pod', [`${P}address_target_name`]: 'testpod' };
    expect(endpointSliceTargets(slice, contextOf({ pods: [p] })).targets).toEqual([
      { __address__: '4.3.2.1:9000', ...ref, [`${P}port`]: '9000', [`${P}port_name`]: 'testport', [`${P}port_protocol`]: 'TCP', ...container('c1', 'mainport', 9000), ...podLbls('4.3.2.1') },
      { __address__: '4.3.2.1:9111', ...ref, [`${P}port`]: '9111', [`${P}port_name`]: 'initport', [`${P}port_protocol`]: 'TCP', ...container('ic2', 'initport', 9111, 'true'), ...podLbls('4.3.2.1') },
      { __address__: '4.3.2.1:1111', ...container('ic1', 'initport', 1111, 'true'), ...podLbls('4.3.2.1') },
    ]);
  });

  test('WithNamespaceMetadata', () => {
    const ctx = contextOf({ namespaces: [makeNamespace('test-ns', { service: 'web' }, { contact: 'platform' })] });
    expect(endpointSliceTargets(makeSlice('test-ns'), ctx).labels).toEqual({
      ...baseLabels('test-ns'),
      __meta_kubernetes_namespace_label_service: 'web',
      __meta_kubernetes_namespace_labelpresent_service: 'true',
      __meta_kubernetes_namespace_annotation_contact: 'platform',
      __meta_kubernetes_namespace_annotationpresent_contact: 'true',
    });
  });

  test('a port without number yields the bare address', () => {
    const s: EndpointSlice = { metadata: { name: 's', namespace: 'd' }, addressType: 'IPv4', ports: [{ name: 'x' }], endpoints: [{ addresses: ['1.1.1.1'] }] };
    expect(endpointSliceTargets(s).targets).toEqual([{ __address__: '1.1.1.1', [`${P}port_name`]: 'x' }]);
  });

  test.each([
    ['PreferDualStack, IPv4 primary', 'PreferDualStack', ['IPv4', 'IPv6'], true, false],
    ['RequireDualStack, IPv4 primary', 'RequireDualStack', ['IPv4', 'IPv6'], true, false],
    ['PreferDualStack, IPv6 primary', 'PreferDualStack', ['IPv6', 'IPv4'], false, true],
    ['SingleStack IPv4', 'SingleStack', ['IPv4'], true, true],
    ['SingleStack IPv6', 'SingleStack', ['IPv6'], true, true],
  ])('dual stack: %s', (_n, policy, families, v4Targets, v6Targets) => {
    const ctx = contextOf({ services: [dualStackService(policy, families)] });
    expect(endpointSliceTargets(dualStackSlice('testsvc-ipv4', 'IPv4', '1.2.3.4'), ctx)).toEqual({
      source: 'endpointslice/default/testsvc-ipv4',
      labels: dsLabels('IPv4', 'testsvc-ipv4'),
      targets: v4Targets ? [dsTarget('1.2.3.4:9000')] : [],
    });
    expect(endpointSliceTargets(dualStackSlice('testsvc-ipv6', 'IPv6', 'fd00::1'), ctx)).toEqual({
      source: 'endpointslice/default/testsvc-ipv6',
      labels: dsLabels('IPv6', 'testsvc-ipv6'),
      targets: v6Targets ? [dsTarget('[fd00::1]:9000')] : [],
    });
  });
});
