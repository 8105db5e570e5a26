// The one polling loop of the tests: wait until a condition holds, bounded in
// time and in attempts, and fail naming what was awaited and what was last seen.

export interface WaitOptions {
  /** How long to keep trying before failing (default 10 s). */
  timeoutMs?: number;
  /** Pause between attempts (default 100 ms). */
  intervalMs?: number;
  /** Stops the wait at once (e.g. the process being waited on exited); the reason goes in the error. */
  signal?: AbortSignal;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_INTERVAL_MS = 100;

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A value or error, short enough for a failure message. */
export function describeValue(v: unknown): string {
  if (v instanceof Error) return v.message;
  let s: string;
  try {
    s = typeof v === 'string' ? JSON.stringify(v) : (JSON.stringify(v) ?? String(v));
  } catch {
    s = String(v);
  }
  return s.length > 2000 ? `${s.slice(0, 2000)}…` : s;
}

/**
 * Calls `predicate` until it returns a truthy value, and returns that value.
 * A throwing predicate counts as "not yet" (its error is kept for the failure
 * message). Bounded by `timeoutMs` and by the attempts that fit in it.
 */
export async function waitFor<T>(description: string, predicate: () => T | Promise<T>, opts: WaitOptions = {}): Promise<Exclude<T, false | null | undefined | 0 | ''>> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const intervalMs = Math.max(1, opts.intervalMs ?? DEFAULT_INTERVAL_MS);
  // Every attempt but the last is followed by a pause of intervalMs, so this
  // many attempts always span at least timeoutMs: the count never cuts the wait short.
  const maxAttempts = Math.ceil(timeoutMs / intervalMs) + 2;
  const start = Date.now();
  let last: unknown;
  let attempts = 0;
  while (attempts < maxAttempts) {
    attempts++;
    if (opts.signal?.aborted) break;
    try {
      last = await predicate();
      if (last) return last as Exclude<T, false | null | undefined | 0 | ''>;
    } catch (err) {
      last = err;
    }
    if (Date.now() - start >= timeoutMs || opts.signal?.aborted) break;
    await sleep(intervalMs);
  }
  const why = opts.signal?.aborted ? `stopped (${describeValue(opts.signal.reason)})` : `timed out after ${timeoutMs} ms`;
  throw new Error(`${why} waiting for ${description} (${attempts} attempts; last: ${describeValue(last)})`);
}

/** waitFor, returning how many ms the wait took (for tests that bound convergence time). */
export async function timedWaitFor(description: string, predicate: () => unknown, opts: WaitOptions = {}): Promise<number> {
  const start = Date.now();
  await waitFor(description, predicate, opts);
  return Date.now() - start;
}
