// Shared bits of the remote-write e2e tests.
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startProcess } from '../lib/spawn.js';

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
  let acked = from;
  const waiters: (() => void)[] = [];
  let doneResolve!: () => void;
  const done = new Promise<void>((r) => (doneResolve = r));
  const child = startProcess(process.execPath, ['--import', 'tsx', path.join(here, 'writer-child.ts'), dataDir, url, String(from), String(to), String(batch), String(series), String(pauseMs)], {
    name: 'writer',
    cwd: root,
    env: { ...process.env, TEST_LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent' },
    // The child reports progress as "acked <n>" lines and a final "done".
    onLine: (line) => {
      if (line.startsWith('acked ')) acked = Number(line.slice(6));
      if (line === 'done') doneResolve();
      for (const w of [...waiters]) w();
    },
  });
  const proc = child.proc;
  const exited = child.exited.then((code) => {
    for (const w of [...waiters]) w();
    return code;
  });
  return {
    proc,
    acked: () => acked,
    done,
    exited,
    waitAcked(n, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          remove();
          reject(new Error(`writer acked ${acked} < ${n} within ${timeoutMs} ms; output: ${child.tail(2000)}`));
        }, timeoutMs);
        const check = () => {
          if (acked >= n) {
            remove();
            resolve();
          } else if (proc.exitCode !== null || proc.signalCode !== null) {
            remove();
            reject(new Error(`writer exited (${proc.exitCode ?? proc.signalCode}) at acked ${acked}; output: ${child.tail(2000)}`));
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
