// Shared bits of the remote-write e2e tests.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');

export interface Writer {
  proc: ChildProcess;
  /** Highest sample index (exclusive) acknowledged so far. */
  acked(): number;
  /** Resolves once at least n samples are acknowledged (or rejects on exit/timeout). */
  waitAcked(n: number, timeoutMs?: number): Promise<void>;
  done: Promise<void>;
  exited: Promise<number | null>;
}

/** Starts writer-child.ts (through tsx) appending samples [from, to). */
export function startWriter(dataDir: string, url: string, from: number, to: number, batch: number, series: number, pauseMs = 0): Writer {
  // `node --import tsx` (not the tsx CLI, which forks a second process) so
  // the pid we SIGKILL is the writer itself.
  const proc = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'writer-child.ts'), dataDir, url, String(from), String(to), String(batch), String(series), String(pauseMs)], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, TEST_LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent' },
  });
  let acked = from;
  let stderr = '';
  const waiters: (() => void)[] = [];
  let doneResolve!: () => void;
  const done = new Promise<void>((r) => (doneResolve = r));
  let buf = '';
  proc.stdout!.on('data', (c: Buffer) => {
    buf += c.toString();
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (line.startsWith('acked ')) acked = Number(line.slice(6));
      if (line === 'done') doneResolve();
    }
    for (const w of [...waiters]) w();
  });
  proc.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((r) => proc.on('exit', (code) => {
    r(code);
    for (const w of [...waiters]) w();
  }));
  return {
    proc,
    acked: () => acked,
    done,
    exited,
    waitAcked(n, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          remove();
          reject(new Error(`writer acked ${acked} < ${n} within ${timeoutMs} ms; stderr: ${stderr.slice(-2000)}`));
        }, timeoutMs);
        const check = () => {
          if (acked >= n) {
            remove();
            resolve();
          } else if (proc.exitCode !== null || proc.signalCode !== null) {
            remove();
            reject(new Error(`writer exited (${proc.exitCode ?? proc.signalCode}) at acked ${acked}; stderr: ${stderr.slice(-2000)}`));
          }
        };
        const remove = () => {
          clearTimeout(timer);
          const k = waiters.indexOf(check);
          if (k >= 0) waiters.splice(k, 1);
        };
        waiters.push(check);
        check();
      });
    },
  };
}

export async function kill(w: Writer, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (w.proc.exitCode === null && w.proc.signalCode === null) w.proc.kill(signal);
  await w.exited;
}

/** Directory size in bytes (flat walk, bounded depth). */
export async function dirSize(dir: string, depth = 3): Promise<number> {
  const { promises: fsp } = await import('node:fs');
  let n = 0;
  for (const e of await fsp.readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const p = path.join(dir, e.name);
    if (e.isDirectory() && depth > 0) n += await dirSize(p, depth - 1);
    else if (e.isFile()) n += (await fsp.stat(p).catch(() => ({ size: 0 }))).size;
  }
  return n;
}
