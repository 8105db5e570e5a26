// The installed package's root (the nearest package.json named alloy-ts above a
// module). Sources (src/) and compiled code (dist/src/) sit at different depths,
// so files shipped beside the code (UI assets, CRDs, package.json) are found from here.
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
  throw new Error(`cannot find the ${PACKAGE_NAME} package root above ${from}`);
}
