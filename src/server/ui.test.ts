// The UI mount on the real HTTP server: static files at the path prefix (and
// the redirect to its trailing slash), the API below the prefix too, the UI's
// extra endpoints, and the existing routes untouched.
import fs from 'node:fs';
import type http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { Registry } from 'prom-client';
import '../components/index.js';
import { StandaloneOwnership } from '../clustering/ownership.js';
import { Controller } from '../runtime/controller.js';
import { createApp, listen } from './http.js';
import { normalizePrefix, uiMounts } from './ui.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'alloy-ui-server-'));
const logger = pino({ level: 'silent' });
const cluster = new StandaloneOwnership('solo');
let controller: Controller;
const servers: http.Server[] = [];

async function serve(prefix: string): Promise<string> {
  const app = createApp({ controller, metrics: new Registry(), cluster, logger, reload: async () => {}, uiPathPrefix: prefix, mounts: uiMounts({ controller, cluster, pathPrefix: prefix }) });
  const { server, url } = await listen(app, '127.0.0.1:0');
  servers.push(server);
  return url;
}

beforeAll(async () => {
  fs.writeFileSync(path.join(tmp, 'f.txt'), 'hello');
  controller = new Controller({ logger, metrics: new Registry(), storagePath: path.join(tmp, 'data'), cluster });
  await controller.load(`local.file "f" {\n  filename = "${path.join(tmp, 'f.txt')}"\n}\n`, 'test.alloy');
});

afterAll(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }
  await controller.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('prefix normalisation', () => {
  expect([undefined, '/', '', '//'].map(normalizePrefix)).toEqual(['', '', '', '']);
  expect(['alloy', '/alloy/', '/a/b/'].map(normalizePrefix)).toEqual(['/alloy', '/alloy', '/a/b']);
});

test('at "/": index, assets with revalidation, API routes kept, extra endpoints', async () => {
  const url = await serve('/');
  const index = await fetch(`${url}/`);
  expect(index.status).toBe(200);
  expect(index.headers.get('content-type')).toMatch(/text\/html/);
  expect(await index.text()).toContain('<script type="module" src="./app.js">');
  const js = await fetch(`${url}/app.js`);
  expect(js.headers.get('content-type')).toMatch(/javascript/);
  expect(js.headers.get('cache-control')).toBe('no-cache');
  expect((await fetch(`${url}/nope.js`)).status).toBe(404);
  expect((await fetch(`${url}/-/ready`)).status).toBe(200);
  const list = (await (await fetch(`${url}/api/v0/web/components`)).json()) as { id: string }[];
  expect(list.map((c) => c.id)).toEqual(['local.file.f']);
  const c = (await (await fetch(`${url}/api/v0/web/cluster`)).json()) as { self: { name: string }; ringShares: Record<string, number> };
  expect(c.self.name).toBe('solo');
  expect(c.ringShares).toEqual({ solo: 1 });
  const t = (await (await fetch(`${url}/api/v0/web/targets`)).json()) as { self: string; nodes: unknown[]; targets: unknown[] };
  expect(t).toEqual({ self: 'solo', nodes: [{ name: 'solo', url: null, isSelf: true, ok: true, targets: 0 }], targets: [] });
  expect(await (await fetch(`${url}/api/v0/web/targets?local=1`)).json()).toEqual({ node: 'solo', targets: [] });
});

test('under a prefix: redirect to the slash, UI and the whole API below it, root API still there', async () => {
  const url = await serve('/alloy/');
  const r = await fetch(`${url}/alloy`, { redirect: 'manual' });
  expect(r.status).toBe(301);
  expect(r.headers.get('location')).toBe('/alloy/');
  expect((await fetch(`${url}/alloy/`)).status).toBe(200);
  expect((await fetch(`${url}/alloy/style.css`)).headers.get('content-type')).toMatch(/text\/css/);
  expect((await fetch(`${url}/`)).status).toBe(404); // no UI outside the prefix
  for (const p of ['components', 'components/local.file.f', 'cluster', 'targets', 'peers']) {
    expect([p, (await fetch(`${url}/alloy/api/v0/web/${p}`)).status]).toEqual([p, 200]);
    expect([p, (await fetch(`${url}/api/v0/web/${p}`)).status]).toEqual([p, 200]);
  }
  const missing = await fetch(`${url}/alloy/api/v0/web/components/nope.x`);
  expect(missing.status).toBe(404);
  expect(await missing.json()).toEqual({ error: 'component "nope.x" does not exist' });
});
