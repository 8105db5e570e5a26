// Arguments of discovery.kubernetes, their schema and validation (Prometheus's rules).
import fs from 'node:fs';
import { kubeClientAttrs, kubeClientBlocks, validateKubeClientArgs, type KubeClientArgs } from '../../kube/client.js';
import { t, type BlockSchema } from '../../runtime/types.js';
import { fieldSelectorProblem, labelSelectorProblem } from './selector-syntax.js';

export const ROLES = ['pod', 'service', 'endpoints', 'endpointslice', 'node', 'ingress'] as const;
export type Role = (typeof ROLES)[number];

export interface SelectorArgs {
  role: Role;
  label?: string;
  field?: string;
}

export interface DiscoveryArgs extends KubeClientArgs {
  role: Role;
  namespaces?: { names?: string[]; own_namespace?: boolean };
  selectors?: SelectorArgs[];
  attach_metadata?: { node?: boolean; namespace?: boolean; deployment?: boolean; job?: boolean; cronjob?: boolean };
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
      schema: {
        attrs: {
          node: { type: t.bool(), default: false },
          namespace: { type: t.bool(), default: false },
          deployment: { type: t.bool(), default: false },
          job: { type: t.bool(), default: false },
          cronjob: { type: t.bool(), default: false },
        },
      },
    },
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
  if (!ROLES.includes(a.role)) throw new Error(`role ${JSON.stringify(a.role)} is not one of ${ROLES.join(', ')}`);
  validateKubeClientArgs(a);
  const warnings: string[] = [];
  const ownNamespaceIgnored = ownNamespaceIgnoredBy(a);
  if (ownNamespaceIgnored) {
    const nothing = (a.namespaces?.names ?? []).length === 0 && a.role !== 'node';
    warnings.push(
      `namespaces.own_namespace is ignored together with '${ownNamespaceIgnored}': the own namespace is read only with the in-cluster config, as in Alloy` +
        (nothing ? '; with no namespaces.names nothing is watched, so there are no targets' : ''),
    );
  }
  const count = new Map<Role, number>();
  for (const [i, s] of (a.selectors ?? []).entries()) {
    if (!ROLES.includes(s.role)) throw new Error(`selectors[${i}]: role ${JSON.stringify(s.role)} is not one of ${ROLES.join(', ')}`);
    const lp = s.label ? labelSelectorProblem(s.label) : undefined;
    if (lp) throw new Error(`selectors[${i}] (role ${s.role}): label selector ${JSON.stringify(s.label)} is malformed: ${lp}`);
    const fp = s.field ? fieldSelectorProblem(s.field) : undefined;
    if (fp) throw new Error(`selectors[${i}] (role ${s.role}): field selector ${JSON.stringify(s.field)} is malformed: ${fp}`);
    count.set(s.role, (count.get(s.role) ?? 0) + 1);
  }
  const watched = watchedSelectorRoles(a);
  for (const [role, n] of count) {
    if (n > 1) {
      const last = selectorFor(a, role);
      const shown = `label ${JSON.stringify(last.labelSelector ?? '')}, field ${JSON.stringify(last.fieldSelector ?? '')}`;
      warnings.push(`selectors: role ${JSON.stringify(role)} is given ${n} times; only the last one (${shown}) is used, as in Alloy`);
    }
    if (!watched.has(role)) {
      const why =
        role === 'node' && NODE_META_ROLES.includes(a.role)
          ? `it applies only to the node watch of attach_metadata { node = true }`
          : `the ${a.role} role does not watch ${MAIN_RESOURCE[role]}`;
      warnings.push(`selectors: the ${role} selector is ignored: ${why}`);
    }
  }
  return warnings;
}

/** Roles that can watch nodes for attach_metadata { node = true }. */
const NODE_META_ROLES: Role[] = ['pod', 'endpoints', 'endpointslice'];
/** The resource each role lists and watches for its own targets. */
export const MAIN_RESOURCE: Record<Role, string> = {
  pod: 'pods',
  service: 'services',
  endpoints: 'endpoints',
  endpointslice: 'endpointslices',
  node: 'nodes',
  ingress: 'ingresses',
};

/** The selector roles whose resources this configuration watches (where a selector takes effect). */
export function watchedSelectorRoles(a: DiscoveryArgs): Set<Role> {
  const roles = new Set<Role>([a.role]);
  if (a.role === 'endpoints' || a.role === 'endpointslice') {
    roles.add('service');
    roles.add('pod');
  }
  if (a.attach_metadata?.node && NODE_META_ROLES.includes(a.role)) roles.add('node');
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
