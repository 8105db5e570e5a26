// import.git and import.http in a real `alloy run` process: a module served
// from a local Git repository (file:// URL) follows new commits within
// pull_frequency and keeps the last good module when a commit is broken,
// saying why in the API; import.http follows a changing body from a local server.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startAlloyProcess, type AlloyProcess } from '../lib/alloy-process.js';
import { waitFor } from '../lib/wait.js';
import { component, gitRepo } from './harness.js';

/** A module like a team would share: a pipeline with an argument and an export. */
const moduleText = (factor: number) => `declare "scaled" {
  argument "input" {
    comment = "the value to scale"
  }
  local.file "self" {
    filename = argument.input.value
  }
  export "label" {
    value = string.format("v%d:%s", ${factor}, local.file.self.content)
  }
}
`;

let alloy: AlloyProcess | undefined;
afterEach(async () => {
  await alloy?.stop();
  alloy = undefined;
});

test('import.git: new commits apply within pull_frequency; a broken commit keeps the last good module and says why', async () => {
  const repo = gitRepo();
  repo.commit({ 'modules/scaled.alloy': moduleText(1) }, 'first');
  const input = `${repo.dir}/input.txt`;
  fs.writeFileSync(input, 'seven');
  const config = `import.git "shared" {
  repository     = "${repo.url}"
  revision       = "main"
  path           = "modules"
  pull_frequency = "1s"
}

shared.scaled "config" {
  input = "${input}"
}
`;
  alloy = await startAlloyProcess({ config });
  const url = alloy.url;
  const first = await component(url, 'shared.scaled.config');
  expect(first!.exports.label).toBe('v1:seven');
  expect((await component(url, 'shared.scaled.config/local.file.self'))!.health.state).toBe('healthy');

  const second = repo.commit({ 'modules/scaled.alloy': moduleText(3) }, 'triple');
  await waitFor('shared.scaled.config at v3', async () => (await component(url, 'shared.scaled.config'))!.exports.label === 'v3:seven', { timeoutMs: 20_000 });
  expect((await component(url, 'import.git.shared'))!.debugInfo.commit).toBe(second);

  repo.commit({ 'modules/scaled.alloy': moduleText(5).replace('argument.input.value', 'local.file.elsewhere.content') }, 'broken');
  const health = await waitFor('import.git.shared unhealthy', async () => {
    const h = (await component(url, 'import.git.shared'))!.health;
    return h.state === 'unhealthy' ? h : undefined;
  }, { timeoutMs: 20_000 });
  expect(health.message).toMatch(/module refused, the last good module keeps running: modules\/scaled\.alloy:6:16: reference to "local\.file\.elsewhere\.content": no component with that name exists in declare "shared\.scaled"/);
  expect((await component(url, 'shared.scaled.config'))!.exports.label).toBe('v3:seven');
  const healthy = await fetch(`${url}/-/healthy`);
  expect(healthy.status).toBe(500);
  expect(await healthy.text()).toContain('import.git.shared: module refused');
});

test('import.http: a changing body is applied, an unreachable server keeps the last good module', async () => {
  let body = 'declare "answer" {\n  export "value" {\n    value = 1\n  }\n}\n';
  let up = true;
  const server = http.createServer((_req, res) => (up ? res.writeHead(200).end(body) : res.writeHead(500).end('down')));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const moduleUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/answer.alloy`;
  try {
    alloy = await startAlloyProcess({
      config: `import.http "remote" {\n  url            = "${moduleUrl}"\n  poll_frequency = "500ms"\n  poll_timeout   = "400ms"\n}\n\nremote.answer "a" {}\n`,
    });
    const url = alloy.url;
    expect((await component(url, 'remote.answer.a'))!.exports.value).toBe(1);
    body = body.replace('value = 1', 'value = 2');
    await waitFor('remote.answer.a = 2', async () => (await component(url, 'remote.answer.a'))!.exports.value === 2, { timeoutMs: 20_000 });
    up = false;
    const h = await waitFor('import.http.remote unhealthy', async () => {
      const c = (await component(url, 'import.http.remote'))!.health;
      return c.state === 'unhealthy' ? c : undefined;
    }, { timeoutMs: 20_000 });
    expect(h.message).toMatch(/unexpected status code 500/);
    expect((await component(url, 'remote.answer.a'))!.exports.value).toBe(2);
  } finally {
    server.closeAllConnections();
    server.close();
  }
});
