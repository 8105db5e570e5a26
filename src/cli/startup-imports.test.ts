// What every `alloy run` loads at start: the static (non-type) import graph of
// src/main.ts. The Kubernetes client (~25 MiB of heap, ~60 MiB RSS) is loaded
// only by the components that talk to the API server (their `load`), so a
// config without them never pays for it.
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = join(dirname(fileURLToPath(import.meta.url)), '..');
const IMPORT = /^\s*(import|export)\s+(?!type\b)(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm;

/** Module -> the module that first imported it, over static value imports from main.ts. */
function staticGraph(): Map<string, string> {
  const parent = new Map<string, string>([['src/main.ts', '']]);
  const todo = ['src/main.ts'];
  for (let n = 0; todo.length && n < 5000; n++) {
    const file = todo.pop()!;
    const text = readFileSync(join(SRC, '..', file), 'utf8');
    for (const m of text.matchAll(IMPORT)) {
      const spec = m[2];
      const to = spec.startsWith('.') ? relative(join(SRC, '..'), join(SRC, '..', dirname(file), spec)).replace(/\.js$/, '.ts') : spec;
      if (parent.has(to)) continue;
      parent.set(to, file);
      if (spec.startsWith('.')) todo.push(to);
    }
  }
  return parent;
}

const chain = (g: Map<string, string>, m: string) => {
  const out = [m];
  for (let p = g.get(m); p; p = g.get(p)) out.push(p);
  return out.reverse().join(' -> ');
};

describe('alloy run start-up imports', () => {
  const g = staticGraph();

  test('the graph is walked (components and the kube client module are in it)', () => {
    expect(g.has('src/components/index.ts')).toBe(true);
    expect(g.has('src/components/discovery/kubernetes.ts')).toBe(true);
    expect(g.has('src/kube/client.ts')).toBe(true);
  });

  test('@kubernetes/client-node is not imported statically', () => {
    const found = [...g.keys()].filter((m) => m === '@kubernetes/client-node' || m.startsWith('@kubernetes/client-node/'));
    expect(found.map((m) => chain(g, m))).toEqual([]);
  });
});
