// The attach_metadata watches, shared by the roles that honour them. A role
// lists the ones it supports among its extra watches; each is on only with
// its flag.
import { JOBS, NAMESPACES, NODES, PODS, REPLICASETS, SERVICES } from './resources.js';
import type { AttachMetadata, ExtraWatch, RoleOptions } from './role.js';

/** attach_metadata.node: the node of each target, filtered by the node selector. */
export const NODE_METADATA: ExtraWatch = { resource: NODES, lookup: 'node', selectorRole: 'node', attachMetadata: ['node'] };

/** attach_metadata.namespace: the namespace's labels and annotations. */
export const NAMESPACE_METADATA: ExtraWatch = { resource: NAMESPACES, lookup: 'namespace', attachMetadata: ['namespace'] };

/**
 * The pod's owners: deployment through the ReplicaSet, cronjob through the
 * Job. attach_metadata.job alone reads the name from the pod's owner
 * reference, yet the jobs are watched for it all the same.
 */
export const POD_OWNER_METADATA: ExtraWatch[] = [
  { resource: REPLICASETS, lookup: 'replicaSet', attachMetadata: ['deployment'] },
  { resource: JOBS, lookup: 'job', attachMetadata: ['cronjob'] },
  { resource: JOBS, attachMetadata: ['job'] },
];

/** RoleContext settings of the pod owner metadata. */
export function podOwnerOptions(am: AttachMetadata): RoleOptions {
  return am.job ? { jobName: true } : {};
}

/**
 * What the endpoints and endpointslice roles watch beside their own resource:
 * the service of the same name and the pods addresses point at, each filtered
 * by its own selector, plus the metadata attach_metadata asks for.
 */
export const ENDPOINT_JOINS: ExtraWatch[] = [
  { resource: SERVICES, lookup: 'service', selectorRole: 'service' },
  { resource: PODS, lookup: 'pod', selectorRole: 'pod' },
  NODE_METADATA,
  NAMESPACE_METADATA,
  ...POD_OWNER_METADATA,
];
