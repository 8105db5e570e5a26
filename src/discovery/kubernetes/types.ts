// The subset of Kubernetes object shapes the discovery roles read, plus the
// target-group types they produce. Fields are optional because the API server
// omits empty values in JSON.
import type { Target } from '../../relabel/targets.js';

export interface OwnerReference {
  apiVersion?: string;
  kind?: string;
  name?: string;
  uid?: string;
  controller?: boolean;
}

export interface ObjectMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
}

export interface ContainerPort {
  name?: string;
  containerPort?: number;
  protocol?: string;
}

export interface Container {
  name?: string;
  image?: string;
  ports?: ContainerPort[];
}

export interface ContainerStatus {
  name?: string;
  containerID?: string;
}

export interface Pod extends KubeObject {
  spec?: { nodeName?: string; containers?: Container[]; initContainers?: Container[] };
  status?: {
    podIP?: string;
    hostIP?: string;
    phase?: string;
    conditions?: { type?: string; status?: string }[];
    containerStatuses?: ContainerStatus[];
    initContainerStatuses?: ContainerStatus[];
  };
}

export interface ServicePort {
  name?: string;
  port?: number;
  protocol?: string;
}

export interface Service extends KubeObject {
  spec?: {
    type?: string;
    clusterIP?: string;
    externalName?: string;
    loadBalancerIP?: string;
    ports?: ServicePort[];
    ipFamilyPolicy?: string;
    ipFamilies?: string[];
  };
  status?: { loadBalancer?: { ingress?: { ip?: string; hostname?: string }[] } };
}

export interface ObjectReference {
  kind?: string;
  namespace?: string;
  name?: string;
}

export interface EndpointAddress {
  ip?: string;
  hostname?: string;
  nodeName?: string;
  targetRef?: ObjectReference;
}

export interface EndpointPort {
  name?: string;
  port?: number;
  protocol?: string;
  appProtocol?: string;
}

export interface Endpoints extends KubeObject {
  subsets?: { addresses?: EndpointAddress[]; notReadyAddresses?: EndpointAddress[]; ports?: EndpointPort[] }[];
}

export interface SliceEndpoint {
  addresses?: string[];
  conditions?: { ready?: boolean; serving?: boolean; terminating?: boolean };
  hostname?: string;
  targetRef?: ObjectReference;
  nodeName?: string;
  zone?: string;
  deprecatedTopology?: Record<string, string>;
}

export interface EndpointSlice extends KubeObject {
  addressType?: string;
  endpoints?: SliceEndpoint[];
  ports?: EndpointPort[];
}

export interface Node extends KubeObject {
  spec?: { providerID?: string };
  status?: {
    addresses?: { type?: string; address?: string }[];
    conditions?: { type?: string; status?: string }[];
    daemonEndpoints?: { kubeletEndpoint?: { Port?: number } };
  };
}

export interface IngressRule {
  host?: string;
  http?: { paths?: { path?: string }[] };
}

export interface Ingress extends KubeObject {
  spec?: { ingressClassName?: string; rules?: IngressRule[]; tls?: { hosts?: string[] }[] };
}

export type Namespace = KubeObject;

/** One label set; `__address__` is the target address. The one Target type is relabel's. */
export type { Target };

/** Prometheus's target group: labels shared by every target of one source object. */
export interface TargetGroup {
  source: string;
  labels: Target;
  targets: Target[];
}

/**
 * What a role function may look up besides its own object: the other caches
 * of the same discoverer, and which metadata to attach. Lookups return
 * undefined when the object is not (or not yet) known.
 */
export interface RoleContext {
  pod?(namespace: string, name: string): Pod | undefined;
  service?(namespace: string, name: string): Service | undefined;
  /** Set only when attach_metadata.node is on. */
  node?(name: string): Node | undefined;
  /** Set only when attach_metadata.namespace is on. */
  namespace?(name: string): Namespace | undefined;
  /** Set only when attach_metadata.deployment is on (pod -> ReplicaSet -> Deployment). */
  replicaSet?(namespace: string, name: string): KubeObject | undefined;
  /** Set only when attach_metadata.cronjob is on (pod -> Job -> CronJob). */
  job?(namespace: string, name: string): KubeObject | undefined;
  /** attach_metadata.job: `_pod_job_name` from the pod's controlling Job. */
  jobName?: boolean;
}
