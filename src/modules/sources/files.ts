// Reads a module from disk: one file, or every *.alloy file of a directory
// (one module: a declare in one file may use a declare of another).
import fs from 'node:fs/promises';
import path from 'node:path';
import type { ModuleSource } from '../../runtime/types.js';

export async function readModulePath(target: string, shownAs: (file: string) => string = (f) => f): Promise<ModuleSource> {
  let stat;
  try {
    stat = await fs.stat(target);
  } catch (e) {
    throw new Error(`failed to read ${shownAs(target)}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (!stat.isDirectory()) {
    return { files: { [shownAs(target)]: await fs.readFile(target, 'utf8') }, modulePath: path.dirname(target) };
  }
  const names = (await fs.readdir(target, { withFileTypes: true })).filter((d) => d.isFile() && d.name.endsWith('.alloy')).map((d) => d.name).sort();
  const files: Record<string, string> = {};
  for (const n of names) files[shownAs(path.join(target, n))] = await fs.readFile(path.join(target, n), 'utf8');
  return { files, modulePath: target };
}
