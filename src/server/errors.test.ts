// Malformed requests and failing handlers on the real server (createApp +
// listen, the UI mounted): each answer is JSON {"error": "..."} with the
// status the request earned, and never a stack frame or an install path.
import fs from 'node:fs';
import type http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Router } from 'express';
import pino from 'pino';
import { Registry } from 'prom-client';
import { Writable } from 'node:stream';
import '../components/index.js';
import { StandaloneOwnership } from '../clustering/ownership.js';
import { Controller } from '../runtime/controller.js';
import { packageRoot } from '../package-root.js';
import { createApp, listen } from './http.js';
import { uiMounts } from './ui.js';
import { MAX_URL_LENGTH } from './errors.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'alloy-server-errors-'));
const logLines: Record<string, unknown>[] = [];
const logger = pino(
  { level: 'debug' },
  new Writable({
    write(chunk, _enc, done) {
      for (const l of String(chunk).split('\n').filter(Boolean)) logLines.push(JSON.parse(l));
      done();
    },
  }),
);
const cluster = new StandaloneOwnership('solo');
let controller: Controller;
let server: http.Server;
let base: string;
const SECRET_PATH = path.join(packageRoot(), 'src', 'very', 'private.ts');

beforeAll(async () => {
  controller = new Controller({ logger: pino({ level: 'silent' }), metrics: new Registry(), storagePath: path.join(tmp, 'data'), cluster });
  await controller.load('', 'test.alloy');
  // Routes that fail the way real bugs do: a sync throw, an async rejection, a non-Error.
  const broken = Router();
  broken.get('/throw', () => {
    throw new Error(`cannot open ${SECRET_PATH}`);
  });
  broken.get('/reject', async () => {
    await Promise.resolve();
    throw new TypeError(`undefined is not a function at ${SECRET_PATH}:3:9`);
  });
  broken.get('/string', () => {
    throw 'plain string'; // not an Error: no message property, no stack
  });
  broken.get('/half', (_req, res) => {
    res.write('partial');
    throw new Error('after the headers');
  });
  const app = createApp({
    controller,
    metrics: new Registry(),
    cluster,
    logger,
    reload: async () => {},
    mounts: [{ path: '/broken', router: broken }, ...uiMounts({ controller, cluster, pathPrefix: '/' })],
  });
  ({ server, url: base } = await listen(app, '127.0.0.1:0'));
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  await controller.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** No stack frame ("    at fn (file:1:2)") and no absolute path of this install in a body. */
function expectNoLeak(text: string): void {
  expect(text).not.toMatch(/\bat [^\s]+ \(|\n\s+at /);
  expect(text).not.toContain(packageRoot());
  expect(text).not.toMatch(/\/(node_modules|src)\//);
  expect(text).not.toMatch(/<html|<pre/i);
}

async function get(p: string): Promise<{ status: number; type: string; text: string }> {
  const res = await fetch(`${base}${p}`);
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
}

/** A raw request (for what fetch refuses to send), answered on the socket until it closes. */
function raw(request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const u = new URL(base);
    const s = net.connect(Number(u.port), u.hostname, () => s.end(request));
    let out = '';
    s.on('data', (b) => (out += b.toString()));
    s.on('close', () => resolve(out));
    s.on('error', reject);
    s.setTimeout(10_000, () => s.destroy(new Error('no answer within 10 s')));
  });
}

describe('malformed requests get a JSON 4xx', () => {
  test.each([
    ['/api/v0/web/components/%ZZ', 400, 'malformed percent-encoding in the request path'],
    ['/api/v0/web/modules/%E0%A4%A/components', 400, 'malformed percent-encoding in the request path'],
    // The static UI (serve-static, fallthrough) passes an undecodable path on: no route has it.
    ['/%ZZ', 404, 'not found: GET /%ZZ'],
    ['/api/v0/web/components/nope', 404, 'component "nope" does not exist'],
    ['/no/such/page', 404, 'not found: GET /no/such/page'],
  ])('GET %s -> %i', async (p, status, error) => {
    const r = await get(p);
    expect(r.status).toBe(status);
    expect(r.type).toMatch(/^application\/json/);
    expect(JSON.parse(r.text)).toEqual({ error });
    expectNoLeak(r.text);
  });

  test('an overlong request target is refused before routing (414), and long ids are not echoed whole', async () => {
    const long = await get(`/api/v0/web/components/${'a'.repeat(MAX_URL_LENGTH + 10)}`);
    expect(long.status).toBe(414);
    expect(JSON.parse(long.text)).toEqual({ error: `request target too long: ${'/api/v0/web/components/'.length + MAX_URL_LENGTH + 10} characters (at most ${MAX_URL_LENGTH})` });
    const id = 'b'.repeat(1000);
    const notFound = await get(`/api/v0/web/components/${id}`);
    expect(notFound.status).toBe(404);
    expect(JSON.parse(notFound.text)).toEqual({ error: `component "${'b'.repeat(200)}… (1000 characters)" does not exist` });
  });

  test('a bad query string is not an error: the API answers as without it', async () => {
    for (const q of ['?%ZZ=%ZZ', '?local=%E0%A4%A&local=1', `?x=${'%'.repeat(50)}`]) {
      const r = await get(`/api/v0/web/components${q}`);
      expect({ q, status: r.status }).toEqual({ q, status: 200 });
      expect(JSON.parse(r.text)).toEqual([]);
    }
    const targets = await get('/api/v0/web/targets?local=%ZZ');
    expect(targets.status).toBe(200);
    expectNoLeak(targets.text);
  });

  test('headers over the limit (431) and a request that is not HTTP (400) are answered as JSON too', async () => {
    const big = await raw(`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'x'.repeat(20_000)}\r\n\r\n`);
    expect(big.split('\r\n')[0]).toBe('HTTP/1.1 431 Request Header Fields Too Large');
    expect(JSON.parse(big.split('\r\n\r\n')[1])).toEqual({ error: 'request headers too large' });
    const garbage = await raw('NOT HTTP AT ALL\r\n\r\n');
    expect(garbage.split('\r\n')[0]).toBe('HTTP/1.1 400 Bad Request');
    expect(JSON.parse(garbage.split('\r\n\r\n')[1])).toEqual({ error: 'malformed HTTP request' });
  });
});

describe('failures get a JSON 500 without the error text; the log has it once', () => {
  test.each([
    ['/broken/throw', `cannot open ${SECRET_PATH}`],
    ['/broken/reject', `undefined is not a function at ${SECRET_PATH}:3:9`],
    ['/broken/string', 'plain string'],
  ])('GET %s', async (p, message) => {
    logLines.length = 0;
    const r = await get(p);
    expect(r.status).toBe(500);
    expect(r.type).toMatch(/^application\/json/);
    expect(JSON.parse(r.text)).toEqual({ error: "internal error; the collector's log has the details" });
    expectNoLeak(r.text);
    const errors = logLines.filter((l) => l.level === 50);
    expect(errors).toEqual([expect.objectContaining({ msg: 'http: request failed', method: 'GET', path: p, status: 500, err: message })]);
    // The stack is logged at debug level only (a thrown string has none).
    const stacks = logLines.filter((l) => l.msg === 'http: request failure stack');
    expect(stacks.every((l) => l.level === 20)).toBe(true);
    if (p !== '/broken/string') expect(String(stacks[0]?.stack)).toMatch(/\n\s+at /);
  });

  test('a failure after the body started cuts the connection instead of appending an error page', async () => {
    const out = await raw('GET /broken/half HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(out).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(out).toContain('partial');
    expect(out).not.toContain('after the headers');
    expectNoLeak(out);
  });
});
