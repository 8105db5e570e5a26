// Lookups as Prometheus's per-namespace discoverers see them. With explicit
// namespaces Prometheus runs one endpoints/endpointslice discoverer per
// namespace, each with pod and service informers of that namespace only
// (kubernetes.go Run: RoleEndpoint/RoleEndpointSlice loops), so a target
// reference to a pod of another watched namespace does not resolve
// (endpoints.go resolvePodRef looks up the namespace's own pod store). Watching
// all namespaces, one store holds every pod and any reference resolves.
import { LOOKUP_NAMESPACED, type LookupName } from './role.js';
import type { RoleContext } from './types.js';

type NamespacedLookup = (ns: string, name: string) => unknown;

/** `ctx` restricted to objects of `namespace` for namespaced lookups (pods, services, replicasets, jobs). */
export function scopeToNamespace(ctx: RoleContext, namespace: string): RoleContext {
  const scoped: Record<string, unknown> = { ...ctx };
  for (const name of Object.keys(LOOKUP_NAMESPACED) as LookupName[]) {
    const f = ctx[name] as NamespacedLookup | undefined;
    if (!f || !LOOKUP_NAMESPACED[name]) continue;
    scoped[name] = (ns: string, n: string) => (ns === namespace ? f(ns, n) : undefined);
  }
  return scoped as RoleContext;
}
