// Where a resource lives in the API, and how to name it in messages.

export interface ResourceRef {
  /** '' for the core group. */
  group: string;
  version: string;
  /** Plural, lower case: "pods", "endpointslices". */
  resource: string;
  /** Undefined: all namespaces (or a cluster-scoped resource). */
  namespace?: string;
}

export function resourcePath(r: ResourceRef): string {
  const base = r.group === '' ? `/api/${r.version}` : `/apis/${r.group}/${r.version}`;
  return r.namespace ? `${base}/namespaces/${encodeURIComponent(r.namespace)}/${r.resource}` : `${base}/${r.resource}`;
}

/** "pods", "endpointslices.discovery.k8s.io": the name RBAC rules use. */
export function qualifiedResource(r: ResourceRef): string {
  return r.group === '' ? r.resource : `${r.resource}.${r.group}`;
}

export function scopeText(r: ResourceRef): string {
  return r.namespace ? `in the namespace ${JSON.stringify(r.namespace)}` : 'at the cluster scope';
}

/** Object key in a cache: "namespace/name" or "name" for cluster-scoped objects. */
export function objectKey(o: { metadata?: { namespace?: string; name?: string } }): string {
  const ns = o.metadata?.namespace;
  return ns ? `${ns}/${o.metadata?.name ?? ''}` : (o.metadata?.name ?? '');
}
