// How many shards an endpoint needs: enough send capacity for the incoming
// rate plus draining the backlog within a fixed horizon (Prometheus uses the
// same shape with a much weaker backlog term). Pure, for unit tests.

export interface ShardInputs {
  current: number;
  min: number;
  max: number;
  /** Samples per second coming in (read from the WAL). */
  inRate: number;
  /** Seconds of send time per sample, measured on successful sends; 0 when unknown. */
  timePerSample: number;
  /** Samples waiting (queued in shards plus unread in the WAL). */
  backlog: number;
  /** A send failed during the last interval: more shards would only add load, and a drain would stall. */
  failing: boolean;
}

const BACKLOG_HORIZON_S = 30;
const TOLERANCE = 0.3;

export function desiredShards(i: ShardInputs): number {
  if (i.timePerSample <= 0 || i.failing) return Math.max(i.min, Math.min(i.max, i.current));
  const raw = i.timePerSample * (i.inRate + i.backlog / BACKLOG_HORIZON_S);
  let want = Math.ceil(raw);
  // Within the tolerance band, keep what we have: resharding drains every shard.
  if (raw > i.current * (1 - TOLERANCE) && raw < i.current * (1 + TOLERANCE)) want = i.current;
  return Math.max(i.min, Math.min(i.max, want));
}

/** FNV-1a over the label pairs: stable routing of a series to a shard. */
export function labelsHash(labels: readonly string[]): number {
  let h = 0x811c9dc5;
  for (let k = 0; k < labels.length; k++) {
    const s = labels[k]!;
    for (let i = 0; i < s.length; i++) {
      h ^= s.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
    h ^= 0xff;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
