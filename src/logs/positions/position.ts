// A stream position: the timestamp (ns) of the last entry delivered
// downstream, plus the fingerprints of the lines delivered *at* that
// timestamp (a multiset: identical lines at one timestamp are counted).
// pods/log only resumes at whole seconds, so on resume every line before
// the position is skipped and lines at the position are skipped once per
// fingerprint occurrence; the first line after it turns filtering off.
import { createHash } from 'node:crypto';

export interface Position {
  ts: bigint;
  /** Fingerprints of the lines delivered at `ts`, one per occurrence. */
  fps: string[];
  /** restartCount of the container instance the position belongs to. */
  restartCount?: number;
  /** Wall-clock ms of the last change (for pruning and debugging). */
  updated: number;
}

export function fingerprint(line: string): string {
  return createHash('sha1').update(line).digest('base64').slice(0, 12);
}

/** Position after delivering `entries` (in order) on top of `prev`. */
export function advance(prev: Position | undefined, entries: readonly { ts: bigint; line: string }[], restartCount?: number): Position | undefined {
  if (entries.length === 0) return prev;
  let ts = prev?.ts ?? -1n;
  let fps = prev ? [...prev.fps] : [];
  for (const e of entries) {
    if (e.ts > ts) {
      ts = e.ts;
      fps = [fingerprint(e.line)];
    } else if (e.ts === ts) {
      fps.push(fingerprint(e.line));
    }
    // e.ts < ts: an out-of-order line (clock step in the container); the
    // position stays at the newest timestamp.
  }
  return { ts, fps, restartCount: restartCount ?? prev?.restartCount, updated: Date.now() };
}

/** Combine two views of one stream (local file, other replicas): the newer wins, equal merges. */
export function mergePositions(a: Position | undefined, b: Position | undefined): Position | undefined {
  if (!a) return b;
  if (!b) return a;
  if (a.ts !== b.ts) return a.ts > b.ts ? a : b;
  const count = new Map<string, number>();
  const tally = (fps: string[]) => {
    const c = new Map<string, number>();
    for (const f of fps) c.set(f, (c.get(f) ?? 0) + 1);
    for (const [f, n] of c) count.set(f, Math.max(count.get(f) ?? 0, n));
  };
  tally(a.fps);
  tally(b.fps);
  const fps: string[] = [];
  for (const [f, n] of count) for (let i = 0; i < n; i++) fps.push(f);
  return {
    ts: a.ts,
    fps,
    restartCount: Math.max(a.restartCount ?? -1, b.restartCount ?? -1) >= 0 ? Math.max(a.restartCount ?? -1, b.restartCount ?? -1) : undefined,
    updated: Math.max(a.updated, b.updated),
  };
}

/** Skips what a position says was already delivered. */
export class ResumeFilter {
  #active: boolean;
  readonly #ts: bigint;
  readonly #left = new Map<string, number>();

  constructor(pos: Position | undefined) {
    this.#active = pos !== undefined;
    this.#ts = pos?.ts ?? 0n;
    for (const f of pos?.fps ?? []) this.#left.set(f, (this.#left.get(f) ?? 0) + 1);
  }

  get active(): boolean {
    return this.#active;
  }

  /** True when the line must be delivered. */
  keep(ts: bigint, line: string): boolean {
    if (!this.#active) return true;
    if (ts < this.#ts) return false;
    if (ts > this.#ts) {
      this.#active = false;
      return true;
    }
    const f = fingerprint(line);
    const n = this.#left.get(f) ?? 0;
    if (n > 0) {
      this.#left.set(f, n - 1);
      return false;
    }
    return true;
  }
}

/** sinceTime for pods/log: the position floored to whole seconds (the API's precision). */
export function sinceTime(pos: Position | undefined): string | undefined {
  if (!pos) return undefined;
  const secs = pos.ts / 1_000_000_000n - (pos.ts < 0n && pos.ts % 1_000_000_000n !== 0n ? 1n : 0n);
  return new Date(Number(secs) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

// JSON form (bigint as a decimal string), shared by the file and the API store.
export interface PositionJSON {
  ts: string;
  fps: string[];
  rc?: number;
  u: number;
}

export function toJSON(p: Position): PositionJSON {
  return { ts: p.ts.toString(), fps: p.fps, rc: p.restartCount, u: p.updated };
}

export function fromJSON(j: unknown): Position | undefined {
  if (!j || typeof j !== 'object') return undefined;
  const o = j as Partial<PositionJSON>;
  if (typeof o.ts !== 'string' || !/^-?\d+$/.test(o.ts) || !Array.isArray(o.fps)) return undefined;
  return { ts: BigInt(o.ts), fps: o.fps.filter((f) => typeof f === 'string'), restartCount: typeof o.rc === 'number' ? o.rc : undefined, updated: typeof o.u === 'number' ? o.u : 0 };
}
