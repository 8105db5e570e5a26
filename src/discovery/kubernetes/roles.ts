// The registry of discovery roles: the one list argument validation and the
// discoverer read. A new role is its own file exporting a RoleDescriptor,
// listed here.
import { endpointSliceRole } from './endpointslice.js';
import { endpointsRole } from './endpoints.js';
import { ingressRole } from './ingress.js';
import { nodeRole } from './node.js';
import { podRole } from './pod.js';
import type { RoleDescriptor } from './role.js';
import { serviceRole } from './service.js';

/** Prometheus's kubernetes_sd_configs roles, in its documentation's order. */
const BUILTIN_ROLES: RoleDescriptor[] = [podRole, serviceRole, endpointsRole, endpointSliceRole, nodeRole, ingressRole];

const registry = new Map<string, RoleDescriptor>(BUILTIN_ROLES.map((d) => [d.role, d]));

/** The descriptor of `role`, or undefined for an unknown role. */
export function roleDescriptor(role: string): RoleDescriptor | undefined {
  return registry.get(role);
}

/** Every registered role name, built-in ones first. */
export function roleNames(): string[] {
  return [...registry.keys()];
}

export function roleDescriptors(): RoleDescriptor[] {
  return [...registry.values()];
}

/**
 * Adds a role (for embedders and tests); returns the function that removes it
 * again. A name already taken is an error: roles are never replaced.
 */
export function registerRole(d: RoleDescriptor): () => void {
  if (registry.has(d.role)) throw new Error(`discovery role ${JSON.stringify(d.role)} is already registered`);
  registry.set(d.role, d);
  return () => {
    if (registry.get(d.role) === d) registry.delete(d.role);
  };
}
