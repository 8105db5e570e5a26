// Components inside modules in the JSON API: listed with their global id
// ("<module id>/<local id>"), localID and moduleID; detail pages reachable
// with the id encoded (as the UI sends it) or raw; an instance lists the
// components of its body.
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

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'alloy-mod-api-'));
const cluster = new StandaloneOwnership('solo');
let controller: Controller;
let server: http.Server;
let url: string;

beforeAll(async () => {
  fs.writeFileSync(path.join(tmp, 'f.txt'), 'hello');
  controller = new Controller({ logger: pino({ level: 'silent' }), metrics: new Registry(), storagePath: path.join(tmp, 'data'), cluster });
  await controller.load(
    `declare "reader" {\n  argument "file" {}\n  local.file "f" {\n    filename = argument.file.value\n  }\n  export "content" {\n    value = local.file.f.content\n  }\n}\nreader "r" {\n  file = ${JSON.stringify(path.join(tmp, 'f.txt'))}\n}\n`,
    'm.alloy',
  );
  ({ server, url } = await listen(createApp({ controller, metrics: new Registry(), cluster, logger: pino({ level: 'silent' }), reload: async () => {} }), '127.0.0.1:0'));
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  await controller.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('list and detail of components inside a module', async () => {
  const list = (await (await fetch(`${url}/api/v0/web/components`)).json()) as { id: string; localID: string; moduleID: string; health: { state: string } }[];
  const inner = list.find((c) => c.id === 'reader.r/local.file.f')!;
  expect(inner).toMatchObject({ localID: 'local.file.f', moduleID: 'reader.r', health: { state: 'healthy' } });
  expect(list.find((c) => c.id === 'reader.r')).toMatchObject({ localID: 'reader.r', moduleID: '' });

  for (const id of [encodeURIComponent('reader.r/local.file.f'), 'reader.r/local.file.f']) {
    const res = await fetch(`${url}/api/v0/web/components/${id}`);
    expect(res.status).toBe(200);
    const d = (await res.json()) as { id: string; arguments: { filename: string }; exports: { content: string } };
    expect(d.id).toBe('reader.r/local.file.f');
    expect(d.arguments.filename).toBe(path.join(tmp, 'f.txt'));
    expect(d.exports.content).toBe('hello');
  }
  const inst = (await (await fetch(`${url}/api/v0/web/components/reader.r`)).json()) as { exports: unknown; arguments: unknown; moduleComponents: string[]; createdModuleIDs: string[] };
  expect(inst.createdModuleIDs).toEqual(['reader.r']);
  expect(inst.exports).toEqual({ content: 'hello' });
  expect(inst.arguments).toEqual({ file: path.join(tmp, 'f.txt') });
  // export blocks run as nodes too: their value is the instance's export.
  expect(inst.moduleComponents).toEqual(['reader.r/local.file.f', 'reader.r/export.content']);
  expect((await fetch(`${url}/api/v0/web/components/reader.r/nope`)).status).toBe(404);
  // One module's components, as Alloy's API lists them.
  const mod = (await (await fetch(`${url}/api/v0/web/modules/reader.r/components`)).json()) as { id: string }[];
  expect(mod.map((c) => c.id)).toEqual(['reader.r/local.file.f', 'reader.r/export.content']);
  expect((await fetch(`${url}/api/v0/web/modules/nope.x/components`)).status).toBe(404);
});
