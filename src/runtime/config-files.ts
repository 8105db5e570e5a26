// Reads the config `alloy run` and `alloy validate` are given: one file, or a
// directory whose *.alloy files (not those of its subdirectories, as in Alloy)
// make one config. Each file is parsed with its own name, so positions in
// errors say which file is at fault.
import fs from 'node:fs';
import path from 'node:path';
import type { File } from '../syntax/ast.js';
import { parse } from '../syntax/parser.js';

export interface ConfigSource {
  name: string;
  source: string;
}

/** The sources of a file or a directory, in file-name order. */
export function readConfigSources(target: string): ConfigSource[] {
  const stat = fs.statSync(target);
  if (!stat.isDirectory()) return [{ name: target, source: fs.readFileSync(target, 'utf8') }];
  const names = fs
    .readdirSync(target, { withFileTypes: true })
    .filter((d) => d.name.endsWith('.alloy') && (d.isFile() || (d.isSymbolicLink() && fs.statSync(path.join(target, d.name)).isFile())))
    .map((d) => d.name)
    .sort();
  if (names.length === 0) throw new Error(`${target}: no *.alloy files in this directory`);
  return names.map((n) => {
    const name = path.join(target, n);
    return { name, source: fs.readFileSync(name, 'utf8') };
  });
}

/** Parses every source (throwing the first syntax error) and joins their statements into one File. */
export function parseSources(sources: ConfigSource[], name: string): File {
  const files = sources.map((s) => parse(s.source, s.name));
  return {
    name,
    body: files.flatMap((f) => f.body),
    comments: files.flatMap((f) => f.comments ?? []),
  };
}

/** Identifies the content of a config (names and sources), to tell whether it changed. */
export function fingerprint(sources: ConfigSource[]): string {
  return JSON.stringify(sources.map((s) => [s.name, s.source]));
}
