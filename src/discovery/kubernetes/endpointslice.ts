// role = "endpointslice": one target per (endpoint, port, address), joined with
// the owning service (label kubernetes.io/service-name) and the backing pods.
import {
  ADDRESS,
  META,
  NAMESPACE_LABEL,
  addObjectMetaLabels,
  joinHostPort,
  namespaceMetaLabels,
  nm,
  nodeMetaLabels,
  ns,
  sanitizeLabelName,
} from './labels.js';
import { PodJoin } from './podjoin.js';
import { serviceLabels } from './service.js';
import { ENDPOINT_JOINS, podOwnerOptions } from './metadata.js';
import { PODS, SERVICES } from './resources.js';
import type { RoleDescriptor } from './role.js';
import type { EndpointPort, EndpointSlice, RoleContext, Service, SliceEndpoint, Target, TargetGroup } from './types.js';

const P = `${META}endpointslice_`;
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

export function endpointSliceSource(namespace: string, name: string): string {
  return `endpointslice/${namespace}/${name}`;
}

/** A dual-stack service's slice of its secondary IP family is skipped (its targets would be duplicates). */
function nonPrimaryIPFamilySlice(svc: Service | undefined, eps: EndpointSlice): boolean {
  const policy = svc?.spec?.ipFamilyPolicy;
  if (policy !== 'PreferDualStack' && policy !== 'RequireDualStack') return false;
  const families = svc?.spec?.ipFamilies ?? [];
  if (families.length === 0) return false;
  return (eps.addressType ?? '') !== families[0];
}

export function endpointSliceTargets(eps: EndpointSlice, ctx: RoleContext = {}): TargetGroup {
  const namespace = ns(eps.metadata);
  const labels: Target = { [NAMESPACE_LABEL]: namespace, [`${P}address_type`]: eps.addressType ?? '' };
  addObjectMetaLabels(labels, eps.metadata, 'endpointslice');
  const svcName = eps.metadata?.labels?.[SERVICE_NAME_LABEL];
  const svc = svcName != null ? ctx.service?.(namespace, svcName) : undefined;
  if (svc) Object.assign(labels, serviceLabels(svc));
  Object.assign(labels, namespaceMetaLabels(ctx, namespace));
  const group: TargetGroup = { source: endpointSliceSource(namespace, nm(eps.metadata)), labels, targets: [] };
  if (nonPrimaryIPFamilySlice(svc, eps)) return group;
  const pods = new PodJoin(ctx);

  const add = (addr: string, ep: SliceEndpoint, port: EndpointPort): void => {
    let t: Target = { [ADDRESS]: port.port != null ? joinHostPort(addr, port.port) : addr };
    if (port.name != null) t[`${P}port_name`] = port.name;
    if (port.protocol != null) t[`${P}port_protocol`] = port.protocol;
    if (port.port != null) t[`${P}port`] = String(port.port);
    if (port.appProtocol != null) t[`${P}port_app_protocol`] = port.appProtocol;
    const cond = ep.conditions ?? {};
    if (cond.ready != null) t[`${P}endpoint_conditions_ready`] = String(cond.ready);
    if (cond.serving != null) t[`${P}endpoint_conditions_serving`] = String(cond.serving);
    if (cond.terminating != null) t[`${P}endpoint_conditions_terminating`] = String(cond.terminating);
    if (ep.hostname != null) t[`${P}endpoint_hostname`] = ep.hostname;
    if (ep.targetRef) {
      t[`${P}address_target_kind`] = ep.targetRef.kind ?? '';
      t[`${P}address_target_name`] = ep.targetRef.name ?? '';
    }
    if (ep.nodeName != null) t[`${P}endpoint_node_name`] = ep.nodeName;
    if (ep.zone != null) t[`${P}endpoint_zone`] = ep.zone;
    for (const [k, v] of Object.entries(ep.deprecatedTopology ?? {})) {
      const n = sanitizeLabelName(k);
      t[`${P}endpoint_topology_${n}`] = v ?? '';
      t[`${P}endpoint_topology_present_${n}`] = 'true';
    }
    if (ctx.node) {
      const nodeName = ep.targetRef?.kind === 'Node' ? ep.targetRef.name : ep.nodeName;
      t = { ...t, ...nodeMetaLabels(ctx, nodeName) };
    }
    const pod = pods.resolve(ep.targetRef);
    // For endpointslice Prometheus reports the container port's own protocol.
    if (pod) t = pods.join(t, pod, port.port, (cp) => cp ?? '');
    group.targets.push(t);
  };

  for (const ep of eps.endpoints ?? []) {
    for (const port of eps.ports ?? []) {
      for (const addr of ep.addresses ?? []) add(addr, ep, port);
    }
  }
  group.targets.push(...pods.extraTargets());
  return group;
}

/** Joined with the owning service and the backing pods, each filtered by its own selector. */
export const endpointSliceRole: RoleDescriptor<EndpointSlice> = {
  role: 'endpointslice',
  resource: { group: 'discovery.k8s.io', version: 'v1', resource: 'endpointslices', namespaced: true },
  extraWatches: ENDPOINT_JOINS,
  options: podOwnerOptions,
  build: endpointSliceTargets,
  shardPerTarget: true,
};
