// Lookups as Prometheus's per-namespace discoverers see them. With explicit
// namespaces Prometheus runs one endpoints/endpointslice discoverer per
// namespace, each with pod and service informers of that namespace only
// (kubernetes.go Run: RoleEndpoint/RoleEndpointSlice loops), so a target
// reference to a pod of another watched namespace does not resolve
// (endpoints.go resolvePodRef looks up the namespace's own pod store). Watching
// all namespaces, one store holds every pod and any reference resolves.
import type { RoleContext } from './types.js';

/** `ctx` restricted to objects of `namespace` for namespaced lookups (pods, services, replicasets, jobs). */
export function scopeToNamespace(ctx: RoleContext, namespace: string): RoleContext {
  const scoped: RoleContext = { ...ctx };
  const only =
    <T>(f: ((ns: string, name: string) => T | undefined) | undefined) =>
    (ns: string, name: string): T | undefined =>
      ns === namespace ? f?.(ns, name) : undefined;
  if (ctx.pod) scoped.pod = only(ctx.pod);
  if (ctx.service) scoped.service = only(ctx.service);
  if (ctx.replicaSet) scoped.replicaSet = only(ctx.replicaSet);
  if (ctx.job) scoped.job = only(ctx.job);
  return scoped;
}
