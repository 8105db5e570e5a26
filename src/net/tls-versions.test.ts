// tls_config min_version / max_version (TLS10..TLS13, the operator's
// tlsConfig.minVersion/maxVersion) through the one HTTP client: the version
// the server negotiates with the scrape client, directly and through a
// CONNECT proxy, and the checks of the names.
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { TLSSocket } from 'node:tls';
import { ScrapeHttpClient } from '../scrape/http.js';
import { makeCert } from './certs.js';
import { type TlsConfig, tlsClientOptions, validateTlsConfig } from './http-options.js';

let dir: string;
let server: https.Server;
let url: string;
let proxy: http.Server;
let proxyUrl: string;
const seen: string[] = [];

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tls-versions-'));
  const cert = makeCert({ commonName: 'server', dir, fileName: 'server' });
  // The server accepts TLS 1.2 and 1.3 and answers with what was negotiated.
  server = https.createServer({ cert: cert.cert, key: cert.key, minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3' }, (req, res) => {
    const v = (req.socket as TLSSocket).getProtocol() ?? '?';
    seen.push(v);
    res.end(`tls_version_info{version="${v}"} 1\n`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
  // A CONNECT proxy: the tunnelled handshake must keep the limits.
  proxy = http.createServer((_q, s) => s.writeHead(405).end());
  proxy.on('connect', (req, client: net.Socket) => {
    const [host, port] = (req.url ?? '').split(':');
    const up = net.connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      up.pipe(client);
      client.pipe(up);
    });
    up.on('error', () => client.destroy());
    client.on('error', () => up.destroy());
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  proxy.closeAllConnections();
  await Promise.all([new Promise((r) => server.close(r)), new Promise((r) => proxy.close(r))]);
  fs.rmSync(dir, { recursive: true, force: true });
});

async function negotiated(tls: TlsConfig, viaProxy = false): Promise<string> {
  const c = new ScrapeHttpClient({
    accept: 'text/plain',
    enableCompression: false,
    bodySizeLimit: 0,
    followRedirects: true,
    userAgent: 'test',
    client: { tls_config: { insecure_skip_verify: true, ...tls }, ...(viaProxy ? { proxy_url: proxyUrl } : {}) },
  });
  try {
    const before = seen.length;
    await c.scrape(url, 5000);
    expect(seen.length).toBe(before + 1);
    return seen[seen.length - 1];
  } finally {
    c.close();
  }
}

test('max_version caps the version the scrape client offers; without it TLS 1.3 is negotiated', async () => {
  expect(await negotiated({})).toBe('TLSv1.3');
  expect(await negotiated({ max_version: 'TLS12' })).toBe('TLSv1.2');
  expect(await negotiated({ max_version: 'TLS13' })).toBe('TLSv1.3');
  expect(await negotiated({ min_version: 'TLS12', max_version: 'TLS12' })).toBe('TLSv1.2');
});

test('max_version holds for a target tunnelled through a proxy', async () => {
  expect(await negotiated({ max_version: 'TLS12' }, true)).toBe('TLSv1.2');
  expect(await negotiated({}, true)).toBe('TLSv1.3');
});

test('a client whose versions the server does not offer fails the handshake', async () => {
  await expect(negotiated({ max_version: 'TLS11' })).rejects.toThrow(/protocol|version|alert|handshake|socket/i);
});

test('Node options and checks: the operator names map to Node versions; unknown names and max below min are refused', () => {
  expect(tlsClientOptions({ min_version: 'TLS10', max_version: 'TLS12' })).toMatchObject({ minVersion: 'TLSv1', maxVersion: 'TLSv1.2' });
  expect(() => validateTlsConfig({ max_version: 'TLS14' })).toThrow('tls_config: unknown max_version "TLS14" (want one of TLS10, TLS11, TLS12, TLS13)');
  expect(() => validateTlsConfig({ min_version: 'TLS13', max_version: 'TLS12' })).toThrow('tls_config: max_version TLS12 is below min_version TLS13');
  expect(() => tlsClientOptions({ max_version: 'v1.2' }, 'spec.tlsConfig')).toThrow('spec.tlsConfig: unknown max_version "v1.2"');
});
