// Builds tools/nhist-target once per source version (cached in the temp dir by
// a hash of its sources), in GOPATH mode against Debian's
// golang-github-prometheus-client-golang-dev, the way tools/helm-render is built.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../tools/nhist-target');
const GOPATH = '/usr/share/gocode';

/** Whether the Go toolchain and client_golang are installed (tests skip otherwise). */
export function canBuildTarget(): boolean {
  return fs.existsSync('/usr/bin/go') && fs.existsSync(path.join(GOPATH, 'src/github.com/prometheus/client_golang/prometheus'));
}

let cached: string | undefined;

/** Path of the target binary, building it when its sources changed. */
export function nhistTargetBinary(): string {
  if (cached) return cached;
  const h = createHash('sha256');
  for (const f of fs.readdirSync(SRC).filter((f) => f.endsWith('.go')).sort()) h.update(f).update(fs.readFileSync(path.join(SRC, f)));
  const dir = path.join(os.tmpdir(), 'alloy-ts-nhist-target', h.digest('hex').slice(0, 16));
  const bin = path.join(dir, 'nhist-target');
  if (!fs.existsSync(bin)) {
    fs.mkdirSync(dir, { recursive: true });
    const tmp = `${bin}.${process.pid}.tmp`; // parallel builders each write their own file; the rename is atomic
    execFileSync('go', ['build', '-o', tmp, '.'], {
      cwd: SRC,
      env: { ...process.env, GOPATH, GO111MODULE: 'off' },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 300_000,
    });
    fs.renameSync(tmp, bin);
  }
  cached = bin;
  return bin;
}
