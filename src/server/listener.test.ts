import https from 'node:https';
import http from 'node:http';
import tls from 'node:tls';
import express from 'express';
import { makeCert, type SelfSignedCert } from '../net/certs.js';
import type { HttpTlsConfig } from '../runtime/config-blocks.js';
import { buildTls, listenSwitchable, type SwitchableServer } from './listener.js';
import { authMiddleware } from './auth.js';
import { Secret } from '../syntax/secret.js';

let server: SelfSignedCert;
let client: SelfSignedCert;
let stranger: SelfSignedCert;
beforeAll(() => {
  server = makeCert({ commonName: 'alloy-server' });
  client = makeCert({ commonName: 'alloy-client' });
  stranger = makeCert({ commonName: 'someone-else' });
});
afterAll(() => {
  for (const c of [server, client, stranger]) c?.dispose();
});

const tlsCfg = (o: Partial<HttpTlsConfig> = {}): HttpTlsConfig => ({ cert_file: server.certPath, key_file: server.keyPath, client_auth_type: 'NoClientCert', cipher_suites: [], curve_preferences: [], ...o });

function app() {
  const a = express();
  a.get('/hello', (_req, res) => res.send('hi'));
  return a;
}

/** GET over https with the server's CA; resolves to the status or the connection error's message. */
function httpsGet(url: string, cert?: SelfSignedCert): Promise<number | string> {
  return new Promise((resolve) => {
    const req = https.get(url, { ca: server.cert, cert: cert?.cert, key: cert?.key, agent: false, timeout: 5000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', (e) => resolve(e.message));
    req.on('timeout', () => req.destroy(new Error('timeout')));
  });
}

function httpGet(url: string, headers: Record<string, string> = {}): Promise<number | string> {
  return new Promise((resolve) => {
    const req = http.get(url, { agent: false, timeout: 5000, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', (e) => resolve(e.message));
    req.on('timeout', () => req.destroy(new Error('timeout')));
  });
}

describe('the http block tls', () => {
  let s: SwitchableServer | undefined;
  afterEach(async () => {
    await s?.close();
    s = undefined;
  });

  test('serves https with the configured certificate; plain http is refused', async () => {
    s = await listenSwitchable(app(), '127.0.0.1:0', buildTls(tlsCfg()));
    expect(s.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(await httpsGet(`${s.url}/hello`)).toBe(200);
    expect(await httpGet(`${s.url.replace('https', 'http')}/hello`)).not.toBe(200);
  });

  test('RequireAndVerifyClientCert: a client certificate signed by client_ca is needed', async () => {
    s = await listenSwitchable(app(), '127.0.0.1:0', buildTls(tlsCfg({ client_auth_type: 'RequireAndVerifyClientCert', client_ca_file: client.certPath })));
    expect(await httpsGet(`${s.url}/hello`, client)).toBe(200);
    expect(await httpsGet(`${s.url}/hello`)).not.toBe(200);
    expect(await httpsGet(`${s.url}/hello`, stranger)).not.toBe(200);
  });

  test('VerifyClientCertIfGiven: no certificate is fine, a bad one is not', async () => {
    s = await listenSwitchable(app(), '127.0.0.1:0', buildTls(tlsCfg({ client_auth_type: 'VerifyClientCertIfGiven', client_ca_pem: client.cert })));
    expect(await httpsGet(`${s.url}/hello`)).toBe(200);
    expect(await httpsGet(`${s.url}/hello`, client)).toBe(200);
    expect(await httpsGet(`${s.url}/hello`, stranger)).not.toBe(200);
  });

  test('RequireAnyClientCert: any certificate, unverified', async () => {
    s = await listenSwitchable(app(), '127.0.0.1:0', buildTls(tlsCfg({ client_auth_type: 'RequireAnyClientCert', client_ca_pem: client.cert })));
    expect(await httpsGet(`${s.url}/hello`, stranger)).toBe(200);
    expect(await httpsGet(`${s.url}/hello`)).not.toBe(200);
  });

  test('TLS can be switched on and off for new connections (reload)', async () => {
    s = await listenSwitchable(app(), '127.0.0.1:0');
    const port = new URL(s.url).port;
    expect(await httpGet(`http://127.0.0.1:${port}/hello`)).toBe(200);
    s.setTls(buildTls(tlsCfg({ cert_pem: server.cert, cert_file: undefined, key_pem: new Secret(server.key), key_file: undefined })));
    expect(await httpsGet(`https://127.0.0.1:${port}/hello`)).toBe(200);
    s.setTls(undefined);
    expect(await httpGet(`http://127.0.0.1:${port}/hello`)).toBe(200);
  });

  test('min_version and cipher suites reach the TLS stack', async () => {
    s = await listenSwitchable(app(), '127.0.0.1:0', buildTls(tlsCfg({ min_version: 'TLS13' })));
    const status = await new Promise<number | string>((resolve) => {
      const req = https.get(`${s!.url}/hello`, { ca: server.cert, agent: false, maxVersion: 'TLSv1.2' }, (res) => resolve(res.statusCode ?? 0));
      req.on('error', (e) => resolve(e.message));
    });
    expect(status).not.toBe(200);
    expect(() => buildTls(tlsCfg({ cipher_suites: ['TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256'], curve_preferences: ['CurveP256', 'X25519'] }))).not.toThrow();
  });

  test('unreadable files are errors naming the argument', () => {
    expect(() => buildTls(tlsCfg({ cert_file: '/nonexistent/cert.pem' }))).toThrow(/^http: tls: failed to read cert_file: /);
  });
});

describe('the http block auth', () => {
  let s: SwitchableServer | undefined;
  afterEach(async () => {
    await s?.close();
    s = undefined;
  });
  const basic = (u: string, p: string) => ({ authorization: `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}` });

  async function serve(auth: Parameters<typeof authMiddleware>[0]) {
    const a = express();
    a.use(authMiddleware(auth));
    a.get(/.*/, (_req, res) => res.send('ok'));
    s = await listenSwitchable(a, '127.0.0.1:0');
    return s.url;
  }

  test('basic auth on every path without a filter', async () => {
    const url = await serve(() => ({ basic: { username: 'u', password: new Secret('p') } }));
    expect(await httpGet(`${url}/metrics`)).toBe(401);
    expect(await httpGet(`${url}/metrics`, basic('u', 'wrong'))).toBe(401);
    expect(await httpGet(`${url}/metrics`, basic('u', 'p'))).toBe(200);
  });

  test('a filter limits auth to the matching paths, or to the others', async () => {
    let matching = true;
    const url = await serve(() => ({ basic: { username: 'u', password: new Secret('p') }, filter: { paths: ['/api/'], authenticate_matching_paths: matching } }));
    expect(await httpGet(`${url}/api/v0/web/components`)).toBe(401);
    expect(await httpGet(`${url}/metrics`)).toBe(200);
    matching = false;
    expect(await httpGet(`${url}/api/v0/web/components`)).toBe(200);
    expect(await httpGet(`${url}/metrics`)).toBe(401);
  });

  test('no basic block: no auth', async () => {
    const url = await serve(() => ({ filter: { paths: ['/'], authenticate_matching_paths: true } }));
    expect(await httpGet(`${url}/metrics`)).toBe(200);
  });
});

describe('ALPN on the https port', () => {
  test('http/1.1 when offered (browsers offer h2 too), h2 only to an h2-only client, a client offering neither refused without harm', async () => {
    const s = await listenSwitchable(app(), '127.0.0.1:0', buildTls(tlsCfg()));
    try {
      const port = Number(new URL(s.url).port);
      const alpn = (protocols: string[]) =>
        new Promise<string | false | null | undefined>((resolve) => {
          const c = tls.connect({ port, host: '127.0.0.1', ca: server.cert, servername: 'localhost', checkServerIdentity: () => undefined, ALPNProtocols: protocols });
          c.once('secureConnect', () => {
            resolve(c.alpnProtocol);
            c.destroy();
          });
          c.once('error', () => resolve(undefined));
        });
      await expect(alpn(['h2', 'http/1.1'])).resolves.toBe('http/1.1');
      await expect(alpn(['h2'])).resolves.toBe('h2');
      await expect(alpn(['spdy/3'])).resolves.toBeUndefined();
      await expect(httpsGet(`${s.url}/hello`)).resolves.toBe(200);
    } finally {
      await s.close();
    }
  });
});
