// What the tailer needs to know about a pod between two log streams.
import type { KubeApi } from '../kube/api.js';

export interface ContainerView {
  restartCount: number;
  containerID?: string;
  /** running | waiting | terminated | unknown */
  state: string;
  /** The container has run at least once (a log exists). */
  started: boolean;
}

export interface PodView {
  exists: boolean;
  uid?: string;
  phase?: string;
  restartPolicy?: string;
  container?: ContainerView;
}

interface ContainerStatus {
  name: string;
  restartCount?: number;
  containerID?: string;
  state?: { running?: unknown; waiting?: unknown; terminated?: unknown };
  lastState?: { terminated?: unknown };
}

export async function getPodView(api: KubeApi, namespace: string, pod: string, container: string, signal?: AbortSignal): Promise<PodView> {
  const res = await api.json('GET', `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}`, undefined, signal);
  if (res.status === 404) return { exists: false };
  if (res.status !== 200) throw new Error(`get pod ${namespace}/${pod}: HTTP ${res.status}`);
  const p = res.body as { metadata?: { uid?: string }; spec?: { restartPolicy?: string }; status?: { phase?: string; containerStatuses?: ContainerStatus[]; initContainerStatuses?: ContainerStatus[]; ephemeralContainerStatuses?: ContainerStatus[] } };
  const all = [...(p.status?.containerStatuses ?? []), ...(p.status?.initContainerStatuses ?? []), ...(p.status?.ephemeralContainerStatuses ?? [])];
  const cs = all.find((c) => c.name === container);
  let container_: ContainerView | undefined;
  if (cs) {
    const state = cs.state?.running ? 'running' : cs.state?.terminated ? 'terminated' : cs.state?.waiting ? 'waiting' : 'unknown';
    container_ = {
      restartCount: cs.restartCount ?? 0,
      containerID: cs.containerID,
      state,
      started: state !== 'waiting' || (cs.restartCount ?? 0) > 0 || !!cs.lastState?.terminated,
    };
  }
  return { exists: true, uid: p.metadata?.uid, phase: p.status?.phase, restartPolicy: p.spec?.restartPolicy, container: container_ };
}

/** The container will not produce more log lines (pod finished, or terminated and never restarted). */
export function containerDone(v: PodView): boolean {
  if (!v.exists) return true;
  if (v.phase === 'Succeeded' || v.phase === 'Failed') return true;
  return v.container?.state === 'terminated' && v.restartPolicy === 'Never';
}
