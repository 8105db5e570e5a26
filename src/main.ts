#!/usr/bin/env node
// CLI entry: `alloy run CONFIG`, `alloy fmt [-t] FILE`, `alloy validate CONFIG`, `alloy demo`.
import fs from 'node:fs';
import path from 'node:path';
import { packageRoot } from './package-root.js';
import { runCommand } from './cli/run.js';
import { fmtCommand } from './cli/fmt.js';
import { validateCommand } from './cli/validate.js';
import { convertCommand } from './cli/convert.js';
import { describeFailure } from './cli/errors.js';

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

// A failure after start-up that nothing caught ends the process as Node would,
// but with one line (the stack only with ALLOY_DEBUG_STACKS=1).
const fatal = (e: unknown) => {
  process.stderr.write(`${describeFailure(e)}\n`);
  process.exit(1);
};
process.on('uncaughtException', fatal);
process.on('unhandledRejection', fatal);

main(process.argv.slice(2)).then((code) => {
  if (code !== 0) process.exitCode = code;
}, fatal);
