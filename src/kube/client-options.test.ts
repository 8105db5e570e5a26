// The kube client block options as the discovery, operator and rules components use them (see also client-transport.test.ts).
// The Kubernetes client with api_server speaks through the shared HTTP client
// mechanism (net/ClientAgents): Alloy's whole tls_config (PEM CA, min_version)
// and every proxy setting (proxy_url with proxy_connect_header, no_proxy,
// proxy_from_environment), against the API emulator over TLS.
import fs from 'node:fs';
import { startKubeEmulator, type KubeEmulator } from '../sandbox/kube/index.js';
import { TestProxy } from '../../e2e/lib/test-proxy.js';
import { getJSON } from './request.js';
import { makeKubeConfig, validateKubeClientArgs, loadKubeClient } from './client.js';

describe('kube client transport', () => {
  beforeAll(() => loadKubeClient()); // makeKubeConfig needs the client module, loaded lazily
  let api: KubeEmulator;
  let proxy: TestProxy;
  let proxyUrl: string;
  let caPem: string;
  const tunnels: import('node:net').Socket[] = [];
  beforeAll(async () => {
    api = await startKubeEmulator({ tls: true, token: 'tok' });
    caPem = fs.readFileSync(api.caCertPath!, 'utf8');
    proxy = new TestProxy();
    proxy.server.on('connect', (_req, socket: import('node:net').Socket) => tunnels.push(socket));
    proxyUrl = await proxy.listen();
  });
  afterAll(async () => {
    // Idle kept-alive connections (and tunnels) would hold the servers open.
    for (const kc of made) kc.agents?.destroy();
    for (const t of tunnels) t.destroy();
    await proxy?.close();
    await api?.close();
  });
  const made: ReturnType<typeof makeKubeConfig>[] = [];
  const list = (kc: ReturnType<typeof makeKubeConfig>) => made.push(kc) && getJSON(kc, '/api/v1/namespaces', {}, AbortSignal.timeout(10_000));

  test('ca_pem and min_version come from tls_config; proxy_url tunnels with proxy_connect_header', async () => {
    const kc = makeKubeConfig({ api_server: api.url, bearer_token: 'tok', proxy_url: proxyUrl, proxy_connect_header: { 'X-Proxy-Team': ['infra'] }, tls_config: { ca_pem: caPem, min_version: 'TLS12' } });
    const before = proxy.connects.length;
    expect((await list(kc)).kind).toBe('NamespaceList');
    expect(proxy.connects.length).toBe(before + 1);
    expect(proxy.connects.at(-1)!.headers['x-proxy-team']).toBe('infra');
  });

  test('without the CA the server is not trusted (tls_config really applies)', async () => {
    const kc = makeKubeConfig({ api_server: api.url, bearer_token: 'tok' });
    await expect(list(kc)).rejects.toThrow(/self[- ]signed|certificate/i);
  });

  test('no_proxy bypasses proxy_url; proxy_from_environment takes HTTPS_PROXY', async () => {
    const before = proxy.connects.length;
    const direct = makeKubeConfig({ api_server: api.url, bearer_token: 'tok', proxy_url: proxyUrl, no_proxy: '127.0.0.1', tls_config: { ca_pem: caPem } });
    expect((await list(direct)).kind).toBe('NamespaceList');
    expect(proxy.connects.length).toBe(before);
    // Go (and we) never proxy loopback from the environment: check the choice for another host.
    const saved = process.env.HTTPS_PROXY;
    process.env.HTTPS_PROXY = proxyUrl;
    try {
      const fromEnv = makeKubeConfig({ api_server: 'https://kube.example:6443', proxy_from_environment: true });
      expect(fromEnv.agents!.proxyFor(new URL('https://kube.example:6443'))?.href).toBe(`${proxyUrl}/`);
      expect(makeKubeConfig({ api_server: 'https://kube.example:6443' }).agents!.proxyFor(new URL('https://kube.example:6443'))).toBeUndefined();
    } finally {
      if (saved === undefined) delete process.env.HTTPS_PROXY;
      else process.env.HTTPS_PROXY = saved;
    }
  });

  test("client settings without api_server are refused (Alloy's rule), not silently dropped for the in-cluster config", () => {
    expect(() => validateKubeClientArgs({ bearer_token: 'x' })).toThrow('api_server must be set when custom HTTP client configuration is provided');
    expect(() => validateKubeClientArgs({ http_headers: { a: ['b'] } })).toThrow('api_server must be set');
    expect(() => validateKubeClientArgs({})).not.toThrow();
  });

  test('kubeconfig_file excludes the proxy settings too', () => {
    expect(() => validateKubeClientArgs({ kubeconfig_file: '/x', proxy_url: 'http://p:1', no_proxy: 'a' })).toThrow(/'kubeconfig_file' cannot be combined with custom HTTP client settings \(proxy_url, no_proxy\)/);
  });
});
