// `alloy fmt [--check] [--write] FILE`: canonical formatting of a config.
import fs from 'node:fs';
import { parse } from '../syntax/parser.js';
import { format } from '../syntax/format.js';
import { FlagError, parseFlags } from './flags.js';

const fmtFlags = [
  { name: 'check', help: 'Exit 1 (and print nothing else) when the file is not formatted', boolean: true, default: 'false' },
  { name: 'write', help: 'Rewrite the file in place', boolean: true, default: 'false' },
  { name: 'w', help: 'Same as --write', boolean: true, default: 'false' },
];

export function fmtCommand(argv: string[]): number {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write('Usage: alloy fmt [--check] [--write] FILE\n\nPrints FILE in canonical Alloy formatting.\n');
    return 0;
  }
  const { flags, positionals } = parseFlags(argv, fmtFlags);
  if (positionals.length !== 1) throw new FlagError('alloy fmt needs exactly one FILE argument');
  const file = positionals[0];
  const source = file === '-' ? fs.readFileSync(0, 'utf8') : fs.readFileSync(file, 'utf8');
  const out = format(parse(source, file));
  if (flags.check) {
    if (out !== source) {
      process.stderr.write(`${file}: not formatted\n`);
      return 1;
    }
    return 0;
  }
  if (flags.write || flags.w) fs.writeFileSync(file, out);
  else process.stdout.write(out);
  return 0;
}
