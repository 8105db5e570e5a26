import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { Registry } from 'prom-client';
import { parse } from '../syntax/parser.js';
import { Controller } from '../runtime/controller.js';
import { StandaloneOwnership } from '../clustering/ownership.js';
import { FleetServer } from '../sandbox/fleet/fleet-server.js';
import { decodeMessage, encodeMessage } from './collector-proto.js';
import { CollectorApiClient } from './connect-client.js';
import { decodeRemotecfg } from './remotecfg-args.js';
import { fnv1Hash, RemotecfgService } from './remotecfg-service.js';
import { loadSeed, SEED_FILE } from './seed.js';
import type { GetConfigResponse } from './collector-proto.js';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'remotecfg-'));
const block = (body: string) => decodeRemotecfg(parse(`remotecfg {\n${body}\n}\n`, 'main.alloy'));

describe('the remotecfg block', () => {
  test("Alloy's defaults and rules", () => {
    expect(block('')).toMatchObject({ url: '', name: '', attributes: {}, poll_frequency: 60_000, follow_redirects: true, enable_http2: true });
    expect(block('url = "http://127.0.0.1:1"\npoll_frequency = "10s"')?.poll_frequency).toBe(10_000);
    expect(() => block('poll_frequency = "9s"')).toThrow(/poll_frequency must be at least "10s"/);
    expect(() => block('attributes = {"collector.os" = "x"}')).toThrow(/"collector.os".*reserved/);
    expect(() => block('bearer_token = "a"\nbasic_auth {\n username = "u"\n password = "p"\n}')).toThrow(/at most one|only one/i);
    expect(() => decodeRemotecfg(parse('remotecfg {}\nremotecfg {}\n', 'm.alloy'))).toThrow(/m\.alloy:2:1: config block "remotecfg" already declared at m\.alloy:1:1/);
    expect(() => decodeRemotecfg(parse('remotecfg "x" {}\n', 'm.alloy'))).toThrow(/does not take a label/);
    expect(decodeRemotecfg(parse('logging {}\n', 'm.alloy'))).toBeUndefined();
  });

  test('without an id the seed in the storage path names the collector, across restarts', () => {
    const dir = tmp();
    const a = loadSeed(dir);
    expect(a.UID).toMatch(/^[0-9a-f-]{36}$/);
    expect(loadSeed(dir).UID).toBe(a.UID);
    expect(JSON.parse(fs.readFileSync(path.join(dir, SEED_FILE), 'utf8'))).toMatchObject({ UID: a.UID, created_at: expect.any(String), version: expect.any(String) });
    fs.writeFileSync(path.join(dir, SEED_FILE), 'garbage');
    expect(loadSeed(dir).UID).not.toBe(a.UID);
  });
});

test("config hashes are Go's fnv.New32 (FNV-1) in hex, as Alloy's", () => {
  expect(fnv1Hash('')).toBe('811c9dc5');
  expect(fnv1Hash('a')).toBe('050c5d7e');
  expect(fnv1Hash('foobar')).toBe('31f0b262');
});

describe('the Connect client', () => {
  const servers: http.Server[] = [];
  afterAll(() => servers.forEach((s) => s.close()));
  async function serve(h: http.RequestListener): Promise<string> {
    const s = http.createServer(h);
    servers.push(s);
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
  }

  test('POSTs protobuf to <url>/collector.v1.CollectorService/<method>, follows a 307 and reads a gzip answer', async () => {
    const seen: { url?: string; headers: http.IncomingHttpHeaders; body: Buffer }[] = [];
    const base = await serve((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        seen.push({ url: req.url, headers: req.headers, body: Buffer.concat(chunks) });
        if (req.url!.startsWith('/old/')) return void res.writeHead(307, { location: req.url!.replace('/old/', '/new/') }).end();
        const out = zlib.gzipSync(encodeMessage('GetConfigResponse', { content: 'x {}', hash: 'h1' }));
        res.writeHead(200, { 'content-type': 'application/proto', 'content-encoding': 'gzip' }).end(out);
      });
    });
    const c = new CollectorApiClient(`${base}/old/`, { bearer_token: 'tok-abc' } as never);
    const r = await c.call<GetConfigResponse>('GetConfig', { id: 'me', localAttributes: { a: 'b' }, hash: '' });
    c.close();
    expect(r).toEqual({ content: 'x {}', hash: 'h1', notModified: false });
    expect(seen.map((s) => s.url)).toEqual(['/old/collector.v1.CollectorService/GetConfig', '/new/collector.v1.CollectorService/GetConfig']);
    expect(seen[1].headers).toMatchObject({ 'content-type': 'application/proto', 'connect-protocol-version': '1', authorization: 'Bearer tok-abc' });
    expect(decodeMessage('GetConfigRequest', seen[1].body)).toMatchObject({ id: 'me', localAttributes: { a: 'b' } });
  });

  test("an error answer names the method, status and Connect code, and never echoes the request's credentials", async () => {
    const base = await serve((req, res) => {
      res.writeHead(403, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 'permission_denied', message: `token ${req.headers.authorization} is not allowed\u001b[31m` }));
    });
    const c = new CollectorApiClient(base, { bearer_token: 'secret-token-xyz' } as never);
    const err = await c.call('RegisterCollector', { id: 'me', localAttributes: {}, name: '' }).catch((e: Error) => e);
    c.close();
    expect((err as Error).message).toMatch(/^remotecfg: RegisterCollector answered 403 \(permission_denied\): token/);
    expect((err as Error).message).not.toContain('secret-token-xyz');
    expect((err as Error).message).not.toContain('\u001b');
  });

  test('a bad url is refused when the block is applied', () => {
    expect(() => new CollectorApiClient('not a url', {} as never)).toThrow(/remotecfg: url "not a url" is not a valid URL/);
    expect(() => new CollectorApiClient('ftp://127.0.0.1/', {} as never)).toThrow(/scheme must be http or https/);
  });
});

describe('the service', () => {
  let fleet: FleetServer;
  beforeEach(async () => {
    fleet = await new FleetServer().start();
  });
  afterEach(() => fleet.stop());

  function service(storage = tmp()) {
    const logger = pino({ level: 'silent' });
    const controller = new Controller({ logger, metrics: new Registry(), storagePath: path.join(storage, 'c'), cluster: new StandaloneOwnership('t'), namespace: 'remotecfg' });
    return new RemotecfgService({ logger, metrics: new Registry(), storagePath: storage, controller, configFile: path.join(storage, 'main.alloy') });
  }

  test('a remote config with a process block is refused FAILED, naming the block; SIGTERM-like stop unregisters', async () => {
    const s = service();
    fleet.setPipeline('p', 'logging {\n  level = "debug"\n}\n');
    await s.update(block(`url = "${fleet.url}"\nid = "c1"`));
    expect(s.state()).toMatchObject({ status: 'FAILED', source: 'none' });
    expect(s.state().error_message).toMatch(/remotecfg\.alloy:1:1: the logging block is only allowed in the main configuration/);
    expect(fleet.collectors.get('c1')?.status).toEqual({ status: 'FAILED', errorMessage: s.state().error_message });
    await s.stop();
    expect(fleet.collectors.get('c1')?.registered).toBe(false);
  });

  test("a server that takes only Connect's JSON codec is answered in JSON after its 415", async () => {
    const jsonOnly = await new FleetServer({ codecs: ['json'] }).start();
    try {
      jsonOnly.setPipeline('p', 'prometheus.relabel "x" {\n  forward_to = []\n}\n', { env: 'dev' });
      const c = new CollectorApiClient(jsonOnly.url, {} as never);
      const r = await c.call<GetConfigResponse>('GetConfig', { id: 'j1', localAttributes: { env: 'dev' }, hash: '', remoteConfigStatus: { status: 3, errorMessage: 'x' } });
      expect(c.codec).toBe('json');
      expect(r.content).toContain('prometheus.relabel "x"');
      expect(r.notModified).toBe(false);
      const again = await c.call<GetConfigResponse>('GetConfig', { id: 'j1', localAttributes: { env: 'dev' }, hash: r.hash });
      expect(again).toMatchObject({ notModified: true, content: '' });
      c.close();
      expect(jsonOnly.collectors.get('j1')?.status).toEqual({ status: 'FAILED', errorMessage: 'x' });
    } finally {
      await jsonOnly.stop();
    }
  });

  test('removing the url stops polling and empties the remote controller', async () => {
    const s = service();
    await s.update(block(`url = "${fleet.url}"\nid = "c2"`));
    expect(s.state()).toMatchObject({ enabled: true, status: 'APPLIED', registered: true });
    const calls = fleet.calls.length;
    await s.update(undefined);
    expect(s.state()).toMatchObject({ enabled: false, status: 'UNSET' });
    expect(s.controller.list()).toEqual([]);
    expect(fleet.calls.length).toBe(calls);
    await s.stop();
  });
});
