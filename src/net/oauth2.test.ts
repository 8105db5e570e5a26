// The client credentials flow against a token server on 127.0.0.1: request
// shape (Basic header, then body credentials when refused), caching until
// shortly before expiry, secret file changes, 401 from the token URL, bad
// responses, deadlines, an HTTPS token URL with its own tls_config, and the
// scrape client's single retry when a target refuses a token.
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Secret } from '../syntax/secret.js';
import { ScrapeHttpClient } from '../scrape/http.js';
import { makeCert } from './certs.js';
import { authorizationHeader, revealHttpClientArgs, validateHttpAuth } from './http-options.js';
import { type OAuth2Config, OAuth2TokenSource, validateOAuth2 } from './oauth2.js';

interface Seen {
  authorization?: string;
  contentType?: string;
  userAgent?: string;
  form: Record<string, string>;
}

type Reply = { status: number; body: string; type?: string } | 'hang';

/** A token endpoint whose answers the test decides; it records every request. */
class TokenServer {
  readonly seen: Seen[] = [];
  reply: (s: Seen) => Reply = () => ({ status: 200, body: JSON.stringify({ access_token: `tok${this.seen.length}`, token_type: 'bearer', expires_in: 60 }) });
  private server!: http.Server | https.Server;
  url = '';

  async start(tls?: { cert: string; key: string }): Promise<this> {
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const s: Seen = { authorization: req.headers.authorization, contentType: req.headers['content-type'], userAgent: req.headers['user-agent'], form: Object.fromEntries(new URLSearchParams(body)) };
        this.seen.push(s);
        const r = this.reply(s);
        if (r === 'hang') return;
        res.writeHead(r.status, { 'Content-Type': r.type ?? 'application/json' }).end(r.body);
      });
    };
    this.server = tls ? https.createServer(tls, handler) : http.createServer(handler);
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', () => r()));
    this.url = `${tls ? 'https' : 'http'}://127.0.0.1:${(this.server.address() as AddressInfo).port}/oauth2/token`;
    return this;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

let ts: TokenServer;
const sources: OAuth2TokenSource[] = [];
const source = (cfg: Partial<OAuth2Config>, opts: ConstructorParameters<typeof OAuth2TokenSource>[1] = {}) => {
  const s = new OAuth2TokenSource({ client_id: 'alloy', client_secret: 's3cret', token_url: ts.url, ...cfg }, opts);
  sources.push(s);
  return s;
};

beforeEach(async () => {
  ts = await new TokenServer().start();
});

afterEach(async () => {
  for (const s of sources.splice(0)) s.close();
  await ts.stop();
});

test('POSTs the client credentials form with a Basic header (URL-encoded parts), scopes and endpoint params; caches the token', async () => {
  const s = source({ client_id: 'my client', client_secret: new Secret('p@ss/word'), scopes: ['metrics', 'read'], endpoint_params: { audience: 'prom' } }, { userAgent: 'Alloy-ts/test' });
  expect(await s.header()).toBe('Bearer tok1');
  expect(ts.seen).toEqual([
    {
      authorization: basic('my+client', 'p%40ss%2Fword'),
      contentType: 'application/x-www-form-urlencoded',
      userAgent: 'Alloy-ts/test',
      form: { grant_type: 'client_credentials', scope: 'metrics read', audience: 'prom' },
    },
  ]);
  // Cached, and concurrent callers share one request once it is gone.
  expect(await s.header()).toBe('Bearer tok1');
  s.invalidate('Bearer tok1');
  const all = await Promise.all([s.header(), s.header(), s.header()]);
  expect(all).toEqual(['Bearer tok2', 'Bearer tok2', 'Bearer tok2']);
  expect(s.requests).toBe(2);
});

test('a token is reused until 10 s before expires_in, then fetched again', async () => {
  let now = 1_000_000;
  const s = source({}, { now: () => now });
  expect(await s.header()).toBe('Bearer tok1');
  now += 49_000; // 11 s left
  expect(await s.header()).toBe('Bearer tok1');
  now += 1_500; // 9.5 s left: inside the expiry delta
  expect(await s.header()).toBe('Bearer tok2');
  expect(ts.seen).toHaveLength(2);
  // No expires_in: valid until the resource server refuses it.
  ts.reply = () => ({ status: 200, body: JSON.stringify({ access_token: 'forever' }) });
  s.invalidate(undefined);
  expect(await s.header()).toBe('Bearer forever');
  now += 365 * 86_400_000;
  expect(await s.header()).toBe('Bearer forever');
  expect(ts.seen).toHaveLength(3);
});

test('a token URL refusing the Basic header gets the credentials in the body, and that style is kept', async () => {
  ts.reply = (r) =>
    r.authorization === undefined && r.form.client_id === 'alloy' && r.form.client_secret === 's3cret'
      ? { status: 200, body: `access_token=body${ts.seen.length}&token_type=mac&expires_in=60`, type: 'application/x-www-form-urlencoded' }
      : { status: 401, body: JSON.stringify({ error: 'invalid_client' }) };
  const s = source({});
  expect(await s.header()).toBe('MAC body2');
  s.invalidate(undefined);
  expect(await s.header()).toBe('MAC body3');
  // Probe (header, then body) once; afterwards straight to the body style.
  expect(ts.seen.map((r) => (r.authorization ? 'header' : 'body'))).toEqual(['header', 'body', 'body']);
});

test('401 from the token URL: the error names the URL, the status and the OAuth error', async () => {
  ts.reply = () => ({ status: 401, body: JSON.stringify({ error: 'invalid_client', error_description: 'bad secret' }) });
  const s = source({});
  await expect(s.header()).rejects.toThrow(`oauth2: cannot fetch token from ${ts.url}: HTTP 401: invalid_client (bad secret)`);
  expect(ts.seen).toHaveLength(2); // header style, then body style
  // Not cached: the next call tries again and succeeds once the server agrees.
  ts.reply = () => ({ status: 200, body: JSON.stringify({ access_token: 'late', expires_in: 60 }) });
  expect(await s.header()).toBe('Bearer late');
});

test('unusable answers and unreachable token URLs are errors naming the token URL', async () => {
  const s = source({});
  ts.reply = () => ({ status: 200, body: JSON.stringify({ token_type: 'bearer' }) });
  await expect(s.header()).rejects.toThrow(`oauth2: cannot fetch token from ${ts.url}: the response has no access_token`);
  ts.reply = () => ({ status: 200, body: '<html>' });
  await expect(s.header()).rejects.toThrow(/invalid token response/);
  ts.reply = () => ({ status: 503, body: 'down for maintenance' });
  await expect(s.header()).rejects.toThrow(`${ts.url}: HTTP 503: down for maintenance`);
  const gone = new TokenServer();
  await gone.start();
  const url = gone.url;
  await gone.stop();
  const s2 = new OAuth2TokenSource({ client_id: 'a', client_secret: 'b', token_url: url });
  sources.push(s2);
  await expect(s2.header()).rejects.toThrow(new RegExp(`cannot fetch token from ${url.replace(/[.]/g, '\\.')}: .*ECONNREFUSED`));
});

test("a hung token URL: the caller's deadline and the request timeout both end the wait", async () => {
  ts.reply = () => 'hang';
  const s = source({}, { timeoutMs: 300 });
  await expect(s.header(AbortSignal.timeout(50))).rejects.toThrow(/abandoned: deadline exceeded/);
  await expect(s.header()).rejects.toThrow(/no answer within 300 ms/);
});

test('client_secret_file is re-read; a changed secret fetches a new token at once', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oauth2-'));
  const file = path.join(dir, 'secret');
  fs.writeFileSync(file, 'one\n');
  try {
    const s = source({ client_secret: undefined, client_secret_file: file });
    expect(await s.header()).toBe('Bearer tok1');
    expect(await s.header()).toBe('Bearer tok1');
    fs.writeFileSync(file, 'two\n');
    expect(await s.header()).toBe('Bearer tok2');
    expect(ts.seen.map((r) => r.authorization)).toEqual([basic('alloy', 'one'), basic('alloy', 'two')]);
    fs.rmSync(file);
    await expect(s.header()).rejects.toThrow(`oauth2.client_secret_file ${file}: cannot read: ENOENT`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('an HTTPS token URL is verified with the oauth2 tls_config', async () => {
  const cert = makeCert({ commonName: 'token-server' });
  const secure = await new TokenServer().start(cert);
  const mk = (tls: OAuth2Config['tls_config']) => {
    const s = new OAuth2TokenSource({ client_id: 'a', client_secret: 'b', token_url: secure.url, tls_config: tls });
    sources.push(s);
    return s;
  };
  try {
    await expect(mk(undefined).header()).rejects.toThrow(/self.signed|unable to verify|certificate/i);
    expect(secure.seen).toEqual([]); // refused during the handshake
    expect(await mk({ ca_file: cert.certPath }).header()).toBe('Bearer tok1');
  } finally {
    await secure.stop();
    cert.dispose();
  }
});

test('validation: required fields, one secret source, proxy rules, known grant type; oauth2 counts as an auth method', async () => {
  const ok: OAuth2Config = { client_id: 'a', client_secret: 'b', token_url: 'https://auth/token' };
  expect(() => validateOAuth2(ok)).not.toThrow();
  expect(() => validateOAuth2({ ...ok, client_id: '' })).toThrow('oauth2: client_id must be set');
  expect(() => validateOAuth2({ ...ok, token_url: undefined })).toThrow('oauth2: token_url must be set');
  expect(() => validateOAuth2({ ...ok, token_url: '::' })).toThrow('oauth2: token_url "::" is not a valid URL');
  expect(() => validateOAuth2({ ...ok, client_secret_file: '/s' })).toThrow("oauth2: at most one of 'client_secret' and 'client_secret_file' may be set");
  expect(() => validateOAuth2({ ...ok, proxy_url: 'http://proxy:3128' })).not.toThrow();
  expect(() => validateOAuth2({ ...ok, no_proxy: 'auth' })).toThrow('oauth2: if no_proxy is configured, proxy_url must also be configured');
  expect(() => validateOAuth2({ ...ok, grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer' })).toThrow(/grant_type .* is not supported/);
  expect(() => validateOAuth2({ ...ok, scopes: ['x'], endpoint_params: { scope: 'y' } })).toThrow(/cannot overwrite "scope"/);
  expect(() => validateOAuth2({ ...ok, tls_config: { cert_file: '/c' } })).toThrow(/^oauth2\.tls_config: 'cert_file' and/);
  expect(() => validateHttpAuth({ basic_auth: { username: 'u' }, oauth2: ok })).toThrow("at most one of 'basic_auth' and 'oauth2' may be set");
  // The stateless header helper never sends an oauth2 request unauthenticated by mistake.
  await expect(authorizationHeader({ oauth2: ok })).rejects.toThrow(/oauth2 credentials need a token source/);
});

test('revealHttpClientArgs: plain strings only (structured-clonable), client fields only', () => {
  const revealed = revealHttpClientArgs({
    oauth2: { client_id: 'a', client_secret: new Secret('b'), token_url: 'http://t', tls_config: { key_pem: new Secret('K'), cert_pem: 'C' } },
    tls_config: { ca_pem: 'CA', key_pem: new Secret('KEY'), cert_pem: 'CERT' },
    ...({ targets: [] } as object),
  });
  expect(structuredClone(revealed)).toEqual({
    oauth2: { client_id: 'a', client_secret: 'b', token_url: 'http://t', tls_config: { key_pem: 'K', cert_pem: 'C' } },
    tls_config: { ca_pem: 'CA', key_pem: 'KEY', cert_pem: 'CERT' },
  });
});

describe('scrape client with oauth2', () => {
  let target: http.Server;
  let targetUrl = '';
  const accepted = new Set<string>();
  const seenAtTarget: string[] = [];

  beforeEach(async () => {
    accepted.clear();
    seenAtTarget.length = 0;
    target = http.createServer((req, res) => {
      const auth = req.headers.authorization ?? '';
      seenAtTarget.push(auth);
      if (!accepted.has(auth)) return void res.writeHead(401).end('unauthorized');
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('up_metric 1\n');
    });
    await new Promise<void>((r) => target.listen(0, '127.0.0.1', () => r()));
    targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}/metrics`;
  });

  afterEach(async () => {
    target.closeAllConnections();
    await new Promise<void>((r) => target.close(() => r()));
  });

  const client = () =>
    new ScrapeHttpClient({ accept: 'text/plain', enableCompression: false, bodySizeLimit: 0, followRedirects: true, userAgent: 'test', client: { oauth2: { client_id: 'alloy', client_secret: 's3cret', token_url: ts.url } } });

  test('the token is fetched once for many scrapes; a revoked token is replaced by one retry', async () => {
    const c = client();
    try {
      accepted.add('Bearer tok1');
      for (let i = 0; i < 5; i++) expect((await c.scrape(targetUrl, 2000)).body()).toBe('up_metric 1\n');
      expect(c.tokenRequests).toBe(1);
      // The resource server stops accepting tok1 before its expiry.
      accepted.clear();
      accepted.add('Bearer tok2');
      expect((await c.scrape(targetUrl, 2000)).body()).toBe('up_metric 1\n');
      expect(seenAtTarget.slice(-2)).toEqual(['Bearer tok1', 'Bearer tok2']);
      expect(c.tokenRequests).toBe(2);
    } finally {
      c.close();
    }
  });

  test('a target that refuses every token: one retry, then the 401 fails the scrape', async () => {
    const c = client();
    try {
      await expect(c.scrape(targetUrl, 2000)).rejects.toThrow('server returned HTTP status 401 Unauthorized');
      expect(seenAtTarget).toEqual(['Bearer tok1', 'Bearer tok2']);
    } finally {
      c.close();
    }
  });

  test('a token URL failure fails the scrape with the token URL in the message', async () => {
    ts.reply = () => ({ status: 401, body: JSON.stringify({ error: 'invalid_client' }) });
    const c = client();
    try {
      await expect(c.scrape(targetUrl, 2000)).rejects.toThrow(`Get "${targetUrl}": oauth2: cannot fetch token from ${ts.url}: HTTP 401: invalid_client`);
      expect(seenAtTarget).toEqual([]);
    } finally {
      c.close();
    }
  });
});
