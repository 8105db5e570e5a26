// Builds tools/helm-render once per source version (cached in the temp dir by
// a hash of its sources) and renders the repo's charts with it.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SRC = path.join(ROOT, 'tools/helm-render');

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [k: string]: any;
}

let cached: string | undefined;

/** Path of the renderer binary, building it when its sources changed. */
export function rendererBinary(): string {
  if (cached) return cached;
  const h = createHash('sha256');
  for (const f of fs.readdirSync(SRC).filter((f) => f.endsWith('.go')).sort()) h.update(f).update(fs.readFileSync(path.join(SRC, f)));
  const dir = path.join(os.tmpdir(), 'alloy-ts-helm-render', h.digest('hex').slice(0, 16));
  const bin = path.join(dir, 'helm-render');
  if (!fs.existsSync(bin)) {
    fs.mkdirSync(dir, { recursive: true });
    // Parallel jest workers may build at once: each writes its own file, the rename is atomic.
    const tmp = `${bin}.${process.pid}.tmp`;
    execFileSync('go', ['build', '-o', tmp, '.'], {
      cwd: SRC,
      env: { ...process.env, GOPATH: '/usr/share/gocode', GO111MODULE: 'off' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    fs.renameSync(tmp, bin);
  }
  cached = bin;
  return bin;
}

export interface RenderOptions {
  name?: string;
  namespace?: string;
  /** --set assignments, e.g. "controller.type=daemonset". */
  set?: string[];
  /** Values merged over values.yaml (written to a temp file, passed as --values). */
  values?: Record<string, unknown>;
}

/** Renders charts/<chart>; throws with the renderer's stderr on failure. */
export function renderChart(chart: string, opts: RenderOptions = {}): string {
  const args = ['--name', opts.name ?? chart, '--namespace', opts.namespace ?? 'alloy'];
  let tmp: string | undefined;
  if (opts.values) {
    tmp = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'chart-values-')), 'values.yaml');
    fs.writeFileSync(tmp, YAML.stringify(opts.values));
    args.push('--values', tmp);
  }
  for (const s of opts.set ?? []) args.push('--set', s);
  args.push(path.join(ROOT, 'charts', chart));
  try {
    return execFileSync(rendererBinary(), args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`rendering charts/${chart} ${args.join(' ')} failed: ${err.stderr || err.message}`);
  } finally {
    if (tmp) fs.rmSync(path.dirname(tmp), { recursive: true, force: true });
  }
}

/** Every YAML document of a render (each must parse without errors). */
export function parseObjects(rendered: string): KubeObject[] {
  const docs = YAML.parseAllDocuments(rendered);
  const out: KubeObject[] = [];
  for (const d of docs) {
    if (d.errors.length) throw new Error(`YAML error: ${d.errors[0].message}`);
    const v = d.toJS();
    if (v != null) out.push(v as KubeObject);
  }
  return out;
}

export function renderObjects(chart: string, opts: RenderOptions = {}): KubeObject[] {
  return parseObjects(renderChart(chart, opts));
}

export function find(objs: KubeObject[], kind: string, name?: string): KubeObject[] {
  return objs.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
}

export const WORKLOAD_KINDS = ['StatefulSet', 'DaemonSet', 'Deployment'];

export function workload(objs: KubeObject[]): KubeObject {
  const w = objs.filter((o) => WORKLOAD_KINDS.includes(o.kind));
  if (w.length !== 1) throw new Error(`expected one workload, got ${w.map((o) => o.kind).join(', ') || 'none'}`);
  return w[0];
}

/** The Alloy config the workload mounts (from the chart's ConfigMap). */
export function configOf(objs: KubeObject[]): string {
  const w = workload(objs);
  const vol = (w.spec.template.spec.volumes as any[]).find((v) => v.name === 'config');
  const cm = find(objs, 'ConfigMap', vol.configMap.name)[0];
  if (!cm) throw new Error(`ConfigMap ${vol.configMap.name} is not part of the render`);
  const key = (w.spec.template.spec.containers[0].args as string[])[1].split('/').pop()!;
  const text = cm.data?.[key];
  if (typeof text !== 'string') throw new Error(`ConfigMap ${cm.metadata.name} has no key ${key}`);
  return text;
}
