// The contract between the runtime and every component. A component is
// declared by a ComponentDefinition (name, argument schema, exports) and
// registered once (see registry.ts); the runtime builds one instance per
// config block, feeds it decoded arguments and reacts to its exports.
import type { LiveDebugPublisher } from './live-debugging.js';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { ClusterOwnership } from '../clustering/ownership.js';
import type { StabilityLevel } from '../syntax/stability.js';

export type ValueType =
  | { type: 'string' }
  | { type: 'number' }
  | { type: 'bool' }
  | { type: 'duration' } // Alloy duration string ("1m30s") -> milliseconds (number)
  | { type: 'any' }
  | { type: 'secret' } // string or Secret -> Secret
  | { type: 'array'; of: ValueType }
  | { type: 'map'; of: ValueType } // object with arbitrary keys
  | { type: 'capsule'; of: string }; // opaque runtime object (e.g. a receiver)

export const t = {
  string: (): ValueType => ({ type: 'string' }),
  number: (): ValueType => ({ type: 'number' }),
  bool: (): ValueType => ({ type: 'bool' }),
  duration: (): ValueType => ({ type: 'duration' }),
  any: (): ValueType => ({ type: 'any' }),
  secret: (): ValueType => ({ type: 'secret' }),
  array: (of: ValueType): ValueType => ({ type: 'array', of }),
  map: (of: ValueType): ValueType => ({ type: 'map', of }),
  capsule: (of: string): ValueType => ({ type: 'capsule', of }),
  /** A list of targets: `list(map(string))`. */
  targets: (): ValueType => ({ type: 'array', of: { type: 'map', of: { type: 'string' } } }),
};

export interface AttrSchema {
  type: ValueType;
  required?: boolean;
  default?: unknown;
  /** Below generally-available: usable only with a low enough --stability.level (see stability.ts). */
  stability?: StabilityLevel;
}

export interface BlockSpec {
  schema: BlockSchema;
  /** The block may appear several times; decoded as an array (in order). */
  multiple?: boolean;
  required?: boolean;
  /** Below generally-available: usable only with a low enough --stability.level (see stability.ts). */
  stability?: StabilityLevel;
}

export interface BlockSchema {
  attrs?: Record<string, AttrSchema>;
  blocks?: Record<string, BlockSpec>;
  /**
   * When true, the decoded object also gets `_blocks`: every nested block in
   * source order as `{ name, value }` (for pipelines such as loki.process stages).
   */
  ordered?: boolean;
  /** Extra validation after decoding; throw Error(reason) to reject. */
  validate?: (decoded: any) => void;
}

export type HealthState = 'healthy' | 'unhealthy' | 'unknown';

export interface Health {
  state: HealthState;
  message: string;
  updatedTime: string; // ISO 8601
}

export interface ComponentContext {
  /** e.g. "discovery.relabel.annotated" */
  readonly id: string;
  readonly name: string;
  readonly label: string | undefined;
  readonly logger: Logger;
  /** A directory reserved for this component under --storage.path (created on first use). */
  dataPath(): string;
  /** Publish exports; dependants are re-evaluated only when they really changed. */
  setExports(exports: Record<string, unknown>): void;
  setHealth(state: HealthState, message?: string): void;
  /**
   * This component's own registry, merged into /metrics: every series it
   * registers is labelled component_id and component_path (component-metrics.ts).
   */
  readonly metrics: Registry;
  /** Cluster ownership (a standalone node owns everything). */
  readonly cluster: ClusterOwnership;
  /** Aborted when the component is removed or the process stops. */
  readonly signal: AbortSignal;
  /**
   * import.* components only: hand over the module text they fetched. The
   * runtime re-plans the custom components that use the namespace; a module
   * that does not plan is refused (the last good one keeps running and this
   * component is marked unhealthy with the reason).
   */
  setModuleContent?(source: ModuleSource): void;
  /** Live debugging: what flows through the component, for whoever watches it (see live-debugging.ts). */
  readonly liveDebugging?: LiveDebugPublisher;
}

/** The text of a module, as fetched by an import.* component. */
export interface ModuleSource {
  /** File name (shown in errors) -> content; a directory import has one entry per *.alloy file. */
  files: Record<string, string>;
  /** The value of the `module_path` keyword inside this module (its directory, or "" when none). */
  modulePath: string;
}

/** Alloy's stability levels (docs: "stage"), lowest to highest bar. */
export type { StabilityLevel } from '../syntax/stability.js';

export interface Component<A = any> {
  /** Called with the first arguments right after build, then on every change. */
  update(args: A): void | Promise<void>;
  /** Release everything (timers, sockets, watches). */
  stop?(): void | Promise<void>;
  /** Shown in the UI and /api/v0/web/components/:id (secrets must be Secret values). */
  debugInfo?(): unknown;
}

export interface ComponentDefinition<A = any> {
  /** e.g. "discovery.relabel" */
  name: string;
  args: BlockSchema;
  /** Names and types of the exports, for docs and reference checks. */
  exports: Record<string, ValueType>;
  /** Whether the block must carry a label (Alloy: every component does). */
  labelRequired?: boolean;
  /** Alloy's stability level of the component (absent: generally-available). */
  stability?: StabilityLevel;
  /** "import": the block declares a namespace of custom components (import.file, import.git, ...). */
  kind?: 'import';
  /** The component publishes to live debugging (others answer that they do not support it). */
  liveDebugging?: boolean;
  /** Loads what build needs and no other component does (heavy libraries), awaited before the first build. */
  load?(): Promise<void>;
  build(ctx: ComponentContext, args: A): Component<A>;
}
