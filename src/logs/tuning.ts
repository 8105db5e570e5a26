// Process-level tuning of loki.source.kubernetes that Alloy's arguments do
// not cover (Alloy's component has only targets, forward_to, client and
// clustering). Read from environment variables so a real `alloy run`
// process can be tuned (tests shorten backoffs; operators may trade API
// writes for a smaller crash window). Documented in
// docs/components/loki.source.kubernetes.md.
import { parseDuration } from '../syntax/duration.js';

export interface SourceTuning {
  /** pods/log reopen backoff after an error. */
  minBackoffMs: number;
  maxBackoffMs: number;
  /** stop() waits at most this long for in-flight batches. */
  drainMs: number;
  /** A follow stream silent this long is reopened (mute stream after rotation). */
  silenceMs: number;
  /** Follow streams are recycled this often. */
  recycleMs: number;
  /** Minimum time between two writes of the local positions file (0: after every commit, coalesced per event-loop turn). */
  fileIntervalMs: number;
  /** Minimum time between two writes of this replica's positions ConfigMap. */
  sharedIntervalMs: number;
  /** Longest wait for the previous owner of a stream to release it. */
  handoffTimeoutMs: number;
  /** Shared positions in ConfigMaps (false: local file only). */
  sharedPositions: boolean;
  /** Namespace of the positions ConfigMaps; default: this pod's namespace. */
  positionsNamespace?: string;
}

export const TUNING_DEFAULTS: SourceTuning = {
  minBackoffMs: 1000,
  maxBackoffMs: 60_000,
  drainMs: 10_000,
  silenceMs: 5 * 60_000,
  recycleMs: 60 * 60_000,
  fileIntervalMs: 0,
  sharedIntervalMs: 1000,
  handoffTimeoutMs: 15_000,
  sharedPositions: true,
};

/** Environment variable -> tuning field (durations). */
export const TUNING_ENV: Record<string, keyof SourceTuning> = {
  ALLOY_LOGS_TAIL_MIN_BACKOFF: 'minBackoffMs',
  ALLOY_LOGS_TAIL_MAX_BACKOFF: 'maxBackoffMs',
  ALLOY_LOGS_TAIL_DRAIN_TIMEOUT: 'drainMs',
  ALLOY_LOGS_TAIL_SILENCE_TIMEOUT: 'silenceMs',
  ALLOY_LOGS_TAIL_RECYCLE_INTERVAL: 'recycleMs',
  ALLOY_LOGS_POSITIONS_FILE_INTERVAL: 'fileIntervalMs',
  ALLOY_LOGS_POSITIONS_SHARED_INTERVAL: 'sharedIntervalMs',
  ALLOY_LOGS_HANDOFF_TIMEOUT: 'handoffTimeoutMs',
};

/** Reads the tuning; throws naming the variable and the reason for a bad value. */
export function sourceTuningFromEnv(env: NodeJS.ProcessEnv = process.env): SourceTuning {
  const out: SourceTuning = { ...TUNING_DEFAULTS };
  for (const [name, field] of Object.entries(TUNING_ENV)) {
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') continue;
    let ms: number;
    try {
      ms = parseDuration(raw);
    } catch (err) {
      throw new Error(`environment variable ${name}: ${(err as Error).message}`);
    }
    if (!(ms >= 0)) throw new Error(`environment variable ${name}: must not be negative, got "${raw}"`);
    (out as unknown as Record<string, number>)[field] = ms;
  }
  if (out.minBackoffMs <= 0) throw new Error('environment variable ALLOY_LOGS_TAIL_MIN_BACKOFF: must be positive');
  if (out.maxBackoffMs < out.minBackoffMs) throw new Error('environment variable ALLOY_LOGS_TAIL_MAX_BACKOFF: must not be below ALLOY_LOGS_TAIL_MIN_BACKOFF');
  if (out.silenceMs <= 0 || out.recycleMs <= 0) throw new Error('environment variables ALLOY_LOGS_TAIL_SILENCE_TIMEOUT and ALLOY_LOGS_TAIL_RECYCLE_INTERVAL must be positive');
  const shared = env.ALLOY_LOGS_SHARED_POSITIONS?.trim();
  if (shared) {
    if (shared !== 'true' && shared !== 'false') throw new Error(`environment variable ALLOY_LOGS_SHARED_POSITIONS: expected true or false, got "${shared}"`);
    out.sharedPositions = shared === 'true';
  }
  const ns = (env.ALLOY_LOGS_POSITIONS_NAMESPACE ?? env.ALLOY_POSITIONS_NAMESPACE)?.trim();
  if (ns) out.positionsNamespace = ns;
  return out;
}
