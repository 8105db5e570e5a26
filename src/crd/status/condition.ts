// The status we write to each custom resource a component uses: an
// `Accepted` condition shaped like the prometheus-operator's
// ConfigResourceCondition (type, status, reason, message, lastTransitionTime,
// observedGeneration) and the number of targets it yields. Upstream writes
// Accepted only inside the feature-gated status.bindings[]; we put it at
// status.conditions and add status.observedTargets.

/** The operator's reason for a rejected resource (pkg/operator/config_resource.go). */
export const INVALID_CONFIGURATION = 'InvalidConfiguration';
/** Our reason for an accepted resource (the operator leaves it empty). */
export const ACCEPTED_REASON = 'Accepted';

export interface AcceptedCondition {
  type: 'Accepted';
  status: 'True' | 'False';
  reason: string;
  message?: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

/** What a component decided about one resource. */
export interface CrVerdict {
  namespace: string;
  name: string;
  generation?: number;
  accepted: boolean;
  /** Required when not accepted: why, naming the field. */
  message?: string;
  /** Targets the resource yields after relabeling (all of them, whoever scrapes them). */
  targets?: number;
  /** The object's `.status` as last read (the informer's copy). */
  current?: unknown;
}

export interface StatusPatch {
  status: { conditions: unknown[]; observedTargets?: number };
}

const MAX_MESSAGE = 1024;

function conditionsOf(current: unknown): Record<string, unknown>[] {
  const c = (current as { conditions?: unknown } | undefined)?.conditions;
  return Array.isArray(c) ? c.filter((x): x is Record<string, unknown> => typeof x === 'object' && x !== null) : [];
}

/**
 * The merge patch that brings `.status` to the verdict, or undefined when the
 * resource already says it (so a status write, echoed back by the watch,
 * does not cause another). Conditions of other types are kept; the
 * transition time moves only when True/False flips.
 */
export function statusPatch(v: CrVerdict, now: Date = new Date()): StatusPatch | undefined {
  const others = conditionsOf(v.current).filter((c) => c.type !== 'Accepted');
  const old = conditionsOf(v.current).find((c) => c.type === 'Accepted');
  const status = v.accepted ? 'True' : 'False';
  const cond: AcceptedCondition = {
    type: 'Accepted',
    status,
    reason: v.accepted ? ACCEPTED_REASON : INVALID_CONFIGURATION,
    lastTransitionTime: old?.status === status && typeof old.lastTransitionTime === 'string' ? old.lastTransitionTime : now.toISOString().replace(/\.\d+Z$/, 'Z'),
  };
  const message = v.accepted ? v.message : (v.message ?? 'rejected');
  if (message) cond.message = message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE)}...` : message;
  if (v.generation !== undefined) cond.observedGeneration = v.generation;
  const curTargets = (v.current as { observedTargets?: unknown } | undefined)?.observedTargets;
  const same =
    old !== undefined &&
    old.status === cond.status &&
    old.reason === cond.reason &&
    (old.message ?? undefined) === cond.message &&
    (old.observedGeneration ?? undefined) === cond.observedGeneration &&
    (v.targets === undefined || curTargets === v.targets);
  if (same) return undefined;
  const patch: StatusPatch = { status: { conditions: [...others, cond] } };
  if (v.targets !== undefined) patch.status.observedTargets = v.targets;
  return patch;
}
