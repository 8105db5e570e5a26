// Shared helpers of the logs e2e tests: running pods in the emulator, the
// discovery-like targets for them, and checks over what Loki received.
import type { KubeEmulator } from '../../src/sandbox/kube/index.js';
import type { LokiReceiver } from '../../src/sandbox/receivers/loki-receiver.js';

export function runningPod(ns: string, name: string, containers: string[], uid = `uid-${ns}-${name}`): any {
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, uid, labels: { app: name } },
    spec: { nodeName: 'node-a', containers: containers.map((c) => ({ name: c, image: 'busybox' })) },
    status: {
      phase: 'Running',
      podIP: '10.0.0.1',
      containerStatuses: containers.map((c) => ({ name: c, ready: true, restartCount: 0, image: 'busybox', imageID: '', started: true, state: { running: { startedAt: now } } })),
    },
  };
}

/** What discovery.kubernetes (role pod) exports for a pod, one target per container. */
export function targetsFor(pod: any): Record<string, string>[] {
  return pod.spec.containers.map((c: { name: string }) => ({
    __address__: pod.status.podIP,
    __meta_kubernetes_namespace: pod.metadata.namespace,
    __meta_kubernetes_pod_name: pod.metadata.name,
    __meta_kubernetes_pod_container_name: c.name,
    __meta_kubernetes_pod_uid: pod.metadata.uid,
    app: pod.metadata.labels.app,
  }));
}

export function streamLines(loki: LokiReceiver, ns: string, pod: string, container: string): string[] {
  for (const s of loki.streams.values()) {
    if (s.labels.namespace === ns && s.labels.pod === pod && s.labels.container === container) return s.entries.map((e) => e.line);
  }
  return [];
}

/** Lines "<prefix> <n>" for n in [from, to). */
export function numbered(prefix: string, from: number, to: number): string[] {
  return Array.from({ length: to - from }, (_, i) => `${prefix} ${from + i}`);
}

/** Appends lines in rounds to many streams, with distinct increasing timestamps. */
export function appendAll(api: KubeEmulator, streams: { ns: string; pod: string; container: string }[], from: number, to: number): void {
  for (const s of streams) api.logs.append(s.ns, s.pod, s.container, numbered(`${s.pod}/${s.container}`, from, to));
}
