// The kubelet's /pods answer (a v1 PodList) -> targets. The labels come from
// the pod role of discovery.kubernetes (one label logic for both), without the
// node/namespace/controller-owner metadata only the API server could add.
import { flattenGroups } from '../discovery/kubernetes/labels.js';
import { podTargets } from '../discovery/kubernetes/pod.js';
import type { Pod, Target } from '../discovery/kubernetes/types.js';
import { KubeletError } from './client.js';

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Why a value at `path` cannot be read as the role function expects, or undefined when fine. */
function shapeProblem(pod: Record<string, unknown>): string | undefined {
  const objects: [string, unknown][] = [
    ['metadata', pod.metadata],
    ['spec', pod.spec],
    ['status', pod.status],
  ];
  for (const [p, v] of objects) if (v !== undefined && !isObj(v)) return `${p} is not an object`;
  const meta = (pod.metadata ?? {}) as Record<string, unknown>;
  for (const k of ['labels', 'annotations']) {
    const m = meta[k];
    if (m === undefined || m === null) continue;
    if (!isObj(m)) return `metadata.${k} is not an object`;
    for (const [name, val] of Object.entries(m)) if (typeof val !== 'string') return `metadata.${k}[${JSON.stringify(name)}] is not a string`;
  }
  for (const k of ['name', 'namespace', 'uid']) if (meta[k] !== undefined && typeof meta[k] !== 'string') return `metadata.${k} is not a string`;
  const lists: [string, unknown][] = [
    ['metadata.ownerReferences', meta.ownerReferences],
    ['spec.containers', (pod.spec as Record<string, unknown> | undefined)?.containers],
    ['spec.initContainers', (pod.spec as Record<string, unknown> | undefined)?.initContainers],
    ['status.conditions', (pod.status as Record<string, unknown> | undefined)?.conditions],
    ['status.containerStatuses', (pod.status as Record<string, unknown> | undefined)?.containerStatuses],
    ['status.initContainerStatuses', (pod.status as Record<string, unknown> | undefined)?.initContainerStatuses],
  ];
  for (const [p, v] of lists) {
    if (v === undefined || v === null) continue;
    if (!Array.isArray(v) || !v.every(isObj)) return `${p} is not a list of objects`;
    if (p.endsWith('ontainers')) {
      for (const c of v as Record<string, unknown>[]) {
        if (c.ports !== undefined && c.ports !== null && (!Array.isArray(c.ports) || !c.ports.every(isObj))) return `${p}[].ports is not a list of objects`;
      }
    }
  }
  const st = (pod.status ?? {}) as Record<string, unknown>;
  for (const k of ['podIP', 'hostIP', 'phase']) if (st[k] !== undefined && typeof st[k] !== 'string') return `status.${k} is not a string`;
  return undefined;
}

/** Parse a PodList body; a body that is not one is a KubeletError('body') naming the problem. */
export function parsePodList(body: string, where: string): Pod[] {
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch (e) {
    const head = body.slice(0, 60).replace(/\s+/g, ' ');
    throw new KubeletError('body', `${where}: the answer is not JSON (${(e as Error).message}; starts with ${JSON.stringify(head)})`);
  }
  if (!isObj(doc)) throw new KubeletError('body', `${where}: the answer is not a PodList object`);
  if (doc.kind !== undefined && doc.kind !== 'PodList') throw new KubeletError('body', `${where}: expected kind PodList, got ${JSON.stringify(doc.kind)}`);
  const items = doc.items ?? [];
  if (!Array.isArray(items)) throw new KubeletError('body', `${where}: PodList.items is not a list`);
  items.forEach((p, i) => {
    if (!isObj(p)) throw new KubeletError('body', `${where}: PodList.items[${i}] is not an object`);
    const problem = shapeProblem(p);
    if (problem) {
      const m = (isObj(p.metadata) ? p.metadata : {}) as Record<string, unknown>;
      throw new KubeletError('body', `${where}: pod items[${i}] (${String(m.namespace ?? '?')}/${String(m.name ?? '?')}): ${problem}`);
    }
  });
  return items as Pod[];
}

/**
 * Targets of the pods in `namespaces` (all when empty), grouped and ordered
 * exactly as discovery.kubernetes orders its pod groups, so equal inputs give
 * equal (comparable) outputs.
 */
export function podListTargets(pods: Pod[], namespaces: readonly string[] = []): Target[] {
  const keep = namespaces.length === 0 ? () => true : (p: Pod) => namespaces.includes(p.metadata?.namespace ?? '');
  const groups = pods.filter(keep).map((p) => podTargets(p));
  groups.sort((x, y) => (x.source < y.source ? -1 : x.source > y.source ? 1 : 0));
  return flattenGroups(groups);
}
