// Expected groups of Prometheus's discovery/kubernetes/service_test.go.
import { serviceTargets } from './service.js';
import { contextOf, makeNamespace, makeService } from '../../../e2e/lib/fixtures/kube-objects.js';
import type { Service, TargetGroup } from './types.js';

function plain(ns: string): TargetGroup {
  return {
    source: `svc/${ns}/testservice`,
    targets: [
      {
        __meta_kubernetes_service_port_protocol: 'TCP',
        __address__: `testservice.${ns}.svc:30900`,
        __meta_kubernetes_service_type: 'ClusterIP',
        __meta_kubernetes_service_cluster_ip: '10.0.0.1',
        __meta_kubernetes_service_port_name: 'testport',
        __meta_kubernetes_service_port_number: '30900',
      },
    ],
    labels: { __meta_kubernetes_service_name: 'testservice', __meta_kubernetes_namespace: ns },
  };
}

const oneTcpPort = (port: number) => [{ name: 'testport', protocol: 'TCP', port }];

describe('service role (Prometheus service_test.go)', () => {
  test('Add: ClusterIP, ExternalName, LoadBalancer (spec IP) and LoadBalancer (ingress IPs)', () => {
    expect(serviceTargets(makeService('default'))).toEqual(plain('default'));

    const external: Service = {
      metadata: { name: 'testservice-external', namespace: 'default' },
      spec: { ports: oneTcpPort(31900), type: 'ExternalName', externalName: 'FooExternalName' },
    };
    expect(serviceTargets(external)).toEqual({
      source: 'svc/default/testservice-external',
      targets: [
        {
          __meta_kubernetes_service_port_protocol: 'TCP',
          __address__: 'testservice-external.default.svc:31900',
          __meta_kubernetes_service_type: 'ExternalName',
          __meta_kubernetes_service_port_name: 'testport',
          __meta_kubernetes_service_port_number: '31900',
          __meta_kubernetes_service_external_name: 'FooExternalName',
        },
      ],
      labels: { __meta_kubernetes_service_name: 'testservice-external', __meta_kubernetes_namespace: 'default' },
    });

    const lb: Service = {
      metadata: { name: 'testservice-loadbalancer', namespace: 'default' },
      spec: { ports: oneTcpPort(31900), type: 'LoadBalancer', loadBalancerIP: '127.0.0.1', clusterIP: '10.0.0.1' },
    };
    expect(serviceTargets(lb)).toEqual({
      source: 'svc/default/testservice-loadbalancer',
      targets: [
        {
          __meta_kubernetes_service_port_protocol: 'TCP',
          __address__: 'testservice-loadbalancer.default.svc:31900',
          __meta_kubernetes_service_type: 'LoadBalancer',
          __meta_kubernetes_service_port_name: 'testport',
          __meta_kubernetes_service_port_number: '31900',
          __meta_kubernetes_service_cluster_ip: '10.0.0.1',
          __meta_kubernetes_service_loadbalancer_ip: '127.0.0.1',
        },
      ],
      labels: { __meta_kubernetes_service_name: 'testservice-loadbalancer', __meta_kubernetes_namespace: 'default' },
    });

    const lbIngress: Service = {
      metadata: { name: 'testservice-lb-ingress', namespace: 'default' },
      spec: { ports: oneTcpPort(31900), type: 'LoadBalancer', clusterIP: '10.0.0.1' },
      status: { loadBalancer: { ingress: [{ ip: '192.168.1.15' }, { ip: '2001:db8::1' }] } },
    };
    // v3.14.0 reads spec.loadBalancerIP only: status.loadBalancer.ingress IPs do not show (empty value).
    expect(serviceTargets(lbIngress).targets).toEqual([
      {
        __meta_kubernetes_service_port_protocol: 'TCP',
        __address__: 'testservice-lb-ingress.default.svc:31900',
        __meta_kubernetes_service_type: 'LoadBalancer',
        __meta_kubernetes_service_port_name: 'testport',
        __meta_kubernetes_service_port_number: '31900',
        __meta_kubernetes_service_cluster_ip: '10.0.0.1',
        __meta_kubernetes_service_loadbalancer_ip: '',
      },
    ]);
  });

  test('Update: multi-port service with labels and annotations', () => {
    const svc: Service = {
      metadata: {
        name: 'testservice',
        namespace: 'default',
        labels: { 'test-label': 'testvalue' },
        annotations: { 'test-annotation': 'testannotationvalue' },
      },
      spec: {
        ports: [
          { name: 'testport0', protocol: 'TCP', port: 30900 },
          { name: 'testport1', protocol: 'UDP', port: 30901 },
        ],
        type: 'ClusterIP',
        clusterIP: '10.0.0.1',
      },
    };
    expect(serviceTargets(svc)).toEqual({
      source: 'svc/default/testservice',
      targets: [
        {
          __meta_kubernetes_service_port_protocol: 'TCP',
          __address__: 'testservice.default.svc:30900',
          __meta_kubernetes_service_type: 'ClusterIP',
          __meta_kubernetes_service_cluster_ip: '10.0.0.1',
          __meta_kubernetes_service_port_name: 'testport0',
          __meta_kubernetes_service_port_number: '30900',
        },
        {
          __meta_kubernetes_service_port_protocol: 'UDP',
          __address__: 'testservice.default.svc:30901',
          __meta_kubernetes_service_type: 'ClusterIP',
          __meta_kubernetes_service_cluster_ip: '10.0.0.1',
          __meta_kubernetes_service_port_name: 'testport1',
          __meta_kubernetes_service_port_number: '30901',
        },
      ],
      labels: {
        __meta_kubernetes_service_name: 'testservice',
        __meta_kubernetes_namespace: 'default',
        __meta_kubernetes_service_label_test_label: 'testvalue',
        __meta_kubernetes_service_labelpresent_test_label: 'true',
        __meta_kubernetes_service_annotation_test_annotation: 'testannotationvalue',
        __meta_kubernetes_service_annotationpresent_test_annotation: 'true',
      },
    });
  });

  test('Namespaces / OwnNamespace / AllNamespaces', () => {
    for (const ns of ['ns1', 'ns2', 'own-ns', 'non-own-ns']) expect(serviceTargets(makeService(ns))).toEqual(plain(ns));
  });

  test('WithNamespaceMetadata and its update', () => {
    const cases: { labels: Record<string, string>; annotations: Record<string, string> }[] = [
      { labels: { environment: 'production', team: 'backend' }, annotations: { owner: 'platform', version: 'v1.2.3' } },
      {
        labels: { environment: 'staging', team: 'frontend', region: 'us-west' },
        annotations: { owner: 'sre', version: 'v2.1.0', 'cost-center': 'engineering' },
      },
    ];
    for (const c of cases) {
      const ctx = contextOf({ namespaces: [makeNamespace('test-ns', c.labels, c.annotations)] });
      const expected = plain('test-ns');
      for (const [k, v] of Object.entries(c.labels)) {
        expected.labels[`__meta_kubernetes_namespace_label_${k}`] = v;
        expected.labels[`__meta_kubernetes_namespace_labelpresent_${k}`] = 'true';
      }
      for (const [k, v] of Object.entries(c.annotations)) {
        const n = k.replace('-', '_');
        expected.labels[`__meta_kubernetes_namespace_annotation_${n}`] = v;
        expected.labels[`__meta_kubernetes_namespace_annotationpresent_${n}`] = 'true';
      }
      expect(serviceTargets(makeService('test-ns'), ctx)).toEqual(expected);
    }
  });

  test('a namespace unknown to the cache adds nothing', () => {
    expect(serviceTargets(makeService('x'), contextOf({ namespaces: [] }))).toEqual(plain('x'));
  });
});
