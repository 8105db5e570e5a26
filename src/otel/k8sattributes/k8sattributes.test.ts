import { rulesOf, podSelectors, type K8sAttributesArgs } from './config.js';
import { parseImage, type PodObject } from './pod-metadata.js';
import { PodTable } from './pod-table.js';
import { K8sAttributesProcessor } from './processor.js';
import type { KeyValue, Traces } from '../../pipeline/otel.js';

const base: K8sAttributesArgs = { auth_type: 'serviceAccount', passthrough: false, wait_for_metadata: false, wait_for_metadata_timeout: 10_000, watch_sync_period: 300_000, pod_delete_grace_period: 120_000 };

function pod(name: string, ip: string, owner?: { kind: string; name: string }, extra: Partial<PodObject> = {}): PodObject {
  return {
    metadata: { name, namespace: 'shop', uid: `uid-${name}`, creationTimestamp: '2026-01-02T03:04:05Z', labels: { 'app.kubernetes.io/name': name, tier: 'web' }, annotations: { 'git/sha': 'abc' }, ownerReferences: owner ? [{ ...owner, uid: `uid-${owner.name}` }] : [], ...extra.metadata },
    spec: { nodeName: 'node-a', containers: [{ name: 'main', image: 'registry:5000/team/app:1.2' }], ...extra.spec },
    status: { podIP: ip, containerStatuses: [{ name: 'main', containerID: 'containerd://c0ffee' }], ...extra.status },
  };
}

const traces = (attrs: KeyValue[]): Traces => ({ resourceSpans: [{ resource: { attributes: attrs }, scopeSpans: [{ spans: [] }] }] });
const attrsOf = (t: Traces) => Object.fromEntries((t.resourceSpans[0].resource?.attributes ?? []).map((a) => [a.key, a.value?.stringValue]));
const str = (key: string, v: string): KeyValue => ({ key, value: { stringValue: v } });

function setup(args: Partial<K8sAttributesArgs> = {}, pods: PodObject[] = [], now = () => 1000) {
  const a = { ...base, ...args };
  const rules = rulesOf(a);
  const table = new PodTable(rules, a.pod_delete_grace_period, now);
  table.rebuild(pods, { namespace: (n) => (n === 'shop' ? { metadata: { name: 'shop', labels: { team: 'payments' } } } : undefined) });
  return { table, p: new K8sAttributesProcessor(rules, table, a.passthrough) };
}

test('by connection address: default metadata, deployment from the ReplicaSet name, k8s.pod.ip recorded', () => {
  const { p } = setup({}, [pod('web-7d4b9-xk2p', '127.0.0.5', { kind: 'ReplicaSet', name: 'web-7d4b9' }), pod('other', '127.0.0.6')]);
  const input = traces([str('service.name', 'web')]);
  const out = p.process('traces', input, { clientAddress: '127.0.0.5' });
  expect(attrsOf(out)).toEqual({
    'service.name': 'web',
    'k8s.pod.ip': '127.0.0.5',
    'k8s.namespace.name': 'shop',
    'k8s.pod.name': 'web-7d4b9-xk2p',
    'k8s.pod.uid': 'uid-web-7d4b9-xk2p',
    'k8s.pod.start_time': '2026-01-02T03:04:05Z',
    'k8s.node.name': 'node-a',
    'k8s.deployment.name': 'web',
  });
  // The input is left as it was.
  expect(attrsOf(input)).toEqual({ 'service.name': 'web' });
});

test('owner kinds, container by k8s.container.name, labels (regex with $1), annotations, namespace labels', () => {
  const { p } = setup(
    {
      extract: {
        metadata: ['k8s.statefulset.name', 'k8s.daemonset.name', 'k8s.job.name', 'k8s.cronjob.name', 'k8s.replicaset.name', 'container.image.name', 'container.image.tag', 'container.id'],
        otel_annotations: false,
        deployment_name_from_replicaset: true,
        label: [{ from: 'pod', key: '', key_regex: 'app\\.kubernetes\\.io/(.*)', tag_name: 'app.$1' }, { from: 'namespace', key: 'team', key_regex: '', tag_name: '' }],
        annotation: [{ from: 'pod', key: 'git/sha', key_regex: '', tag_name: 'sha' }],
      },
    },
    [pod('db-0', '127.0.0.7', { kind: 'StatefulSet', name: 'db' }), pod('agent-x', '127.0.0.8', { kind: 'DaemonSet', name: 'agent' }), pod('backup-28000000-abc', '127.0.0.9', { kind: 'Job', name: 'backup-28000000' })],
  );
  const db = attrsOf(p.process('traces', traces([str('k8s.pod.ip', '127.0.0.7'), str('k8s.container.name', 'main')]), undefined));
  expect(db).toMatchObject({ 'k8s.statefulset.name': 'db', 'app.name': 'db-0', sha: 'abc', 'k8s.namespace.labels.team': 'payments', 'container.image.name': 'registry:5000/team/app', 'container.image.tag': '1.2', 'container.id': 'c0ffee' });
  expect(db['k8s.pod.name']).toBeUndefined();
  expect(attrsOf(p.process('traces', traces([str('k8s.pod.ip', '127.0.0.8')]), undefined))['k8s.daemonset.name']).toBe('agent');
  expect(attrsOf(p.process('traces', traces([str('k8s.pod.ip', '127.0.0.9')]), undefined))).toMatchObject({ 'k8s.job.name': 'backup-28000000', 'k8s.cronjob.name': 'backup' });
});

test('pod_association rules: by k8s.pod.uid; the first rule whose sources all resolve decides', () => {
  const pods = [pod('a', '127.0.0.5'), pod('b', '127.0.0.6')];
  const { p } = setup({ pod_association: [{ source: [{ from: 'resource_attribute', name: 'k8s.pod.uid' }] }, { source: [{ from: 'connection' }] }] }, pods);
  expect(attrsOf(p.process('traces', traces([str('k8s.pod.uid', 'uid-b')]), { clientAddress: '127.0.0.5' }))['k8s.pod.name']).toBe('b');
  expect(attrsOf(p.process('traces', traces([]), { clientAddress: '127.0.0.5' }))['k8s.pod.name']).toBe('a');
  // Unknown uid: that rule resolved, no pod has it, nothing is added.
  expect(attrsOf(p.process('traces', traces([str('k8s.pod.uid', 'nope')]), { clientAddress: '127.0.0.5' }))).toEqual({ 'k8s.pod.uid': 'nope' });
});

test('existing attributes win; passthrough adds only k8s.pod.ip; excluded and ignored pods are not matched', () => {
  const pods = [pod('web', '127.0.0.5'), pod('jaeger-agent', '127.0.0.6'), pod('quiet', '127.0.0.7', undefined, { metadata: { name: 'quiet', namespace: 'shop', annotations: { 'opentelemetry.io/k8s-processor/ignore': 'true' } } })];
  const { p } = setup({}, pods);
  expect(attrsOf(p.process('traces', traces([str('k8s.pod.name', 'mine')]), { clientAddress: '127.0.0.5' }))['k8s.pod.name']).toBe('mine');
  expect(attrsOf(p.process('traces', traces([]), { clientAddress: '127.0.0.6' }))).toEqual({ 'k8s.pod.ip': '127.0.0.6' });
  expect(attrsOf(p.process('traces', traces([]), { clientAddress: '127.0.0.7' }))).toEqual({ 'k8s.pod.ip': '127.0.0.7' });
  const pass = setup({ passthrough: true }, pods).p;
  expect(attrsOf(pass.process('traces', traces([]), { clientAddress: '127.0.0.5' }))).toEqual({ 'k8s.pod.ip': '127.0.0.5' });
});

test('a deleted pod is still found for pod_delete_grace_period, then not', () => {
  let t = 1000;
  const { p, table } = setup({ pod_delete_grace_period: 5000 }, [pod('web', '127.0.0.5')], () => t);
  table.rebuild([], {});
  t = 5999;
  expect(attrsOf(p.process('traces', traces([]), { clientAddress: '127.0.0.5' }))['k8s.pod.name']).toBe('web');
  t = 6000;
  expect(attrsOf(p.process('traces', traces([]), { clientAddress: '127.0.0.5' }))['k8s.pod.name']).toBeUndefined();
});

test('deployment from the ReplicaSet object when deployment_name_from_replicaset = false', () => {
  const rules = rulesOf({ ...base, extract: { metadata: ['k8s.deployment.name', 'k8s.deployment.uid'], otel_annotations: false, deployment_name_from_replicaset: false } });
  const table = new PodTable(rules, 0);
  table.rebuild([pod('x-1', '127.0.0.5', { kind: 'ReplicaSet', name: 'rs-odd' })], { replicaSet: (ns, n) => (ns === 'shop' && n === 'rs-odd' ? { metadata: { ownerReferences: [{ kind: 'Deployment', name: 'checkout', uid: 'd1' }] } } : undefined) });
  const out = new K8sAttributesProcessor(rules, table, false).process('traces', traces([]), { clientAddress: '127.0.0.5' });
  expect(attrsOf(out)).toMatchObject({ 'k8s.deployment.name': 'checkout', 'k8s.deployment.uid': 'd1' });
});

test('filter becomes API selectors; bad arguments are refused with the reason', () => {
  expect(podSelectors({ ...base, filter: { node: 'n1', namespace: 'ns', field: [{ key: 'status.phase', value: 'Running', op: 'not-equals' }], label: [{ key: 'app', value: 'x', op: 'equals' }, { key: 'tier', value: '', op: 'exists' }] } })).toEqual({
    namespace: 'ns',
    fieldSelector: 'spec.nodeName=n1,status.phase!=Running',
    labelSelector: 'app=x,tier',
  });
  expect(() => rulesOf({ ...base, auth_type: 'magic' })).toThrow(/auth_type "magic"/);
  expect(() => rulesOf({ ...base, extract: { metadata: ['k8s.pod.nmae'], otel_annotations: false, deployment_name_from_replicaset: true } })).toThrow(/k8s.pod.nmae/);
  expect(() => rulesOf({ ...base, pod_association: [{ source: [{ from: 'resource_attribute' }] }] })).toThrow(/name is required/);
  expect(() => rulesOf({ ...base, extract: { otel_annotations: false, deployment_name_from_replicaset: true, label: [{ from: 'pod', key: 'a', key_regex: 'b', tag_name: '' }] } })).toThrow(/cannot be used together/);
});

test('image names', () => {
  expect(parseImage('nginx')).toEqual({ name: 'nginx', tag: 'latest' });
  expect(parseImage('ghcr.io/x/y:2@sha256:ab')).toEqual({ name: 'ghcr.io/x/y', tag: '2' });
});
