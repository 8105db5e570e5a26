import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { loadError, newController, registerTestComponents } from '../../../e2e/lib/modules-support.js';
import { waitFor } from '../../../e2e/lib/wait.js';

registerTestComponents();

const module = (n: number) => `declare "num" {\n  export "n" {\n    value = ${n}\n  }\n}\n`;

function gitRepo(): { dir: string; commit(files: Record<string, string>, msg: string): string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alloy-git-src-'));
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@x', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@x' } }).toString().trim();
  git('init', '-q', '-b', 'main');
  return {
    dir,
    commit(files, msg) {
      for (const [f, c] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
        fs.writeFileSync(path.join(dir, f), c);
      }
      git('add', '-A');
      git('commit', '-q', '-m', msg);
      return git('rev-parse', 'HEAD');
    },
  };
}

describe('import.git', () => {
  test('branch, tag and commit revisions; a file or a directory', async () => {
    const repo = gitRepo();
    const first = repo.commit({ 'mods/a.alloy': module(1), 'mods/b.alloy': 'declare "other" {\n  num "x" {}\n  export "n" {\n    value = num.x.n + 10\n  }\n}\n' }, 'one');
    execFileSync('git', ['tag', 'v1'], { cwd: repo.dir });
    repo.commit({ 'mods/a.alloy': module(2) }, 'two');
    const c = newController();
    const url = `file://${repo.dir}`;
    await c.load(
      `import.git "br" {\n  repository = "${url}"\n  path = "mods/a.alloy"\n  pull_frequency = "0s"\n}\n` +
        `import.git "tag" {\n  repository = "${url}"\n  revision = "v1"\n  path = "mods"\n  pull_frequency = "0s"\n}\n` +
        `import.git "sha" {\n  repository = "${url}"\n  revision = "${first}"\n  path = "mods/a.alloy"\n  pull_frequency = "0s"\n}\n` +
        'br.num "a" {}\ntag.other "b" {}\nsha.num "c" {}\n',
      'g.alloy',
    );
    expect(c.view('br.num.a')!.exports.n).toBe(2);
    expect(c.view('tag.other.b')!.exports.n).toBe(11);
    expect(c.view('sha.num.c')!.exports.n).toBe(1);
    expect((c.view('import.git.sha')!.debugInfo as { commit: string }).commit).toBe(first);
    await c.stop();
  });

  test('revision "HEAD" (the default) follows the remote\'s default branch, whatever its name', async () => {
    const repo = gitRepo();
    repo.commit({ 'm.alloy': module(1) }, 'one');
    execFileSync('git', ['branch', '-m', 'main', 'trunk'], { cwd: repo.dir });
    execFileSync('git', ['checkout', '-q', '-b', 'side'], { cwd: repo.dir });
    repo.commit({ 'm.alloy': module(7) }, 'side work');
    execFileSync('git', ['checkout', '-q', 'trunk'], { cwd: repo.dir });
    const c = newController();
    const url = `file://${repo.dir}`;
    await c.load(
      `import.git "dflt" {\n  repository = "${url}"\n  path = "m.alloy"\n  pull_frequency = "0s"\n}\n` +
        `import.git "head" {\n  repository = "${url}"\n  revision = "HEAD"\n  path = "m.alloy"\n  pull_frequency = "0s"\n}\n` +
        'dflt.num "a" {}\nhead.num "b" {}\n',
      'g.alloy',
    );
    expect(c.view('dflt.num.a')!.exports.n).toBe(1);
    expect(c.view('head.num.b')!.exports.n).toBe(1);
    await c.stop();
  });

  test('a new commit is applied within pull_frequency; a broken commit keeps the last good module and says why', async () => {
    const repo = gitRepo();
    repo.commit({ 'm.alloy': module(1) }, 'one');
    const c = newController();
    await c.load(`import.git "m" {\n  repository = "file://${repo.dir}"\n  path = "m.alloy"\n  pull_frequency = "200ms"\n}\nm.num "a" {}\n`, 'g.alloy');
    expect(c.view('m.num.a')!.exports.n).toBe(1);
    repo.commit({ 'm.alloy': module(2) }, 'two');
    await waitFor('m.num.a n === 2', () => c.view('m.num.a')!.exports.n === 2, { timeoutMs: 20_000 });
    repo.commit({ 'm.alloy': 'declare "num" {\n  export "n" {\n    value = \n  }\n}\n' }, 'broken');
    const h = await waitFor('import.git.m unhealthy', () => c.view('import.git.m')!.health.state === 'unhealthy' && c.view('import.git.m')!.health, { timeoutMs: 20_000 });
    expect(h.message).toMatch(/^module refused, the last good module keeps running: m\.alloy:4:3: /);
    expect(c.view('m.num.a')!.exports.n).toBe(2);
    await c.stop();
  });

  test('an unreachable repository fails the first load with the reason; a bad revision is named', async () => {
    expect(await loadError('import.git "m" {\n  repository = "file:///nonexistent/repo"\n  path = "m.alloy"\n}\nm.x "a" {}\n')).toMatch(/failed to fetch file:\/\/\/nonexistent\/repo/);
    const repo = gitRepo();
    repo.commit({ 'm.alloy': module(1) }, 'one');
    expect(await loadError(`import.git "m" {\n  repository = "file://${repo.dir}"\n  revision = "nope"\n  path = "m.alloy"\n}\n`)).toMatch(/revision "nope" is neither a branch, a tag nor a commit/);
    expect(await loadError(`import.git "m" {\n  repository = "file://${repo.dir}"\n  revision = "FETCH_HEAD"\n  path = "m.alloy"\n}\n`)).toMatch(/^bad\.alloy:1:1: revision cannot be a special git reference/);
  });
});

describe('import.http', () => {
  test('polls the URL: a changed body is applied, a failing server keeps the last good module and marks the import unhealthy', async () => {
    let body = module(1);
    let status = 200;
    const seen: string[] = [];
    const server = http.createServer((req, res) => {
      seen.push(`${req.method} ${req.headers['x-test']}`);
      res.writeHead(status).end(body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mods/m.alloy`;
    const c = newController();
    try {
      await c.load(`import.http "m" {\n  url = "${url}"\n  headers = { "X-Test" = "yes" }\n  poll_frequency = "200ms"\n  poll_timeout = "100ms"\n}\nm.num "a" {}\n`, 'h.alloy');
      expect(c.view('m.num.a')!.exports.n).toBe(1);
      expect(seen[0]).toBe('GET yes');
      body = module(5);
      await waitFor('m.num.a n === 5', () => c.view('m.num.a')!.exports.n === 5, { timeoutMs: 20_000 });
      status = 503;
      const h = await waitFor('import.http.m unhealthy', () => c.view('import.http.m')!.health.state === 'unhealthy' && c.view('import.http.m')!.health, { timeoutMs: 20_000 });
      expect(h.message).toMatch(/unexpected status code 503.*the last good module keeps running/);
      expect(c.view('m.num.a')!.exports.n).toBe(5);
      status = 200;
      body = module(6);
      await waitFor('m.num.a n === 6 and import.http.m healthy', () => c.view('m.num.a')!.exports.n === 6 && c.view('import.http.m')!.health.state === 'healthy', { timeoutMs: 20_000 });
    } finally {
      await c.stop();
      server.close();
    }
  });
});
