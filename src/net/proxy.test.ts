// Proxy selection (Prometheus's ProxyConfig over Go's httpproxy rules), and
// the shared client agents sending through a real CONNECT/forward proxy.
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { TestProxy } from '../../e2e/lib/test-proxy.js';
import { HttpPoster } from '../logs/write/http.js';
import { QUEUE_DEFAULTS } from '../remotewrite/args.js';
import { HttpSender } from '../remotewrite/http-sender.js';
import { makeCert, type SelfSignedCert } from './certs.js';
import { ClientAgents } from './client-agents.js';
import { OAuth2TokenSource } from './oauth2.js';
import { proxyFor, useProxy } from './proxy.js';

const u = (s: string) => new URL(s);

describe('proxyFor', () => {
  it('proxy_url alone proxies every request, loopback included (http.ProxyURL)', () => {
    expect(proxyFor(u('http://127.0.0.1:9090/'), { proxy_url: 'http://proxy:3128' })?.href).toBe('http://proxy:3128/');
    expect(proxyFor(u('https://mimir.example/'), { proxy_url: 'proxy:3128' })?.href).toBe('http://proxy:3128/');
    expect(proxyFor(u('https://mimir.example/'), {})).toBeUndefined();
  });

  it('no_proxy: domains with their subdomains, leading-dot subdomains only, IPs, CIDRs, ports, *', () => {
    const s = (no_proxy: string) => ({ proxy_url: 'http://proxy:3128', no_proxy });
    expect(proxyFor(u('https://example.com/'), s('example.com'))).toBeUndefined();
    expect(proxyFor(u('https://a.example.com/'), s('example.com'))).toBeUndefined();
    expect(proxyFor(u('https://example.com/'), s('.example.com'))).toBeDefined();
    expect(proxyFor(u('https://a.example.com/'), s('.example.com'))).toBeUndefined();
    expect(proxyFor(u('https://notexample.com/'), s('example.com'))).toBeDefined();
    expect(proxyFor(u('http://10.1.2.3:80/'), s('10.1.0.0/16'))).toBeUndefined();
    expect(proxyFor(u('http://10.2.2.3/'), s('10.1.0.0/16'))).toBeDefined();
    expect(proxyFor(u('http://[fd00::5]/'), s('fd00::/8'))).toBeUndefined();
    expect(proxyFor(u('http://192.168.0.1:8080/'), s('192.168.0.1'))).toBeUndefined();
    expect(proxyFor(u('http://h.example:8080/'), s('h.example:9090'))).toBeDefined();
    expect(proxyFor(u('http://h.example:9090/'), s('h.example:9090'))).toBeUndefined();
    expect(proxyFor(u('http://anything.example/'), s('*'))).toBeUndefined();
    // With no_proxy set, Go's rules also exempt loopback and localhost.
    expect(useProxy(u('http://127.0.0.1:1/'), 'example.com')).toBe(false);
    expect(useProxy(u('http://localhost:1/'), 'example.com')).toBe(false);
    expect(useProxy(u('http://[::1]:1/'), 'example.com')).toBe(false);
  });

  it('proxy_from_environment: HTTPS_PROXY for https, HTTP_PROXY for http, upper case first, NO_PROXY', () => {
    const env = { HTTPS_PROXY: 'http://sec:1', https_proxy: 'http://lower:1', http_proxy: 'http://plain:2', NO_PROXY: 'skip.example' };
    const s = { proxy_from_environment: true };
    expect(proxyFor(u('https://mimir.example/'), s, env)?.host).toBe('sec:1');
    expect(proxyFor(u('http://mimir.example/'), s, env)?.host).toBe('plain:2');
    expect(proxyFor(u('https://a.skip.example/'), s, env)).toBeUndefined();
    expect(proxyFor(u('https://127.0.0.1:9/'), s, env)).toBeUndefined();
    expect(proxyFor(u('https://mimir.example/'), s, {})).toBeUndefined();
    const agents = new ClientAgents(s, {}, { env });
    expect(agents.proxyFor(u('https://mimir.example/'))?.host).toBe('sec:1');
    agents.destroy();
  });
});

describe('clients of the shared block through a proxy', () => {
  let dir: string;
  let cert: SelfSignedCert;
  let proxy: TestProxy;
  let proxyUrl: string;
  let plain: http.Server;
  let secure: https.Server;
  let plainUrl: string;
  let secureUrl: string;
  const received: string[] = [];

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'proxy-test-'));
    cert = makeCert({ commonName: 'receiver', dir, fileName: 'receiver' });
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
      received.push(`${req.method} ${req.url}`);
      req.resume();
      req.on('end', () => res.writeHead(204).end());
    };
    plain = http.createServer(handler);
    secure = https.createServer({ cert: cert.cert, key: cert.key }, handler);
    await new Promise<void>((r) => plain.listen(0, '127.0.0.1', r));
    await new Promise<void>((r) => secure.listen(0, '127.0.0.1', r));
    plainUrl = `http://127.0.0.1:${(plain.address() as AddressInfo).port}`;
    secureUrl = `https://127.0.0.1:${(secure.address() as AddressInfo).port}`;
  });

  beforeEach(async () => {
    received.length = 0;
    proxy = new TestProxy();
    proxyUrl = await proxy.listen();
  });

  afterEach(async () => {
    await proxy.close();
  });

  afterAll(async () => {
    for (const s of [plain, secure]) {
      s.closeAllConnections();
      await new Promise((r) => s.close(r));
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('remote_write to an http endpoint with proxy_url sends an absolute-URI request to the proxy', async () => {
    const s = new HttpSender({ url: `${plainUrl}/api/v1/write`, remote_timeout: 10_000, queue_config: QUEUE_DEFAULTS, proxy_url: proxyUrl.replace('http://', 'http://user:pw@') });
    try {
      const out = await s.send(new Uint8Array([1]), AbortSignal.timeout(10_000));
      expect(out.kind).toBe('ok');
    } finally {
      s.close();
    }
    expect(proxy.forwarded).toEqual([{ url: `${plainUrl}/api/v1/write`, auth: `Basic ${Buffer.from('user:pw').toString('base64')}` }]);
    expect(received).toEqual(['POST /api/v1/write']);
  });

  it('loki.write to an https endpoint tunnels with CONNECT, sending proxy_connect_header, verifying the receiver inside', async () => {
    const p = new HttpPoster({
      url: `${secureUrl}/loki/api/v1/push`,
      tls_config: { ca_file: cert.certPath },
      proxy_url: proxyUrl,
      proxy_connect_header: { 'X-Proxy-Token': ['t1', 't2'] },
    });
    try {
      expect((await p.post(Buffer.from([1]), 10_000)).status).toBe(204);
    } finally {
      p.close();
    }
    expect(proxy.connects).toHaveLength(1);
    expect(proxy.connects[0]!.target).toBe(new URL(secureUrl).host);
    expect(proxy.connects[0]!.headers['x-proxy-token']).toBe('t1, t2');
    expect(received).toEqual(['POST /loki/api/v1/push']);
  });

  it('through the tunnel the receiver certificate is still checked (no ca_file: refused)', async () => {
    const p = new HttpPoster({ url: `${secureUrl}/loki/api/v1/push`, proxy_url: proxyUrl });
    try {
      await expect(p.post(Buffer.from([1]), 10_000)).rejects.toThrow(/self.signed|certificate/i);
    } finally {
      p.close();
    }
    expect(proxy.connects).toHaveLength(1);
    expect(received).toEqual([]);
  });

  it('oauth2 with proxy_url fetches its token through the proxy', async () => {
    const tokens = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ access_token: 'via-proxy', token_type: 'bearer', expires_in: 600 })));
    });
    await new Promise<void>((r) => tokens.listen(0, '127.0.0.1', r));
    const tokenUrl = `http://127.0.0.1:${(tokens.address() as AddressInfo).port}/token`;
    const source = new OAuth2TokenSource({ client_id: 'a', client_secret: 'b', token_url: tokenUrl, proxy_url: proxyUrl });
    try {
      expect(await source.header()).toBe('Bearer via-proxy');
    } finally {
      source.close();
      tokens.closeAllConnections();
      await new Promise((r) => tokens.close(r));
    }
    expect(proxy.forwarded.map((f) => f.url)).toEqual([tokenUrl]);
  });

  it('no_proxy matching the endpoint connects directly', async () => {
    const s = new HttpSender({ url: `${plainUrl}/api/v1/write`, remote_timeout: 10_000, queue_config: QUEUE_DEFAULTS, proxy_url: proxyUrl, no_proxy: '127.0.0.1' });
    try {
      expect((await s.send(new Uint8Array([1]), AbortSignal.timeout(10_000))).kind).toBe('ok');
    } finally {
      s.close();
    }
    expect(proxy.requests).toBe(0);
    expect(received).toEqual(['POST /api/v1/write']);
  });
});
