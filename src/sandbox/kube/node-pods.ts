// The answer of a kubelet's `GET /pods`: the PodList of the pods bound to one node. One
// definition for the kubelet emulator and the API emulator's node proxy, so both say the same.

/** A v1 PodList of the pods in `pods` whose `spec.nodeName` is `nodeName`, in the given order. */
export function nodePodList(pods: readonly any[], nodeName: string): { kind: 'PodList'; apiVersion: 'v1'; metadata: Record<string, never>; items: any[] } {
  return { kind: 'PodList', apiVersion: 'v1', metadata: {}, items: pods.filter((p) => p?.spec?.nodeName === nodeName) };
}
