// role = "ingress": one target per rule path; https when a TLS host matches the rule host.
import { ADDRESS, META, NAMESPACE_LABEL, addObjectMetaLabels, namespaceMetaLabels, nm, ns } from './labels.js';
import { NAMESPACE_METADATA } from './metadata.js';
import type { RoleDescriptor } from './role.js';
import type { Ingress, IngressRule, RoleContext, Target, TargetGroup } from './types.js';

export function ingressSource(namespace: string, name: string): string {
  return `ingress/${namespace}/${name}`;
}

export function ingressLabels(ing: Ingress): Target {
  const ls: Target = { [NAMESPACE_LABEL]: ns(ing.metadata) };
  if (ing.spec?.ingressClassName != null) ls[`${META}ingress_class_name`] = ing.spec.ingressClassName;
  addObjectMetaLabels(ls, ing.metadata, 'ingress');
  return ls;
}

/** A rule without `http` yields "/"; an empty path is "/". */
function rulePaths(rule: IngressRule): string[] {
  if (!rule.http) return ['/'];
  return (rule.http.paths ?? []).map((p) => (p.path ? p.path : '/'));
}

/** Exact match, or a leading "*" label matching exactly one host label. */
export function matchesHostnamePattern(pattern: string, host: string): boolean {
  if (pattern === host) return true;
  const pp = pattern.split('.');
  const hp = host.split('.');
  if (pp[0] !== '*' || pp.length !== hp.length) return false;
  for (let i = 1; i < pp.length; i++) if (pp[i] !== hp[i]) return false;
  return true;
}

export function ingressTargets(ing: Ingress, ctx: RoleContext = {}): TargetGroup {
  const namespace = ns(ing.metadata);
  const group: TargetGroup = {
    source: ingressSource(namespace, nm(ing.metadata)),
    labels: { ...ingressLabels(ing), ...namespaceMetaLabels(ctx, namespace) },
    targets: [],
  };
  const tlsHosts = (ing.spec?.tls ?? []).flatMap((t) => t.hosts ?? []);
  for (const rule of ing.spec?.rules ?? []) {
    const host = rule.host ?? '';
    const scheme = tlsHosts.some((p) => matchesHostnamePattern(p, host)) ? 'https' : 'http';
    for (const path of rulePaths(rule)) {
      group.targets.push({
        [ADDRESS]: host,
        [`${META}ingress_scheme`]: scheme,
        [`${META}ingress_host`]: host,
        [`${META}ingress_path`]: path,
      });
    }
  }
  return group;
}

export const ingressRole: RoleDescriptor<Ingress> = {
  role: 'ingress',
  resource: { group: 'networking.k8s.io', version: 'v1', resource: 'ingresses', namespaced: true },
  extraWatches: [NAMESPACE_METADATA],
  build: ingressTargets,
};
