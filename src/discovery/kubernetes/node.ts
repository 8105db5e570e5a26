// role = "node": one target per node at its preferred address and kubelet port.
import { ADDRESS, META, addObjectMetaLabels, joinHostPort, nm, sanitizeLabelName } from './labels.js';
import { NODES } from './resources.js';
import type { RoleDescriptor } from './role.js';
import type { Node, RoleContext, Target, TargetGroup } from './types.js';

/** Address types in the order Prometheus prefers them for `__address__`. */
export const NODE_ADDRESS_PRIORITY = ['InternalIP', 'InternalDNS', 'ExternalIP', 'ExternalDNS', 'LegacyHostIP', 'Hostname'];

export function nodeSource(name: string): string {
  return `node/${name}`;
}

/**
 * `_node_provider_id`, one `_node_condition_<type>` per status condition (type and status
 * lowercased; added in Prometheus v3.12.0, present in v3.14.0's node.go nodeLabels, so not
 * shown by Prometheus 2.x), then the object meta labels.
 */
export function nodeLabels(node: Node): Target {
  const ls: Target = { [`${META}node_provider_id`]: node.spec?.providerID ?? '' };
  for (const c of node.status?.conditions ?? []) {
    ls[`${META}node_condition_${sanitizeLabelName((c.type ?? '').toLowerCase())}`] = (c.status ?? '').toLowerCase();
  }
  addObjectMetaLabels(ls, node.metadata, 'node');
  return ls;
}

/** Addresses grouped by type (in order of appearance), and the preferred one. */
export function nodeAddress(node: Node): { address: string | undefined; byType: Map<string, string[]> } {
  const byType = new Map<string, string[]>();
  for (const a of node.status?.addresses ?? []) {
    const type = a.type ?? '';
    const list = byType.get(type) ?? [];
    list.push(a.address ?? '');
    byType.set(type, list);
  }
  for (const type of NODE_ADDRESS_PRIORITY) {
    const list = byType.get(type);
    if (list) return { address: list[0], byType };
  }
  return { address: undefined, byType };
}

/** `_ctx` is unused: nodes carry no attached metadata, kept for a uniform role signature. */
export function nodeTargets(node: Node, _ctx: RoleContext = {}): TargetGroup {
  const name = nm(node.metadata);
  const group: TargetGroup = { source: nodeSource(name), labels: nodeLabels(node), targets: [] };
  const { address, byType } = nodeAddress(node);
  // Prometheus skips (and warns about) a node without any usable address.
  if (address === undefined) return group;
  const t: Target = {
    [ADDRESS]: joinHostPort(address, node.status?.daemonEndpoints?.kubeletEndpoint?.Port ?? 0),
    instance: name,
  };
  for (const [type, list] of byType) t[sanitizeLabelName(`${META}node_address_${type}`)] = list[0];
  group.targets.push(t);
  return group;
}

/**
 * The group Prometheus holds for `node` after processing it: buildNode returns
 * nil for a node without a usable address and nil is never sent (node.go
 * buildNode, kubernetes.go send), so such a node keeps the group it had before
 * (`previous`), or has none. Deleting the node is what clears its group.
 */
export function nodeGroupAfterUpdate(node: Node, previous: TargetGroup | undefined): TargetGroup | undefined {
  if (nodeAddress(node).address === undefined) return previous;
  return nodeTargets(node);
}

/** Nodes carry no attached metadata: no extra watches, and a node without address keeps its old group. */
export const nodeRole: RoleDescriptor<Node> = {
  role: 'node',
  resource: NODES,
  extraWatches: [],
  build: nodeTargets,
  next: (node, previous) => nodeGroupAfterUpdate(node, previous),
};
