// The attributes one pod contributes, computed once per pod version: its own
// metadata, its owners' names (from owner references, and the ReplicaSet's
// owner when ReplicaSets are watched), the labels and annotations the extract
// rules pick from the pod, its namespace and its node, and per-container
// attributes (image, id) keyed by container name and by container id.
import type { ExtractRule, Rules } from './config.js';

export interface OwnerRef {
  kind?: string;
  name?: string;
  uid?: string;
}

export interface MetaObject {
  metadata?: {
    name?: string;
    namespace?: string;
    uid?: string;
    creationTimestamp?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: OwnerRef[];
  };
}

export interface PodObject extends MetaObject {
  spec?: { nodeName?: string; hostNetwork?: boolean; containers?: { name?: string; image?: string }[]; initContainers?: { name?: string; image?: string }[] };
  status?: { podIP?: string; containerStatuses?: { name?: string; containerID?: string }[]; initContainerStatuses?: { name?: string; containerID?: string }[] };
}

/** The other objects pod metadata may need; each is present only when its watch is. */
export interface MetadataLookups {
  namespace?(name: string): MetaObject | undefined;
  node?(name: string): MetaObject | undefined;
  replicaSet?(namespace: string, name: string): MetaObject | undefined;
}

export interface PodInfo {
  namespace: string;
  name: string;
  uid: string;
  ip?: string;
  hostNetwork: boolean;
  attributes: Record<string, string>;
  /** Container attributes by container name. */
  containers: Map<string, Record<string, string>>;
  /** Container name by container id (runtime prefix stripped). */
  containerIds: Map<string, string>;
}

/** A ReplicaSet named "<deployment>-<pod-template-hash>" (the Collector's expression). */
const REPLICASET_NAME = /^(.*)-[0-9a-zA-Z]+$/;
/** A Job named "<cronjob>-<scheduled time>". */
const CRONJOB_JOB_NAME = /^(.*)-[0-9]+$/;
const OTEL_ANNOTATION_PREFIX = 'resource.opentelemetry.io/';

/** "registry:5000/team/app:1.2@sha256:..." as name "registry:5000/team/app" and tag "1.2" ("latest" when untagged). */
export function parseImage(image: string): { name: string; tag?: string } {
  const noDigest = image.split('@')[0];
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  if (colon > slash) return { name: noDigest.slice(0, colon), tag: noDigest.slice(colon + 1) };
  return { name: noDigest, tag: image.includes('@') ? undefined : 'latest' };
}

/** "containerd://abc" as "abc". */
export function stripRuntime(id: string): string {
  const i = id.indexOf('://');
  return i >= 0 ? id.slice(i + 3) : id;
}

function defaultTag(r: ExtractRule, key: string): string {
  return `k8s.${r.from}.${r.kind}.${key}`;
}

/** Apply the extract rules of one source object (pod, namespace or node) to `out`. */
export function applyExtractRules(rules: readonly ExtractRule[], from: ExtractRule['from'], obj: MetaObject | undefined, out: Record<string, string>): void {
  if (!obj) return;
  for (const r of rules) {
    if (r.from !== from) continue;
    const values = (r.kind === 'labels' ? obj.metadata?.labels : obj.metadata?.annotations) ?? {};
    if (r.key !== undefined) {
      if (r.key in values) out[r.tagName || defaultTag(r, r.key)] = values[r.key];
      continue;
    }
    for (const [k, v] of Object.entries(values)) {
      if (!r.regex!.test(k)) continue;
      out[r.tagName ? k.replace(r.regex!, r.tagName) : defaultTag(r, k)] = v;
    }
  }
}

export function podInfo(pod: PodObject, rules: Rules, lookups: MetadataLookups): PodInfo {
  const m = pod.metadata ?? {};
  const want = rules.metadata;
  const attrs: Record<string, string> = {};
  const put = (key: string, value: string | undefined) => {
    if (want.has(key) && value) attrs[key] = value;
  };
  const namespace = m.namespace ?? '';
  put('k8s.namespace.name', namespace);
  put('k8s.pod.name', m.name);
  put('k8s.pod.uid', m.uid);
  put('k8s.node.name', pod.spec?.nodeName);
  if (m.creationTimestamp) put('k8s.pod.start_time', new Date(m.creationTimestamp).toISOString().replace('.000Z', 'Z'));
  for (const o of m.ownerReferences ?? []) {
    switch (o.kind) {
      case 'ReplicaSet': {
        put('k8s.replicaset.name', o.name);
        put('k8s.replicaset.uid', o.uid);
        if (rules.deploymentFromReplicaSetName) {
          put('k8s.deployment.name', REPLICASET_NAME.exec(o.name ?? '')?.[1]);
        } else {
          const rs = lookups.replicaSet?.(namespace, o.name ?? '');
          const dep = rs?.metadata?.ownerReferences?.find((r) => r.kind === 'Deployment');
          put('k8s.deployment.name', dep?.name);
          put('k8s.deployment.uid', dep?.uid);
        }
        break;
      }
      case 'DaemonSet':
        put('k8s.daemonset.name', o.name);
        put('k8s.daemonset.uid', o.uid);
        break;
      case 'StatefulSet':
        put('k8s.statefulset.name', o.name);
        put('k8s.statefulset.uid', o.uid);
        break;
      case 'Job':
        put('k8s.job.name', o.name);
        put('k8s.job.uid', o.uid);
        put('k8s.cronjob.name', CRONJOB_JOB_NAME.exec(o.name ?? '')?.[1]);
        break;
    }
  }
  applyExtractRules(rules.extract, 'pod', pod, attrs);
  applyExtractRules(rules.extract, 'namespace', lookups.namespace?.(namespace), attrs);
  if (pod.spec?.nodeName) applyExtractRules(rules.extract, 'node', lookups.node?.(pod.spec.nodeName), attrs);
  if (rules.otelAnnotations) {
    for (const [k, v] of Object.entries(m.annotations ?? {})) if (k.startsWith(OTEL_ANNOTATION_PREFIX)) attrs[k.slice(OTEL_ANNOTATION_PREFIX.length)] = v;
  }

  const containers = new Map<string, Record<string, string>>();
  const containerIds = new Map<string, string>();
  const statuses = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])];
  for (const c of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])]) {
    if (!c.name) continue;
    const ca: Record<string, string> = {};
    if (c.image) {
      const img = parseImage(c.image);
      if (want.has('container.image.name')) ca['container.image.name'] = img.name;
      if (want.has('container.image.tag') && img.tag) ca['container.image.tag'] = img.tag;
    }
    const id = statuses.find((s) => s.name === c.name)?.containerID;
    if (id) {
      containerIds.set(stripRuntime(id), c.name);
      if (want.has('container.id')) ca['container.id'] = stripRuntime(id);
    }
    if (want.has('k8s.container.name')) ca['k8s.container.name'] = c.name;
    containers.set(c.name, ca);
  }
  return {
    namespace,
    name: m.name ?? '',
    uid: m.uid ?? '',
    ip: pod.status?.podIP || undefined,
    hostNetwork: pod.spec?.hostNetwork === true,
    attributes: attrs,
    containers,
    containerIds,
  };
}
