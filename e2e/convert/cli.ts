// Runs the `alloy` CLI (from the TypeScript sources, like e2e/lib/alloy-process.ts)
// for a command that exits: `alloy convert ...`, `alloy fmt ...`. Bounded in time.
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

export function alloyCli(args: string[], opts: { stdin?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  const proc = spawn(process.execPath, ['--import', TSX_LOADER, path.join(ROOT, 'src/main.ts'), ...args], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  proc.stdin.end(opts.stdin ?? '');
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`alloy ${args.join(' ')} did not exit within ${opts.timeoutMs ?? 30000} ms:\n${stderr}`));
    }, opts.timeoutMs ?? 30000);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
