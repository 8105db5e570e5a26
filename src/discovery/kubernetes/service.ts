// role = "service": one target per service port, addressed by the service's DNS name.
import { ADDRESS, META, NAMESPACE_LABEL, addObjectMetaLabels, joinHostPort, namespaceMetaLabels, nm, ns } from './labels.js';
import { NAMESPACE_METADATA } from './metadata.js';
import { SERVICES } from './resources.js';
import type { RoleDescriptor } from './role.js';
import type { RoleContext, Service, Target, TargetGroup } from './types.js';

export function serviceSource(namespace: string, name: string): string {
  return `svc/${namespace}/${name}`;
}

/** Service-level labels, also merged into endpoints/endpointslice groups of the service. */
export function serviceLabels(svc: Service): Target {
  const ls: Target = { [NAMESPACE_LABEL]: ns(svc.metadata) };
  addObjectMetaLabels(ls, svc.metadata, 'service');
  return ls;
}

export function serviceTargets(svc: Service, ctx: RoleContext = {}): TargetGroup {
  const namespace = ns(svc.metadata);
  const name = nm(svc.metadata);
  const group: TargetGroup = {
    source: serviceSource(namespace, name),
    labels: { ...serviceLabels(svc), ...namespaceMetaLabels(ctx, namespace) },
    targets: [],
  };
  const type = svc.spec?.type ?? '';
  for (const p of svc.spec?.ports ?? []) {
    const port = String(p.port ?? 0);
    const t: Target = {
      [ADDRESS]: joinHostPort(`${name}.${namespace}.svc`, port),
      [`${META}service_port_name`]: p.name ?? '',
      [`${META}service_port_number`]: port,
      [`${META}service_port_protocol`]: p.protocol ?? '',
      [`${META}service_type`]: type,
    };
    if (type === 'ExternalName') t[`${META}service_external_name`] = svc.spec?.externalName ?? '';
    else t[`${META}service_cluster_ip`] = svc.spec?.clusterIP ?? '';
    // Prometheus v3.14.0 (service.go buildService) reads spec.loadBalancerIP only; filling it from
    // status.loadBalancer.ingress exists on Prometheus main but in no release yet.
    if (type === 'LoadBalancer') t[`${META}service_loadbalancer_ip`] = svc.spec?.loadBalancerIP ?? '';
    group.targets.push(t);
  }
  return group;
}

export const serviceRole: RoleDescriptor<Service> = {
  role: 'service',
  resource: SERVICES,
  extraWatches: [NAMESPACE_METADATA],
  build: serviceTargets,
};
