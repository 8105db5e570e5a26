// Where the UI's static files live. They are hand-written browser ES modules
// under src/ui/static/, served as they are: tsc does not copy them into dist/,
// so both `tsx src/main.ts` and `node dist/src/main.js` find them from the
// package root (the nearest package.json named alloy-ts above this module).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE_NAME = 'alloy-ts';

export function packageRoot(from = path.dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (let i = 0; i < 8; i++) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg)) {
      try {
        if (JSON.parse(fs.readFileSync(pkg, 'utf8')).name === PACKAGE_NAME) return dir;
      } catch {
        // an unreadable package.json is not ours; keep walking up
      }
    }
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  throw new Error(`ui: cannot find the ${PACKAGE_NAME} package root above ${from}`);
}

/** Absolute path of the directory the UI is served from; ALLOY_UI_STATIC_DIR overrides it (packaging). */
export function uiStaticDir(): string {
  const override = process.env.ALLOY_UI_STATIC_DIR;
  const dir = override ? path.resolve(override) : path.join(packageRoot(), 'src', 'ui', 'static');
  if (!fs.existsSync(path.join(dir, 'index.html'))) throw new Error(`ui: no index.html in ${dir}`);
  return dir;
}
