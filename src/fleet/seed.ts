// The anonymous identity of this installation, kept in alloy_seed.json in the
// storage path (Alloy's alloyseed file: {UID, created_at, version}), so a
// remotecfg block without `id` reports the same id across restarts.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { VERSION } from '../version.js';

export const SEED_FILE = 'alloy_seed.json';

export interface Seed {
  UID: string;
  created_at: string;
  version: string;
}

/** The seed in `storagePath`, created on first use; an unreadable or empty file is replaced. */
export function loadSeed(storagePath: string): Seed {
  const file = path.join(storagePath, SEED_FILE);
  try {
    const s = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<Seed>;
    if (typeof s.UID === 'string' && s.UID !== '') return { UID: s.UID, created_at: String(s.created_at ?? ''), version: String(s.version ?? '') };
  } catch {
    // missing or unreadable: a new one below
  }
  const seed: Seed = { UID: crypto.randomUUID(), created_at: new Date().toISOString(), version: VERSION };
  fs.mkdirSync(storagePath, { recursive: true });
  fs.writeFileSync(file, JSON.stringify(seed));
  return seed;
}
