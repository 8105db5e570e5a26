// Server-side defaults the apiserver fills in on create, as far as clients can observe them.

let nextClusterIp = 1;
let nextNodePort = 30000;

function allocateClusterIp(): string {
  const n = nextClusterIp++;
  return `10.96.${(n >> 8) & 255}.${n & 255}`;
}

function allocateNodePort(): number {
  const p = nextNodePort++;
  if (nextNodePort > 32767) nextNodePort = 30000;
  return p;
}

function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Applies create-time defaults; `obj` is a fresh copy the caller owns. */
export function applyCreateDefaults(kind: string, group: string, obj: any, now: Date): void {
  if (group === '' && kind === 'Namespace') {
    obj.spec = { finalizers: ['kubernetes'], ...(obj.spec ?? {}) };
    obj.status = { phase: 'Active', ...(obj.status ?? {}) };
    obj.metadata.labels = { 'kubernetes.io/metadata.name': obj.metadata.name, ...(obj.metadata.labels ?? {}) };
  } else if (group === '' && kind === 'Pod') {
    obj.spec = { restartPolicy: 'Always', dnsPolicy: 'ClusterFirst', schedulerName: 'default-scheduler', ...(obj.spec ?? {}) };
    obj.status = { phase: 'Pending', ...(obj.status ?? {}) };
  } else if (group === '' && kind === 'Service') {
    const spec = (obj.spec = { type: 'ClusterIP', sessionAffinity: 'None', ...(obj.spec ?? {}) });
    if (spec.type !== 'ExternalName') {
      if (!spec.clusterIP) spec.clusterIP = allocateClusterIp();
      if (!spec.clusterIPs) spec.clusterIPs = [spec.clusterIP];
      spec.ipFamilies ??= ['IPv4'];
      spec.ipFamilyPolicy ??= 'SingleStack';
      spec.internalTrafficPolicy ??= 'Cluster';
      for (const p of spec.ports ?? []) {
        p.protocol ??= 'TCP';
        if (p.targetPort === undefined) p.targetPort = p.port;
        if ((spec.type === 'NodePort' || spec.type === 'LoadBalancer') && !p.nodePort) p.nodePort = allocateNodePort();
      }
    }
    obj.status ??= { loadBalancer: {} };
  } else if (group === 'apps' && kind === 'Deployment') {
    obj.spec = { replicas: 1, revisionHistoryLimit: 10, progressDeadlineSeconds: 600, ...(obj.spec ?? {}) };
  } else if (group === 'apiextensions.k8s.io' && kind === 'CustomResourceDefinition') {
    setCrdStatus(obj, now);
  }
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
