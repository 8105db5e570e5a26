// Shared bits of the module e2e tests: a Git repository in a temp dir to
// commit modules to, reading a component through the running process's API,
// and Prometheus with its remote-write receiver.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../lib/ports.js';
import { spawnProcess, type SpawnedProcess } from '../lib/spawn.js';

export interface GitRepo {
  dir: string;
  url: string;
  /** Writes the files and commits them; returns the commit id. */
  commit(files: Record<string, string>, message: string): string;
}

export function gitRepo(): GitRepo {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alloy-e2e-git-'));
  const env = { ...process.env, GIT_AUTHOR_NAME: 'e2e', GIT_AUTHOR_EMAIL: 'e2e@example.invalid', GIT_COMMITTER_NAME: 'e2e', GIT_COMMITTER_EMAIL: 'e2e@example.invalid' };
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, env }).toString().trim();
  git('init', '-q', '-b', 'main');
  return {
    dir,
    url: `file://${dir}`,
    commit(files, message) {
      for (const [f, c] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
        fs.writeFileSync(path.join(dir, f), c);
      }
      git('add', '-A');
      git('commit', '-q', '-m', message);
      return git('rev-parse', 'HEAD');
    },
  };
}

export interface ComponentDetail {
  id: string;
  health: { state: string; message: string };
  arguments: any;
  exports: any;
  debugInfo: any;
}

/** GET /api/v0/web/components/<id> of a running process (undefined when it does not exist). */
export async function component(baseUrl: string, id: string): Promise<ComponentDetail | undefined> {
  const r = await fetch(`${baseUrl}/api/v0/web/components/${encodeURIComponent(id)}`);
  if (r.status === 404) return undefined;
  if (!r.ok) throw new Error(`${id}: HTTP ${r.status}`);
  return (await r.json()) as ComponentDetail;
}

export const PROMETHEUS_BIN = '/usr/bin/prometheus';

export interface Prometheus {
  url: string;
  child: SpawnedProcess;
  /** Instant query at `atSec` (default now): the vector result. */
  query(q: string, atSec?: number): Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
  /** Range vector `q` evaluated now: raw samples per series. */
  samples(q: string): Promise<{ metric: Record<string, string>; values: [number, string][] }[]>;
  stop(): Promise<void>;
}

/** Prometheus with --web.enable-remote-write-receiver on a free loopback port and an empty scrape config. */
export async function startPrometheus(): Promise<Prometheus> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alloy-e2e-prom-'));
  fs.writeFileSync(path.join(dir, 'prometheus.yml'), 'global: {}\n');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = await spawnProcess(PROMETHEUS_BIN, [
    '--web.enable-remote-write-receiver',
    `--storage.tsdb.path=${path.join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    `--config.file=${path.join(dir, 'prometheus.yml')}`,
    '--log.level=warn',
  ], { name: 'prometheus (receiver)', ready: { http: `${url}/-/ready` }, readyTimeoutMs: 30000 });
  const api = async (q: string, at?: number) => {
    const r = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(q)}${at !== undefined ? `&time=${at}` : ''}`);
    const body = (await r.json()) as { status: string; error?: string; data: { result: any[] } };
    if (body.status !== 'success') throw new Error(`query ${q}: ${body.error}`);
    return body.data.result;
  };
  return {
    url,
    child,
    query: (q, at) => api(q, at),
    samples: (q) => api(q),
    async stop() {
      await child.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
