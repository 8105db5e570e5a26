// Hand-written test fixtures: the targets discovery.kubernetes (Prometheus's
// kubernetes_sd) exports for pods and services, label for label.
import type { Target } from '../relabel/targets.js';

const M = '__meta_kubernetes_';
const sanitize = (s: string) => s.replace(/[^a-zA-Z0-9_]/gu, '_');

function objectMeta(kind: 'pod' | 'service', labels: Record<string, string>, annotations: Record<string, string>): Target {
  const out: Target = {};
  for (const [k, v] of Object.entries(labels)) {
    out[`${M}${kind}_label_${sanitize(k)}`] = v;
    out[`${M}${kind}_labelpresent_${sanitize(k)}`] = 'true';
  }
  for (const [k, v] of Object.entries(annotations)) {
    out[`${M}${kind}_annotation_${sanitize(k)}`] = v;
    out[`${M}${kind}_annotationpresent_${sanitize(k)}`] = 'true';
  }
  return out;
}

export interface PortSpec {
  name?: string;
  containerPort: number;
  protocol?: 'TCP' | 'UDP' | 'SCTP';
}
export interface ContainerSpec {
  name: string;
  ports?: PortSpec[];
  init?: boolean;
}
export interface PodSpec {
  namespace?: string;
  name: string;
  ip: string;
  phase?: string;
  ready?: 'true' | 'false' | 'unknown';
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  containers: ContainerSpec[];
}

const join = (host: string, port: number) => (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`);

/** One target per container port, one port-less target per container without ports (init containers last). */
export function podTargets(p: PodSpec): Target[] {
  const namespace = p.namespace ?? 'default';
  const common: Target = {
    [`${M}namespace`]: namespace,
    [`${M}pod_name`]: p.name,
    [`${M}pod_ip`]: p.ip,
    [`${M}pod_ready`]: p.ready ?? 'true',
    [`${M}pod_phase`]: p.phase ?? 'Running',
    [`${M}pod_node_name`]: 'node-1',
    [`${M}pod_host_ip`]: '192.168.1.10',
    [`${M}pod_uid`]: `uid-${p.name}`,
    [`${M}pod_controller_kind`]: 'ReplicaSet',
    [`${M}pod_controller_name`]: `${p.name}-rs`,
    ...objectMeta('pod', p.labels ?? {}, p.annotations ?? {}),
  };
  const ordered = [...p.containers.filter((c) => !c.init), ...p.containers.filter((c) => c.init)];
  const out: Target[] = [];
  for (const c of ordered) {
    const cl: Target = {
      ...common,
      [`${M}pod_container_name`]: c.name,
      [`${M}pod_container_image`]: `registry.example/${c.name}:1.0`,
      [`${M}pod_container_init`]: c.init ? 'true' : 'false',
      [`${M}pod_container_id`]: `containerd://${c.name}-id`,
    };
    if (!c.ports?.length) {
      out.push({ __address__: p.ip, ...cl });
      continue;
    }
    for (const port of c.ports) {
      out.push({
        __address__: join(p.ip, port.containerPort),
        ...cl,
        [`${M}pod_container_port_name`]: port.name ?? '',
        [`${M}pod_container_port_number`]: String(port.containerPort),
        [`${M}pod_container_port_protocol`]: port.protocol ?? 'TCP',
      });
    }
  }
  return out;
}

export interface ServiceSpec {
  namespace?: string;
  name: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ports: PortSpec[];
}

/** One target per service port, addressed by the service's DNS name. */
export function serviceTargets(s: ServiceSpec): Target[] {
  const namespace = s.namespace ?? 'default';
  return s.ports.map((port) => ({
    __address__: `${s.name}.${namespace}.svc:${port.containerPort}`,
    [`${M}namespace`]: namespace,
    [`${M}service_name`]: s.name,
    [`${M}service_type`]: 'ClusterIP',
    [`${M}service_cluster_ip`]: '10.96.0.20',
    [`${M}service_port_name`]: port.name ?? '',
    [`${M}service_port_number`]: String(port.containerPort),
    [`${M}service_port_protocol`]: port.protocol ?? 'TCP',
    ...objectMeta('service', s.labels ?? {}, s.annotations ?? {}),
  }));
}
