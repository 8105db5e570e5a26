// RBAC of a render as atoms "group|resource|verb" per scope, and the fixed
// list of atoms each feature needs. The chart tests assert a render grants
// exactly the union for its enabled features; rbac-coverage.test.ts asserts
// every request the code makes in a run is among the granted atoms.
import type { KubeObject } from './render.js';

const READ = ['get', 'list', 'watch'];
const read = (group: string, resource: string) => READ.map((v) => `${group}|${resource}|${v}`);
const get = (group: string, resource: string) => [`${group}|${resource}|get`];
/** Writing the Accepted condition through a custom resource's status subresource. */
const status = (resource: string) => [`monitoring.coreos.com|${resource}/status|patch`];

export const FEATURE_RBAC = {
  'discovery.pod': read('', 'pods'),
  'discovery.service': read('', 'services'),
  'discovery.endpoints': [...read('', 'endpoints'), ...read('', 'services'), ...read('', 'pods')],
  'discovery.endpointslice': [...read('discovery.k8s.io', 'endpointslices'), ...read('', 'services'), ...read('', 'pods')],
  'discovery.ingress': read('networking.k8s.io', 'ingresses'),
  'discovery.node': read('', 'nodes'),
  // discovery.kubelet: the kubelet authorizes GET /pods as nodes/pods (fine-grained authz) ...
  kubelet: get('', 'nodes/pods'),
  // ... or as nodes/proxy on clusters without it (opt-in: it also allows exec through the kubelet).
  kubeletProxy: get('', 'nodes/proxy'),
  podLogs: get('', 'pods/log'),
  // features.podLogsObjects: loki.source.podlogs reads PodLogs, pods (their logs) and namespaces (namespaceSelector).
  podLogsObjects: [...read('monitoring.grafana.com', 'podlogs'), ...read('', 'pods'), ...get('', 'pods/log'), ...read('', 'namespaces')],
  // features.kubernetesEvents: loki.source.kubernetes_events.
  kubernetesEvents: read('', 'events'),
  serviceMonitors: [
    ...read('monitoring.coreos.com', 'servicemonitors'),
    ...status('servicemonitors'),
    ...read('', 'services'),
    ...read('', 'endpoints'),
    ...read('discovery.k8s.io', 'endpointslices'),
    ...read('', 'pods'),
    ...read('', 'namespaces'),
  ],
  podMonitors: [...read('monitoring.coreos.com', 'podmonitors'), ...status('podmonitors'), ...read('', 'pods'), ...read('', 'namespaces')],
  rules: [...read('monitoring.coreos.com', 'prometheusrules'), ...status('prometheusrules'), ...read('', 'namespaces')],
  // mimir.alerts.kubernetes without a namespace selector (the chart's config) watches only the CRs.
  alerts: read('monitoring.coreos.com', 'alertmanagerconfigs'),
  // Ingress targets of Probes are discovered through the API.
  probes: [...read('monitoring.coreos.com', 'probes'), ...status('probes'), ...read('networking.k8s.io', 'ingresses'), ...read('', 'namespaces')],
  // kubernetesSDConfigs may name any role.
  scrapeConfigs: [
    ...read('monitoring.coreos.com', 'scrapeconfigs'),
    ...read('', 'pods'),
    ...read('', 'services'),
    ...read('', 'endpoints'),
    ...read('discovery.k8s.io', 'endpointslices'),
    ...read('networking.k8s.io', 'ingresses'),
    ...read('', 'nodes'),
    ...read('', 'namespaces'),
  ],
  crCredentials: [...read('', 'secrets'), ...read('', 'configmaps')],
  // features.otlp: otelcol.processor.k8sattributes (pods, ReplicaSets for the Deployment; namespaces for namespaceLabels).
  otlp: [...read('', 'pods'), ...read('apps', 'replicasets')],
  otlpNamespaceLabels: read('', 'namespaces'),
} as const;

export type Feature = keyof typeof FEATURE_RBAC;

/** Shared log positions: ConfigMaps in the release namespace only. */
export const POSITIONS_RBAC = ['get', 'list', 'create', 'update'].map((v) => `|configmaps|${v}`);

export const CLUSTER_SCOPED = new Set(['nodes', 'nodes/pods', 'nodes/proxy', 'namespaces']);

export function expectedAtoms(features: Feature[]): string[] {
  return [...new Set(features.flatMap((f) => FEATURE_RBAC[f]))].sort();
}

export interface Grants {
  /** Atoms granted in every namespace (and cluster-scoped) by ClusterRoles bound with ClusterRoleBindings. */
  cluster: Set<string>;
  /** Atoms granted per namespace by Roles bound with RoleBindings. */
  namespaced: Map<string, Set<string>>;
}

function atoms(rules: any[]): string[] {
  const out: string[] = [];
  for (const r of rules ?? []) {
    if (r.nonResourceURLs || r.resourceNames) throw new Error(`unexpected rule shape ${JSON.stringify(r)}`);
    for (const g of r.apiGroups) for (const res of r.resources) for (const v of r.verbs) out.push(`${g}|${res}|${v}`);
  }
  return out;
}

/** What the rendered roles grant to the ServiceAccount `sa` in namespace `ns` (only bound roles count). */
export function grantsOf(objs: KubeObject[], sa: string, ns: string): Grants {
  const subjectIs = (b: KubeObject) => (b.subjects ?? []).some((s: any) => s.kind === 'ServiceAccount' && s.name === sa && s.namespace === ns);
  const cluster = new Set<string>();
  const namespaced = new Map<string, Set<string>>();
  for (const b of objs.filter((o) => o.kind === 'ClusterRoleBinding' && subjectIs(o))) {
    const role = objs.find((o) => o.kind === 'ClusterRole' && o.metadata.name === b.roleRef.name);
    if (!role) throw new Error(`ClusterRoleBinding ${b.metadata.name} refers to a ClusterRole not in the render: ${b.roleRef.name}`);
    for (const a of atoms(role.rules)) cluster.add(a);
  }
  for (const b of objs.filter((o) => o.kind === 'RoleBinding' && subjectIs(o))) {
    const bns = b.metadata.namespace!;
    const role = objs.find((o) => o.kind === b.roleRef.kind && o.metadata.name === b.roleRef.name && (o.kind === 'ClusterRole' || o.metadata.namespace === bns));
    if (!role) throw new Error(`RoleBinding ${bns}/${b.metadata.name} refers to a role not in the render: ${b.roleRef.name}`);
    const set = namespaced.get(bns) ?? new Set<string>();
    for (const a of atoms(role.rules)) set.add(a);
    namespaced.set(bns, set);
  }
  return { cluster, namespaced };
}

/** Whether a request (group, resource[/subresource], verb, namespace?) is allowed. */
export function allows(g: Grants, group: string, resource: string, verb: string, namespace?: string): boolean {
  const atom = `${group}|${resource}|${verb}`;
  if (g.cluster.has(atom)) return true;
  // A namespaced role never covers a list/watch across all namespaces.
  return namespace !== undefined && !!g.namespaced.get(namespace)?.has(atom);
}
