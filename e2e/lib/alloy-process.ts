// Runs `alloy run` as a child process (from the TypeScript sources via tsx) for
// e2e tests: waits for the HTTP address it logs, keeps its output, and stops it.
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { spawnProcess } from './spawn.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const GRACEFUL_STOP_MS = 60_000;
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

/** The "now listening" log line, JSON (`"addr":"http://…"`) or logfmt (`addr=http://…`). */
const LISTENING = /"addr":"(https?:\/\/[^"]+)".*now listening|now listening.*"addr":"(https?:\/\/[^"]+)"|addr=(https?:\/\/\S+).*now listening|now listening.*addr=(https?:\/\/\S+)/;

export async function startAlloyProcess(opts: AlloyProcessOptions): Promise<AlloyProcess> {
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
  const p = await spawnProcess(process.execPath, args, {
    name: 'alloy',
    cwd: ROOT,
    env: { ...process.env, ...opts.env },
    ready: { line: LISTENING },
    readyTimeoutMs: opts.timeoutMs ?? 30000,
  });
  const m = LISTENING.exec(p.readyLine!)!;
  return {
    url: m[1] ?? m[2] ?? m[3] ?? m[4],
    proc: p.proc,
    configPath,
    storagePath,
    output: p.output,
    // A graceful stop may take as long as the shutdown it tests; SIGKILL only as a last resort.
    stop: () => p.stop('SIGTERM', GRACEFUL_STOP_MS),
    kill: p.kill,
  };
}
