// error_mode of the OTTL processors: what a statement or condition that fails
// at run time does to the request.
import type { Logger } from 'pino';

export type ErrorMode = 'ignore' | 'silent' | 'propagate';
export const ERROR_MODES: readonly ErrorMode[] = ['ignore', 'silent', 'propagate'];

export function checkErrorMode(where: string, v: string): ErrorMode {
  if (!(ERROR_MODES as readonly string[]).includes(v)) throw new Error(`${where}: ${JSON.stringify(v)} is not a valid error_mode (want ${ERROR_MODES.join(', ')})`);
  return v as ErrorMode;
}

/**
 * Runs `f`; on failure, propagate rethrows (the request is refused), ignore
 * logs and silent says nothing; both then give `fallback`.
 */
export function guarded<T>(mode: ErrorMode, logger: Logger, what: string, f: () => T, fallback: T): T {
  try {
    return f();
  } catch (e) {
    if (mode === 'propagate') throw new Error(`failed to execute ${what}: ${(e as Error).message}`);
    if (mode === 'ignore') logger.warn({ err: (e as Error).message, statement: what }, 'failed to execute OTTL');
    return fallback;
  }
}
