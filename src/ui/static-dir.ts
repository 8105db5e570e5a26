// Where the UI's static files live. They are hand-written browser ES modules
// under src/ui/static/, served as they are: tsc does not copy them into dist/,
// so both `tsx src/main.ts` and `node dist/src/main.js` find them from the
// package root (the nearest package.json named alloy-ts above this module).
import fs from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../package-root.js';

export { packageRoot };

/** Absolute path of the directory the UI is served from; ALLOY_UI_STATIC_DIR overrides it (packaging). */
export function uiStaticDir(): string {
  const override = process.env.ALLOY_UI_STATIC_DIR;
  const dir = override ? path.resolve(override) : path.join(packageRoot(), 'src', 'ui', 'static');
  if (!fs.existsSync(path.join(dir, 'index.html'))) throw new Error(`ui: no index.html in ${dir}`);
  return dir;
}
