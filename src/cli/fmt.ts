// `alloy fmt [-t|--test] [-w|--write] [FILE]`: canonical formatting of a config
// (standard input when FILE is absent or "-"), as Alloy's fmt command.
import fs from 'node:fs';
import { parse } from '../syntax/parser.js';
import { format } from '../syntax/format.js';
import { FlagError, parseFlags } from './flags.js';

const fmtFlags = [
  { name: 'test', help: 'Exit non-zero when the file is not formatted (prints nothing else)', boolean: true, default: 'false' },
  { name: 't', help: 'Same as --test', boolean: true, default: 'false' },
  { name: 'check', help: 'Same as --test', boolean: true, default: 'false' },
  { name: 'write', help: 'Rewrite the file in place', boolean: true, default: 'false' },
  { name: 'w', help: 'Same as --write', boolean: true, default: 'false' },
];

const USAGE = `Usage: alloy fmt [-t|--test] [-w|--write] [FILE]

Prints FILE (standard input when absent or "-") in canonical Alloy formatting.
  -t, --test    exit 1 when the file is not formatted; cannot be used with --write
  -w, --write   write the result to the file instead of standard output
`;

export function fmtCommand(argv: string[]): number {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(USAGE);
    return 0;
  }
  const { flags, positionals } = parseFlags(argv, fmtFlags);
  if (positionals.length > 1) throw new FlagError('alloy fmt takes at most one FILE argument');
  const test = !!(flags.test || flags.t || flags.check);
  const write = !!(flags.write || flags.w);
  if (test && write) throw new FlagError('cannot use -w/--write and -t/--test at the same time');
  const file = positionals[0] ?? '-';
  if (file === '-' && write) throw new FlagError('cannot use -w with standard input');
  if (file !== '-' && fs.statSync(file).isDirectory()) throw new FlagError('cannot format a directory');
  const name = file === '-' ? '<stdin>' : file;
  const source = file === '-' ? fs.readFileSync(0, 'utf8') : fs.readFileSync(file, 'utf8');
  const out = format(parse(source, name));
  if (test) {
    if (out !== source) {
      process.stderr.write(`file ${name} is not formatted correctly\n`);
      return 1;
    }
    return 0;
  }
  if (write) {
    if (out !== source) fs.writeFileSync(file, out);
  } else {
    process.stdout.write(out);
  }
  return 0;
}
