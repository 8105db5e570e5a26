// Expected groups of Prometheus's discovery/kubernetes/node_test.go, plus address priority.
import { nodeTargets } from './node.js';
import { makeNode } from '../../../e2e/lib/fixtures/kube-objects.js';
import type { Node } from './types.js';

const target = (name: string) => ({
  __address__: '1.2.3.4:10250',
  instance: name,
  __meta_kubernetes_node_address_InternalIP: '1.2.3.4',
});

describe('node role (Prometheus node_test.go)', () => {
  test('BeforeStart: labels, annotations, provider id', () => {
    const n = makeNode('test', '1.2.3.4', 'aws:///nl-north-7b/i-03149834983492827', { 'test-label': 'testvalue' }, { 'test-annotation': 'testannotationvalue' });
    expect(nodeTargets(n)).toEqual({
      source: 'node/test',
      targets: [target('test')],
      labels: {
        __meta_kubernetes_node_name: 'test',
        __meta_kubernetes_node_provider_id: 'aws:///nl-north-7b/i-03149834983492827',
        __meta_kubernetes_node_label_test_label: 'testvalue',
        __meta_kubernetes_node_labelpresent_test_label: 'true',
        __meta_kubernetes_node_annotation_test_annotation: 'testannotationvalue',
        __meta_kubernetes_node_annotationpresent_test_annotation: 'true',
      },
    });
  });

  test('Add', () => {
    expect(nodeTargets(makeNode('test1', '1.2.3.4', 'aws:///de-west-3a/i-1'))).toEqual({
      source: 'node/test1',
      targets: [target('test1')],
      labels: { __meta_kubernetes_node_name: 'test1', __meta_kubernetes_node_provider_id: 'aws:///de-west-3a/i-1' },
    });
  });

  test('Update', () => {
    const n = makeNode('test0', '1.2.3.4', 'aws:///fr-south-1c/i-49508290343823952', { Unschedulable: 'true' });
    expect(nodeTargets(n)).toEqual({
      source: 'node/test0',
      targets: [target('test0')],
      labels: {
        __meta_kubernetes_node_label_Unschedulable: 'true',
        __meta_kubernetes_node_labelpresent_Unschedulable: 'true',
        __meta_kubernetes_node_name: 'test0',
        __meta_kubernetes_node_provider_id: 'aws:///fr-south-1c/i-49508290343823952',
      },
    });
  });

  // _node_condition_<type> is newer than Prometheus 2.x: added in v3.12.0, kept in v3.14.0 (the
  // release followed, node.go nodeLabels), so these cases come from v3.14.0's node_test.go.
  const base = { __meta_kubernetes_node_name: 'test', __meta_kubernetes_node_provider_id: 'aws:///test-zone/i-test' };
  test.each([
    ['ready true', [{ type: 'Ready', status: 'True' }], { __meta_kubernetes_node_condition_ready: 'true' }],
    ['ready false', [{ type: 'Ready', status: 'False' }], { __meta_kubernetes_node_condition_ready: 'false' }],
    ['ready unknown', [{ type: 'Ready', status: 'Unknown' }], { __meta_kubernetes_node_condition_ready: 'unknown' }],
    ['no conditions', undefined, {}],
    [
      'multiple conditions',
      [
        { type: 'MemoryPressure', status: 'False' },
        { type: 'Ready', status: 'True' },
        { type: 'DiskPressure', status: 'False' },
      ],
      {
        __meta_kubernetes_node_condition_memorypressure: 'false',
        __meta_kubernetes_node_condition_ready: 'true',
        __meta_kubernetes_node_condition_diskpressure: 'false',
      },
    ],
  ])('Conditions: %s', (_name, conditions, extra) => {
    const n = makeNode('test', '1.2.3.4', 'aws:///test-zone/i-test', {}, {}, conditions);
    expect(nodeTargets(n)).toEqual({ source: 'node/test', targets: [target('test')], labels: { ...base, ...extra } });
  });

  test('address priority: InternalIP > InternalDNS > ExternalIP > ExternalDNS > LegacyHostIP > Hostname', () => {
    const order = ['Hostname', 'LegacyHostIP', 'ExternalDNS', 'ExternalIP', 'InternalDNS', 'InternalIP'];
    for (let i = 0; i < order.length; i++) {
      const present = order.slice(0, i + 1);
      const n: Node = {
        metadata: { name: 'n' },
        status: {
          addresses: present.map((type) => ({ type, address: `${type.toLowerCase()}.addr` })),
          daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
        },
      };
      const t = nodeTargets(n).targets[0];
      expect(t.__address__).toBe(`${order[i].toLowerCase()}.addr:10250`);
      for (const type of present) expect(t[`__meta_kubernetes_node_address_${type}`]).toBe(`${type.toLowerCase()}.addr`);
    }
  });

  test('first address of a type wins; a node without addresses has no target', () => {
    const n: Node = {
      metadata: { name: 'n' },
      status: { addresses: [{ type: 'InternalIP', address: '10.0.0.1' }, { type: 'InternalIP', address: '10.0.0.2' }] },
    };
    expect(nodeTargets(n).targets).toEqual([
      { __address__: '10.0.0.1:0', instance: 'n', __meta_kubernetes_node_address_InternalIP: '10.0.0.1' },
    ]);
    expect(nodeTargets({ metadata: { name: 'n' } }).targets).toEqual([]);
  });
});
