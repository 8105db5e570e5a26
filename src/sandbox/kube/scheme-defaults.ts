// The API server's scheme defaulting: what a real kube-apiserver fills in every time it decodes
// an object of a built-in kind (create, update, patch, and reads from storage alike). Only the
// defaults clients can observe are here, above all those that change the labels Prometheus's
// Kubernetes discovery produces (port protocols and names, Service type, pod/host IPs, the
// namespace name label). Facts from kubernetes pkg/apis/core/v1/defaults.go + conversion.go,
// pkg/apis/discovery/v1/defaults.go and the `+default` markers of k8s.io/api.
//
// Rule throughout: a value that is set is never overwritten. "Unset" is what Go sees after JSON
// decoding: an absent key, a JSON null, or the zero value ("" / 0) of a non-pointer field.

type Obj = Record<string, any>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const arr = (v: unknown): any[] => (Array.isArray(v) ? v : []);
/** A non-pointer string field: absent, null and "" are all unset. */
const unsetStr = (v: unknown) => v === undefined || v === null || v === '';
/** A non-pointer integer field: absent, null and 0 are all unset. */
const unsetInt = (v: unknown) => v === undefined || v === null || v === 0;
/** A pointer field: only absent and null are unset (a zero value is a value). */
const unsetPtr = (v: unknown) => v === undefined || v === null;

function defaultStr(o: Obj, key: string, value: string): void {
  if (unsetStr(o[key])) o[key] = value;
}
function defaultInt(o: Obj, key: string, value: number): void {
  if (unsetInt(o[key])) o[key] = value;
}
function defaultPtr(o: Obj, key: string, value: unknown): void {
  if (unsetPtr(o[key])) o[key] = value;
}

/** Applies the scheme defaults of `kind` (in `group`) to `obj` in place. */
export function applySchemeDefaults(kind: string, group: string, obj: Obj): void {
  if (!isObj(obj)) return;
  const key = `${group}/${kind}`;
  switch (key) {
    case '/Pod':
      return defaultPod(obj);
    case '/Service':
      return defaultService(obj);
    case '/Endpoints':
      return defaultEndpoints(obj);
    case 'discovery.k8s.io/EndpointSlice':
      return defaultEndpointSlice(obj);
    case '/Namespace':
      return defaultNamespace(obj);
    case '/Secret':
      defaultStr(obj, 'type', 'Opaque');
      return;
    case 'apps/Deployment':
      return defaultDeployment(obj);
  }
}

// ---- Pod ---------------------------------------------------------------------------------------

/** parsers.ParseImageName: no tag and no digest means the tag "latest". */
function imageTag(image: string): string {
  const at = image.indexOf('@');
  const beforeDigest = at >= 0 ? image.slice(0, at) : image;
  const lastPart = beforeDigest.slice(beforeDigest.lastIndexOf('/') + 1);
  const colon = lastPart.indexOf(':');
  if (colon >= 0) return lastPart.slice(colon + 1);
  return at >= 0 ? '' : 'latest';
}

function defaultProbe(p: unknown): void {
  if (!isObj(p)) return;
  defaultInt(p, 'timeoutSeconds', 1);
  defaultInt(p, 'periodSeconds', 10);
  defaultInt(p, 'successThreshold', 1);
  defaultInt(p, 'failureThreshold', 3);
  if (isObj(p.httpGet)) {
    defaultStr(p.httpGet, 'path', '/');
    defaultStr(p.httpGet, 'scheme', 'HTTP');
  }
}

function defaultContainer(c: unknown, hostNetwork: boolean): void {
  if (!isObj(c)) return;
  if (unsetStr(c.imagePullPolicy)) c.imagePullPolicy = imageTag(String(c.image ?? '')) === 'latest' ? 'Always' : 'IfNotPresent';
  defaultStr(c, 'terminationMessagePath', '/dev/termination-log');
  defaultStr(c, 'terminationMessagePolicy', 'File');
  for (const p of arr(c.ports)) {
    if (!isObj(p)) continue;
    // ContainerPort.Protocol `+default="TCP"` (SetDefaults_ContainerPort in older releases).
    defaultStr(p, 'protocol', 'TCP');
    // With host networking every container port is also a host port (defaultHostNetworkPorts).
    if (hostNetwork && unsetInt(p.hostPort) && p.containerPort !== undefined) p.hostPort = p.containerPort;
  }
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c.startupProbe);
}

/**
 * v1 -> internal -> v1 conversion keeps the singular and plural IP fields in step: a set singular
 * field is authoritative for the first entry of the plural one; an unset singular field takes the
 * first plural entry (Convert_v1_PodStatus_To_core_PodStatus and back).
 */
function syncIps(status: Obj, single: string, plural: string): void {
  const list = arr(status[plural]).filter(isObj);
  const one = status[single];
  if (!unsetStr(one)) {
    if (list.length === 0) status[plural] = [{ ip: one }];
    else if (list[0].ip !== one) status[plural] = [{ ...list[0], ip: one }, ...list.slice(1)];
  } else if (list.length > 0 && !unsetStr(list[0].ip)) {
    status[single] = list[0].ip;
  }
}

function defaultPod(pod: Obj): void {
  if (!isObj(pod.spec)) pod.spec = {};
  const spec = pod.spec;
  defaultStr(spec, 'dnsPolicy', 'ClusterFirst');
  defaultStr(spec, 'restartPolicy', 'Always');
  defaultStr(spec, 'schedulerName', 'default-scheduler');
  defaultPtr(spec, 'terminationGracePeriodSeconds', 30);
  defaultPtr(spec, 'securityContext', {});
  defaultPtr(spec, 'enableServiceLinks', true);
  const hostNetwork = spec.hostNetwork === true;
  for (const c of arr(spec.containers)) defaultContainer(c, hostNetwork);
  for (const c of arr(spec.initContainers)) defaultContainer(c, hostNetwork);
  for (const c of arr(spec.ephemeralContainers)) defaultContainer(c, false);
  if (isObj(pod.status)) {
    syncIps(pod.status, 'podIP', 'podIPs');
    syncIps(pod.status, 'hostIP', 'hostIPs');
  }
}

// ---- Service -----------------------------------------------------------------------------------

function defaultService(svc: Obj): void {
  if (!isObj(svc.spec)) svc.spec = {};
  const spec = svc.spec;
  defaultStr(spec, 'sessionAffinity', 'None');
  if (spec.sessionAffinity === 'None') delete spec.sessionAffinityConfig;
  else if (spec.sessionAffinity === 'ClientIP' && unsetPtr(spec.sessionAffinityConfig?.clientIP?.timeoutSeconds)) {
    spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: 10800 } };
  }
  defaultStr(spec, 'type', 'ClusterIP');
  // Every type, ExternalName included: protocol TCP, targetPort the port (also for 0 and "").
  for (const p of arr(spec.ports)) {
    if (!isObj(p)) continue;
    defaultStr(p, 'protocol', 'TCP');
    if (p.targetPort === undefined || p.targetPort === null || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port;
  }
  const externallyAccessible = spec.type === 'NodePort' || spec.type === 'LoadBalancer' || (spec.type === 'ClusterIP' && arr(spec.externalIPs).length > 0);
  if (externallyAccessible) defaultStr(spec, 'externalTrafficPolicy', 'Cluster');
  if (['ClusterIP', 'NodePort', 'LoadBalancer'].includes(spec.type)) defaultPtr(spec, 'internalTrafficPolicy', 'Cluster');
  if (spec.type === 'LoadBalancer') {
    defaultPtr(spec, 'allocateLoadBalancerNodePorts', true);
    for (const ing of arr(svc.status?.loadBalancer?.ingress)) {
      if (isObj(ing) && !unsetStr(ing.ip)) defaultPtr(ing, 'ipMode', 'VIP');
    }
  }
}

// ---- Endpoints, EndpointSlice ------------------------------------------------------------------

function defaultEndpoints(ep: Obj): void {
  for (const ss of arr(ep.subsets)) {
    if (!isObj(ss)) continue;
    for (const p of arr(ss.ports)) if (isObj(p)) defaultStr(p, 'protocol', 'TCP');
  }
}

/** discovery/v1 SetDefaults_EndpointPort: name and protocol are pointers defaulted to "" and TCP. */
function defaultEndpointSlice(slice: Obj): void {
  for (const p of arr(slice.ports)) {
    if (!isObj(p)) continue;
    defaultPtr(p, 'name', '');
    defaultPtr(p, 'protocol', 'TCP');
  }
  // endpoints[].conditions are pointers without defaults: left exactly as given.
}

// ---- Namespace, Deployment ---------------------------------------------------------------------

function defaultNamespace(ns: Obj): void {
  if (!isObj(ns.metadata)) ns.metadata = {};
  const name = ns.metadata.name;
  // SetDefaults_Namespace sets (not merely defaults) the name label, on every write.
  if (typeof name === 'string' && name) ns.metadata.labels = { ...(isObj(ns.metadata.labels) ? ns.metadata.labels : {}), 'kubernetes.io/metadata.name': name };
  if (!isObj(ns.status)) ns.status = {};
  defaultStr(ns.status, 'phase', 'Active');
}

function defaultDeployment(d: Obj): void {
  if (!isObj(d.spec)) d.spec = {};
  defaultPtr(d.spec, 'replicas', 1);
  defaultPtr(d.spec, 'revisionHistoryLimit', 10);
  defaultPtr(d.spec, 'progressDeadlineSeconds', 600);
}
