// The log streams one PodLogs selects: for every matching pod and each of its
// containers (init containers first), the discovered labels Alloy's
// loki.source.podlogs builds (__meta_kubernetes_podlogs_*, _namespace_*,
// _pod_*, the __pod_*__ coordinates, default job "<podlogs ns>/<podlogs name>"
// and instance "<ns>/<pod>:<container>"), then the CR's relabelings, then the
// final label set (meta and other "__" labels dropped unless preserved).
import { sanitizeLabelName } from '../../discovery/kubernetes/labels.js';
import type { TailTarget } from '../../logs/tail/tailer.js';
import { applyRules } from '../../relabel/index.js';
import { matchesSelector } from '../selector.js';
import type { PodLogsSpec } from './spec.js';

type Meta = { name?: string; namespace?: string; uid?: string; labels?: Record<string, string>; annotations?: Record<string, string>; ownerReferences?: { kind?: string; name?: string; controller?: boolean }[] };
export interface PodObject {
  metadata?: Meta;
  spec?: { nodeName?: string; containers?: { name?: string; image?: string }[]; initContainers?: { name?: string; image?: string }[] };
  status?: { phase?: string; podIP?: string; hostIP?: string; conditions?: { type?: string; status?: string }[] };
}
export interface NamespaceObject {
  metadata?: Meta;
}

/** One container of one pod, as the debug info shows it. */
export interface DiscoveredContainer {
  pod: string;
  container: string;
  discovered_labels: Record<string, string>;
  labels: Record<string, string>;
  dropped: boolean;
}

function addMeta(out: Record<string, string>, prefix: string, meta: Meta | undefined): void {
  for (const [k, v] of Object.entries(meta?.labels ?? {})) {
    const n = sanitizeLabelName(k);
    out[`${prefix}_label_${n}`] = v;
    out[`${prefix}_labelpresent_${n}`] = 'true';
  }
  for (const [k, v] of Object.entries(meta?.annotations ?? {})) {
    const n = sanitizeLabelName(k);
    out[`${prefix}_annotation_${n}`] = v;
    out[`${prefix}_annotationpresent_${n}`] = 'true';
  }
}

function podReady(pod: PodObject): string {
  const c = pod.status?.conditions?.find((x) => x.type === 'Ready');
  return (c?.status ?? 'Unknown').toLowerCase();
}

/** The labels of a pod before its containers: PodLogs, namespace and pod metadata. */
export function podLabels(pl: PodLogsSpec, pod: PodObject, ns: NamespaceObject | undefined): Record<string, string> {
  const out: Record<string, string> = {
    __meta_kubernetes_podlogs_namespace: pl.namespace,
    __meta_kubernetes_podlogs_name: pl.name,
  };
  addMeta(out, '__meta_kubernetes_podlogs', { labels: pl.labels, annotations: pl.annotations });
  const m = pod.metadata ?? {};
  out.__meta_kubernetes_namespace = m.namespace ?? '';
  addMeta(out, '__meta_kubernetes_namespace', ns?.metadata);
  out.__meta_kubernetes_pod_uid = m.uid ?? '';
  out.__meta_kubernetes_pod_name = m.name ?? '';
  out.__meta_kubernetes_pod_node_name = pod.spec?.nodeName ?? '';
  out.__meta_kubernetes_pod_ip = pod.status?.podIP ?? '';
  out.__meta_kubernetes_pod_host_ip = pod.status?.hostIP ?? '';
  out.__meta_kubernetes_pod_ready = podReady(pod);
  out.__meta_kubernetes_pod_phase = pod.status?.phase ?? '';
  addMeta(out, '__meta_kubernetes_pod', m);
  const ctl = m.ownerReferences?.find((r) => r.controller === true);
  if (ctl) {
    out.__meta_kubernetes_pod_controller_kind = ctl.kind ?? '';
    out.__meta_kubernetes_pod_controller_name = ctl.name ?? '';
  }
  out.__pod_namespace__ = m.namespace ?? '';
  out.__pod_name__ = m.name ?? '';
  out.__pod_uid__ = m.uid ?? '';
  return out;
}

/**
 * The final labels of a stream from its relabeled set (Alloy's kubetail
 * PrepareLabels): job defaults to "<ns>/<podlogs>:<container>" if a rule
 * removed it, the coordinates come from __pod_*__ or __meta_kubernetes_*,
 * instance defaults to "<ns>/<pod>:<container>", and labels starting "__"
 * leave (meta labels stay with preserve_discovered_labels).
 */
export function finalTarget(relabeled: Record<string, string>, defaultJob: string, preserveMeta: boolean): TailTarget | { error: string } {
  const first = (...names: string[]) => names.map((n) => relabeled[n]).find((v) => v !== undefined && v !== '') ?? '';
  const namespace = first('__pod_namespace__', '__meta_kubernetes_namespace');
  const pod = first('__pod_name__', '__meta_kubernetes_pod_name');
  const container = first('__pod_container_name__', '__meta_kubernetes_pod_container_name');
  const uid = first('__pod_uid__', '__meta_kubernetes_pod_uid');
  if (!namespace) return { error: 'missing pod namespace label' };
  if (!pod) return { error: 'missing pod name label' };
  if (!container) return { error: 'missing pod container name label' };
  if (!uid) return { error: 'missing pod UID label' };
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(relabeled)) {
    if (!k.startsWith('__') || (preserveMeta && k.startsWith('__meta_'))) labels[k] = v;
  }
  labels.job ??= defaultJob;
  labels.instance ??= `${namespace}/${pod}:${container}`;
  return { key: `${namespace}/${pod}:${container}`, namespace, pod, container, uid, labels };
}

export interface PodLogsStreams {
  targets: TailTarget[];
  containers: DiscoveredContainer[];
  /** Containers whose labels are unusable (named in the report). */
  errors: string[];
}

/** Every stream of one PodLogs over the pods of the cluster (already filtered by node when node_filter is on). */
export function podLogsStreams(pl: PodLogsSpec, pods: PodObject[], namespaces: Map<string, NamespaceObject>, preserveMeta: boolean): PodLogsStreams {
  const out: PodLogsStreams = { targets: [], containers: [], errors: [] };
  for (const pod of pods) {
    if (!matchesSelector(pl.selector, pod.metadata?.labels)) continue;
    const ns = namespaces.get(pod.metadata?.namespace ?? '');
    // A pod whose namespace is not (yet) known is skipped, as Alloy does when it cannot read it.
    if (!ns || !matchesSelector(pl.namespaceSelector, ns.metadata?.labels)) continue;
    const base = podLabels(pl, pod, ns);
    const all = [...(pod.spec?.initContainers ?? []).map((c) => ({ c, init: true })), ...(pod.spec?.containers ?? []).map((c) => ({ c, init: false }))];
    for (const { c, init } of all) {
      const name = c.name ?? '';
      const discovered: Record<string, string> = {
        ...base,
        __meta_kubernetes_pod_container_init: String(init),
        __meta_kubernetes_pod_container_name: name,
        __meta_kubernetes_pod_container_image: c.image ?? '',
        __pod_container_name__: name,
        instance: `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}:${name}`,
        job: `${pl.namespace}/${pl.name}`,
      };
      for (const k of Object.keys(discovered)) if (discovered[k] === '') delete discovered[k];
      const relabeled = applyRules(discovered, pl.rules);
      const entry: DiscoveredContainer = { pod: `${pod.metadata?.namespace}/${pod.metadata?.name}`, container: name, discovered_labels: discovered, labels: {}, dropped: relabeled === null || Object.keys(relabeled).length === 0 };
      out.containers.push(entry);
      if (entry.dropped) continue;
      const t = finalTarget(relabeled!, `${pl.namespace}/${pl.name}:${name}`, preserveMeta);
      if ('error' in t) {
        out.errors.push(`${entry.pod}:${name}: invalid labels: ${t.error}`);
        continue;
      }
      entry.labels = t.labels;
      out.targets.push(t);
    }
  }
  return out;
}
