// The catalog of served resources: built-in kinds plus those defined by CustomResourceDefinitions.
// One entry per (group, version, resource); objects are stored per (group, resource) so that all
// served versions of a CRD see the same objects (no conversion, like a CRD with strategy None).

export interface ResourceInfo {
  group: string; // '' for core
  version: string;
  resource: string; // plural, e.g. 'pods'
  singular: string;
  kind: string;
  listKind: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  verbs: string[];
  /** Subresources served ('status', 'log'). */
  subresources: string[];
  /** Set for custom resources: the CRD's name and its additionalPrinterColumns for that version. */
  crd?: { name: string; printerColumns: PrinterColumn[] };
}

export interface PrinterColumn {
  name: string;
  type: string;
  jsonPath: string;
  description?: string;
  priority?: number;
  format?: string;
}

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

function builtin(
  apiVersion: string,
  resource: string,
  kind: string,
  opts: { namespaced?: boolean; shortNames?: string[]; categories?: string[]; subresources?: string[]; singular?: string } = {},
): ResourceInfo {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  return {
    group,
    version,
    resource,
    singular: opts.singular ?? kind.toLowerCase(),
    kind,
    listKind: `${kind}List`,
    namespaced: opts.namespaced ?? true,
    shortNames: opts.shortNames ?? [],
    categories: opts.categories ?? [],
    verbs: ALL_VERBS,
    subresources: opts.subresources ?? [],
  };
}

/** Built-in resources: what collectors, kubectl apply of charts and the demo need. */
export const BUILTIN_RESOURCES: ResourceInfo[] = [
  builtin('v1', 'pods', 'Pod', { shortNames: ['po'], categories: ['all'], subresources: ['log', 'status'] }),
  builtin('v1', 'services', 'Service', { shortNames: ['svc'], categories: ['all'], subresources: ['status'] }),
  builtin('v1', 'endpoints', 'Endpoints', { shortNames: ['ep'], singular: 'endpoints' }),
  builtin('v1', 'nodes', 'Node', { namespaced: false, shortNames: ['no'], subresources: ['status'] }),
  builtin('v1', 'namespaces', 'Namespace', { namespaced: false, shortNames: ['ns'], subresources: ['status'] }),
  builtin('v1', 'secrets', 'Secret'),
  builtin('v1', 'configmaps', 'ConfigMap', { shortNames: ['cm'] }),
  builtin('v1', 'events', 'Event', { shortNames: ['ev'] }),
  builtin('v1', 'serviceaccounts', 'ServiceAccount', { shortNames: ['sa'] }),
  builtin('apps/v1', 'deployments', 'Deployment', { shortNames: ['deploy'], categories: ['all'], subresources: ['status'] }),
  builtin('apps/v1', 'daemonsets', 'DaemonSet', { shortNames: ['ds'], categories: ['all'], subresources: ['status'] }),
  builtin('apps/v1', 'statefulsets', 'StatefulSet', { shortNames: ['sts'], categories: ['all'], subresources: ['status'] }),
  builtin('apps/v1', 'replicasets', 'ReplicaSet', { shortNames: ['rs'], categories: ['all'], subresources: ['status'] }),
  builtin('batch/v1', 'jobs', 'Job', { categories: ['all'], subresources: ['status'] }),
  builtin('discovery.k8s.io/v1', 'endpointslices', 'EndpointSlice'),
  builtin('networking.k8s.io/v1', 'ingresses', 'Ingress', { shortNames: ['ing'], subresources: ['status'] }),
  builtin('coordination.k8s.io/v1', 'leases', 'Lease'),
  builtin('rbac.authorization.k8s.io/v1', 'clusterroles', 'ClusterRole', { namespaced: false }),
  builtin('rbac.authorization.k8s.io/v1', 'clusterrolebindings', 'ClusterRoleBinding', { namespaced: false }),
  builtin('rbac.authorization.k8s.io/v1', 'roles', 'Role'),
  builtin('rbac.authorization.k8s.io/v1', 'rolebindings', 'RoleBinding'),
  builtin('apiextensions.k8s.io/v1', 'customresourcedefinitions', 'CustomResourceDefinition', {
    namespaced: false,
    shortNames: ['crd', 'crds'],
    subresources: ['status'],
  }),
];

export function groupVersion(info: { group: string; version: string }): string {
  return info.group ? `${info.group}/${info.version}` : info.version;
}

export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.indexOf('/');
  return i < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

/** Storage key of a resource, independent of version. */
export function storageKey(info: { group: string; resource: string }): string {
  return `${info.group}/${info.resource}`;
}

/** Converts a CustomResourceDefinition object to catalog entries (one per served version). */
export function infosFromCrd(crd: any): ResourceInfo[] {
  const spec = crd.spec;
  const names = spec.names;
  return (spec.versions as any[])
    .filter((v) => v.served !== false)
    .map((v) => ({
      group: spec.group,
      version: v.name,
      resource: names.plural,
      singular: names.singular ?? names.kind.toLowerCase(),
      kind: names.kind,
      listKind: names.listKind ?? `${names.kind}List`,
      namespaced: spec.scope === 'Namespaced',
      shortNames: names.shortNames ?? [],
      categories: names.categories ?? [],
      verbs: ALL_VERBS,
      subresources: v.subresources?.status !== undefined ? ['status'] : [],
      crd: { name: crd.metadata.name, printerColumns: v.additionalPrinterColumns ?? [] },
    }));
}

/** Checks a CRD's spec; returns a list of problems (empty when valid). */
export function validateCrd(crd: any): string[] {
  const errs: string[] = [];
  const spec = crd?.spec;
  if (!spec || typeof spec !== 'object') return ['spec: Required value'];
  if (typeof spec.group !== 'string' || !spec.group.includes('.')) errs.push('spec.group: Invalid value: should be a domain with at least one dot');
  const names = spec.names;
  if (!names || typeof names.plural !== 'string' || !names.plural) errs.push('spec.names.plural: Required value');
  if (!names || typeof names.kind !== 'string' || !names.kind) errs.push('spec.names.kind: Required value');
  if (spec.scope !== 'Namespaced' && spec.scope !== 'Cluster') errs.push(`spec.scope: Unsupported value: "${spec.scope}": supported values: "Cluster", "Namespaced"`);
  if (!Array.isArray(spec.versions) || spec.versions.length === 0) errs.push('spec.versions: Invalid value: must have exactly one version marked as storage version');
  else if (spec.versions.filter((v: any) => v?.storage === true).length !== 1) errs.push('spec.versions: Invalid value: must have exactly one version marked as storage version');
  if (names?.plural && typeof spec.group === 'string' && crd.metadata?.name !== `${names.plural}.${spec.group}`) {
    errs.push(`metadata.name: Invalid value: "${crd.metadata?.name}": must be spec.names.plural+"."+spec.group`);
  }
  return errs;
}

/** Mutable catalog of everything the emulator serves. */
export class ResourceCatalog {
  private infos: ResourceInfo[] = [...BUILTIN_RESOURCES];

  all(): ResourceInfo[] {
    return this.infos;
  }

  byResource(group: string, version: string, resource: string): ResourceInfo | undefined {
    return this.infos.find((i) => i.group === group && i.version === version && i.resource === resource);
  }

  byKind(apiVersion: string, kind: string): ResourceInfo | undefined {
    const { group, version } = splitApiVersion(apiVersion);
    return this.infos.find((i) => i.group === group && i.version === version && i.kind === kind);
  }

  /** All versions served for a group, preferred (first defined) first. */
  groups(): Array<{ name: string; versions: string[] }> {
    const out: Array<{ name: string; versions: string[] }> = [];
    for (const i of this.infos) {
      if (i.group === '') continue;
      let g = out.find((x) => x.name === i.group);
      if (!g) out.push((g = { name: i.group, versions: [] }));
      if (!g.versions.includes(i.version)) g.versions.push(i.version);
    }
    return out;
  }

  inGroupVersion(group: string, version: string): ResourceInfo[] {
    return this.infos.filter((i) => i.group === group && i.version === version);
  }

  setCrd(crd: any): void {
    this.removeCrd(crd.metadata.name);
    const infos = infosFromCrd(crd);
    // Preferred version first: the storage version is a reasonable stand-in for kube-version priority.
    infos.sort((a, b) => (versionPriority(b.version) - versionPriority(a.version)));
    this.infos.push(...infos);
  }

  removeCrd(name: string): void {
    this.infos = this.infos.filter((i) => i.crd?.name !== name);
  }
}

/** Kubernetes version priority: GA > beta > alpha, higher numbers first. */
export function versionPriority(v: string): number {
  const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
  if (!m) return 0;
  const major = Number(m[1]);
  const stage = m[2] === undefined ? 3 : m[2] === 'beta' ? 2 : 1;
  return stage * 1_000_000 + major * 1000 + Number(m[3] ?? 0);
}
