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

export interface EndpointSpec {
  ip: string;
  pod: string;
  ready: boolean;
}

/**
 * role = "endpoints": one target per endpoint address and port, with the
 * Service's and the backing pod's labels; `slice` gives role = "endpointslice" names.
 */
export function endpointTargets(svc: ServiceSpec, container: string, endpoints: EndpointSpec[], slice = false): Target[] {
  const namespace = svc.namespace ?? 'default';
  const service = objectMeta('service', svc.labels ?? {}, svc.annotations ?? {});
  const out: Target[] = [];
  for (const ep of endpoints) {
    for (const port of svc.ports) {
      const t: Target = {
        __address__: join(ep.ip, port.containerPort),
        [`${M}namespace`]: namespace,
        [`${M}service_name`]: svc.name,
        ...service,
        [`${M}pod_name`]: ep.pod,
        [`${M}pod_ip`]: ep.ip,
        [`${M}pod_ready`]: String(ep.ready),
        [`${M}pod_phase`]: 'Running',
        [`${M}pod_container_name`]: container,
        [`${M}pod_container_port_name`]: port.name ?? '',
        [`${M}pod_container_port_number`]: String(port.containerPort),
        [`${M}pod_container_port_protocol`]: port.protocol ?? 'TCP',
      };
      if (slice) {
        Object.assign(t, {
          [`${M}endpointslice_name`]: `${svc.name}-abcde`,
          [`${M}endpointslice_address_type`]: ep.ip.includes(':') ? 'IPv6' : 'IPv4',
          [`${M}endpointslice_endpoint_conditions_ready`]: String(ep.ready),
          [`${M}endpointslice_port_name`]: port.name ?? '',
          [`${M}endpointslice_port_protocol`]: port.protocol ?? 'TCP',
          [`${M}endpointslice_address_target_kind`]: 'Pod',
          [`${M}endpointslice_address_target_name`]: ep.pod,
        });
      } else {
        Object.assign(t, {
          [`${M}endpoints_name`]: svc.name,
          [`${M}endpoint_ready`]: String(ep.ready),
          [`${M}endpoint_port_name`]: port.name ?? '',
          [`${M}endpoint_port_protocol`]: port.protocol ?? 'TCP',
          [`${M}endpoint_address_target_kind`]: 'Pod',
          [`${M}endpoint_address_target_name`]: ep.pod,
        });
      }
      out.push(t);
    }
  }
  return out;
}
