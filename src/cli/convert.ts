// `alloy convert --source-format=prometheus|promtail|otelcol [--output F] [--report F]
// [--bypass-errors] [FILE]`: Alloy's flags and behaviour. FILE "-" or none
// reads stdin; the config goes to --output or stdout; the diagnostics report
// to --report. Critical issues, and errors unless bypassed, write no config,
// print the diagnostics on stderr and exit 1.
import fs from 'node:fs';
import { convert, SOURCE_FORMATS, type SourceFormat } from '../convert/index.js';
import { formatDiagnostic } from '../convert/diagnostics.js';
import { FlagError, flagHelp, parseFlags, type FlagDef } from './flags.js';

const convertFlags: FlagDef[] = [
  { name: 'source-format', help: `The format of the source file: ${SOURCE_FORMATS.join(', ')}` },
  { name: 'f', help: 'Same as --source-format' },
  { name: 'output', help: 'The file the Alloy config is written to (default: stdout)' },
  { name: 'o', help: 'Same as --output' },
  { name: 'report', help: 'The file the diagnostic report is written to (default: none)' },
  { name: 'r', help: 'Same as --report' },
  { name: 'bypass-errors', help: 'Write the config despite errors (critical issues still stop it)', boolean: true },
  { name: 'b', help: 'Same as --bypass-errors', boolean: true },
];

const USAGE = `Usage: alloy convert --source-format=FORMAT [--output FILE] [--report FILE] [--bypass-errors] [FILE]

Converts a Prometheus, promtail or OpenTelemetry Collector config into an Alloy config. FILE "-" or none reads stdin.

${flagHelp(convertFlags)}
`;

export function convertCommand(argv: string[]): number {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(USAGE);
    return 0;
  }
  const { flags, positionals } = parseFlags(argv, convertFlags);
  const pick = (long: string, short: string) => (flags[long] as string | undefined) ?? (flags[short] as string | undefined);
  const format = pick('source-format', 'f');
  if (!format) throw new FlagError('alloy convert: --source-format is required (prometheus, promtail or otelcol)');
  if (!(SOURCE_FORMATS as readonly string[]).includes(format)) {
    throw new FlagError(`alloy convert: unsupported --source-format ${JSON.stringify(format)} (supported: ${SOURCE_FORMATS.join(', ')})`);
  }
  if (positionals.length > 1) throw new FlagError('alloy convert takes at most one FILE argument');
  const file = positionals[0] ?? '-';
  const bypass = flags['bypass-errors'] === true || flags.b === true;
  const output = pick('output', 'o');
  const report = pick('report', 'r');

  const source = readSource(file);
  const result = convert(source, format as SourceFormat);
  const diags = result.diagnostics;
  if (report) fs.writeFileSync(report, diags.report(bypass) + '\n');

  if (result.output === undefined || !diags.allowsOutput(bypass)) {
    const stopping = diags.has('Critical') ? diags.atLeast('Critical') : diags.atLeast('Error');
    for (const d of stopping) process.stderr.write(formatDiagnostic(d) + '\n');
    process.stderr.write(
      diags.has('Critical')
        ? 'alloy convert: no config written: critical issues (above)\n'
        : 'alloy convert: no config written: errors (above); --bypass-errors writes it anyway\n',
    );
    return 1;
  }
  if (output) fs.writeFileSync(output, result.output);
  else process.stdout.write(result.output);
  return 0;
}

function readSource(file: string): string {
  if (file === '-') return fs.readFileSync(0, 'utf8');
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (e) {
    throw new FlagError(`alloy convert: cannot read ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  if (st.isDirectory()) throw new FlagError(`alloy convert: ${file}: cannot convert a directory`);
  return fs.readFileSync(file, 'utf8');
}
