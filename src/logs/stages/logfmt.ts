// stage.logfmt: parses key=value pairs (values optionally double-quoted with
// Go escapes) and extracts the mapped keys; an empty mapping value means the
// key of the same name.
import { compileGoRegexp, type GoRegexp } from './go-regexp.js';
import { stageInput } from './source.js';
import type { Stage, StageEntry } from './types.js';

export interface LogfmtArgs {
  mapping?: Record<string, string | null>;
  /** Every key matching it is extracted under its own name. */
  regex?: string;
  source?: string;
}

export function parseLogfmt(line: string): Map<string, string> {
  const out = new Map<string, string>();
  let i = 0;
  const n = line.length;
  while (i < n) {
    while (i < n && line.charCodeAt(i) <= 32) i++;
    const ks = i;
    while (i < n && line[i] !== '=' && line.charCodeAt(i) > 32) i++;
    const key = line.slice(ks, i);
    let value = '';
    if (i < n && line[i] === '=') {
      i++;
      if (line[i] === '"') {
        i++;
        let v = '';
        while (i < n && line[i] !== '"') {
          if (line[i] === '\\' && i + 1 < n) {
            const c = line[++i];
            v += c === 'n' ? '\n' : c === 't' ? '\t' : c === 'r' ? '\r' : c;
          } else v += line[i];
          i++;
        }
        i++; // closing quote
        value = v;
      } else {
        const vs = i;
        while (i < n && line.charCodeAt(i) > 32) i++;
        value = line.slice(vs, i);
      }
    }
    if (key) out.set(key, value);
  }
  return out;
}

export function logfmtStage(args: LogfmtArgs): Stage {
  const mapping = Object.entries(args.mapping ?? {}).map(([name, key]) => [name, key || name] as const);
  if (mapping.length === 0 && !args.regex) throw new Error('stage.logfmt: logfmt mapping or regex is required');
  const re: GoRegexp | undefined = args.regex ? compileGoRegexp('stage.logfmt regex', args.regex) : undefined;
  const source = args.source;
  return {
    name: 'logfmt',
    process(e: StageEntry) {
      const input = stageInput(e, source);
      if (input === undefined) return true;
      const kv = parseLogfmt(input);
      for (const [name, key] of mapping) {
        const v = kv.get(key);
        if (v !== undefined) e.extracted[name] = v;
      }
      if (re) for (const [k, v] of kv) if (re.test(k)) e.extracted[k] = v;
      return true;
    },
  };
}
