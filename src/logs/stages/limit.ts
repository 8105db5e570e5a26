// stage.limit: a token bucket of `burst` tokens, initially full, refilled
// at `rate` per second; each entry takes one. Without `drop`, an entry waits
// for its token (the append that brought it waits: backpressure); with it,
// the entry is dropped (reason "ratelimit_drop_stage"). by_label_name keeps
// one bucket per value of that label (entries without it pass), up to
// max_distinct_labels values in a two-generation map, as Alloy does.
import type { StageEnv } from './env.js';
import type { Stage, StageEntry } from './types.js';

export interface LimitArgs {
  rate?: number;
  burst?: number;
  by_label_name?: string;
  max_distinct_labels?: number;
  drop?: boolean;
}

export const RATELIMIT_DROP_REASON = 'ratelimit_drop_stage';
/** Alloy raises max_distinct_labels to at least this (about 1MiB of buckets). */
export const MIN_REASONABLE_MAX_DISTINCT_LABELS = 10_000;

/** golang.org/x/time/rate's limiter, reduced to Allow and a reservation. */
export class TokenBucket {
  #tokens: number;
  #last: number;
  constructor(private readonly rate: number, private readonly burst: number, private readonly now: () => number) {
    this.#tokens = burst;
    this.#last = now();
  }

  #advance(): void {
    const t = this.now();
    if (t > this.#last) this.#tokens = Math.min(this.burst, this.#tokens + ((t - this.#last) / 1000) * this.rate);
    this.#last = Math.max(this.#last, t);
  }

  allow(): boolean {
    this.#advance();
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** Takes a token now, possibly on credit; returns how long (ms) to wait until it is really there. */
  reserve(): number {
    this.#advance();
    this.#tokens -= 1;
    return this.#tokens >= 0 ? 0 : (-this.#tokens / this.rate) * 1000;
  }
}

/** Keeps at most maxSize recent keys: when the new generation fills up it becomes the old one. */
export class GenerationalMap<V> {
  #old = new Map<string, V>();
  #new = new Map<string, V>();
  constructor(private readonly maxSize: number, private readonly create: () => V, private readonly onRotate: () => void) {}

  getOrCreate(key: string): V {
    let v = this.#new.get(key);
    if (v === undefined) {
      v = this.#old.get(key) ?? this.create();
      this.#new.set(key, v);
      if (this.#new.size === this.maxSize) {
        this.#old = this.#new;
        this.#new = new Map();
        this.onRotate();
      }
    }
    return v;
  }
}

export function limitStage(args: LimitArgs, onDrop: (reason: string) => void, env: StageEnv = {}): Stage {
  const rate = args.rate ?? 0;
  const burst = args.burst ?? 0;
  if (!(rate > 0) || !(burst > 0)) throw new Error('stage.limit: limit stage failed to parse rate or burst (both must be greater than 0)');
  if (!Number.isInteger(burst)) throw new Error(`stage.limit: burst must be an integer, got ${burst}`);
  const byLabel = args.by_label_name ?? '';
  const drop = args.drop ?? false;
  if (byLabel !== '' && !drop) throw new Error('stage.limit: when ratelimiting by label, drop must be true');
  const now = env.now ?? Date.now;
  const name = 'limit';

  if (byLabel !== '') {
    let maxDistinct = args.max_distinct_labels ?? MIN_REASONABLE_MAX_DISTINCT_LABELS;
    if (maxDistinct < MIN_REASONABLE_MAX_DISTINCT_LABELS) {
      env.logger?.warn({ stage: 'limit' }, `max_distinct_labels was adjusted up to the minimal reasonable value of ${MIN_REASONABLE_MAX_DISTINCT_LABELS}`);
      maxDistinct = MIN_REASONABLE_MAX_DISTINCT_LABELS;
    }
    const buckets = new GenerationalMap(maxDistinct, () => new TokenBucket(rate, burst, now), () => env.dropsByLabel?.reset());
    return {
      name,
      process(e: StageEntry) {
        const value = e.labels[byLabel];
        if (value === undefined) return true; // entries without the label are not limited
        if (buckets.getOrCreate(value).allow()) return true;
        onDrop(RATELIMIT_DROP_REASON);
        env.dropsByLabel?.inc(byLabel, value);
        return false;
      },
    };
  }

  const bucket = new TokenBucket(rate, burst, now);
  if (drop) {
    return {
      name,
      process() {
        if (bucket.allow()) return true;
        onDrop(RATELIMIT_DROP_REASON);
        return false;
      },
    };
  }
  // Waiting entries are released at once when the pipeline stops (a config reload must not lose them).
  const waiting = new Map<NodeJS.Timeout, () => void>();
  let stopped = false;
  return {
    name,
    process() {
      if (stopped) return true;
      const wait = bucket.reserve();
      if (wait <= 0) return true;
      return new Promise<boolean>((resolve) => {
        const t = setTimeout(() => {
          waiting.delete(t);
          resolve(true);
        }, wait);
        t.unref(); // a waiting entry alone must not keep the process up
        waiting.set(t, () => resolve(true));
      });
    },
    stop() {
      stopped = true;
      for (const [t, release] of waiting) {
        clearTimeout(t);
        release();
      }
      waiting.clear();
    },
  };
}
