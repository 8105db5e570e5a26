// The floors of src/ (docs/layout.md): every import goes to a strictly lower floor or stays in its own
// folder, shipped code never reaches into e2e/ or bench/, and no files import each other in a circle.
// This test reads the import lines of every shipped file, so a new arrow back up fails here first.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = dirname(fileURLToPath(import.meta.url));

/** Floor of each top-level folder (or file) of src/; 0 is the ground. Keep docs/layout.md in step. */
const FLOORS: Record<string, number> = {
  syntax: 0,
  'version.ts': 1,
  'redact.ts': 0,
  'package-root.ts': 0,
  compress: 0,
  clustering: 1,
  pipeline: 1,
  runtime: 2,
  net: 3,
  relabel: 3,
  ui: 3,
  kube: 4,
  logs: 5,
  scrape: 4,
  modules: 4,
  fleet: 4,
  remotewrite: 4,
  otel: 4,
  discovery: 5,
  sandbox: 6,
  server: 5,
  kubelet: 6,
  crd: 7,
  components: 8,
  convert: 9,
  'app.ts': 10,
  cli: 11,
  demo: 12,
  'main.ts': 13,
};

function shippedFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) shippedFiles(path, out);
    else if (/\.ts$/.test(name) && !/\.test\.ts$/.test(name) && !/\.d\.ts$/.test(name)) out.push(path);
  }
  return out;
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\b[^'"`;]*?\bfrom\s+'([^']+)'|\bimport\(\s*'([^']+)'\s*\)/g;

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found: string[] = [];
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[1] ?? m[2];
    if (spec.startsWith('.')) found.push(normalize(join(dirname(file), spec)).replace(/\.js$/, '.ts'));
  }
  return found;
}

const topOf = (file: string): string => relative(SRC, file).split('/')[0];

const files = shippedFiles(SRC);
const graph = new Map(files.map((f) => [f, importsOf(f)]));

test('every top-level part of src/ has a floor', () => {
  const tops = [...new Set(files.map(topOf))].sort();
  expect(tops.filter((t) => FLOORS[t] === undefined)).toEqual([]);
});

test('imports only go down a floor or stay inside their folder; none reach e2e/ or bench/', () => {
  const wrong: string[] = [];
  for (const [file, targets] of graph) {
    for (const target of targets) {
      const rel = relative(SRC, target);
      if (rel.startsWith('..')) {
        wrong.push(`${relative(SRC, file)} imports ${rel} (outside src/)`);
        continue;
      }
      const from = topOf(file);
      const to = topOf(target);
      if (from !== to && !(FLOORS[to] < FLOORS[from])) wrong.push(`${relative(SRC, file)} (floor ${FLOORS[from]}) imports ${rel} (floor ${FLOORS[to]})`);
    }
  }
  expect(wrong).toEqual([]);
});

test('no files import each other in a circle', () => {
  const state = new Map<string, 'open' | 'done'>();
  const circles: string[] = [];
  const stack: string[] = [];
  const visit = (file: string): void => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (!graph.has(next)) continue;
      if (state.get(next) === 'open') circles.push(stack.slice(stack.indexOf(next)).concat(next).map((f) => relative(SRC, f)).join(' -> '));
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  expect(circles).toEqual([]);
});
