// tools/helm-render's subchart semantics on small charts made here, checked
// against Helm's documented behaviour: a file:// dependency and a chart under
// charts/ are rendered with their own .Values (defaults < parent's
// values[<name or alias>]), `global` copied into every chart, their own
// .Chart and .Files, a shared .Release, template names
// <parent>/charts/<sub>/templates/..., named templates shared across charts
// (the parent's definition wins), condition/tags, import-values, and clear
// errors for a missing or mismatched dependency.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { find, parseObjects, rendererBinary, type KubeObject } from './render.js';

let root: string;
const write = (rel: string, text: string) => {
  const p = path.join(root, rel);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, text);
};
const render = (chart: string, ...args: string[]) =>
  parseObjects(execFileSync(rendererBinary(), ['--name', 'rel', '--namespace', 'ns', ...args, path.join(root, chart)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
const renderRaw = (chart: string, ...args: string[]) =>
  execFileSync(rendererBinary(), ['--name', 'rel', '--namespace', 'ns', ...args, path.join(root, chart)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const failure = (chart: string, ...args: string[]) => {
  try {
    renderRaw(chart, ...args);
  } catch (e) {
    return String((e as { stderr: string }).stderr);
  }
  throw new Error('render succeeded');
};
/** The ConfigMap a chart's probe template writes: everything it saw, as JSON. */
const probe = (objs: KubeObject[], name: string) => {
  const cm = find(objs, 'ConfigMap', name)[0];
  if (!cm) throw new Error(`no ConfigMap ${name} in ${objs.map((o) => o.metadata.name).join(', ')}`);
  return Object.fromEntries(Object.entries(cm.data as Record<string, string>).map(([k, v]) => [k, JSON.parse(v)]));
};
const probeTemplate = (id: string) =>
  [
    'apiVersion: v1',
    'kind: ConfigMap',
    'metadata:',
    `  name: {{ .Release.Name }}-{{ .Chart.Name }}-${id}`,
    'data:',
    '  values: {{ toJson .Values | quote }}',
    '  chart: {{ dict "name" .Chart.Name "version" .Chart.Version "isRoot" .Chart.IsRoot | toJson | quote }}',
    '  release: {{ dict "name" .Release.Name "namespace" .Release.Namespace | toJson | quote }}',
    '  template: {{ dict "name" .Template.Name "basePath" .Template.BasePath | toJson | quote }}',
    '  file: {{ .Files.Get "own.txt" | trim | toJson | quote }}',
    '  greeting: {{ include "shared.greeting" . | toJson | quote }}',
    '',
  ].join('\n');

beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'subcharts-'));
  // child: a chart used twice by parent through file:// (once aliased).
  write('child/Chart.yaml', 'apiVersion: v2\nname: child\nversion: 1.4.0\n');
  write('child/values.yaml', YAML.stringify({ port: 80, mode: 'child-default', dropMe: 'present', nested: { a: 1, b: 2 }, global: { region: 'child-region', childOnly: 'only-child' }, exports: { shared: { fromChild: 'exported' } }, table: { x: 'tx' } }));
  write('child/own.txt', 'child file\n');
  write('child/templates/_helpers.tpl', '{{- define "child.fullname" -}}{{ .Release.Name }}-{{ .Chart.Name }}{{- end -}}\n{{- define "shared.greeting" -}}from child{{- end -}}\n');
  write('child/templates/cm.yaml', probeTemplate('probe'));
  // grandchild under child/charts/ (vendored, not listed): globals reach it too.
  write('child/charts/grand/Chart.yaml', 'apiVersion: v2\nname: grand\nversion: 0.0.1\n');
  write('child/charts/grand/values.yaml', 'depth: 2\n');
  write('child/charts/grand/templates/cm.yaml', probeTemplate('probe'));
  // parent: depends on child twice and on a vendored chart.
  write(
    'parent/Chart.yaml',
    YAML.stringify({
      apiVersion: 'v2',
      name: 'parent',
      version: '0.3.0',
      dependencies: [
        { name: 'child', version: '^1.2.0', repository: 'file://../child', 'import-values': ['shared', { child: 'table', parent: 'imported.table' }] },
        { name: 'child', alias: 'second', version: '1.x', repository: 'file://../child', condition: 'second.enabled' },
        { name: 'tagged', version: '0.1.0', repository: 'https://charts.example/unused', tags: ['extras'] },
      ],
    }),
  );
  write('parent/values.yaml', YAML.stringify({ global: { region: 'parent-region', tier: 'gold' }, child: { mode: 'from-parent', nested: { b: 20 } }, second: { enabled: true, port: 8080 }, imported: { table: { py: 'parent-y' } } }));
  write('parent/own.txt', 'parent file\n');
  write('parent/templates/_helpers.tpl', '{{- define "shared.greeting" -}}from parent{{- end -}}\n');
  write('parent/templates/cm.yaml', probeTemplate('probe'));
  // The parent's own template uses a named template of its subchart.
  write('parent/templates/uses-child.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: uses-child\ndata:\n  childName: {{ include "child.fullname" (dict "Release" .Release "Chart" (dict "Name" "child")) | quote }}\n  childPort: {{ .Subcharts.child.Values.port | quote }}\n  childChart: {{ .Subcharts.child.Chart.Name | quote }}\n');
  // tagged: vendored under parent/charts/ (a non-file:// repository must be vendored).
  write('parent/charts/tagged/Chart.yaml', 'apiVersion: v2\nname: tagged\nversion: 0.1.0\n');
  write('parent/charts/tagged/templates/cm.yaml', probeTemplate('probe'));
});

afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('helm-render subcharts', () => {
  test("values under the dependency's key reach it over its defaults; a null deletes a default", () => {
    const objs = render('parent');
    const child = probe(objs, 'rel-child-probe');
    expect(child.values.mode).toBe('from-parent');
    expect(child.values.port).toBe(80);
    expect(child.values.nested).toEqual({ a: 1, b: 20 });
    expect(child.values.dropMe).toBe('present');
    // --set on the parent's path reaches the subchart the same way; a null deletes the subchart's default.
    const set = probe(render('parent', '--set', 'child.port=9090,child.nested.a=null,child.dropMe=null'), 'rel-child-probe');
    expect(set.values.port).toBe(9090);
    expect(set.values.nested).toEqual({ b: 20 });
    expect(set.values).not.toHaveProperty('dropMe');
    // The parent sees the coalesced subchart section too (as in Helm).
    expect(probe(objs, 'rel-parent-probe').values.child.port).toBe(80);
  });

  test('global reaches every chart; the parent wins, a subchart keeps its own extra globals', () => {
    const objs = render('parent', '--set', 'global.tier=platinum');
    const parent = probe(objs, 'rel-parent-probe').values.global;
    const child = probe(objs, 'rel-child-probe').values.global;
    const grand = probe(objs, 'rel-grand-probe').values.global;
    expect(parent).toEqual({ region: 'parent-region', tier: 'platinum' });
    expect(child).toEqual({ region: 'parent-region', tier: 'platinum', childOnly: 'only-child' });
    expect(grand).toEqual({ region: 'parent-region', tier: 'platinum', childOnly: 'only-child' });
    expect(probe(objs, 'rel-grand-probe').values.depth).toBe(2);
  });

  test('each chart has its own .Chart and .Files, .Release is shared, templates are named by chart path', () => {
    const objs = render('parent');
    const parent = probe(objs, 'rel-parent-probe');
    const child = probe(objs, 'rel-child-probe');
    const grand = probe(objs, 'rel-grand-probe');
    expect(parent.chart).toEqual({ name: 'parent', version: '0.3.0', isRoot: true });
    expect(child.chart).toEqual({ name: 'child', version: '1.4.0', isRoot: false });
    expect(child.release).toEqual({ name: 'rel', namespace: 'ns' });
    expect(parent.file).toBe('parent file');
    expect(child.file).toBe('child file');
    expect(child.template).toEqual({ name: 'parent/charts/child/templates/cm.yaml', basePath: 'parent/charts/child/templates' });
    expect(grand.template.name).toBe('parent/charts/child/charts/grand/templates/cm.yaml');
    const sources = renderRaw('parent').match(/^# Source: .*$/gm);
    expect(sources).toContain('# Source: parent/charts/second/templates/cm.yaml');
    // --show-only takes the path relative to the top chart.
    const only = render('parent', '--show-only', 'charts/child/templates/cm.yaml');
    expect(only.map((o) => o.metadata.name)).toEqual(['rel-child-probe']);
  });

  test('named templates are shared across charts; for one name, the parent definition wins', () => {
    const objs = render('parent');
    const usesChild = find(objs, 'ConfigMap', 'uses-child')[0].data;
    expect(usesChild.childName).toBe('rel-child');
    // .Subcharts: each subchart's scope, as the subchart sees it.
    expect([usesChild.childPort, usesChild.childChart]).toEqual(['80', 'child']);
    expect(probe(objs, 'rel-parent-probe').greeting).toBe('from parent');
    expect(probe(objs, 'rel-child-probe').greeting).toBe('from parent');
  });

  test('an alias is a second instance with its own values; condition and tags disable a dependency', () => {
    const second = probe(render('parent'), 'rel-second-probe');
    expect(second.chart.name).toBe('second');
    expect(second.values.port).toBe(8080);
    expect(second.values.mode).toBe('child-default');
    const names = (objs: KubeObject[]) => objs.map((o) => o.metadata.name).sort();
    expect(names(render('parent'))).toContain('rel-tagged-probe');
    const off = names(render('parent', '--set', 'second.enabled=false,tags.extras=false'));
    expect(off).not.toContain('rel-second-probe');
    expect(off).not.toContain('rel-tagged-probe');
    expect(off).toContain('rel-child-probe');
  });

  test('import-values: the contents of exports.<name> at the root and {child, parent} tables, under the parent values', () => {
    const values = probe(render('parent'), 'rel-parent-probe').values;
    // The string form merges the contents of the child's exports.<name> at the parent's root.
    expect(values.fromChild).toBe('exported');
    expect(values).not.toHaveProperty('shared');
    expect(values.imported.table).toEqual({ x: 'tx', py: 'parent-y' });
  });

  test('a packaged subchart under charts/ (what helm dependency build leaves) renders like a directory', () => {
    write('packaged/Chart.yaml', YAML.stringify({ apiVersion: 'v2', name: 'packaged', version: '1.0.0', dependencies: [{ name: 'child', version: '1.4.0', repository: 'https://charts.example' }] }));
    write('packaged/values.yaml', 'child:\n  port: 7070\n');
    fs.mkdirSync(path.join(root, 'packaged/charts'), { recursive: true });
    execFileSync('tar', ['czf', path.join(root, 'packaged/charts/child-1.4.0.tgz'), '-C', root, 'child']);
    const child = probe(render('packaged'), 'rel-child-probe');
    expect(child.chart.name).toBe('child');
    expect(child.values.port).toBe(7070);
    expect(child.file).toBe('child file');
    expect(child.template.name).toBe('packaged/charts/child/templates/cm.yaml');
  });

  test('a missing dependency directory, a version mismatch and an unvendored remote chart fail clearly', () => {
    write('orphan/Chart.yaml', YAML.stringify({ apiVersion: 'v2', name: 'orphan', version: '1.0.0', dependencies: [{ name: 'gone', version: '1.0.0', repository: 'file://../does-not-exist' }] }));
    const missing = failure('orphan');
    expect(missing).toContain('dependency "gone"');
    expect(missing).toContain('file://../does-not-exist');
    expect(missing).toContain(path.join(root, 'does-not-exist'));

    write('old/Chart.yaml', YAML.stringify({ apiVersion: 'v2', name: 'old', version: '1.0.0', dependencies: [{ name: 'child', version: '^2.0.0', repository: 'file://../child' }] }));
    expect(failure('old')).toMatch(/dependency "child": version "1\.4\.0" of .*child does not satisfy "\^2\.0\.0"/);

    write('remote/Chart.yaml', YAML.stringify({ apiVersion: 'v2', name: 'remote', version: '1.0.0', dependencies: [{ name: 'x', version: '1.0.0', repository: 'https://charts.example' }] }));
    expect(failure('remote')).toMatch(/dependency "x" \(repository "https:\/\/charts\.example"\) is not in charts\//);

    write('badvalues/Chart.yaml', YAML.stringify({ apiVersion: 'v2', name: 'badvalues', version: '1.0.0', dependencies: [{ name: 'child', version: '1.4.0', repository: 'file://../child' }] }));
    expect(failure('badvalues', '--set', 'child=scalar')).toMatch(/"child" holds the values of subchart badvalues\/charts\/child and must be a map/);
  });
});
