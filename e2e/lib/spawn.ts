// The one way tests start a child process: output kept (bounded), an optional
// wait for readiness (a log line or an HTTP endpoint), and teardown that kills
// the whole process group, with the tail of the output in every error.
import { spawn, type ChildProcess } from 'node:child_process';
import { waitFor } from './wait.js';

export type ReadyCondition =
  /** A line of stdout or stderr matching this. */
  | { line: RegExp }
  /** This URL answering 2xx. */
  | { http: string };

export interface SpawnOptions {
  /** Names the process in errors (default: the command). */
  name?: string;
  cwd?: string;
  /** The environment (default: this process's). */
  env?: NodeJS.ProcessEnv;
  ready?: ReadyCondition;
  /** How long readiness may take (default 30 s). */
  readyTimeoutMs?: number;
  /** Characters of output kept, newest last (default 1,000,000). */
  outputLimit?: number;
  /** Called with every complete line of stdout and stderr (for children that report on their output). */
  onLine?: (line: string) => void;
}

export interface SpawnedProcess {
  name: string;
  proc: ChildProcess;
  /** The output kept so far (stdout and stderr interleaved). */
  output(): string;
  /** The last `chars` characters of the output. */
  tail(chars?: number): string;
  /** With a `line` ready condition, the line that matched. */
  readyLine?: string;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  /** Whether the process has exited. */
  hasExited(): boolean;
  /** Signals the process group (default SIGTERM), SIGKILLs it after `graceMs`, and waits for exit. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<number | null>;
  /** SIGKILLs the process group and waits for exit. */
  kill(): Promise<number | null>;
}

export interface StartedProcess extends SpawnedProcess {
  /** Resolves once `cond` holds; on failure kills the process and rejects with the tail of its output. */
  ready(cond: ReadyCondition, timeoutMs: number): Promise<void>;
}

const DEFAULT_OUTPUT_LIMIT = 1_000_000;
const TAIL_CHARS = 4000;

/** Groups still running, killed if the test process exits without teardown. */
const live = new Set<number>();
process.once('exit', () => {
  for (const pid of live) signalGroup(pid, 'SIGKILL');
});

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

/** Spawns `cmd args` in its own process group; resolves once ready (or at once without a ready condition). */
export async function spawnProcess(cmd: string, args: string[], opts: SpawnOptions = {}): Promise<SpawnedProcess> {
  const p = startProcess(cmd, args, opts);
  if (opts.ready) await p.ready(opts.ready, opts.readyTimeoutMs ?? 30_000);
  return p;
}

/** Like spawnProcess, without waiting: for a caller that waits for readiness itself, later. */
export function startProcess(cmd: string, args: string[], opts: SpawnOptions = {}): StartedProcess {
  const name = opts.name ?? cmd;
  const limit = opts.outputLimit ?? DEFAULT_OUTPUT_LIMIT;
  // detached: the child leads a new process group, so teardown reaches anything it started.
  const proc = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  const lineListeners: ((line: string) => void)[] = opts.onLine ? [opts.onLine] : [];
  const partial = { stdout: '', stderr: '' };
  const onData = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
    const text = chunk.toString();
    out += text;
    if (out.length > limit) out = out.slice(-limit);
    const lines = (partial[stream] + text).split('\n');
    partial[stream] = lines.pop() ?? '';
    if (partial[stream].length > limit) partial[stream] = partial[stream].slice(-limit);
    for (const line of lines) for (const l of [...lineListeners]) l(line);
  };
  proc.stdout!.on('data', onData('stdout'));
  proc.stderr!.on('data', onData('stderr'));
  const spawnError = new Promise<Error>((resolve) => proc.once('error', resolve));
  // 'close' also waits for the output to drain; a grandchild holding the pipes
  // open must not keep the exit from being seen, hence the bounded wait after 'exit'.
  const exited = new Promise<number | null>((resolve) => {
    proc.once('exit', (code) => {
      const drained = setTimeout(() => resolve(code), 1000);
      proc.once('close', () => {
        clearTimeout(drained);
        resolve(code);
      });
    });
    spawnError.then(() => resolve(null));
  });
  if (proc.pid !== undefined) {
    live.add(proc.pid);
    exited.then(() => live.delete(proc.pid!));
  }
  const hasExited = () => proc.exitCode !== null || proc.signalCode !== null || proc.pid === undefined;
  const tail = (chars = TAIL_CHARS) => out.slice(-chars);

  const stop = async (signal: NodeJS.Signals = 'SIGTERM', graceMs = 5000) => {
    if (proc.pid === undefined) return exited;
    signalGroup(proc.pid, 'SIGCONT'); // a stopped (SIGSTOP) process cannot act on SIGTERM
    signalGroup(proc.pid, signal);
    const force = setTimeout(() => signalGroup(proc.pid!, 'SIGKILL'), graceMs);
    const code = await exited;
    clearTimeout(force);
    // The leader is gone; anything else it started goes with it.
    signalGroup(proc.pid, 'SIGKILL');
    return code;
  };
  const ready = async (cond: ReadyCondition, timeoutMs: number) => {
    const failed = (why: string) => new Error(`${name} ${why}; output tail:\n${tail()}`);
    try {
      if ('line' in cond) {
        spawned.readyLine = await new Promise<string>((resolve, reject) => {
          const timer = setTimeout(() => reject(failed(`printed no line matching ${cond.line} within ${timeoutMs} ms`)), timeoutMs);
          const done = () => {
            clearTimeout(timer);
            const i = lineListeners.indexOf(onReadyLine);
            if (i >= 0) lineListeners.splice(i, 1);
          };
          const onReadyLine = (line: string) => {
            if (!cond.line.test(line)) return;
            done();
            resolve(line);
          };
          // A line printed before this wait began counts too.
          const early = out.split('\n').slice(0, -1).find((l) => cond.line.test(l));
          if (early !== undefined) return resolve(early), done();
          lineListeners.push(onReadyLine);
          spawnError.then((err) => {
            done();
            reject(failed(`could not start: ${err.message}`));
          });
          exited.then((code) => {
            done();
            reject(failed(`exited with ${code ?? proc.signalCode} before printing a line matching ${cond.line}`));
          });
        });
      } else {
        const abort = new AbortController();
        exited.then((code) => abort.abort(`${name} exited with ${code ?? proc.signalCode}`));
        try {
          await waitFor(`${name} to answer ${cond.http}`, async () => (await fetch(cond.http, { signal: AbortSignal.timeout(5000) })).ok, {
            timeoutMs,
            intervalMs: 150,
            signal: abort.signal,
          });
        } catch (err) {
          throw failed((err as Error).message);
        }
      }
    } catch (err) {
      await spawned.kill();
      throw err;
    }
  };
  const spawned: StartedProcess = { name, proc, output: () => out, tail, exited, hasExited, stop, kill: () => stop('SIGKILL'), ready };
  return spawned;
}
