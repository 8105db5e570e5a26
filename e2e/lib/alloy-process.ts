// Runs `alloy run` as a child process (from the TypeScript sources via tsx) for
// e2e tests: waits for the HTTP address it logs, keeps its output, and stops it.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** tsx's loader by absolute URL, so child processes can run TypeScript from any cwd. */
export const TSX_LOADER = pathToFileURL(path.join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;

export interface AlloyProcess {
  url: string;
  proc: ChildProcess;
  configPath: string;
  storagePath: string;
  /** Everything the process printed so far (JSON log lines). */
  output(): string;
  /** SIGTERM (graceful) and wait for exit. */
  stop(): Promise<number | null>;
  /** SIGKILL and wait for exit. */
  kill(): Promise<number | null>;
}

export interface AlloyProcessOptions {
  config: string;
  /** Run this file or directory instead of writing `config` to a new file. */
  configPath?: string;
  args?: string[];
  env?: Record<string, string>;
  /** Reuse a storage dir (e.g. after a kill) instead of a fresh one. */
  storagePath?: string;
  host?: string;
  timeoutMs?: number;
}

export function startAlloyProcess(opts: AlloyProcessOptions): Promise<AlloyProcess> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alloy-e2e-'));
  const configPath = opts.configPath ?? path.join(dir, 'config.alloy');
  if (!opts.configPath) fs.writeFileSync(configPath, opts.config);
  const storagePath = opts.storagePath ?? path.join(dir, 'data');
  const args = [
    '--import', TSX_LOADER, path.join(ROOT, 'src/main.ts'), 'run', configPath,
    `--server.http.listen-addr=${opts.host ?? '127.0.0.1'}:0`,
    `--storage.path=${storagePath}`,
    '--log.format=json',
    ...(opts.args ?? []),
  ];
  const proc = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`alloy did not start within ${opts.timeoutMs ?? 30000} ms:\n${out}`));
    }, opts.timeoutMs ?? 30000);
    const onData = (b: Buffer) => {
      out += b.toString();
      // JSON (`"addr":"http://…"`) or logfmt (`addr=http://…`) on the "now listening" line.
      const line = out.split('\n').find((l) => l.includes('now listening'));
      const m = line ? /"addr":"(https?:\/\/[^"]+)"|addr=(https?:\/\/\S+)/.exec(line) : null;
      if (m) {
        clearTimeout(timer);
        resolve({
          url: m[1] ?? m[2],
          proc,
          configPath,
          storagePath,
          output: () => out,
          stop: () => {
            proc.kill('SIGTERM');
            return exited;
          },
          kill: () => {
            proc.kill('SIGKILL');
            return exited;
          },
        });
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`alloy exited with ${code} before listening:\n${out}`));
    });
  });
}

/** Polls `fn` until it returns a truthy value or the time runs out. */
export async function eventually<T>(fn: () => Promise<T> | T, timeoutMs = 10000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
      last = v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
