// role = "endpoints": one target per (subset port, address), joined with the
// service of the same name and with the pods the addresses point at.
import { ADDRESS, META, NAMESPACE_LABEL, addObjectMetaLabels, joinHostPort, namespaceMetaLabels, nm, nodeMetaLabels, ns } from './labels.js';
import { PodJoin } from './podjoin.js';
import { serviceLabels } from './service.js';
import { ENDPOINT_JOINS, podOwnerOptions } from './metadata.js';
import { PODS, SERVICES } from './resources.js';
import type { RoleDescriptor } from './role.js';
import type { EndpointAddress, EndpointPort, Endpoints, RoleContext, Target, TargetGroup } from './types.js';

export function endpointsSource(namespace: string, name: string): string {
  return `endpoints/${namespace}/${name}`;
}

export function endpointsTargets(eps: Endpoints, ctx: RoleContext = {}): TargetGroup {
  const namespace = ns(eps.metadata);
  const name = nm(eps.metadata);
  const labels: Target = { [NAMESPACE_LABEL]: namespace };
  const svc = ctx.service?.(namespace, name);
  if (svc) Object.assign(labels, serviceLabels(svc));
  addObjectMetaLabels(labels, eps.metadata, 'endpoints');
  Object.assign(labels, namespaceMetaLabels(ctx, namespace));
  const group: TargetGroup = { source: endpointsSource(namespace, name), labels, targets: [] };
  const pods = new PodJoin(ctx);

  const add = (addr: EndpointAddress, port: EndpointPort, ready: string): void => {
    let t: Target = {
      [ADDRESS]: joinHostPort(addr.ip ?? '', port.port ?? 0),
      [`${META}endpoint_port_name`]: port.name ?? '',
      [`${META}endpoint_port_protocol`]: port.protocol ?? '',
      [`${META}endpoint_ready`]: ready,
    };
    if (addr.targetRef) {
      t[`${META}endpoint_address_target_kind`] = addr.targetRef.kind ?? '';
      t[`${META}endpoint_address_target_name`] = addr.targetRef.name ?? '';
    }
    if (addr.nodeName != null) t[`${META}endpoint_node_name`] = addr.nodeName;
    if (addr.hostname) t[`${META}endpoint_hostname`] = addr.hostname;
    if (ctx.node) {
      if (addr.nodeName != null) t = { ...t, ...nodeMetaLabels(ctx, addr.nodeName) };
      else if (addr.targetRef?.kind === 'Node') t = { ...t, ...nodeMetaLabels(ctx, addr.targetRef.name) };
    }
    const pod = pods.resolve(addr.targetRef);
    // For endpoints Prometheus reports the endpoint port's protocol on the container labels.
    if (pod) t = pods.join(t, pod, port.port ?? 0, () => port.protocol ?? '');
    group.targets.push(t);
  };

  for (const ss of eps.subsets ?? []) {
    for (const port of ss.ports ?? []) {
      for (const addr of ss.addresses ?? []) add(addr, port, 'true');
      for (const addr of ss.notReadyAddresses ?? []) add(addr, port, 'false');
    }
  }
  group.targets.push(...pods.extraTargets());
  return group;
}

/** Joined with the service of the same name and the pods addresses point at, each filtered by its own selector. */
export const endpointsRole: RoleDescriptor<Endpoints> = {
  role: 'endpoints',
  resource: { group: '', version: 'v1', resource: 'endpoints', namespaced: true },
  extraWatches: ENDPOINT_JOINS,
  options: podOwnerOptions,
  build: endpointsTargets,
  shardPerTarget: true,
};
