// The resolver > kubernetes block's view of a Service: the ready addresses of
// its Endpoints object, each with every port of `ports` (the Collector's
// k8s resolver), or the addresses' hostnames with return_hostnames.
import fs from 'node:fs';

interface EndpointsObject {
  subsets?: { addresses?: { ip?: string; hostname?: string }[] }[];
}

const SA_NAMESPACE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

/** "svc.ns" as { svc, ns }; a bare "svc" lives in our own namespace (the service account's), else "default". */
export function parseService(service: string, ownNamespace: () => string | undefined = readOwnNamespace): { name: string; namespace: string } {
  const [name, namespace] = service.split('.', 2);
  if (!name) throw new Error(`resolver.kubernetes: service ${JSON.stringify(service)} is empty`);
  return { name, namespace: namespace || ownNamespace() || 'default' };
}

function readOwnNamespace(): string | undefined {
  try {
    return fs.readFileSync(SA_NAMESPACE, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

export function kubernetesEndpoints(obj: EndpointsObject | undefined, ports: readonly number[], returnHostnames: boolean): string[] {
  const out: string[] = [];
  for (const s of obj?.subsets ?? []) {
    for (const a of s.addresses ?? []) {
      const host = returnHostnames ? a.hostname : a.ip;
      if (!host) continue;
      for (const p of ports) out.push(host.includes(':') ? `[${host}]:${p}` : `${host}:${p}`);
    }
  }
  return out;
}
