// Capsules: opaque runtime values (receivers, compiled rules) that config
// expressions pass around but cannot look into. Each carries its capsule type
// name, as Alloy's capsules do, so the decoder can refuse a value of the wrong
// kind (a logs receiver where metrics are wanted) with both names.

/** Where a capsule keeps its type name: a symbol, so it never shows in JSON or the UI. */
export const CAPSULE_TYPE: unique symbol = Symbol.for('alloy-ts.capsule-type');

export interface Capsule {
  readonly [CAPSULE_TYPE]: string;
}

/** The capsule type name of a value, or undefined when it is not a capsule. */
export function capsuleTypeOf(v: unknown): string | undefined {
  if (v === null || (typeof v !== 'object' && typeof v !== 'function')) return undefined;
  const name = (v as Partial<Capsule>)[CAPSULE_TYPE];
  return typeof name === 'string' ? name : undefined;
}

/** Marks `v` as a capsule of `type` (in place; the marker is not enumerable) and returns it. */
export function asCapsule<T extends object>(type: string, v: T): T & Capsule {
  Object.defineProperty(v, CAPSULE_TYPE, { value: type, enumerable: false, configurable: false, writable: false });
  return v as T & Capsule;
}
