// `alloy validate [--stability.level=L] FILE|DIR`: checks a config without
// running it (syntax, stability levels, config blocks, component names,
// references and cycles, argument types and values) and prints every error it
// finds as file:line:col: reason. Exit code 0 when valid, 1 otherwise.
import '../components/index.js';
import type { Expr } from '../syntax/ast.js';
import { isDiagnostic } from '../syntax/diagnostic.js';
import { references } from '../syntax/eval.js';
import { parse } from '../syntax/parser.js';
import { decodeConfigBlocks } from '../runtime/config-blocks.js';
import { decodeRemotecfg } from '../fleet/remotecfg-args.js';
import { readConfigSources, type ConfigSource } from '../runtime/config-files.js';
import { decodeBlock } from '../runtime/decode.js';
import { zeroExportScope } from '../runtime/zero-scope.js';
import { planGraph } from '../runtime/graph.js';
import { checkStability, type StabilityLevel } from '../runtime/stability.js';
import { FlagError, flagHelp, parseFlags, type FlagDef } from './flags.js';
import { stabilityFlag } from './run.js';

const validateFlags: FlagDef[] = [
  { name: 'stability.level', help: 'Minimum stability level of features to enable: generally-available, public-preview or experimental', default: 'generally-available' },
];

const message = (e: unknown) => (isDiagnostic(e) ? e.message : (e as Error)?.message ?? String(e));

/** Every problem found in the config, in order; empty when it is valid. */
export function validateConfig(sources: ConfigSource[], name: string, minStability: StabilityLevel): string[] {
  const errors: string[] = [];
  const files = [];
  for (const s of sources) {
    try {
      files.push(parse(s.source, s.name));
    } catch (e) {
      errors.push(message(e));
    }
  }
  if (errors.length) return errors;
  const file = { name, body: files.flatMap((f) => f.body) };
  let plan;
  try {
    checkStability(file.body, minStability);
    decodeConfigBlocks(file);
    decodeRemotecfg(file);
    plan = planGraph(file);
  } catch (e) {
    return [message(e)];
  }
  // Arguments: exports of other components are not known without running them,
  // so attributes that reference components are left out (as on a first load).
  const scope = zeroExportScope(plan.nodes);
  const skip = (e: Expr) => references(e).length > 0;
  for (const p of plan.nodes) {
    try {
      decodeBlock(p.block.body, p.def.args, scope, p.block.pos, { skip });
    } catch (e) {
      errors.push(message(e));
    }
  }
  return errors;
}

export function validateCommand(argv: string[]): number {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`Usage: alloy validate [flags] FILE|DIR\n\nChecks a config without running it; a directory: every *.alloy file in it.\n\nFlags:\n${flagHelp(validateFlags)}\n`);
    return 0;
  }
  const { flags, positionals } = parseFlags(argv, validateFlags);
  if (positionals.length !== 1) throw new FlagError('alloy validate needs exactly one FILE or directory argument');
  const minStability = stabilityFlag(flags['stability.level']);
  let sources: ConfigSource[];
  try {
    sources = readConfigSources(positionals[0]);
  } catch (e) {
    process.stderr.write(`${message(e)}\n`);
    return 1;
  }
  const errors = validateConfig(sources, positionals[0], minStability);
  for (const e of errors) process.stderr.write(`${e}\n`);
  if (errors.length) {
    process.stderr.write(`validation failed: ${errors.length} error${errors.length === 1 ? '' : 's'}\n`);
    return 1;
  }
  return 0;
}
