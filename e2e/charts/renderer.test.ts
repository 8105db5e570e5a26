// tools/helm-render on a small chart made here: values precedence, --set
// forms, built-in objects, include/tpl/required/toYaml/fromYaml/lookup,
// document splitting and install order.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseObjects, rendererBinary } from './render.js';

let dir: string;
const run = (...args: string[]) => execFileSync(rendererBinary(), [...args, dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const fail = (...args: string[]) => {
  try {
    run(...args);
  } catch (e) {
    return String((e as { stderr: string }).stderr);
  }
  throw new Error('render succeeded');
};

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chart-'));
  fs.mkdirSync(path.join(dir, 'templates'));
  fs.writeFileSync(path.join(dir, 'Chart.yaml'), 'apiVersion: v2\nname: demo\nversion: 1.2.3\nappVersion: "9.9"\n');
  fs.writeFileSync(path.join(dir, 'values.yaml'), 'a:\n  b: 1\n  keep: yes-kept\nlist: [x]\nmsg: hello\nneed: ""\nremove: me\n');
  fs.writeFileSync(path.join(dir, 'extra.txt'), 'file body\n');
  fs.writeFileSync(path.join(dir, 'templates/_h.tpl'), '{{- define "demo.name" -}}{{ .Chart.Name }}-{{ .Release.Name }}{{- end -}}\n');
  fs.writeFileSync(
    path.join(dir, 'templates/cm.yaml'),
    [
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata:',
      '  name: {{ include "demo.name" . }}',
      '  namespace: {{ .Release.Namespace }}',
      'data:',
      '  values: {{ toJson .Values | quote }}',
      '  chart: "{{ .Chart.Name }}/{{ .Chart.Version }}/{{ .Chart.AppVersion }}/{{ .Release.Service }}/{{ .Release.IsInstall }}"',
      '  kube: {{ .Capabilities.KubeVersion.Version | quote }}',
      '  api: {{ .Capabilities.APIVersions.Has "apps/v1" | quote }}',
      '  file: {{ .Files.Get "extra.txt" | trim | quote }}',
      '  tpl: {{ tpl "{{ .Values.msg | upper }}" . | quote }}',
      '  yaml: {{ (fromYaml "k: v").k | quote }}',
      '  lookup: {{ len (lookup "v1" "Secret" "ns" "x") | quote }}',
      '  missing: "[{{ .Values.nope }}]"',
      '  template: {{ .Template.Name | quote }}',
      '  nested: |',
      '    {{- toYaml .Values.a | nindent 4 }}',
      '{{- if .Values.need }}',
      '  need: {{ required "need is required" .Values.need }}',
      '{{- end }}',
      '{{- if .Values.strict }}',
      '  strict: {{ required "strict must be set" .Values.strictValue }}',
      '{{- end }}',
      '',
    ].join('\n'),
  );
  // Two documents, one empty (dropped), and a kind that installs earlier.
  fs.writeFileSync(path.join(dir, 'templates/multi.yaml'), '---\n# only a comment\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: sa\n---\n\n');
  fs.writeFileSync(path.join(dir, 'templates/NOTES.txt'), 'not a manifest {{ .Values.missing.deeper }}');
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('helm-render', () => {
  test('built-in objects, functions and defaults', () => {
    const out = run('--name', 'rel', '--namespace', 'ns1');
    expect(out.startsWith('---\n# Source: demo/templates/')).toBe(true);
    const objs = parseObjects(out);
    expect(objs.map((o) => o.kind)).toEqual(['ServiceAccount', 'ConfigMap']);
    const d = objs[1].data;
    expect(objs[1].metadata).toEqual({ name: 'demo-rel', namespace: 'ns1' });
    expect(d.chart).toBe('demo/1.2.3/9.9/Helm/true');
    expect(d.kube).toBe('v1.32.0');
    expect(d.api).toBe('true');
    expect(d.file).toBe('file body');
    expect(d.tpl).toBe('HELLO');
    expect(d.yaml).toBe('v');
    expect(d.lookup).toBe('0');
    expect(d.missing).toBe('[]');
    expect(d.template).toBe('demo/templates/cm.yaml');
    expect(d.nested).toBe('b: 1\nkeep: yes-kept\n');
    expect(out).toContain('# Source: demo/templates/multi.yaml');
    expect(out).not.toContain('only a comment');
  });

  test('values precedence: values.yaml < --values files in order < --set < --set-string', () => {
    const f1 = path.join(dir, 'v1.yaml');
    const f2 = path.join(dir, 'v2.yaml');
    fs.writeFileSync(f1, 'a:\n  b: 2\n  c: from-f1\nremove: null\n');
    fs.writeFileSync(f2, 'a:\n  c: from-f2\n');
    const v = JSON.parse(parseObjects(run('--values', f1, '-f', f2, '--set', 'a.d=3,list[1]=y,flag=true,big=0755', '--set', 'arr={p,q}', '--set-string', 'a.s=true', '--set', 'dots.a\\.b=1'))[1].data.values);
    expect(v).toEqual({
      a: { b: 2, c: 'from-f2', d: 3, keep: 'yes-kept', s: 'true' },
      // As in Helm: --set builds on the user values, not on values.yaml, so an
      // index into a default list replaces the whole list.
      list: [null, 'y'],
      flag: true,
      big: '0755',
      arr: ['p', 'q'],
      dots: { 'a.b': 1 },
      msg: 'hello',
      need: '',
    });
  });

  test('required and bad input fail with the reason', () => {
    expect(fail('--set', 'strict=true')).toMatch(/execution error at \(demo\/templates\/cm\.yaml:\d+:\d+\): strict must be set/);
    expect(fail('--bogus', 'x')).toMatch(/unknown flag --bogus/);
    expect(fail('--set', 'novalue')).toMatch(/expected key=value/);
    fs.writeFileSync(path.join(dir, 'templates/bad.yaml'), 'a: [unclosed\n');
    try {
      expect(fail()).toMatch(/YAML parse error on demo\/templates\/bad\.yaml/);
    } finally {
      fs.rmSync(path.join(dir, 'templates/bad.yaml'));
    }
  });

  test('--show-only renders one template', () => {
    const objs = parseObjects(run('--show-only', 'templates/multi.yaml'));
    expect(objs.map((o) => o.kind)).toEqual(['ServiceAccount']);
  });
});
