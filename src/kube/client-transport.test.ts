// The client block of the Kubernetes clients with api_server: the whole HTTP
// client block applies, through both request paths (kube/request.ts for
// discovery and the operator components, logs/kube/api.ts for
// loki.source.kubernetes): proxy settings, the full tls_config, follow_redirects;
// and Alloy's rules on which settings go with kubeconfig_file / in-cluster.
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { makeCert, type SelfSignedCert } from '../net/certs.js';
import { TestProxy } from '../../e2e/lib/test-proxy.js';
import { KubeApi } from '../logs/kube/api.js';
import { getJSON } from './request.js';
import { makeKubeConfig as makeKubeConfigOf, validateKubeClientArgs, type AlloyKubeConfig, type KubeClientArgs, loadKubeClient } from './client.js';

/** Every client made here, so their pooled connections (tunnels too) are closed after each test. */
const made: AlloyKubeConfig[] = [];
function makeKubeConfig(a: KubeClientArgs): AlloyKubeConfig {
  const kc = makeKubeConfigOf(a);
  made.push(kc);
  return kc;
}
afterEach(() => {
  for (const kc of made.splice(0)) kc.agents?.destroy();
});

const POD = { kind: 'Pod', metadata: { name: 'p', namespace: 'a' } };

describe('kube client block: transport settings', () => {
  beforeAll(() => loadKubeClient()); // makeKubeConfig needs the client module, loaded lazily
  let plain: http.Server;
  let plainUrl: string;
  let secure: https.Server;
  let secureUrl: string;
  let cert: SelfSignedCert;
  let clientCert: SelfSignedCert;
  let proxy: TestProxy;
  let proxyUrl: string;
  const seen: string[] = [];
  const serve = (req: http.IncomingMessage, res: http.ServerResponse) => {
    seen.push(req.url ?? '');
    if (req.url === '/moved') return void res.writeHead(302, { location: '/api/v1/namespaces/a/pods/p' }).end();
    if (req.url?.startsWith('/api/v1/namespaces/a/pods/p')) return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(POD));
    res.writeHead(404).end('{}');
  };

  beforeAll(async () => {
    cert = makeCert({ commonName: 'api' });
    clientCert = makeCert({ commonName: 'alloy-client' });
    plain = http.createServer(serve);
    await new Promise<void>((r) => plain.listen(0, '127.0.0.1', r));
    plainUrl = `http://127.0.0.1:${(plain.address() as AddressInfo).port}`;
    // Requires a client certificate signed by clientCert (self-signed: its own CA); TLS 1.2 at most.
    secure = https.createServer({ cert: cert.cert, key: cert.key, ca: clientCert.cert, requestCert: true, rejectUnauthorized: true, maxVersion: 'TLSv1.2' }, serve);
    await new Promise<void>((r) => secure.listen(0, '127.0.0.1', r));
    secureUrl = `https://127.0.0.1:${(secure.address() as AddressInfo).port}`;
    proxy = new TestProxy();
    proxyUrl = await proxy.listen();
  });
  afterAll(async () => {
    for (const s of [plain, secure, proxy.server]) {
      s.closeAllConnections();
      await new Promise((r) => s.close(r));
    }
    cert.dispose();
    clientCert.dispose();
  });
  beforeEach(() => {
    seen.length = 0;
    proxy.forwarded.length = 0;
    proxy.connects.length = 0;
  });

  /** One GET through each request path. */
  async function getBoth(a: KubeClientArgs, path = '/api/v1/namespaces/a/pods/p'): Promise<{ discovery: unknown; tailer: unknown }> {
    const kc = makeKubeConfig(a);
    const discovery = await getJSON(kc, path, {}, AbortSignal.timeout(10_000));
    const api = new KubeApi(makeKubeConfig(a));
    try {
      const r = await api.json('GET', path, undefined, AbortSignal.timeout(10_000));
      return { discovery, tailer: r.status === 200 ? r.body : `HTTP ${r.status}` };
    } finally {
      api.close();
    }
  }

  it('proxy_url is used by both request paths (loki.source.kubernetes included)', async () => {
    const got = await getBoth({ api_server: plainUrl, proxy_url: proxyUrl });
    expect(got).toEqual({ discovery: POD, tailer: POD });
    expect(proxy.forwarded.map((f) => f.url)).toEqual([`${plainUrl}/api/v1/namespaces/a/pods/p`, `${plainUrl}/api/v1/namespaces/a/pods/p`]);
  });

  it('no_proxy matching the API server connects directly', async () => {
    await getBoth({ api_server: plainUrl, proxy_url: proxyUrl, no_proxy: '127.0.0.1' });
    expect(proxy.requests).toBe(0);
    expect(seen).toHaveLength(2);
  });

  it('proxy_connect_header goes on the CONNECT to an https API server; cert_pem/key_pem authenticate the client', async () => {
    const got = await getBoth({
      api_server: secureUrl,
      proxy_url: proxyUrl,
      proxy_connect_header: { 'X-Proxy-Token': ['k'] },
      tls_config: { ca_pem: cert.cert, cert_pem: clientCert.cert, key_pem: clientCert.key },
    });
    expect(got).toEqual({ discovery: POD, tailer: POD });
    expect(proxy.connects.length).toBeGreaterThanOrEqual(1);
    expect(proxy.connects.every((c) => c.headers['x-proxy-token'] === 'k')).toBe(true);
  });

  it('proxy_from_environment takes HTTPS_PROXY / HTTP_PROXY (loopback is never proxied from the environment, as in Go)', () => {
    const saved = { h: process.env.HTTP_PROXY, s: process.env.HTTPS_PROXY };
    process.env.HTTP_PROXY = proxyUrl;
    process.env.HTTPS_PROXY = 'http://127.0.0.9:3128';
    try {
      const kc = makeKubeConfig({ api_server: 'https://kube.example:6443', proxy_from_environment: true, tls_config: { insecure_skip_verify: true } });
      expect(kc.agents?.proxyFor(new URL('https://kube.example:6443'))?.href).toBe('http://127.0.0.9:3128/');
      expect(kc.agents?.proxyFor(new URL(plainUrl))).toBeUndefined();
      const off = makeKubeConfig({ api_server: 'https://kube.example:6443', tls_config: { insecure_skip_verify: true } });
      expect(off.agents?.proxyFor(new URL('https://kube.example:6443'))).toBeUndefined();
    } finally {
      for (const [k, v] of [['HTTP_PROXY', saved.h], ['HTTPS_PROXY', saved.s]] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });

  it('tls_config min_version is enforced (TLS13 against a TLS 1.2 server fails)', async () => {
    const a: KubeClientArgs = { api_server: secureUrl, tls_config: { ca_pem: cert.cert, cert_pem: clientCert.cert, key_pem: clientCert.key, min_version: 'TLS13' } };
    await expect(getJSON(makeKubeConfig(a), '/api/v1/namespaces/a/pods/p', {}, AbortSignal.timeout(10_000))).rejects.toThrow(/protocol|version|alert/i);
    const ok = { ...a, tls_config: { ...a.tls_config, min_version: 'TLS12' } };
    expect(await getJSON(makeKubeConfig(ok), '/api/v1/namespaces/a/pods/p', {}, AbortSignal.timeout(10_000))).toEqual(POD);
  });

  it('without the client certificate the TLS server refuses (so cert_pem/key_pem above did the work)', async () => {
    await expect(getJSON(makeKubeConfig({ api_server: secureUrl, tls_config: { ca_pem: cert.cert } }), '/api/v1/namespaces/a/pods/p', {}, AbortSignal.timeout(10_000))).rejects.toThrow();
  });

  it('follow_redirects: followed by default, not with false', async () => {
    expect(await getBoth({ api_server: plainUrl }, '/moved')).toEqual({ discovery: POD, tailer: POD });
    const kc = makeKubeConfig({ api_server: plainUrl, follow_redirects: false });
    await expect(getJSON(kc, '/moved', {}, AbortSignal.timeout(10_000))).rejects.toMatchObject({ status: 302 });
    const api = new KubeApi(makeKubeConfig({ api_server: plainUrl, follow_redirects: false }));
    try {
      expect((await api.json('GET', '/moved')).status).toBe(302);
    } finally {
      api.close();
    }
  });
});

describe('kube client block: Alloy rules', () => {
  it('custom HTTP client settings need api_server (not in-cluster, not with kubeconfig_file)', () => {
    expect(() => validateKubeClientArgs({ http_headers: { A: ['b'] } })).toThrow(/api_server must be set.*http_headers/);
    expect(() => validateKubeClientArgs({ follow_redirects: false })).toThrow(/api_server must be set.*follow_redirects/);
    expect(() => validateKubeClientArgs({ kubeconfig_file: '/k', proxy_from_environment: true })).toThrow(/kubeconfig_file.*proxy_from_environment/);
    // Defaults are not custom settings.
    expect(() => validateKubeClientArgs({ follow_redirects: true, enable_http2: true, proxy_from_environment: false })).not.toThrow();
  });

  it('an unreadable tls_config file is refused at configuration time', () => {
    expect(() => makeKubeConfig({ api_server: 'https://127.0.0.1:1', tls_config: { ca_file: '/nonexistent/ca.crt' } })).toThrow(/ca_file/);
    expect(fs.existsSync('/nonexistent/ca.crt')).toBe(false);
  });
});
