// Helpers for lists of targets (label objects) shared by the discovery
// components in this folder's users: equality to avoid needless re-exports.

export type Target = Record<string, string>;

/** Same targets in the same order with the same labels. */
export function targetsEqual(a: readonly Target[], b: readonly Target[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (!labelsEqual(a[i]!, b[i]!)) return false;
  }
  return true;
}

export function labelsEqual(a: Target, b: Target): boolean {
  if (a === b) return true;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) {
    if (!Object.hasOwn(b, k) || a[k] !== b[k]) return false;
  }
  return true;
}
