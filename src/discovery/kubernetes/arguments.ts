// Arguments of discovery.kubernetes, their schema and validation (Prometheus's rules).
import fs from 'node:fs';
import { kubeClientAttrs, kubeClientBlocks, validateKubeClientArgs, type KubeClientArgs } from '../../kube/client.js';
import { t, type BlockSchema } from '../../runtime/types.js';
import { ATTACH_METADATA_FLAGS, activeWatches, type AttachMetadata, type RoleDescriptor } from './role.js';
import { roleDescriptor, roleNames } from './roles.js';
import { fieldSelectorProblem, labelSelectorProblem } from './selector-syntax.js';

/** A role name of the registry (roles.ts). */
export type Role = string;

export interface SelectorArgs {
  role: Role;
  label?: string;
  field?: string;
}

export interface DiscoveryArgs extends KubeClientArgs {
  role: Role;
  namespaces?: { names?: string[]; own_namespace?: boolean };
  selectors?: SelectorArgs[];
  attach_metadata?: AttachMetadata;
  /** alloy-ts extension (experimental): keep only the targets this cluster replica owns (shard.ts). */
  sharding?: { enabled?: boolean };
}

export const argsSchema: BlockSchema = {
  attrs: { role: { type: t.string(), required: true }, ...kubeClientAttrs },
  blocks: {
    ...kubeClientBlocks,
    namespaces: {
      schema: { attrs: { names: { type: t.array(t.string()), default: [] }, own_namespace: { type: t.bool(), default: false } } },
    },
    selectors: {
      multiple: true,
      schema: { attrs: { role: { type: t.string(), required: true }, label: { type: t.string() }, field: { type: t.string() } } },
    },
    attach_metadata: {
      schema: { attrs: Object.fromEntries(ATTACH_METADATA_FLAGS.map((f) => [f, { type: t.bool(), default: false }])) },
    },
    // Not in Alloy: an alloy-ts extension, hence experimental (shard.ts says why and how).
    sharding: { stability: 'experimental', schema: { attrs: { enabled: { type: t.bool(), default: false } } } },
  },
  validate: (a: DiscoveryArgs) => validateDiscoveryArgs(a),
};

/**
 * Rejects what can never work (an unknown role, a malformed selector, bad HTTP client settings)
 * and returns warnings for what Alloy accepts although Prometheus's own config loading would
 * refuse it. Alloy validates only the HTTP client settings of discovery.kubernetes and hands the
 * rest to Prometheus's discoverer as is, so an existing Alloy config must run unchanged here:
 * the run-time behaviour below is that discoverer's (kubernetes.go New, mapSelector, getNamespaces).
 */
export function validateDiscoveryArgs(a: DiscoveryArgs): string[] {
  const role = knownRole(a.role, '');
  validateKubeClientArgs(a);
  const warnings: string[] = [];
  const ownNamespaceIgnored = ownNamespaceIgnoredBy(a);
  if (ownNamespaceIgnored) {
    const nothing = (a.namespaces?.names ?? []).length === 0 && role.resource.namespaced;
    warnings.push(
      `namespaces.own_namespace is ignored together with '${ownNamespaceIgnored}': the own namespace is read only with the in-cluster config, as in Alloy` +
        (nothing ? '; with no namespaces.names nothing is watched, so there are no targets' : ''),
    );
  }
  const count = new Map<Role, number>();
  for (const [i, s] of (a.selectors ?? []).entries()) {
    knownRole(s.role, `selectors[${i}]: `);
    const lp = s.label ? labelSelectorProblem(s.label) : undefined;
    if (lp) throw new Error(`selectors[${i}] (role ${s.role}): label selector ${JSON.stringify(s.label)} is malformed: ${lp}`);
    const fp = s.field ? fieldSelectorProblem(s.field) : undefined;
    if (fp) throw new Error(`selectors[${i}] (role ${s.role}): field selector ${JSON.stringify(s.field)} is malformed: ${fp}`);
    count.set(s.role, (count.get(s.role) ?? 0) + 1);
  }
  const watched = watchedSelectorRoles(a);
  for (const [selRole, n] of count) {
    if (n > 1) {
      const last = selectorFor(a, selRole);
      const shown = `label ${JSON.stringify(last.labelSelector ?? '')}, field ${JSON.stringify(last.fieldSelector ?? '')}`;
      warnings.push(`selectors: role ${JSON.stringify(selRole)} is given ${n} times; only the last one (${shown}) is used, as in Alloy`);
    }
    if (!watched.has(selRole)) warnings.push(`selectors: the ${selRole} selector is ignored: ${whySelectorIgnored(role, selRole)}`);
  }
  return warnings;
}

/** The descriptor of a role name, or an error naming the registered roles. */
function knownRole(name: string, where: string): RoleDescriptor {
  const d = roleDescriptor(name);
  if (!d) throw new Error(`${where}role ${JSON.stringify(name)} is not one of ${roleNames().join(', ')}`);
  return d;
}

/** Why a selector of `selRole` has no effect on `role`'s watches with the current settings. */
function whySelectorIgnored(role: RoleDescriptor, selRole: Role): string {
  const gated = role.extraWatches.find((w) => w.selectorRole === selRole && w.attachMetadata);
  if (gated) {
    const flags = gated.attachMetadata!.map((f) => `${f} = true`).join(' or ');
    return `it applies only to the ${selRole} watch of attach_metadata { ${flags} }`;
  }
  return `the ${role.role} role does not watch ${roleDescriptor(selRole)!.resource.resource}`;
}

/** The selector roles whose resources this configuration watches (where a selector takes effect). */
export function watchedSelectorRoles(a: DiscoveryArgs): Set<Role> {
  const roles = new Set<Role>([a.role]);
  const d = roleDescriptor(a.role);
  for (const w of d ? activeWatches(d, a.attach_metadata) : []) if (w.selectorRole) roles.add(w.selectorRole);
  return roles;
}

/** Which setting makes own_namespace ineffective (Prometheus reads it only for the in-cluster config). */
function ownNamespaceIgnoredBy(a: DiscoveryArgs): 'kubeconfig_file' | 'api_server' | undefined {
  if (!a.namespaces?.own_namespace) return undefined;
  if (a.kubeconfig_file) return 'kubeconfig_file';
  if (a.api_server) return 'api_server';
  return undefined;
}

const OWN_NAMESPACE_FILE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

/** The namespaces to watch; [undefined] means all namespaces. */
export function namespacesToWatch(a: DiscoveryArgs, readOwn: () => string = () => fs.readFileSync(OWN_NAMESPACE_FILE, 'utf8').trim()): (string | undefined)[] {
  const names = [...(a.namespaces?.names ?? [])];
  if (ownNamespaceIgnoredBy(a)) {
    // As Prometheus's getNamespaces: own_namespace without an own namespace still means "not all
    // namespaces", so only the listed ones are watched (none when there are none).
    return [...new Set(names)];
  }
  if (a.namespaces?.own_namespace) {
    const own = readOwn();
    if (!own) throw new Error(`could not read own namespace name (${OWN_NAMESPACE_FILE} is empty)`);
    names.push(own);
  }
  if (names.length === 0) return [undefined];
  return [...new Set(names)];
}

/** The selector of `role`; with several, the last one wins whole (Prometheus's mapSelector). */
export function selectorFor(a: DiscoveryArgs, role: Role): { labelSelector?: string; fieldSelector?: string } {
  const s = (a.selectors ?? []).findLast((x) => x.role === role);
  return { labelSelector: s?.label || undefined, fieldSelector: s?.field || undefined };
}
