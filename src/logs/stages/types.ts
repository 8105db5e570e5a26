// The stage contract of loki.process: an entry (labels may be rewritten,
// always on a copy the pipeline made) plus the extracted map shared by the
// stages of one entry. A stage returns false to drop the entry, true to pass
// it on, or a list of entries that continue instead of it (a stage that holds
// entries back, like stage.cri's partial lines, releases them this way).
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';

export interface StageEntry {
  labels: Record<string, string>;
  ts: bigint;
  line: string;
  extracted: Record<string, unknown>;
  /** Loki structured metadata (name -> value), in insertion order. */
  structuredMetadata: Record<string, string>;
}

export interface Stage {
  readonly name: string;
  process(e: StageEntry): boolean | StageEntry[];
}

/** What a stage may need from its loki.process: its registry (metrics), a logger. */
export interface StageEnv {
  registry?: Registry;
  logger?: Pick<Logger, 'warn' | 'debug'>;
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
