// The collector's own safety caps on one scrape, beyond Alloy's arguments.
// Alloy's body_size_limit and sample_limit default to 0 ("no limit"), and we
// keep those defaults; but with no limit one target serving a huge body (or a
// gzip bomb) can take the whole process down, and every other target with it.
// So when a job sets no limit, these ceilings apply instead: the scrape over
// one fails (up 0, the reason in last_error) and every other target goes on.
// See docs/components/prometheus.scrape.md ("Safety ceilings").
import { parseByteSize } from './job.js';

/** Bytes of one uncompressed body when body_size_limit is unset (0 turns the ceiling off). */
export const BODY_SIZE_CEILING_ENV = 'ALLOY_SCRAPE_BODY_SIZE_CEILING';
/** Samples parsed from one body when sample_limit is unset (0 turns the ceiling off). */
export const SAMPLE_CEILING_ENV = 'ALLOY_SCRAPE_SAMPLE_CEILING';

/**
 * 32 MiB: a body is held two to three times over while it is read and parsed
 * (the chunks, the joined bytes, their text), and garbage is collected late,
 * so one body at the ceiling costs a few hundred MB of a 1 GiB replica. 200,000
 * series with long label sets fit below it.
 */
export const DEFAULT_BODY_SIZE_CEILING = 32 * 1024 * 1024;
/**
 * 200,000 samples: every series a scrape keeps costs about 1 KB (the worker's
 * scrape cache, the main thread's series table); measured with a 1M-series
 * target (e2e/scrape/memory-bounds.test.ts), this keeps the process's peak
 * well under a 1 GiB limit, next to its other targets.
 */
export const DEFAULT_SAMPLE_CEILING = 200_000;

export interface ScrapeCeilings {
  /** 0: none. */
  bodySizeBytes: number;
  /** 0: none. */
  samples: number;
}

/** The ceilings in force: the defaults, or the environment's values; a bad value is an error naming the variable. */
export function scrapeCeilings(env: NodeJS.ProcessEnv = process.env): ScrapeCeilings {
  return {
    bodySizeBytes: fromEnv(env, BODY_SIZE_CEILING_ENV, DEFAULT_BODY_SIZE_CEILING, (v) => parseByteSize(v)),
    samples: fromEnv(env, SAMPLE_CEILING_ENV, DEFAULT_SAMPLE_CEILING, (v) => {
      const n = Number(v);
      if (!/^\s*\d+\s*$/.test(v) || !Number.isSafeInteger(n)) throw new Error(`must be a non-negative integer, got ${JSON.stringify(v)}`);
      return n;
    }),
  };
}

function fromEnv(env: NodeJS.ProcessEnv, name: string, fallback: number, parse: (v: string) => number): number {
  const v = env[name];
  if (v === undefined || v.trim() === '') return fallback;
  try {
    return parse(v.trim());
  } catch (e) {
    throw new Error(`environment variable ${name}: ${(e as Error).message}`);
  }
}
