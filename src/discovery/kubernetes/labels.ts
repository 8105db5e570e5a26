// Label helpers shared by every role, with Prometheus's exact naming.
import type { Namespace, Node, ObjectMeta, OwnerReference, RoleContext, Target, TargetGroup } from './types.js';

export const META = '__meta_kubernetes_';
export const ADDRESS = '__address__';
export const NAMESPACE_LABEL = `${META}namespace`;

/** Prometheus's strutil.SanitizeLabelName: every char outside [a-zA-Z0-9_] becomes '_'. */
export function sanitizeLabelName(name: string): string {
  // Go replaces per rune: the 'u' flag makes an astral character one match, not two.
  return name.replace(/[^a-zA-Z0-9_]/gu, '_');
}

/** `<prefix><resource>_label_<k>`, `_labelpresent_`, `_annotation_`, `_annotationpresent_`. */
export function addLabelsAndAnnotations(ls: Target, meta: ObjectMeta | undefined, resource: string): void {
  for (const [k, v] of Object.entries(meta?.labels ?? {})) {
    const n = sanitizeLabelName(k);
    ls[`${META}${resource}_label_${n}`] = v ?? '';
    ls[`${META}${resource}_labelpresent_${n}`] = 'true';
  }
  for (const [k, v] of Object.entries(meta?.annotations ?? {})) {
    const n = sanitizeLabelName(k);
    ls[`${META}${resource}_annotation_${n}`] = v ?? '';
    ls[`${META}${resource}_annotationpresent_${n}`] = 'true';
  }
}

/** `<prefix><role>_name` plus labels and annotations of the object. */
export function addObjectMetaLabels(ls: Target, meta: ObjectMeta | undefined, role: string): void {
  ls[`${META}${role}_name`] = meta?.name ?? '';
  addLabelsAndAnnotations(ls, meta, role);
}

/** The owner reference marked `controller: true`, if any. */
export function controllerOf(meta: ObjectMeta | undefined): OwnerReference | undefined {
  return meta?.ownerReferences?.find((r) => r.controller === true);
}

/** Go's net.JoinHostPort: brackets around hosts containing ':' (IPv6). */
export function joinHostPort(host: string, port: number | string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Labels of a node (attach_metadata.node): node name, labels, annotations. Empty when unknown. */
export function nodeMetaLabels(ctx: RoleContext, nodeName: string | null | undefined): Target {
  const out: Target = {};
  if (nodeName == null || !ctx.node) return out;
  const node: Node | undefined = ctx.node(nodeName);
  if (node) addObjectMetaLabels(out, node.metadata, 'node');
  return out;
}

/** Labels of a namespace (attach_metadata.namespace): labels and annotations (no name). */
export function namespaceMetaLabels(ctx: RoleContext, namespace: string): Target {
  const out: Target = {};
  if (!ctx.namespace) return out;
  const ns: Namespace | undefined = ctx.namespace(namespace);
  if (ns) addLabelsAndAnnotations(out, ns.metadata, 'namespace');
  return out;
}

/**
 * Flatten groups into targets the way Prometheus's scrape layer does: group
 * labels are added to each target unless the target already has that name.
 */
export function flattenGroups(groups: Iterable<TargetGroup>): Target[] {
  const out: Target[] = [];
  for (const g of groups) {
    for (const t of g.targets) out.push({ ...g.labels, ...t });
  }
  return out;
}

export function ns(meta: ObjectMeta | undefined): string {
  return meta?.namespace ?? '';
}

export function nm(meta: ObjectMeta | undefined): string {
  return meta?.name ?? '';
}
