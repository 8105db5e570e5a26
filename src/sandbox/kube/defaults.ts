// Server-side defaults the apiserver fills in on writes, as far as clients can observe them:
// scheme defaulting on every write (scheme-defaults.ts), plus what the REST strategies do on
// create (Pod status, Namespace finalizers, Service IPs and node ports) and on update (Service
// allocations carried over).
import { applySchemeDefaults } from './scheme-defaults.js';
import { allocateServiceValues, keepAllocatedServiceValues } from './service-ips.js';

function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export interface CreateDefaultsOptions {
  /** A control-plane write (`emulator.apply()`): the status is taken as given. */
  control?: boolean;
}

/** Pod QoS class as the apiserver computes it for `status.qosClass` (cpu and memory only). */
function podQosClass(pod: any): string {
  const containers = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])];
  let any = false;
  let guaranteed = containers.length > 0;
  for (const c of containers) {
    const req = { ...(c?.resources?.limits ?? {}), ...(c?.resources?.requests ?? {}) };
    const lim = c?.resources?.limits ?? {};
    for (const r of ['cpu', 'memory']) {
      if (req[r] !== undefined || lim[r] !== undefined) any = true;
      if (lim[r] === undefined || String(req[r]) !== String(lim[r])) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

/** Applies create-time defaults; `obj` is a fresh copy the caller owns. */
export function applyCreateDefaults(kind: string, group: string, obj: any, now: Date, opts: CreateDefaultsOptions = {}): void {
  if (group === '' && kind === 'Namespace') {
    obj.spec = { finalizers: ['kubernetes'], ...(obj.spec ?? {}) };
  } else if (group === '' && kind === 'Pod') {
    // A real apiserver ignores the status of a created pod (podStrategy.PrepareForCreate): it is
    // Pending until the kubelet reports. The control API keeps a given status so tests can set
    // up running pods in one call (a status without a phase still gets Pending, as before).
    if (!opts.control || obj.status === undefined || obj.status === null) obj.status = { phase: 'Pending', qosClass: podQosClass(obj) };
    else obj.status = { phase: 'Pending', ...obj.status };
  } else if (group === '' && kind === 'Service') {
    obj.status ??= { loadBalancer: {} };
  } else if (group === 'apiextensions.k8s.io' && kind === 'CustomResourceDefinition') {
    setCrdStatus(obj, now);
  }
  applySchemeDefaults(kind, group, obj);
  if (group === '' && kind === 'Service') allocateServiceValues(obj);
}

/** Applies update-time defaults to `next` (a fresh copy the caller owns); `old` is the stored object. */
export function applyUpdateDefaults(kind: string, group: string, next: any, old: any): void {
  applySchemeDefaults(kind, group, next);
  if (group === '' && kind === 'Service') keepAllocatedServiceValues(next, old);
}

/** A CRD the emulator accepts is at once Established (no controller delay). */
export function setCrdStatus(crd: any, now: Date): void {
  const t = rfc3339(now);
  crd.status = {
    acceptedNames: { ...crd.spec.names, singular: crd.spec.names.singular ?? crd.spec.names.kind.toLowerCase(), listKind: crd.spec.names.listKind ?? `${crd.spec.names.kind}List` },
    conditions: [
      { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found', lastTransitionTime: t },
      { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted', lastTransitionTime: t },
    ],
    storedVersions: (crd.spec.versions ?? []).filter((v: any) => v.storage).map((v: any) => v.name),
  };
}

export { rfc3339 };
