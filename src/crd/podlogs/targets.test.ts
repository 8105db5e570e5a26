import { parsePodLogs } from './spec.js';
import { finalTarget, podLogsStreams, type NamespaceObject, type PodObject } from './targets.js';

const pl = (spec: unknown, meta: Record<string, unknown> = {}) => parsePodLogs({ metadata: { name: 'pl', namespace: 'mon', labels: { 'app.kubernetes.io/team': 'red' }, ...meta }, spec });
const ns = new Map<string, NamespaceObject>([
  ['shop', { metadata: { name: 'shop', labels: { env: 'prod' }, annotations: { owner: 'ann' } } }],
  ['dev', { metadata: { name: 'dev', labels: { env: 'dev' } } }],
]);
const pod = (namespace: string, name: string, labels: Record<string, string>, extra: Partial<PodObject> = {}): PodObject => ({
  metadata: { namespace, name, uid: `u-${name}`, labels, annotations: { 'prometheus.io/x': 'y' }, ownerReferences: [{ kind: 'StatefulSet', name: 'db', controller: true }] },
  spec: { nodeName: 'n1', containers: [{ name: 'main', image: 'img:1' }], initContainers: [{ name: 'init', image: 'busybox' }] },
  status: { phase: 'Running', podIP: '10.0.0.2', hostIP: '192.168.0.1', conditions: [{ type: 'Ready', status: 'True' }] },
  ...extra,
});

describe('PodLogs discovered labels and targets', () => {
  it('builds Alloy meta labels for each container, init first', () => {
    const r = podLogsStreams(pl({ selector: {} }), [pod('shop', 'db-0', { app: 'db' })], ns, false);
    expect(r.containers.map((c) => c.container)).toEqual(['init', 'main']);
    const d = r.containers[1].discovered_labels;
    expect(d).toMatchObject({
      __meta_kubernetes_podlogs_namespace: 'mon',
      __meta_kubernetes_podlogs_name: 'pl',
      __meta_kubernetes_podlogs_label_app_kubernetes_io_team: 'red',
      __meta_kubernetes_podlogs_labelpresent_app_kubernetes_io_team: 'true',
      __meta_kubernetes_namespace: 'shop',
      __meta_kubernetes_namespace_label_env: 'prod',
      __meta_kubernetes_namespace_annotation_owner: 'ann',
      __meta_kubernetes_pod_name: 'db-0',
      __meta_kubernetes_pod_uid: 'u-db-0',
      __meta_kubernetes_pod_node_name: 'n1',
      __meta_kubernetes_pod_ip: '10.0.0.2',
      __meta_kubernetes_pod_host_ip: '192.168.0.1',
      __meta_kubernetes_pod_ready: 'true',
      __meta_kubernetes_pod_phase: 'Running',
      __meta_kubernetes_pod_label_app: 'db',
      __meta_kubernetes_pod_annotation_prometheus_io_x: 'y',
      __meta_kubernetes_pod_annotationpresent_prometheus_io_x: 'true',
      __meta_kubernetes_pod_controller_kind: 'StatefulSet',
      __meta_kubernetes_pod_controller_name: 'db',
      __meta_kubernetes_pod_container_init: 'false',
      __meta_kubernetes_pod_container_name: 'main',
      __meta_kubernetes_pod_container_image: 'img:1',
      __pod_namespace__: 'shop',
      __pod_name__: 'db-0',
      __pod_uid__: 'u-db-0',
      __pod_container_name__: 'main',
      job: 'mon/pl',
      instance: 'shop/db-0:main',
    });
    expect(r.containers[0].discovered_labels.__meta_kubernetes_pod_container_init).toBe('true');
    expect(r.targets.map((t) => [t.key, t.labels])).toEqual([
      ['shop/db-0:init', { job: 'mon/pl', instance: 'shop/db-0:init' }],
      ['shop/db-0:main', { job: 'mon/pl', instance: 'shop/db-0:main' }],
    ]);
  });

  it('selector and namespaceSelector filter pods; relabelings drop and add', () => {
    const spec = pl({
      selector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['db'] }] },
      namespaceSelector: { matchLabels: { env: 'prod' } },
      relabelings: [
        { action: 'Drop', sourceLabels: ['__meta_kubernetes_pod_container_init'], regex: 'true' },
        { sourceLabels: ['__meta_kubernetes_pod_label_app'], targetLabel: 'app' },
        { action: 'labeldrop', regex: 'job' },
      ],
    });
    const r = podLogsStreams(spec, [pod('shop', 'db-0', { app: 'db' }), pod('dev', 'db-1', { app: 'db' }), pod('shop', 'web', { app: 'web' })], ns, false);
    // job removed by a rule: the default "<ns>/<podlogs>:<container>" comes back.
    expect(r.targets.map((t) => t.labels)).toEqual([{ app: 'db', instance: 'shop/db-0:main', job: 'mon/pl:main' }]);
    expect(r.containers.filter((c) => c.dropped).map((c) => c.container)).toEqual(['init']);
  });

  it('preserve_discovered_labels keeps __meta_ labels, never other __ labels', () => {
    const r = podLogsStreams(pl({ selector: {} }), [pod('shop', 'db-0', {})], ns, true);
    const l = r.targets[1].labels;
    expect(l.__meta_kubernetes_pod_name).toBe('db-0');
    expect(l.__pod_name__).toBeUndefined();
  });

  it('a target without pod coordinates is an error, not a stream', () => {
    expect(finalTarget({ __pod_namespace__: 'a', __pod_name__: 'b', __pod_container_name__: 'c' }, 'j', false)).toEqual({ error: 'missing pod UID label' });
  });

  it('bad CRs name the field and reason', () => {
    expect(() => pl({ selector: { matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] } })).toThrow(/^spec\.selector: .*Exists takes no values/);
    expect(() => pl({ selector: {}, relabelings: [{ action: 'explode' }] })).toThrow(/^spec\.relabelings: relabel rule 1: /);
    expect(() => pl({ selector: {}, relabelings: 'x' })).toThrow('spec.relabelings: expected a list');
  });
});
