// Service cluster IP and node port allocation as the apiserver's Service REST storage does it:
// allocate on create, and on update keep what the client left out (patchAllocatedValues), so a
// PUT or `apply()` of a Service without `clusterIP` keeps its address instead of losing it.

type Obj = Record<string, any>;

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

const needsClusterIp = (spec: Obj | undefined) => !!spec && spec.type !== 'ExternalName';
const needsNodePort = (spec: Obj | undefined) => !!spec && (spec.type === 'NodePort' || spec.type === 'LoadBalancer') && spec.allocateLoadBalancerNodePorts !== false;
const empty = (v: unknown) => v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);

/** Fills in whatever is still missing: cluster IP(s), IP family fields, node ports. */
export function allocateServiceValues(svc: Obj): void {
  const spec = svc.spec;
  if (!needsClusterIp(spec)) return;
  if (empty(spec.clusterIP)) spec.clusterIP = allocateClusterIp();
  if (empty(spec.clusterIPs)) spec.clusterIPs = [spec.clusterIP];
  if (empty(spec.ipFamilies)) spec.ipFamilies = [String(spec.clusterIP).includes(':') ? 'IPv6' : 'IPv4'];
  if (empty(spec.ipFamilyPolicy)) spec.ipFamilyPolicy = 'SingleStack';
  if (!needsNodePort(spec)) return;
  for (const p of Array.isArray(spec.ports) ? spec.ports : []) {
    if (p && typeof p === 'object' && !p.nodePort) p.nodePort = allocateNodePort();
  }
}

/** Update: values allocated before and not given now are carried over (by port name for node ports). */
export function keepAllocatedServiceValues(next: Obj, old: Obj): void {
  const n = next.spec;
  const o = old?.spec;
  if (needsClusterIp(o) && needsClusterIp(n)) {
    if (empty(n.clusterIP)) n.clusterIP = o.clusterIP;
    if (empty(n.clusterIPs) && !empty(o.clusterIPs)) n.clusterIPs = o.clusterIPs;
    if (empty(n.ipFamilies) && !empty(o.ipFamilies)) n.ipFamilies = o.ipFamilies;
    if (empty(n.ipFamilyPolicy) && !empty(o.ipFamilyPolicy)) n.ipFamilyPolicy = o.ipFamilyPolicy;
  }
  if (needsNodePort(o) && needsNodePort(n)) {
    const ports = (s: Obj) => (Array.isArray(s.ports) ? s.ports.filter((p: unknown) => p && typeof p === 'object') : []);
    const inNew = new Set(ports(n).map((p: Obj) => p.nodePort).filter(Boolean));
    // A node port the new object already uses elsewhere cannot be patched in twice.
    const used = new Set(ports(o).map((p: Obj) => p.nodePort).filter((np: number) => inNew.has(np)));
    const byName = new Map<string, number>(ports(o).map((p: Obj) => [String(p.name ?? ''), p.nodePort]));
    for (const p of ports(n)) {
      const prev = byName.get(String(p.name ?? ''));
      if (!p.nodePort && prev && !used.has(prev)) p.nodePort = prev;
    }
  }
  allocateServiceValues(next);
}
