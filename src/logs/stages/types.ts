// The stage contract of loki.process: an entry (labels may be rewritten,
// always on a copy the pipeline made) plus the extracted map shared by the
// stages of one entry. A stage returns false to drop the entry, true to pass
// it on, or a list of entries that continue instead of it (a stage that holds
// entries back, like stage.cri's partial lines, releases them this way).
// What a stage may need from its loki.process (registry, logger, clock): see env.ts.
export type { StageEnv } from './env.js';

/** A decoded stage.* block: its name and arguments (nested blocks in value._blocks). */
export interface StageBlock {
  name: string;
  value: any;
}

/** Counts a dropped line under its reason (loki_process_dropped_lines_total). */
export type DropCounter = (reason: string) => void;

/** Builds a nested stage list (stage.match's): handed down so stages need not import the pipeline builder. */
export type BuildStages = (blocks: readonly StageBlock[]) => Stage[];

export interface StageEntry {
  labels: Record<string, string>;
  ts: bigint;
  line: string;
  extracted: Record<string, unknown>;
  /** Loki structured metadata (name -> value), in insertion order. */
  structuredMetadata: Record<string, string>;
}

/**
 * What a stage does with an entry: true passes it on, false drops it; an
 * array passes these entries on instead (a buffering stage such as
 * multiline holds the entry and may release earlier ones); a promise is
 * awaited first (limit without drop waits for a token: backpressure).
 * After stop() a stage must neither buffer nor wait.
 */
export type StageResult = boolean | StageEntry[] | Promise<boolean | StageEntry[]>;

export interface Stage {
  readonly name: string;
  process(e: StageEntry): StageResult;
  /**
   * Stages that release entries on their own (multiline's max_wait_time,
   * metrics registering their series) are started once by the runner,
   * which hands them the function that sends entries on through the stages
   * after this one.
   */
  start?(emit: (entries: StageEntry[]) => void): void;
  /** Stops timers and unregisters; returns entries still buffered, which the runner sends on (flush on stop). */
  stop?(): StageEntry[] | void;
}

/** Extracted value -> label/string form (strings as is, other scalars printed, objects as JSON). */
export function extractedString(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return JSON.stringify(v);
}

/** Prometheus/Loki label name rule. */
export function isValidLabelName(n: string): boolean {
  return /^[a-zA-Z_][a-zA-Z0-9_]*$/.test(n);
}
