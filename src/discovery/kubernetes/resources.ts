// The Kubernetes resources that more than one role watches (as its own
// resource or for lookups). A resource only one role needs is declared in
// that role's file.
import type { ResourceRef } from './role.js';

export const PODS: ResourceRef = { group: '', version: 'v1', resource: 'pods', namespaced: true };
export const SERVICES: ResourceRef = { group: '', version: 'v1', resource: 'services', namespaced: true };
export const NODES: ResourceRef = { group: '', version: 'v1', resource: 'nodes', namespaced: false };
export const NAMESPACES: ResourceRef = { group: '', version: 'v1', resource: 'namespaces', namespaced: false };
export const REPLICASETS: ResourceRef = { group: 'apps', version: 'v1', resource: 'replicasets', namespaced: true };
export const JOBS: ResourceRef = { group: 'batch', version: 'v1', resource: 'jobs', namespaced: true };
