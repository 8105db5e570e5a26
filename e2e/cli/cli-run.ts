// Runs one `alloy` command (from the TypeScript sources via tsx) to its end:
// for validate, fmt and run invocations that are expected to exit.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TSX_LOADER } from '../lib/alloy-process.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runAlloy(args: string[], opts: { stdin?: string; timeoutMs?: number; env?: Record<string, string> } = {}): Promise<CliResult> {
  const proc = spawn(process.execPath, ['--import', TSX_LOADER, path.join(ROOT, 'src/main.ts'), ...args], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...opts.env } });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  proc.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  proc.stdin.end(opts.stdin ?? '');
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`alloy ${args.join(' ')} did not exit within ${opts.timeoutMs ?? 60_000} ms:\n${stdout}\n${stderr}`));
    }, opts.timeoutMs ?? 60_000);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
