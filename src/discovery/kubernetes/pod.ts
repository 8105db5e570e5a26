// role = "pod": one target per declared container port, one address-only
// target per container without ports (init containers included).
import {
  ADDRESS,
  META,
  NAMESPACE_LABEL,
  addObjectMetaLabels,
  controllerOf,
  joinHostPort,
  namespaceMetaLabels,
  nm,
  nodeMetaLabels,
  ns,
} from './labels.js';
import { NAMESPACE_METADATA, NODE_METADATA, POD_OWNER_METADATA, podOwnerOptions } from './metadata.js';
import { PODS } from './resources.js';
import type { RoleDescriptor } from './role.js';
import type { Container, ContainerStatus, Pod, RoleContext, Target, TargetGroup } from './types.js';

export function podSource(namespace: string, name: string): string {
  return `pod/${namespace}/${name}`;
}

/**
 * `__meta_kubernetes_pod_ready`: the first Ready condition's status lowercased (even when
 * empty), "unknown" only when there is no Ready condition.
 */
function podReady(pod: Pod): string {
  const c = pod.status?.conditions?.find((x) => x.type === 'Ready');
  return c ? (c.status ?? '').toLowerCase() : 'unknown';
}

/** Pod-level labels, also merged into endpoints/endpointslice targets backed by this pod. */
export function podLabels(pod: Pod, ctx: RoleContext = {}): Target {
  const ls: Target = {
    [`${META}pod_ip`]: pod.status?.podIP ?? '',
    [`${META}pod_ready`]: podReady(pod),
    [`${META}pod_phase`]: pod.status?.phase ?? '',
    [`${META}pod_node_name`]: pod.spec?.nodeName ?? '',
    [`${META}pod_host_ip`]: pod.status?.hostIP ?? '',
    [`${META}pod_uid`]: pod.metadata?.uid ?? '',
  };
  addObjectMetaLabels(ls, pod.metadata, 'pod');
  const owner = controllerOf(pod.metadata);
  if (owner) {
    if (owner.kind) ls[`${META}pod_controller_kind`] = owner.kind;
    if (owner.name) ls[`${META}pod_controller_name`] = owner.name;
    const key = [ns(pod.metadata), owner.name ?? ''] as const;
    if (owner.kind === 'ReplicaSet' && ctx.replicaSet) {
      const rsOwner = controllerOf(ctx.replicaSet(...key)?.metadata);
      if (rsOwner?.kind === 'Deployment') ls[`${META}pod_deployment_name`] = rsOwner.name ?? '';
    } else if (owner.kind === 'Job') {
      if (ctx.jobName) ls[`${META}pod_job_name`] = owner.name ?? '';
      const jobOwner = ctx.job ? controllerOf(ctx.job(...key)?.metadata) : undefined;
      if (jobOwner?.kind === 'CronJob') ls[`${META}pod_cronjob_name`] = jobOwner.name ?? '';
    }
  }
  return ls;
}

/** Regular containers then init containers, each with its init flag (Prometheus's order). */
export function podContainers(pod: Pod): { c: Container; isInit: boolean }[] {
  return [
    ...(pod.spec?.containers ?? []).map((c) => ({ c, isInit: false })),
    ...(pod.spec?.initContainers ?? []).map((c) => ({ c, isInit: true })),
  ];
}

function containerID(statuses: ContainerStatus[] | undefined, name: string | undefined): string {
  return statuses?.find((s) => s.name === name)?.containerID ?? '';
}

export function podTargets(pod: Pod, ctx: RoleContext = {}): TargetGroup {
  const namespace = ns(pod.metadata);
  const group: TargetGroup = { source: podSource(namespace, nm(pod.metadata)), labels: {}, targets: [] };
  const ip = pod.status?.podIP ?? '';
  if (ip === '') return group;
  // With node metadata on, Prometheus holds the pod back until its node is known.
  if (ctx.node && (pod.spec?.nodeName == null || !ctx.node(pod.spec.nodeName))) return group;

  group.labels = {
    ...podLabels(pod, ctx),
    [NAMESPACE_LABEL]: namespace,
    ...nodeMetaLabels(ctx, pod.spec?.nodeName),
    ...namespaceMetaLabels(ctx, namespace),
  };

  for (const { c, isInit } of podContainers(pod)) {
    const id = containerID(isInit ? pod.status?.initContainerStatuses : pod.status?.containerStatuses, c.name);
    const base: Target = {
      [`${META}pod_container_name`]: c.name ?? '',
      [`${META}pod_container_id`]: id,
      [`${META}pod_container_image`]: c.image ?? '',
      [`${META}pod_container_init`]: String(isInit),
    };
    const ports = c.ports ?? [];
    if (ports.length === 0) {
      group.targets.push({ [ADDRESS]: ip, ...base });
      continue;
    }
    for (const p of ports) {
      const port = String(p.containerPort ?? 0);
      group.targets.push({
        [ADDRESS]: joinHostPort(ip, port),
        ...base,
        [`${META}pod_container_port_number`]: port,
        [`${META}pod_container_port_name`]: p.name ?? '',
        [`${META}pod_container_port_protocol`]: p.protocol ?? '',
      });
    }
  }
  return group;
}

export const podRole: RoleDescriptor<Pod> = {
  role: 'pod',
  resource: PODS,
  extraWatches: [NODE_METADATA, NAMESPACE_METADATA, ...POD_OWNER_METADATA],
  options: podOwnerOptions,
  build: podTargets,
};
