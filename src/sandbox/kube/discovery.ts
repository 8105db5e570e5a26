// Discovery documents: legacy (/api, /apis, APIResourceList per group-version), aggregated
// discovery (apidiscovery.k8s.io/v2, what kubectl 1.30+ asks for first) and a minimal OpenAPI v3
// that tells kubectl the server validates fields itself (so kubectl skips client-side validation).
import { createHash } from 'node:crypto';
import { groupVersion, type ResourceCatalog, type ResourceInfo } from './resources.js';

export const AGGREGATED_V2 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
export const AGGREGATED_V2BETA1 = 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList';

export function versionInfo(): any {
  return {
    major: '1',
    minor: '32',
    gitVersion: 'v1.32.0-alloy-ts-emulator',
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2025-01-01T00:00:00Z',
    goVersion: 'go1.23.4',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}

export function apiVersions(serverAddress: string): any {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

function apiGroup(g: { name: string; versions: string[] }): any {
  const versions = g.versions.map((v) => ({ groupVersion: `${g.name}/${v}`, version: v }));
  return { name: g.name, versions, preferredVersion: versions[0] };
}

export function apiGroupList(catalog: ResourceCatalog): any {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: catalog.groups().map(apiGroup) };
}

export function apiGroupFor(catalog: ResourceCatalog, name: string): any | undefined {
  const g = catalog.groups().find((x) => x.name === name);
  return g ? { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(g) } : undefined;
}

function subresourceVerbs(sub: string): string[] {
  return sub === 'log' ? ['get'] : ['get', 'patch', 'update'];
}

export function apiResourceList(catalog: ResourceCatalog, group: string, version: string): any | undefined {
  const infos = catalog.inGroupVersion(group, version);
  if (infos.length === 0) return undefined;
  const resources: any[] = [];
  for (const i of infos) {
    const r: any = { name: i.resource, singularName: i.singular, namespaced: i.namespaced, kind: i.kind, verbs: i.verbs };
    if (i.shortNames.length) r.shortNames = i.shortNames;
    if (i.categories.length) r.categories = i.categories;
    r.storageVersionHash = createHash('sha256').update(`${group}/${version}/${i.kind}`).digest('base64').slice(0, 11);
    resources.push(r);
    for (const s of i.subresources) {
      resources.push({ name: `${i.resource}/${s}`, singularName: '', namespaced: i.namespaced, kind: s === 'log' ? 'Pod' : i.kind, verbs: subresourceVerbs(s) });
    }
  }
  const list: any = { kind: 'APIResourceList', groupVersion: groupVersion({ group, version }), resources };
  if (group) list.apiVersion = 'v1';
  return list;
}

function discoveryResource(i: ResourceInfo): any {
  const r: any = {
    resource: i.resource,
    responseKind: { group: i.group, version: i.version, kind: i.kind },
    scope: i.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: i.singular,
    verbs: i.verbs,
  };
  if (i.shortNames.length) r.shortNames = i.shortNames;
  if (i.categories.length) r.categories = i.categories;
  if (i.subresources.length) {
    r.subresources = i.subresources.map((s) => ({
      subresource: s,
      responseKind: s === 'log' ? { group: '', version: '', kind: 'string' } : { group: i.group, version: i.version, kind: i.kind },
      verbs: subresourceVerbs(s),
    }));
  }
  return r;
}

/** Aggregated discovery: `/api` (core only) or `/apis` (every named group). */
export function aggregatedDiscovery(catalog: ResourceCatalog, core: boolean, apiVersion: 'v2' | 'v2beta1'): any {
  const groups = core ? [{ name: '', versions: ['v1'] }] : catalog.groups();
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: `apidiscovery.k8s.io/${apiVersion}`,
    metadata: {},
    items: groups.map((g) => ({
      metadata: { name: g.name },
      versions: g.versions.map((v) => ({
        version: v,
        resources: catalog.inGroupVersion(g.name, v).map(discoveryResource),
        freshness: 'Current',
      })),
    })),
  };
}

/** Which discovery shape an Accept header asks for. */
export function wantsAggregated(accept: string | undefined): 'v2' | 'v2beta1' | undefined {
  for (const part of (accept ?? '').split(',')) {
    const params = part.split(';').map((s) => s.trim());
    if (params[0] !== 'application/json' && params[0] !== '*/*') continue;
    const get = (k: string) => params.find((p) => p.startsWith(`${k}=`))?.slice(k.length + 1);
    if (get('g') === 'apidiscovery.k8s.io' && get('as') === 'APIGroupDiscoveryList') {
      const v = get('v');
      if (v === 'v2' || v === 'v2beta1') return v;
    }
    if (!get('g') && !get('as')) return undefined; // plain JSON preferred before any aggregated form
  }
  return undefined;
}

function openApiPathKey(i: { group: string; version: string }): string {
  return i.group ? `apis/${i.group}/${i.version}` : `api/${i.version}`;
}

/** `/openapi/v3`: one entry per served group-version; the hash changes when the catalog does. */
export function openApiV3Root(catalog: ResourceCatalog): any {
  const paths: Record<string, any> = {};
  const gvs = [{ group: '', version: 'v1' }, ...catalog.groups().flatMap((g) => g.versions.map((v) => ({ group: g.name, version: v })))];
  for (const gv of gvs) {
    const key = openApiPathKey(gv);
    const hash = createHash('sha256').update(JSON.stringify(catalog.inGroupVersion(gv.group, gv.version))).digest('hex').slice(0, 32).toUpperCase();
    paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${hash}` };
  }
  return { paths };
}

/**
 * A minimal OpenAPI v3 document for a group-version: every kind gets a PATCH operation carrying
 * `x-kubernetes-group-version-kind` and a `fieldValidation` query parameter. kubectl reads exactly
 * that to decide the server does field validation, and then skips its own schema validation.
 */
export function openApiV3GroupVersion(catalog: ResourceCatalog, group: string, version: string): any | undefined {
  const infos = catalog.inGroupVersion(group, version);
  if (infos.length === 0) return undefined;
  const prefix = group ? `/apis/${group}/${version}` : `/api/${version}`;
  const paths: Record<string, any> = {};
  const schemas: Record<string, any> = {};
  const params = ['dryRun', 'fieldManager', 'fieldValidation', 'force', 'pretty'].map((name) => ({
    name,
    in: 'query',
    schema: { type: name === 'force' ? 'boolean' : 'string', uniqueItems: true },
  }));
  for (const i of infos) {
    const gvk = { group: i.group, version: i.version, kind: i.kind };
    const schemaName = `${group ? group.split('.').reverse().join('.') : 'io.k8s.api.core'}.${version}.${i.kind}`;
    schemas[schemaName] = {
      type: 'object',
      'x-kubernetes-group-version-kind': [gvk],
      'x-kubernetes-preserve-unknown-fields': true,
    };
    const path = `${prefix}/${i.namespaced ? 'namespaces/{namespace}/' : ''}${i.resource}/{name}`;
    paths[path] = {
      patch: {
        operationId: `patch${i.kind}`,
        'x-kubernetes-action': 'patch',
        'x-kubernetes-group-version-kind': gvk,
        parameters: params,
        requestBody: { content: { 'application/merge-patch+json': { schema: { type: 'object' } } } },
        responses: { '200': { description: 'OK', content: { 'application/json': { schema: { $ref: `#/components/schemas/${schemaName}` } } } } },
      },
    };
  }
  return { openapi: '3.0.0', info: { title: 'Kubernetes', version: 'v1.32.0' }, paths, components: { schemas } };
}
