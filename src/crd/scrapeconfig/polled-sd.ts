// ScrapeConfig's httpSDConfigs and fileSDConfigs: target groups
// (`[{targets: [...], labels: {...}}]`, Prometheus's format) polled every
// refresh interval. HTTP answers must be 200 with JSON; each target gets
// `__meta_url` (HTTP) or `__meta_filepath` (file) as Prometheus sets them.
// A source keeps its last good targets through a failed refresh and reports
// the failure. Sources are shared by key and dropped when unused, with the
// begin()/sweep() cycle of the other target hubs.
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { HttpModuleClient } from '../../modules/sources/http.js';
import type { TargetSource } from '../crjobs/types.js';

type Polled = Extract<TargetSource, { kind: 'http' } | { kind: 'file' }>;
type Target = Record<string, string>;

/** Files larger than this are refused (a target list, not a data set). */
const MAX_FILE_BYTES = 16 << 20;
const HTTP_TIMEOUT_MS = 30_000;

/** Prometheus's target group list, checked. `where` names the source in errors. */
export function parseTargetGroups(data: unknown, where: string, meta: Target): Target[] {
  if (!Array.isArray(data)) throw new Error(`${where}: expected a list of target groups`);
  const out: Target[] = [];
  data.forEach((g, i) => {
    if (!g || typeof g !== 'object' || Array.isArray(g)) throw new Error(`${where}: group ${i} is not an object`);
    const { targets, labels } = g as { targets?: unknown; labels?: unknown };
    if (targets !== undefined && !Array.isArray(targets)) throw new Error(`${where}: group ${i}: targets must be a list of strings`);
    if (labels !== undefined && (typeof labels !== 'object' || labels === null || Array.isArray(labels))) throw new Error(`${where}: group ${i}: labels must be a map of strings`);
    const ls: Target = {};
    for (const [k, v] of Object.entries((labels ?? {}) as Record<string, unknown>)) {
      if (typeof v !== 'string') throw new Error(`${where}: group ${i}: label ${k} must be a string`);
      ls[k] = v;
    }
    for (const t of (targets ?? []) as unknown[]) {
      if (typeof t !== 'string' || t === '') throw new Error(`${where}: group ${i}: a target must be a non-empty string`);
      out.push({ ...ls, ...meta, __address__: t });
    }
  });
  return out;
}

/** Files a pattern names: a `*` may appear in the last path element only (Prometheus's rule). */
export function expandFilePattern(pattern: string): string[] {
  const base = path.basename(pattern);
  if (!base.includes('*')) return fs.existsSync(pattern) ? [pattern] : [];
  const dir = path.dirname(pattern);
  const re = new RegExp(`^${base.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  return names.filter((n) => re.test(n)).sort().map((n) => path.join(dir, n));
}

function readFileTargets(files: string[]): Target[] {
  const out: Target[] = [];
  for (const pattern of files) {
    for (const f of expandFilePattern(pattern)) {
      const st = fs.statSync(f);
      if (st.size > MAX_FILE_BYTES) throw new Error(`${f}: larger than ${MAX_FILE_BYTES} bytes`);
      const text = fs.readFileSync(f, 'utf8');
      let data: unknown;
      try {
        data = /\.json$/i.test(f) ? JSON.parse(text) : YAML.parse(text);
      } catch (e) {
        throw new Error(`${f}: ${(e as Error).message}`);
      }
      out.push(...parseTargetGroups(data ?? [], f, { __meta_filepath: f }));
    }
  }
  return out;
}

class PolledSource {
  targets: Target[] = [];
  ready = false;
  problem: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly abort = new AbortController();
  private readonly client: HttpModuleClient | undefined;
  private last = '';

  constructor(
    private readonly s: Polled,
    private readonly onChange: () => void,
  ) {
    if (s.kind === 'http') this.client = new HttpModuleClient({ url: s.url, method: 'GET', headers: { Accept: 'application/json' }, body: '', timeoutMs: HTTP_TIMEOUT_MS, client: s.client });
    void this.poll();
  }

  private async poll(): Promise<void> {
    try {
      const targets =
        this.s.kind === 'file'
          ? readFileTargets(this.s.files)
          : parseTargetGroups(JSON.parse((await this.client!.fetch(this.abort.signal)).files[this.s.url] || '[]'), this.s.url, { __meta_url: this.s.url });
      this.targets = targets;
      this.problem = undefined;
    } catch (e) {
      if (this.abort.signal.aborted) return;
      this.problem = `${this.s.where}: ${(e as Error).message}`;
    }
    this.ready = true;
    const now = JSON.stringify([this.targets, this.problem]);
    if (now !== this.last) {
      this.last = now;
      this.onChange();
    }
    if (!this.abort.signal.aborted) {
      this.timer = setTimeout(() => void this.poll(), this.s.refreshMs);
      this.timer.unref();
    }
  }

  stop(): void {
    this.abort.abort();
    if (this.timer) clearTimeout(this.timer);
    this.client?.close();
  }
}

export class PolledSdHub {
  private readonly sources = new Map<string, PolledSource>();
  private used = new Set<string>();

  constructor(private readonly onChange: () => void) {}

  begin(): void {
    this.used = new Set();
  }

  sweep(): void {
    for (const [k, s] of [...this.sources]) {
      if (this.used.has(k)) continue;
      this.sources.delete(k);
      s.stop();
    }
  }

  targets(s: Polled): { targets: Target[]; ready: boolean; problem?: string } {
    const key = JSON.stringify(s, (_k, v) => (v && typeof v === 'object' && typeof (v as { reveal?: unknown }).reveal === 'function' ? { secret: (v as { reveal(): string }).reveal() } : v));
    this.used.add(key);
    let src = this.sources.get(key);
    if (!src) this.sources.set(key, (src = new PolledSource(s, this.onChange)));
    return { targets: src.targets, ready: src.ready, problem: src.problem };
  }

  close(): void {
    this.begin();
    this.sweep();
  }
}
