// Edge cases found by a line-by-line review against Prometheus's
// discovery/kubernetes (HEAD d15adb9): behaviours its Go types imply that the
// ported *_test.go fixtures do not exercise. Each test names the Go source.
import { endpointSliceTargets } from './endpointslice.js';
import { endpointsTargets } from './endpoints.js';
import { ingressTargets } from './ingress.js';
import { flattenGroups } from './labels.js';
import { nodeGroupAfterUpdate } from './node.js';
import { podTargets } from './pod.js';
import { scopeToNamespace } from './scope.js';
import { clone, contextOf, makeNode, makePods } from '../../../e2e/lib/fixtures/kube-objects.js';
import type { EndpointSlice, Endpoints, Ingress, Pod } from './types.js';

const M = '__meta_kubernetes_';
const P = `${M}endpointslice_`;

/** JSON as a client could decode it: `null` where Go would leave a nil pointer or a zero value. */
const fromJson = <T>(json: string): T => JSON.parse(json) as T;

describe('parity with Prometheus beyond the ported fixtures', () => {
  // pod.go podReady: the first Ready condition's status, lowercased, even when empty;
  // "unknown" only when there is no Ready condition at all.
  test('pod_ready is "" when the Ready condition has no status', () => {
    const pod = makePods('default');
    pod.status!.conditions = [{ type: 'Ready' }];
    const [t] = flattenGroups([podTargets(pod)]);
    expect(t[`${M}pod_ready`]).toBe('');
    pod.status!.conditions = [{ type: 'PodScheduled', status: 'True' }];
    expect(flattenGroups([podTargets(pod)])[0][`${M}pod_ready`]).toBe('unknown');
  });

  // endpointslice.go add(): every optional field is a Go pointer; a JSON null decodes to nil,
  // so the label is absent, never the text "null".
  test('endpointslice: null optional fields give no label', () => {
    const eps = fromJson<EndpointSlice>(
      JSON.stringify({
        metadata: { name: 's', namespace: 'default' },
        addressType: 'IPv4',
        ports: [{ name: null, port: 80, protocol: null, appProtocol: null }],
        endpoints: [{ addresses: ['1.2.3.4'], conditions: { ready: null, serving: null, terminating: null }, hostname: null, nodeName: null, zone: null, targetRef: null }],
      }),
    );
    const [t] = flattenGroups([endpointSliceTargets(eps)]);
    expect(t).toEqual({
      __address__: '1.2.3.4:80',
      [`${M}namespace`]: 'default',
      [`${P}address_type`]: 'IPv4',
      [`${P}name`]: 's',
      [`${P}port`]: '80',
    });
  });

  // endpoints.go add(): NodeName is a *string; null means nil (no label, no node lookup).
  test('endpoints: a null nodeName gives no node label', () => {
    const eps = fromJson<Endpoints>(
      JSON.stringify({
        metadata: { name: 'e', namespace: 'default' },
        subsets: [{ addresses: [{ ip: '1.2.3.4', nodeName: null, hostname: null }], ports: [{ port: 80, name: null, protocol: null }] }],
      }),
    );
    const [t] = flattenGroups([endpointsTargets(eps)]);
    expect(t).toEqual({
      __address__: '1.2.3.4:80',
      [`${M}namespace`]: 'default',
      [`${M}endpoints_name`]: 'e',
      [`${M}endpoint_port_name`]: '',
      [`${M}endpoint_port_protocol`]: '',
      [`${M}endpoint_ready`]: 'true',
    });
  });

  // ingress.go ingressLabels: IngressClassName is a *string (null = nil = no label);
  // the kubernetes.io/ingress.class annotation is NOT read for the class name.
  test('ingress: null class name gives no label; the legacy class annotation does not set it', () => {
    const ing = fromJson<Ingress>(
      JSON.stringify({
        metadata: { name: 'i', namespace: 'default', annotations: { 'kubernetes.io/ingress.class': 'nginx' } },
        spec: { ingressClassName: null, rules: [{ host: 'a.example', http: { paths: [{ path: '/x' }] } }] },
      }),
    );
    const [t] = flattenGroups([ingressTargets(ing)]);
    expect(t[`${M}ingress_class_name`]).toBeUndefined();
    expect(t[`${M}ingress_annotation_kubernetes_io_ingress_class`]).toBe('nginx');
    expect(t).toMatchObject({ __address__: 'a.example', [`${M}ingress_path`]: '/x', [`${M}ingress_scheme`]: 'http' });
  });

  // endpoints.go / endpointslice.go: a container port without containerPort is Go's 0, which
  // an endpoint port 0 matches (no extra target for it; container labels joined).
  test('pod join: a container port without number is port 0', () => {
    const pod: Pod = makePods('default');
    pod.spec!.containers = [{ name: 'c', image: 'i', ports: [{ name: 'zero', protocol: 'TCP' }] }];
    const eps: Endpoints = {
      metadata: { name: 'e', namespace: 'default' },
      subsets: [{ addresses: [{ ip: '1.2.3.4', targetRef: { kind: 'Pod', name: 'testpod', namespace: 'default' } }], ports: [{ port: 0, protocol: 'TCP' }] }],
    };
    const ts = flattenGroups([endpointsTargets(eps, contextOf({ pods: [pod] }))]);
    expect(ts).toHaveLength(1);
    expect(ts[0]).toMatchObject({ __address__: '1.2.3.4:0', [`${M}pod_container_port_name`]: 'zero', [`${M}pod_container_port_number`]: '0' });
  });

  // kubernetes.go Run (RoleEndpoint): with explicit namespaces each namespace has its own
  // discoverer and pod store, and endpoints.go resolvePodRef looks up only that store.
  test('per-namespace lookups: a target ref to a pod of another namespace does not join', () => {
    const podA = makePods('a');
    const podB = makePods('b');
    const eps = (ns: string): Endpoints => ({
      metadata: { name: 'e', namespace: ns },
      subsets: [{ addresses: [{ ip: '1.2.3.4', targetRef: { kind: 'Pod', name: 'testpod', namespace: 'b' } }], ports: [{ port: 9000, protocol: 'TCP' }] }],
    });
    const all = contextOf({ pods: [podA, podB] });
    // Watching all namespaces: one store, the reference resolves.
    expect(flattenGroups([endpointsTargets(eps('a'), all)])[0][`${M}pod_name`]).toBe('testpod');
    // Watching [a, b]: the discoverer of namespace a has no pod of b.
    const [t] = flattenGroups([endpointsTargets(eps('a'), scopeToNamespace(all, 'a'))]);
    expect(t[`${M}pod_name`]).toBeUndefined();
    expect(t[`${M}endpoint_address_target_name`]).toBe('testpod');
    // Same-namespace references still resolve under scoping.
    expect(flattenGroups([endpointsTargets(eps('b'), scopeToNamespace(all, 'b'))])[0][`${M}pod_name`]).toBe('testpod');
  });

  // node.go buildNode returns nil without a usable address; kubernetes.go send drops nil,
  // so the node's previous group stays in place.
  test('node: losing every address keeps the previous group; no previous group means none', () => {
    const node = makeNode('n1', '1.2.3.4', 'p');
    const before = nodeGroupAfterUpdate(node, undefined)!;
    expect(before.targets.map((t) => t.__address__)).toEqual(['1.2.3.4:10250']);
    const bare = clone(node);
    bare.status!.addresses = [];
    bare.metadata!.labels = { changed: 'yes' };
    expect(nodeGroupAfterUpdate(bare, before)).toBe(before);
    expect(nodeGroupAfterUpdate(bare, undefined)).toBeUndefined();
  });
});
