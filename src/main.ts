#!/usr/bin/env node
// CLI entry: `alloy run CONFIG`, `alloy fmt [-t] FILE`, `alloy validate CONFIG`, `alloy demo`.
import fs from 'node:fs';
import path from 'node:path';
import { packageRoot } from './package-root.js';
import { isDiagnostic } from './syntax/diagnostic.js';
import { runCommand } from './cli/run.js';
import { fmtCommand } from './cli/fmt.js';
import { validateCommand } from './cli/validate.js';
import { convertCommand } from './cli/convert.js';
import { FlagError } from './cli/flags.js';

const USAGE = `alloy: a Kubernetes-native telemetry collector (Alloy syntax)

Usage:
  alloy run CONFIG_FILE|DIR [flags]    run the components of a config (a directory: all its *.alloy files)
  alloy fmt [-t] [-w] [FILE]           print the canonical formatting of a config
  alloy validate [flags] FILE|DIR      check a config without running it
  alloy demo [flags]                   run the self-contained demo (no cluster needed)
  alloy convert --source-format=F FILE convert a Prometheus or promtail config to Alloy
  alloy COMMAND --help                 flags of a command
`;

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'run':
      return runCommand(rest);
    case 'fmt':
    case 'format':
      return fmtCommand(rest);
    case 'validate':
      return validateCommand(rest);
    case 'convert':
      return convertCommand(rest);
    case 'demo': {
      const { demoCommand } = await import('./demo/demo.js');
      return demoCommand(rest);
    }
    case '--version':
    case 'version': {
      const pkg = JSON.parse(fs.readFileSync(path.join(packageRoot(), 'package.json'), 'utf8'));
      process.stdout.write(`alloy-ts ${pkg.version}\n`);
      return 0;
    }
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      process.stdout.write(USAGE);
      return cmd === undefined ? 1 : 0;
    default:
      process.stderr.write(`alloy: unknown command "${cmd}"\n\n${USAGE}`);
      return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== 0) process.exitCode = code;
  },
  (e) => {
    if (isDiagnostic(e) || e instanceof FlagError) process.stderr.write(`${e.message}\n`);
    else if (typeof (e as NodeJS.ErrnoException)?.code === 'string') process.stderr.write(`alloy: ${(e as Error).message}\n`); // ENOENT & co: no stack
    else process.stderr.write(`alloy: ${(e as Error)?.stack ?? String(e)}\n`);
    process.exit(1);
  },
);
