// The emulated cluster's semantics on top of the store: validation, server-generated metadata,
// optimistic concurrency, status subresources, finalizers, and cascades (namespace and CRD deletion).
import { randomUUID } from 'node:crypto';
import { applyCreateDefaults, applyUpdateDefaults, rfc3339, setCrdStatus } from './defaults.js';
import { ResourceCatalog, groupVersion, storageKey, validateCrd, type ResourceInfo } from './resources.js';
import { ApiError, alreadyExists, badRequest, conflict, invalid, notFound } from './status.js';
import { ObjectStore } from './store.js';

export interface WriteOptions {
  dryRun?: boolean;
  /** Write the status subresource: only `.status` of the body is taken. */
  subresource?: 'status';
  /** Control-plane write from the test/demo harness: status taken as given, no resourceVersion check. */
  control?: boolean;
}

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const CRD_KEY = 'apiextensions.k8s.io/customresourcedefinitions';
const NS_KEY = '/namespaces';

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v));

function randomSuffix(): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  let s = '';
  for (let i = 0; i < 5; i++) s += alphabet[Math.floor(Math.random() * alphabet.length)];
  return s;
}

/** Everything but metadata and status: a change here bumps metadata.generation. */
function specPart(obj: any): string {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = obj ?? {};
  // Key order is not a change (a client may send the fields in any order).
  return JSON.stringify(rest, (_key, v) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v));
}

export class Cluster {
  readonly catalog = new ResourceCatalog();
  readonly store: ObjectStore;

  constructor(historyLimit: number) {
    this.store = new ObjectStore(historyLimit);
  }

  /** The catalog entry for apiVersion+kind, or a 404 naming what is missing. */
  infoForKind(apiVersion: string, kind: string): ResourceInfo {
    const info = this.catalog.byKind(apiVersion, kind);
    if (!info) throw new ApiError(404, `no matches for kind "${kind}" in version "${apiVersion}"`, 'NotFound');
    return info;
  }

  /** A stored object as seen through `info`'s version. */
  present(info: ResourceInfo, obj: any): any {
    return { ...obj, apiVersion: groupVersion(info), kind: info.kind };
  }

  get(info: ResourceInfo, namespace: string | undefined, name: string): any {
    const obj = this.store.get(storageKey(info), info.namespaced ? namespace : undefined, name);
    if (!obj) throw notFound(info.resource, info.group, name);
    return this.present(info, obj);
  }

  list(info: ResourceInfo, namespace?: string): any[] {
    return this.store.list(storageKey(info), info.namespaced ? namespace : undefined).map((o) => this.present(info, o));
  }

  create(info: ResourceInfo, namespace: string | undefined, body: any, opts: WriteOptions = {}): any {
    const obj = this.checkBody(info, body);
    const meta = obj.metadata;
    if (!meta.name && meta.generateName) meta.name = `${meta.generateName}${randomSuffix()}`;
    this.checkNamespace(info, namespace, meta);
    this.checkName(info, meta.name);
    const key = storageKey(info);
    if (this.store.get(key, meta.namespace, meta.name)) throw alreadyExists(info.resource, info.group, meta.name);
    if (key === CRD_KEY) this.checkCrd(obj);
    const now = new Date();
    meta.uid = randomUUID();
    meta.creationTimestamp = rfc3339(now);
    delete meta.resourceVersion;
    delete meta.deletionTimestamp;
    if (obj.spec !== undefined) meta.generation = 1;
    else delete meta.generation;
    applyCreateDefaults(info.kind, info.group, obj, now, { control: opts.control });
    if (opts.dryRun) return this.present(info, { ...obj, metadata: { ...meta, resourceVersion: '' } });
    const stored = this.store.put(key, obj);
    if (key === CRD_KEY) this.catalog.setCrd(stored);
    return this.present(info, stored);
  }

  update(info: ResourceInfo, namespace: string | undefined, name: string, body: any, opts: WriteOptions = {}): any {
    const key = storageKey(info);
    const ns = info.namespaced ? namespace : undefined;
    const old = this.store.get(key, ns, name);
    if (!old) throw notFound(info.resource, info.group, name);
    const obj = this.checkBody(info, body);
    if (obj.metadata.name && obj.metadata.name !== name) {
      throw badRequest(`the name of the object (${obj.metadata.name}) does not match the name on the URL (${name})`);
    }
    if (info.namespaced && obj.metadata.namespace && obj.metadata.namespace !== ns) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    const rv = obj.metadata.resourceVersion;
    if (!opts.control && rv && rv !== old.metadata.resourceVersion) throw conflict(info.resource, info.group, name);
    let next: any;
    if (opts.subresource === 'status') {
      next = { ...clone(old), status: obj.status };
    } else {
      next = obj;
      // Writes to the main resource cannot change status when a status subresource exists.
      if (!opts.control && info.subresources.includes('status')) {
        if (old.status === undefined) delete next.status;
        else next.status = clone(old.status);
      }
    }
    const meta = (next.metadata = { ...next.metadata, name, uid: old.metadata.uid, creationTimestamp: old.metadata.creationTimestamp });
    if (ns !== undefined) meta.namespace = ns;
    else delete meta.namespace;
    // Defaulted before the generation check: re-sending an object without its defaults is no change.
    applyUpdateDefaults(info.kind, info.group, next, old);
    if (old.metadata.deletionTimestamp) meta.deletionTimestamp = old.metadata.deletionTimestamp;
    if (old.metadata.generation !== undefined) {
      meta.generation = old.metadata.generation + (specPart(old) !== specPart(next) ? 1 : 0);
    }
    if (key === CRD_KEY) {
      this.checkCrd(next);
      setCrdStatus(next, new Date());
    }
    if (opts.dryRun) return this.present(info, { ...next, metadata: { ...meta, resourceVersion: old.metadata.resourceVersion } });
    // The last finalizer removed from an object being deleted completes the deletion.
    if (meta.deletionTimestamp && !(meta.finalizers?.length > 0)) return this.present(info, this.finishDelete(info, ns, name));
    const stored = this.store.put(key, next);
    if (key === CRD_KEY) this.catalog.setCrd(stored);
    return this.present(info, stored);
  }

  /** Deletes (or, with finalizers, marks for deletion) an object; returns its last state. */
  delete(info: ResourceInfo, namespace: string | undefined, name: string, opts: WriteOptions & { preconditions?: { uid?: string; resourceVersion?: string } } = {}): any {
    const key = storageKey(info);
    const ns = info.namespaced ? namespace : undefined;
    const old = this.store.get(key, ns, name);
    if (!old) throw notFound(info.resource, info.group, name);
    const pre = opts.preconditions;
    if (pre?.uid && pre.uid !== old.metadata.uid) {
      throw new ApiError(409, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${old.metadata.uid}`, 'Conflict');
    }
    if (pre?.resourceVersion && pre.resourceVersion !== old.metadata.resourceVersion) {
      throw new ApiError(409, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${old.metadata.resourceVersion}`, 'Conflict');
    }
    if (opts.dryRun) return this.present(info, old);
    if (old.metadata.finalizers?.length > 0) {
      if (old.metadata.deletionTimestamp) return this.present(info, old);
      const marked = { ...old, metadata: { ...old.metadata, deletionTimestamp: rfc3339(new Date()), deletionGracePeriodSeconds: 0 } };
      return this.present(info, this.store.put(key, marked));
    }
    return this.present(info, this.finishDelete(info, ns, name));
  }

  /** Control-plane create-or-replace of any object whose kind is served. */
  applyControl(obj: any): any {
    if (!obj || typeof obj !== 'object' || typeof obj.apiVersion !== 'string' || typeof obj.kind !== 'string') {
      throw new Error('emulator.apply: object needs apiVersion and kind');
    }
    const info = this.infoForKind(obj.apiVersion, obj.kind);
    const name = obj.metadata?.name;
    if (typeof name !== 'string' || !name) throw new Error(`emulator.apply: ${obj.kind} without metadata.name`);
    const ns = info.namespaced ? (obj.metadata.namespace ?? 'default') : undefined;
    const existing = this.store.get(storageKey(info), ns, name);
    const body = { ...obj, metadata: { ...obj.metadata, namespace: ns } };
    return existing ? this.update(info, ns, name, body, { control: true }) : this.create(info, ns, body, { control: true });
  }

  private finishDelete(info: ResourceInfo, ns: string | undefined, name: string): any {
    const key = storageKey(info);
    if (key === NS_KEY) this.deleteNamespaceContents(name);
    if (key === CRD_KEY) {
      const crd = this.store.get(key, undefined, name);
      if (crd) this.deleteCustomResources(crd);
    }
    return this.store.delete(key, ns, name);
  }

  private deleteNamespaceContents(ns: string): void {
    const seen = new Set<string>();
    for (const info of this.catalog.all()) {
      const key = storageKey(info);
      if (!info.namespaced || seen.has(key)) continue;
      seen.add(key);
      for (const o of this.store.list(key, ns)) this.store.delete(key, ns, o.metadata.name);
    }
  }

  private deleteCustomResources(crd: any): void {
    const key = storageKey({ group: crd.spec.group, resource: crd.spec.names.plural });
    for (const o of this.store.list(key)) this.store.delete(key, o.metadata.namespace, o.metadata.name);
    this.catalog.removeCrd(crd.metadata.name);
  }

  private checkBody(info: ResourceInfo, body: any): any {
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw badRequest('the request body must be a JSON or YAML object');
    const gv = groupVersion(info);
    if (body.apiVersion !== undefined && body.apiVersion !== gv) {
      throw badRequest(`the API version in the data (${body.apiVersion}) does not match the expected API version (${gv})`);
    }
    if (body.kind !== undefined && body.kind !== info.kind) {
      throw badRequest(`the kind in the data (${body.kind}) does not match the expected kind (${info.kind})`);
    }
    const obj = clone(body);
    obj.apiVersion = gv;
    obj.kind = info.kind;
    if (!obj.metadata || typeof obj.metadata !== 'object') obj.metadata = {};
    return obj;
  }

  private checkName(info: ResourceInfo, name: unknown): void {
    if (typeof name !== 'string' || !name) {
      throw invalid(info.kind, info.group, '', ['metadata.name: Required value: name or generateName is required']);
    }
    const strict = info.group === '' && (info.resource === 'namespaces' || info.resource === 'services');
    const ok = strict ? DNS1123_LABEL.test(name) && name.length <= 63 : DNS1123_SUBDOMAIN.test(name) && name.length <= 253;
    if (!ok) {
      const what = strict ? 'a lowercase RFC 1123 label' : 'a lowercase RFC 1123 subdomain';
      throw invalid(info.kind, info.group, name, [`metadata.name: Invalid value: "${name}": must be ${what}`]);
    }
  }

  private checkNamespace(info: ResourceInfo, urlNs: string | undefined, meta: any): void {
    if (!info.namespaced) {
      delete meta.namespace;
      return;
    }
    if (urlNs !== undefined && meta.namespace !== undefined && meta.namespace !== urlNs) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    meta.namespace = urlNs ?? meta.namespace ?? 'default';
    if (!this.store.get(NS_KEY, undefined, meta.namespace)) throw notFound('namespaces', '', meta.namespace);
  }

  private checkCrd(crd: any): void {
    const errs = validateCrd(crd);
    if (errs.length) throw invalid('CustomResourceDefinition', 'apiextensions.k8s.io', crd.metadata?.name ?? '', errs);
    const clash = this.catalog
      .all()
      .find((i) => i.group === crd.spec.group && i.resource === crd.spec.names.plural && i.crd?.name !== crd.metadata.name);
    if (clash) throw invalid('CustomResourceDefinition', 'apiextensions.k8s.io', crd.metadata.name, ['spec.names.plural: already served']);
  }
}
