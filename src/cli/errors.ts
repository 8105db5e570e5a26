// What the CLI prints when a command fails: the error's message, never its
// stack. A config error is already positioned ("file:line:col: reason"), a
// flag error names the flag, and every other failure (unreadable TLS file,
// refused cluster join, port in use) says what it was doing in its message.
// The stack is for developers: set ALLOY_DEBUG_STACKS=1 to get it too.
import { isDiagnostic } from '../syntax/diagnostic.js';
import { FlagError } from './flags.js';

/** The environment variable that adds stack traces to CLI errors (README.md, "CLI"). */
export const DEBUG_STACKS_ENV = 'ALLOY_DEBUG_STACKS';

export function wantsStacks(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = env[DEBUG_STACKS_ENV];
  return v !== undefined && v !== '' && v !== '0' && v !== 'false';
}

/** The text printed for a failed command (without the trailing newline). */
export function describeFailure(e: unknown, env: NodeJS.ProcessEnv = process.env): string {
  if (!(e instanceof Error)) return `alloy: ${String(e)}`;
  // Config errors and flag errors are written for the user as they are.
  const text = isDiagnostic(e) || e instanceof FlagError || /^alloy[: ]/.test(e.message) ? e.message : `alloy: ${e.message || e.name}`;
  if (!wantsStacks(env) || !e.stack) return text;
  return `${text}\n${e.stack}`;
}
