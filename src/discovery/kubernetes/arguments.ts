// Arguments of discovery.kubernetes, their schema and validation (Prometheus's rules).
import fs from 'node:fs';
import { kubeClientAttrs, kubeClientBlocks, validateKubeClientArgs, type KubeClientArgs } from '../../kube/client.js';
import { t, type BlockSchema } from '../../runtime/types.js';

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

/** Which selector roles each role's watches use (Prometheus's allowedSelectors). */
export const ALLOWED_SELECTORS: Record<Role, Role[]> = {
  pod: ['pod', 'node'],
  service: ['service'],
  endpointslice: ['pod', 'service', 'endpointslice'],
  endpoints: ['pod', 'service', 'endpoints'],
  node: ['node'],
  ingress: ['ingress'],
};

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

export function validateDiscoveryArgs(a: DiscoveryArgs): void {
  if (!ROLES.includes(a.role)) throw new Error(`role ${JSON.stringify(a.role)} is not one of ${ROLES.join(', ')}`);
  validateKubeClientArgs(a);
  if (a.namespaces?.own_namespace && (a.api_server || a.kubeconfig_file)) {
    throw new Error("namespaces.own_namespace needs the in-cluster config: it cannot be combined with 'api_server' or 'kubeconfig_file'");
  }
  const seen = new Set<string>();
  for (const s of a.selectors ?? []) {
    if (!ROLES.includes(s.role)) throw new Error(`selectors: role ${JSON.stringify(s.role)} is not one of ${ROLES.join(', ')}`);
    if (seen.has(s.role)) throw new Error(`selectors: duplicated selector role ${JSON.stringify(s.role)}`);
    seen.add(s.role);
    if (!ALLOWED_SELECTORS[a.role].includes(s.role)) {
      throw new Error(`selectors: the ${a.role} role supports only ${ALLOWED_SELECTORS[a.role].join(', ')} selectors`);
    }
  }
}

const OWN_NAMESPACE_FILE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

/** The namespaces to watch; [undefined] means all namespaces. */
export function namespacesToWatch(a: DiscoveryArgs, readOwn: () => string = () => fs.readFileSync(OWN_NAMESPACE_FILE, 'utf8').trim()): (string | undefined)[] {
  const names = [...(a.namespaces?.names ?? [])];
  if (a.namespaces?.own_namespace) {
    const own = readOwn();
    if (!own) throw new Error(`could not read own namespace name (${OWN_NAMESPACE_FILE} is empty)`);
    names.push(own);
  }
  if (names.length === 0) return [undefined];
  return [...new Set(names)];
}

export function selectorFor(a: DiscoveryArgs, role: Role): { labelSelector?: string; fieldSelector?: string } {
  const s = (a.selectors ?? []).find((x) => x.role === role);
  return { labelSelector: s?.label || undefined, fieldSelector: s?.field || undefined };
}
