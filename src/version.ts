// The collector's version, read once from the package.json at the package root
// (found from this module, so it works from src/ under tests and from dist/src/
// when installed). Everything that reports a version (CLI, User-Agent) reads it here.
import fs from 'node:fs';
import path from 'node:path';
import { packageRoot } from './package-root.js';

function readVersion(): string {
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' && pkg.version !== '' ? pkg.version : 'unknown';
  } catch {
    // A copied-out dist/ without its package.json still runs; it just cannot name itself.
    return 'unknown';
  }
}

export const VERSION: string = readVersion();
