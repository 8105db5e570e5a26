// PodList parsing and the pod-role equivalence of the targets.
import { flattenGroups } from '../discovery/kubernetes/labels.js';
import { podTargets } from '../discovery/kubernetes/pod.js';
import { clone, makePods } from '../../e2e/lib/fixtures/kube-objects.js';
import type { Pod } from '../discovery/kubernetes/types.js';
import { KubeletError } from './client.js';
import { parsePodList, podListTargets } from './podlist.js';

function pod(ns: string, name: string, ip = '10.1.0.5'): Pod {
  const p = clone(makePods(ns));
  p.metadata!.name = name;
  p.metadata!.labels = { app: name, 'app.kubernetes.io/part-of': 'shop' };
  p.metadata!.annotations = { 'prometheus.io/scrape': 'true' };
  p.metadata!.ownerReferences = [{ kind: 'ReplicaSet', name: `${name}-rs`, controller: true }];
  p.spec!.initContainers = [{ name: 'init', image: 'busybox' }];
  p.status!.podIP = ip;
  return p;
}

const list = (items: unknown[]) => JSON.stringify({ kind: 'PodList', apiVersion: 'v1', metadata: {}, items });

test('targets equal the pod role (no attach_metadata) for the same pods, in source order', () => {
  const pods = [pod('b', 'two'), pod('a', 'one'), pod('a', 'zero', '')];
  const got = podListTargets(parsePodList(list(pods), 'test'));
  const groups = pods.map((p) => podTargets(p, {})).sort((x, y) => (x.source < y.source ? -1 : 1));
  expect(got).toEqual(flattenGroups(groups));
  // one port target + one address-only init target per pod with an IP; the pod without an IP gives none
  expect(got).toHaveLength(4);
  expect(got[0]).toMatchObject({
    __address__: '10.1.0.5:9000',
    __meta_kubernetes_namespace: 'a',
    __meta_kubernetes_pod_name: 'one',
    __meta_kubernetes_pod_label_app_kubernetes_io_part_of: 'shop',
    __meta_kubernetes_pod_annotationpresent_prometheus_io_scrape: 'true',
    __meta_kubernetes_pod_controller_kind: 'ReplicaSet',
    __meta_kubernetes_pod_container_port_number: '9000',
  });
  expect(Object.keys(got[0]).some((k) => k.startsWith('__meta_kubernetes_node_') || k.startsWith('__meta_kubernetes_namespace_'))).toBe(false);
});

test('namespaces filter keeps only the listed namespaces', () => {
  const pods = parsePodList(list([pod('a', 'one'), pod('b', 'two'), pod('c', 'three')]), 'test');
  const got = podListTargets(pods, ['a', 'c']);
  expect([...new Set(got.map((t) => t.__meta_kubernetes_namespace))].sort()).toEqual(['a', 'c']);
  expect(podListTargets(pods, [])).toHaveLength(6);
});

test.each([
  ['not JSON', '<html>502 Bad Gateway</html>', /not JSON.*starts with "<html>502/],
  ['a JSON array', '[]', /not a PodList object/],
  ['another kind', JSON.stringify({ kind: 'Status', status: 'Failure' }), /expected kind PodList, got "Status"/],
  ['items not a list', JSON.stringify({ kind: 'PodList', items: {} }), /items is not a list/],
  ['item not an object', list([42]), /items\[0\] is not an object/],
  ['label not a string', list([{ metadata: { name: 'p', namespace: 'n', labels: { a: 1 } } }]), /items\[0\] \(n\/p\): metadata\.labels\["a"\] is not a string/],
  ['containers not a list', list([{ metadata: { name: 'p' }, spec: { containers: 'x' } }]), /spec\.containers is not a list/],
  ['ports not a list', list([{ metadata: { name: 'p' }, spec: { containers: [{ name: 'c', ports: 5 }] } }]), /ports is not a list/],
  ['podIP not a string', list([{ metadata: { name: 'p' }, status: { podIP: 7 } }]), /status\.podIP is not a string/],
])('garbage body (%s) is a body error naming the problem', (_name, body, re) => {
  let err: unknown;
  try {
    parsePodList(body, 'GET https://k/pods');
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(KubeletError);
  expect((err as KubeletError).kind).toBe('body');
  expect((err as Error).message).toMatch(/^GET https:\/\/k\/pods: /);
  expect((err as Error).message).toMatch(re);
});

test('an empty PodList (no items field) is no pods', () => {
  expect(parsePodList(JSON.stringify({ kind: 'PodList', apiVersion: 'v1', metadata: {} }), 't')).toEqual([]);
});
