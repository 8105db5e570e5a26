// Flag definitions of `alloy run` (names as Alloy's) and a strict parser that
// accepts `--name=value` and `--name value`. The chart tests run this parser on
// the rendered container args, so an arg our CLI does not know fails there too.
export interface FlagDef {
  name: string;
  help: string;
  default?: string;
  boolean?: boolean;
}

export const runFlags: FlagDef[] = [
  { name: 'server.http.listen-addr', help: 'Address the HTTP server listens on (host:port; port 0 picks one)', default: '127.0.0.1:12345' },
  { name: 'server.http.ui-path-prefix', help: 'Path prefix the UI is served under', default: '/' },
  { name: 'storage.path', help: 'Directory for component state (WAL, positions)', default: 'data-alloy/' },
  { name: 'log.level', help: 'Log level: debug, info, warn, error', default: 'info' },
  { name: 'log.format', help: 'Log format: logfmt or json', default: 'logfmt' },
  { name: 'config.watch-interval', help: 'How often the config file is checked for changes and reloaded (0 disables)', default: '5s' },
  { name: 'stability.level', help: 'Minimum stability level of features to enable: generally-available, public-preview or experimental', default: 'generally-available' },
  { name: 'disable-reporting', help: 'Accepted for compatibility with Alloy (we never report usage)', boolean: true },
];

export class FlagError extends Error {}

export interface ParsedArgs {
  flags: Record<string, string | boolean>;
  positionals: string[];
}

/** Parses argv strictly against the definitions; unknown flags are an error naming the flag. */
export function parseFlags(argv: string[], defs: FlagDef[]): ParsedArgs {
  const byName = new Map(defs.map((d) => [d.name, d]));
  const flags: Record<string, string | boolean> = {};
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith('-') || a === '-') {
      positionals.push(a);
      continue;
    }
    const body = a.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const name = eq >= 0 ? body.slice(0, eq) : body;
    const def = byName.get(name);
    if (!def) throw new FlagError(`unknown flag --${name}`);
    if (def.boolean) {
      const v = eq >= 0 ? body.slice(eq + 1) : 'true';
      if (v !== 'true' && v !== 'false') throw new FlagError(`flag --${name} takes true or false, got "${v}"`);
      flags[name] = v === 'true';
    } else if (eq >= 0) {
      flags[name] = body.slice(eq + 1);
    } else {
      if (i + 1 >= argv.length) throw new FlagError(`flag --${name} needs a value`);
      flags[name] = argv[++i];
    }
  }
  for (const d of defs) if (!(d.name in flags) && d.default !== undefined) flags[d.name] = d.boolean ? d.default === 'true' : d.default;
  return { flags, positionals };
}

export function flagHelp(defs: FlagDef[]): string {
  return defs
    .map((d) => `  --${d.name}${d.boolean ? '' : '=VALUE'}\n      ${d.help}${d.default !== undefined ? ` (default "${d.default}")` : ''}`)
    .join('\n');
}
