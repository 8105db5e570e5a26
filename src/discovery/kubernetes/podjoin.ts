// The pod join shared by the endpoints and endpointslice roles: targets backed
// by a pod get its labels and the matching container port, and every declared
// container port of such a pod that no endpoint port covers becomes an extra target.
import { ADDRESS, META, joinHostPort, nm, ns } from './labels.js';
import { podContainers, podLabels } from './pod.js';
import type { ObjectReference, Pod, RoleContext, Target } from './types.js';

export class PodJoin {
  /** Pods seen in this object, in order of first appearance, with the endpoint ports that used them. */
  readonly #seen = new Map<string, { pod: Pod; ports: number[] }>();

  constructor(private readonly ctx: RoleContext) {}

  /** The pod a target reference points at, when it is a known pod. */
  resolve(ref: ObjectReference | undefined): Pod | undefined {
    if (!ref || ref.kind !== 'Pod' || !this.ctx.pod) return undefined;
    return this.ctx.pod(ref.namespace ?? '', ref.name ?? '');
  }

  /**
   * Merge pod labels into `target` and, when a container declares `port`, its
   * container labels. `protocol` is what Prometheus writes into
   * `_pod_container_port_protocol` (the endpoint port's for endpoints, the
   * container port's for endpointslice). Like Prometheus, a later container
   * declaring the same port number overrides an earlier one.
   */
  join(target: Target, pod: Pod, port: number | undefined, protocol: (containerProto: string | undefined) => string): Target {
    const key = `${ns(pod.metadata)}/${nm(pod.metadata)}`;
    let entry = this.#seen.get(key);
    if (!entry) {
      entry = { pod, ports: [] };
      this.#seen.set(key, entry);
    }
    const out: Target = { ...target, ...podLabels(pod, this.ctx) };
    if (port != null) {
      for (const { c, isInit } of podContainers(pod)) {
        const cp = (c.ports ?? []).find((p) => (p.containerPort ?? 0) === port);
        if (!cp) continue;
        out[`${META}pod_container_name`] = c.name ?? '';
        out[`${META}pod_container_image`] = c.image ?? '';
        out[`${META}pod_container_port_name`] = cp.name ?? '';
        out[`${META}pod_container_port_number`] = String(port);
        out[`${META}pod_container_port_protocol`] = protocol(cp.protocol);
        out[`${META}pod_container_init`] = String(isInit);
      }
      entry.ports.push(port);
    }
    return out;
  }

  /** Targets for container ports of seen pods that no endpoint port covered. */
  extraTargets(): Target[] {
    const out: Target[] = [];
    for (const { pod, ports } of this.#seen.values()) {
      const ip = pod.status?.podIP ?? '';
      if (ip === '') continue;
      for (const { c, isInit } of podContainers(pod)) {
        for (const cp of c.ports ?? []) {
          const n = cp.containerPort ?? 0;
          if (ports.includes(n)) continue;
          out.push({
            [ADDRESS]: joinHostPort(ip, n),
            [`${META}pod_container_name`]: c.name ?? '',
            [`${META}pod_container_image`]: c.image ?? '',
            [`${META}pod_container_port_name`]: cp.name ?? '',
            [`${META}pod_container_port_number`]: String(n),
            [`${META}pod_container_port_protocol`]: cp.protocol ?? '',
            [`${META}pod_container_init`]: String(isInit),
            ...podLabels(pod, this.ctx),
          });
        }
      }
    }
    return out;
  }
}
