// discovery.kubelet's poller on the shared HTTP client block: proxy_url,
// http_headers, the one User-Agent and oauth2, against a local PodList server.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { TestProxy } from '../../e2e/lib/test-proxy.js';
import { USER_AGENT } from '../net/user-agent.js';
import { Secret } from '../syntax/secret.js';
import { kubeletArgsSchema, type KubeletArgs, validateKubeletArgs } from './arguments.js';
import type { KubeletError } from './client.js';
import { KubeletPoller, type PollResult } from './poller.js';

interface Seen {
  url?: string;
  headers: http.IncomingHttpHeaders;
}

async function listen(handler: http.RequestListener): Promise<{ server: http.Server; url: string }> {
  const server = http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function close(s: http.Server): Promise<void> {
  s.closeAllConnections();
  await new Promise((r) => s.close(r));
}

let kubelet: { server: http.Server; url: string };
const seen: Seen[] = [];

beforeAll(async () => {
  kubelet = await listen((req, res) => {
    seen.push({ url: req.url, headers: req.headers });
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ kind: 'PodList', apiVersion: 'v1', metadata: {}, items: [] }));
  });
});

afterAll(() => close(kubelet.server));

beforeEach(() => {
  seen.length = 0;
});

/** One poll's outcome. */
function pollOnce(args: KubeletArgs): Promise<PollResult> {
  return new Promise((resolve, reject) => {
    const p = new KubeletPoller({
      args: { refresh_interval: 60_000, ...args },
      timeoutMs: 10_000,
      defaultTokenFile: '/nonexistent',
      onResult: (r) => void p.stop().then(() => resolve(r)),
      onError: (e: KubeletError) => void p.stop().then(() => reject(e)),
    });
    p.start();
  });
}

test('the schema is Alloy\'s: url, refresh_interval, namespaces and the whole HTTP client block', () => {
  for (const a of ['url', 'refresh_interval', 'namespaces', 'bearer_token', 'bearer_token_file', 'proxy_url', 'no_proxy', 'proxy_from_environment', 'proxy_connect_header', 'follow_redirects', 'enable_http2', 'http_headers']) {
    expect(kubeletArgsSchema.attrs).toHaveProperty(a);
  }
  expect(() => validateKubeletArgs({ no_proxy: 'x' })).toThrow('if no_proxy is configured, proxy_url must also be configured');
  expect(() => validateKubeletArgs({ bearer_token: new Secret('a'), oauth2: { client_id: 'c', client_secret: 's', token_url: 'http://127.0.0.1:1/t' } })).toThrow(/at most one of 'bearer_token' and 'oauth2'/);
});

test('proxy_url: the poll goes through the proxy, with http_headers and the collector User-Agent', async () => {
  const proxy = new TestProxy();
  const proxyUrl = await proxy.listen();
  try {
    const r = await pollOnce({ url: kubelet.url, bearer_token: new Secret('node-token'), proxy_url: proxyUrl, http_headers: { 'X-Cluster': [new Secret('east')] } });
    expect(r.pods).toBe(0);
    expect(proxy.forwarded.map((f) => f.url)).toEqual([`${kubelet.url}/pods`]);
  } finally {
    await proxy.close();
  }
  expect(seen).toHaveLength(1);
  expect(seen[0]!.headers['x-cluster']).toBe('east');
  expect(seen[0]!.headers['user-agent']).toBe(USER_AGENT);
  expect(seen[0]!.headers.authorization).toBe('Bearer node-token');
});

test('oauth2: a client-credentials token is fetched and sent as Bearer', async () => {
  const tokens = await listen((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ access_token: 'oauth-tok', token_type: 'bearer', expires_in: 600 }));
    });
  });
  try {
    await pollOnce({ url: kubelet.url, oauth2: { client_id: 'alloy', client_secret: new Secret('s3cret'), token_url: `${tokens.url}/token` } });
  } finally {
    await close(tokens.server);
  }
  expect(seen.map((s) => s.headers.authorization)).toEqual(['Bearer oauth-tok']);
});
