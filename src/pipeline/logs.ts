// The logs pipeline contract between log sources (loki.source.*), processors
// (loki.process) and sinks (loki.write). Promtail's `api.EntryHandler`, in our
// shape: batches instead of a channel, and a promise for backpressure.
import { asCapsule, type Capsule } from '../syntax/capsule.js';

/** One log line on its way to Loki. */
export interface LogEntry {
  /** Stream labels. A stage that changes them must copy the object first (it may be shared). */
  labels: Record<string, string>;
  /** Timestamp in nanoseconds since the epoch. */
  ts: bigint;
  line: string;
  /** Loki structured metadata (name -> value), sent with the entry, not indexed. */
  structuredMetadata?: Record<string, string>;
}

export interface LogsReceiver {
  /**
   * Hand a batch downstream. The promise resolves once every entry has been
   * accepted by every sink (for loki.write: pushed to Loki, or dropped for a
   * reason that retrying cannot fix). Sources advance their positions only
   * after it resolves and pause reading while it is pending (backpressure).
   * A rejection means the batch may not have been delivered: retry it.
   */
  append(entries: LogEntry[]): Promise<void>;
}

/** Capsule type name used in argument schemas (`forward_to = [loki.write.x.receiver]`). */
export const LOGS_RECEIVER = 'loki.LogsReceiver';

/** Marks a receiver as a logs capsule: only such values pass a `list(capsule("loki.LogsReceiver"))` argument. */
export function logsReceiver<T extends LogsReceiver>(r: T): T & Capsule {
  return asCapsule(LOGS_RECEIVER, r);
}

/** Send a batch to several receivers; resolves when all accepted it. */
export async function fanout(receivers: readonly LogsReceiver[], entries: LogEntry[]): Promise<void> {
  if (entries.length === 0 || receivers.length === 0) return;
  if (receivers.length === 1) return receivers[0].append(entries);
  await Promise.all(receivers.map((r) => r.append(entries)));
}

/** Nanoseconds -> RFC 3339 with nanoseconds (UTC), for logs and debug info. */
export function formatNs(ts: bigint): string {
  const ms = Number(ts / 1_000_000n);
  const iso = new Date(ms).toISOString(); // 2024-01-02T03:04:05.678Z
  const frac = (ts % 1_000_000_000n + 1_000_000_000n) % 1_000_000_000n;
  return `${iso.slice(0, 19)}.${frac.toString().padStart(9, '0')}Z`;
}
