// Kubernetes objects of Prometheus's discovery/kubernetes *_test.go fixtures,
// written as the JSON the API server would return.
import type { Endpoints, Ingress, KubeObject, Namespace, Node, Pod, RoleContext, Service } from '../types.js';

export const clone = <T>(x: T): T => structuredClone(x);

export function makeNamespace(name: string, labels: Record<string, string>, annotations: Record<string, string>): Namespace {
  return { metadata: { name, labels, annotations } };
}

export function makeNode(
  name: string,
  address: string,
  providerID: string,
  labels: Record<string, string> = {},
  annotations: Record<string, string> = {},
  conditions?: { type: string; status: string }[],
): Node {
  return {
    metadata: { name, labels, annotations },
    spec: { providerID },
    status: { addresses: [{ type: 'InternalIP', address }], daemonEndpoints: { kubeletEndpoint: { Port: 10250 } }, conditions },
  };
}

export function makePods(namespace: string): Pod {
  return {
    metadata: { name: 'testpod', namespace, uid: 'abc123' },
    spec: {
      nodeName: 'testnode',
      containers: [{ name: 'testcontainer', image: 'testcontainer:latest', ports: [{ name: 'testport', protocol: 'TCP', containerPort: 9000 }] }],
    },
    status: {
      podIP: '1.2.3.4',
      hostIP: '2.3.4.5',
      phase: 'Running',
      conditions: [{ type: 'Ready', status: 'True' }],
      containerStatuses: [{ name: 'testcontainer', containerID: 'docker://a1b2c3d4e5f6' }],
    },
  };
}

export function makeService(namespace: string): Service {
  return {
    metadata: { name: 'testservice', namespace },
    spec: { ports: [{ name: 'testport', protocol: 'TCP', port: 30900 }], type: 'ClusterIP', clusterIP: '10.0.0.1' },
  };
}

/** A RoleContext backed by plain lists, as the component's caches would be. */
export function contextOf(objs: {
  pods?: Pod[];
  services?: Service[];
  nodes?: Node[];
  namespaces?: Namespace[];
  replicaSets?: KubeObject[];
  jobs?: KubeObject[];
  jobName?: boolean;
}): RoleContext {
  const byNsName = <T extends KubeObject>(list: T[]) => (namespace: string, name: string) =>
    list.find((o) => o.metadata?.namespace === namespace && o.metadata?.name === name);
  const byName = <T extends KubeObject>(list: T[]) => (name: string) => list.find((o) => o.metadata?.name === name);
  const ctx: RoleContext = {};
  if (objs.pods) ctx.pod = byNsName(objs.pods);
  if (objs.services) ctx.service = byNsName(objs.services);
  if (objs.nodes) ctx.node = byName(objs.nodes);
  if (objs.namespaces) ctx.namespace = byName(objs.namespaces);
  if (objs.replicaSets) ctx.replicaSet = byNsName(objs.replicaSets);
  if (objs.jobs) ctx.job = byNsName(objs.jobs);
  if (objs.jobName) ctx.jobName = true;
  return ctx;
}

export type { Endpoints, Ingress };
