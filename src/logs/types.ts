// The logs pipeline contract between log sources (loki.source.*), processors
// (loki.process) and sinks (loki.write). Promtail's `api.EntryHandler`, in our
// shape: batches instead of a channel, and a promise for backpressure.

/** One log line on its way to Loki. */
export interface LogEntry {
  /** Stream labels. A stage that changes them must copy the object first (it may be shared). */
  labels: Record<string, string>;
  /** Timestamp in nanoseconds since the epoch. */
  ts: bigint;
  line: string;
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

export function isLogsReceiver(v: unknown): v is LogsReceiver {
  return typeof v === 'object' && v !== null && typeof (v as LogsReceiver).append === 'function';
}

/** Send a batch to several receivers; resolves when all accepted it. */
export async function fanout(receivers: readonly LogsReceiver[], entries: LogEntry[]): Promise<void> {
  if (entries.length === 0 || receivers.length === 0) return;
  if (receivers.length === 1) return receivers[0].append(entries);
  await Promise.all(receivers.map((r) => r.append(entries)));
}

/** Checks a forward_to list and names the offending element. */
export function checkReceivers(component: string, list: unknown): LogsReceiver[] {
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw new Error(`${component}: forward_to must be a list of log receivers`);
  list.forEach((r, i) => {
    if (!isLogsReceiver(r)) throw new Error(`${component}: forward_to[${i}] is not a log receiver (use e.g. loki.write.<label>.receiver)`);
  });
  return list as LogsReceiver[];
}

/** Nanoseconds -> RFC 3339 with nanoseconds (UTC), for logs and debug info. */
export function formatNs(ts: bigint): string {
  const ms = Number(ts / 1_000_000n);
  const iso = new Date(ms).toISOString(); // 2024-01-02T03:04:05.678Z
  const frac = (ts % 1_000_000_000n + 1_000_000_000n) % 1_000_000_000n;
  return `${iso.slice(0, 19)}.${frac.toString().padStart(9, '0')}Z`;
}
