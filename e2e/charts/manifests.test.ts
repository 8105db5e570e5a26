// manifests/ must be what scripts/render-manifests.sh renders today; the Dockerfile must keep the properties the charts rely on.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { parseObjects, ROOT } from './render.js';

describe('manifests/ and the container image', () => {
  test('checked-in manifests equal a fresh render (scripts/render-manifests.sh --check)', () => {
    const r = spawnSync('bash', [path.join(ROOT, 'scripts/render-manifests.sh'), '--check'], { cwd: ROOT, encoding: 'utf8', timeout: 120000 });
    expect({ status: r.status, out: `${r.stdout}${r.stderr}` }).toEqual({ status: 0, out: '' });
  });

  test('kustomization lists existing files; the rendered manifests are valid objects', () => {
    const k = YAML.parse(fs.readFileSync(path.join(ROOT, 'manifests/kustomization.yaml'), 'utf8'));
    expect(k.kind).toBe('Kustomization');
    expect(k.resources).toEqual(expect.arrayContaining(['namespace.yaml', 'alloy-annotations.yaml']));
    expect(k.resources.some((r: string) => r.startsWith('crds/'))).toBe(true);
    for (const r of k.resources) expect({ r, exists: fs.existsSync(path.join(ROOT, 'manifests', r)) }).toEqual({ r, exists: true });
    for (const f of ['alloy.yaml', 'alloy-annotations.yaml']) {
      const objs = parseObjects(fs.readFileSync(path.join(ROOT, 'manifests', f), 'utf8'));
      expect(objs.map((o) => o.kind)).toEqual(expect.arrayContaining(['ServiceAccount', 'ConfigMap', 'ClusterRole', 'ClusterRoleBinding', 'Service', 'StatefulSet']));
      for (const o of objs) if (o.kind !== 'ClusterRole' && o.kind !== 'ClusterRoleBinding') expect(o.metadata.namespace).toBe('alloy');
    }
  });

  test('Dockerfile: multi-stage node:20-bookworm-slim, prod deps only, non-root, entrypoint and command', () => {
    const text = fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
    // Join continuation lines, drop comments, split into stages.
    const lines = text.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    const stages: string[][] = [];
    for (const l of lines) {
      if (/^FROM /i.test(l)) stages.push([l]);
      else stages[stages.length - 1]?.push(l);
    }
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const s of stages) expect(s[0]).toMatch(/^FROM node:20-bookworm-slim\b/);
    const [build, runtime] = [stages[0], stages[stages.length - 1]];
    expect(build.some((l) => /^RUN .*npm ci\b/.test(l) && !/--omit=dev/.test(l))).toBe(true);
    expect(build.some((l) => /^RUN .*npm run build\b/.test(l))).toBe(true);
    expect(runtime.some((l) => /^RUN .*npm ci\b.*--omit=dev/.test(l))).toBe(true);
    expect(runtime.some((l) => /^COPY --from=\S+ \/app\/dist /.test(l))).toBe(true);
    expect(runtime.some((l) => /^COPY src\/ui\/static /.test(l))).toBe(true);
    const user = runtime.filter((l) => /^USER /.test(l)).pop();
    expect(user).toMatch(/^USER 10001\b/);
    const json = (kw: string) => JSON.parse(runtime.find((l) => l.startsWith(`${kw} `))!.slice(kw.length + 1));
    expect(json('ENTRYPOINT')).toEqual(['node', '/app/dist/src/main.js']);
    expect(json('CMD')).toEqual(['run', '/etc/alloy/config.alloy']);
    // The entrypoint is what `npm run build` produces.
    const tsconfig = JSON.parse(fs.readFileSync(path.join(ROOT, 'tsconfig.json'), 'utf8'));
    expect(tsconfig.compilerOptions.outDir).toBe('dist');
    expect(fs.existsSync(path.join(ROOT, 'src/main.ts'))).toBe(true);
    // The chart runs the image as the same user.
    const values = YAML.parse(fs.readFileSync(path.join(ROOT, 'charts/alloy/values.yaml'), 'utf8'));
    expect(values.alloy.podSecurityContext.runAsUser).toBe(10001);
  });

  test('.dockerignore keeps node_modules, dist, VCS data and tests out of the context but not the sources', () => {
    const ignore = fs.readFileSync(path.join(ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    expect(ignore).toEqual(expect.arrayContaining(['node_modules', 'dist', '.git']));
    for (const needed of ['src', 'package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json']) expect(ignore).not.toContain(needed);
    // The image holds no tests: e2e/, bench/ and unit tests stay out, and the build compiles src/ only.
    expect(ignore).toEqual(expect.arrayContaining(['e2e', 'bench', '**/*.test.ts']));
    const build = JSON.parse(fs.readFileSync(path.join(ROOT, 'tsconfig.build.json'), 'utf8'));
    expect(build.include).toEqual(['src/**/*.ts']);
    expect(build.exclude).toContain('src/**/*.test.ts');
  });
});
