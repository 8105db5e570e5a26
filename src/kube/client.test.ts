import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Secret } from '../syntax/secret.js';
import { USER_AGENT } from '../net/user-agent.js';
import { kubeIdentity, makeKubeConfig, validateKubeClientArgs, loadKubeClient } from './client.js';

async function authHeader(kc: ReturnType<typeof makeKubeConfig>): Promise<unknown> {
  const opts: { headers?: Record<string, unknown> } = {};
  await kc.applyToHTTPSOptions(opts as never);
  return opts.headers?.Authorization;
}

describe('kube client arguments', () => {
  beforeAll(() => loadKubeClient()); // makeKubeConfig needs the client module, loaded lazily
  test('api_server with bearer_token (a Secret) sets the Authorization header', async () => {
    const kc = makeKubeConfig({ api_server: 'http://127.0.0.1:1', bearer_token: new Secret('tok') });
    expect(kc.getCurrentCluster()?.server).toBe('http://127.0.0.1:1');
    expect(await authHeader(kc)).toBe('Bearer tok');
  });

  test('requests carry the one User-Agent unless http_headers sets another', async () => {
    const headersOf = async (kc: ReturnType<typeof makeKubeConfig>) => {
      const opts: { headers?: Record<string, unknown> } = {};
      await kc.applyToHTTPSOptions(opts as never);
      return opts.headers ?? {};
    };
    expect((await headersOf(makeKubeConfig({ api_server: 'http://127.0.0.1:1' })))['User-Agent']).toBe(USER_AGENT);
    const custom = makeKubeConfig({ api_server: 'http://127.0.0.1:1', http_headers: { 'User-Agent': ['mine/1'] } } as never);
    expect((await headersOf(custom))['User-Agent']).toBe('mine/1');
  });

  test('bearer_token_file is re-read and trimmed on every request', async () => {
    const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kc-')), 'token');
    fs.writeFileSync(f, 'one\n');
    const kc = makeKubeConfig({ api_server: 'https://127.0.0.1:1', bearer_token_file: f });
    expect(await authHeader(kc)).toBe('Bearer one');
    fs.writeFileSync(f, 'two\n');
    expect(await authHeader(kc)).toBe('Bearer two');
  });

  test('tls_config maps to the cluster (CA pem, server name, skip verify) and proxy_url', () => {
    const kc = makeKubeConfig({
      api_server: 'https://k:6443',
      proxy_url: 'http://proxy:3128',
      tls_config: { ca_pem: 'PEM', server_name: 'kubernetes', insecure_skip_verify: true },
    });
    const c = kc.getCurrentCluster()!;
    expect(Buffer.from(c.caData!, 'base64').toString()).toBe('PEM');
    expect(c.tlsServerName).toBe('kubernetes');
    expect(c.skipTLSVerify).toBe(true);
    expect(c.proxyUrl).toBe('http://proxy:3128');
  });

  test('kubeconfig_file is loaded', () => {
    const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kc-')), 'config');
    fs.writeFileSync(
      f,
      'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "http://127.0.0.1:9", insecure-skip-tls-verify: true}}]\n' +
        'users: [{name: u, user: {token: abc}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n',
    );
    expect(makeKubeConfig({ kubeconfig_file: f }).getCurrentCluster()?.server).toBe('http://127.0.0.1:9');
  });

  test('contradictions and missing in-cluster environment are clear errors', () => {
    expect(() => validateKubeClientArgs({ api_server: 'http://a', kubeconfig_file: '/x' })).toThrow(/kubeconfig_file.*api_server/);
    expect(() => validateKubeClientArgs({ api_server: 'not a url' })).toThrow(/not a valid URL/);
    expect(() => validateKubeClientArgs({ bearer_token: 'a', bearer_token_file: '/f' })).toThrow(/at most one/);
    const saved = process.env.KUBERNETES_SERVICE_HOST;
    delete process.env.KUBERNETES_SERVICE_HOST;
    try {
      expect(() => makeKubeConfig({})).toThrow(/KUBERNETES_SERVICE_HOST is unset/);
    } finally {
      if (saved !== undefined) process.env.KUBERNETES_SERVICE_HOST = saved;
    }
  });

  test('identity differs by server and credentials, not by object identity', () => {
    const a = kubeIdentity(makeKubeConfig({ api_server: 'http://h:1', bearer_token: 'x' }));
    expect(kubeIdentity(makeKubeConfig({ api_server: 'http://h:1', bearer_token: 'x' }))).toBe(a);
    expect(kubeIdentity(makeKubeConfig({ api_server: 'http://h:1', bearer_token: 'y' }))).not.toBe(a);
    expect(kubeIdentity(makeKubeConfig({ api_server: 'http://h:2', bearer_token: 'x' }))).not.toBe(a);
    expect(a).not.toContain('x#');
  });
});
