// prometheus.scrape's oauth2 block from Alloy syntax through the controller
// and a real scrape worker: the token comes from a token server on 127.0.0.1,
// the target accepts only that token; a conflicting auth block is refused.
// Also the rest of the shared client block: http_headers sent, proxies refused.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import '../components/index.js';
import type { Controller } from '../runtime/controller.js';
import { configureScrapeWorkers } from './pool.js';
import { scrapeController } from '../../e2e/lib/scrape-support.js';
import { TestProxy } from '../../e2e/lib/test-proxy.js';
import { USER_AGENT } from '../net/user-agent.js';
import { waitFor } from '../../e2e/lib/wait.js';

configureScrapeWorkers(1);

interface Debug {
  targets: { url: string; health: string; last_error?: string }[];
}

const servers: http.Server[] = [];
async function serve(handler: http.RequestListener): Promise<string> {
  const s = http.createServer(handler);
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  return `127.0.0.1:${(s.address() as AddressInfo).port}`;
}

let controller: Controller | undefined;
afterEach(async () => {
  await controller?.stop();
  controller = undefined;
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }
});

let seq = 0;
/** Each test's component gets its own label: the worker pool is keyed by component id and outlives a stopped controller briefly. */
const id = () => `prometheus.scrape.s${seq}`;

async function load(body: string): Promise<Controller> {
  seq++;
  controller = await scrapeController(`
prometheus.scrape "s${seq}" {
  forward_to      = [prometheus.relabel.sink.receiver]
  scrape_interval = "200ms"
  scrape_timeout  = "150ms"
${body}
}
`);
  return controller;
}

function waitForTarget(c: Controller, pred: (t: Debug['targets'][number]) => boolean): Promise<Debug['targets'][number]> {
  return waitFor('the target state', () => {
    const t = (c.view(id())!.debugInfo as Debug).targets[0];
    return t && pred(t) ? t : undefined;
  }, { intervalMs: 50 });
}

test('oauth2 { ... }: the worker fetches a token once and scrapes with it', async () => {
  const tokenRequests: string[] = [];
  const tokenHost = await serve((req, res) => {
    let body = '';
    req.on('data', (b: Buffer) => (body += b.toString()));
    req.on('end', () => {
      tokenRequests.push(`${req.headers.authorization} ${body}`);
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ access_token: 'issued-1', token_type: 'bearer', expires_in: 3600 }));
    });
  });
  let scrapes = 0;
  const target = await serve((req, res) => {
    scrapes++;
    if (req.headers.authorization !== 'Bearer issued-1') return void res.writeHead(401).end();
    res.writeHead(200, { 'Content-Type': 'text/plain' }).end('m 1\n');
  });
  const c = await load(`  targets = [{"__address__" = "${target}"}]
  oauth2 {
    client_id     = "alloy"
    client_secret = "s3cret"
    token_url     = "http://${tokenHost}/token"
    scopes        = ["metrics"]
  }`);
  await waitForTarget(c, (t) => t.health === 'up');
  const before = scrapes;
  await waitForTarget(c, () => scrapes >= before + 2);
  expect(tokenRequests).toEqual([`Basic ${Buffer.from('alloy:s3cret').toString('base64')} grant_type=client_credentials&scope=metrics`]);
});

test('a failing token URL marks the target down with the token URL in last_error', async () => {
  const tokenHost = await serve((_req, res) => res.writeHead(400, { 'Content-Type': 'application/json' }).end('{"error":"invalid_client"}'));
  const target = await serve((_req, res) => res.writeHead(200).end('m 1\n'));
  const c = await load(`  targets = [{"__address__" = "${target}"}]
  oauth2 {
    client_id     = "alloy"
    client_secret = "wrong"
    token_url     = "http://${tokenHost}/token"
  }`);
  const t = await waitForTarget(c, (x) => x.health === 'down');
  expect(t.last_error).toBe(`Get "http://${target}/metrics": oauth2: cannot fetch token from http://${tokenHost}/token: HTTP 400: invalid_client`);
});

test('oauth2 together with another auth method is a config error', async () => {
  await expect(
    load(`  targets = []
  bearer_token = "x"
  oauth2 {
    client_id = "a"
    client_secret = "b"
    token_url = "http://127.0.0.1:1/token"
  }`),
  ).rejects.toThrow(/at most one of 'bearer_token' and 'oauth2' may be set/);
});

test('the shared client block: http_headers go out with every scrape (the scrape\'s own headers win), enable_http2 is accepted', async () => {
  const seen: http.IncomingHttpHeaders[] = [];
  const target = await serve((req, res) => {
    seen.push(req.headers);
    res.writeHead(200, { 'Content-Type': 'text/plain' }).end('m 1\n');
  });
  const c = await load(`  targets = [{"__address__" = "${target}"}]
  enable_http2 = false
  bearer_token = "tok"
  http_headers = { "X-Scope-OrgID" = ["team-a"], "X-Multi" = ["a", "b"], "User-Agent" = ["spoofed"] }`);
  await waitForTarget(c, (t) => t.health === 'up');
  expect(seen[0]['x-scope-orgid']).toBe('team-a');
  expect(seen[0]['x-multi']).toBe('a, b');
  expect(seen[0].authorization).toBe('Bearer tok');
  expect(seen[0]['user-agent']).toBe(USER_AGENT);
});

test('proxy_url: scrapes go through the proxy as absolute-URI requests, with the URL\'s credentials', async () => {
  const target = await serve((_req, res) => res.writeHead(200, { 'Content-Type': 'text/plain' }).end('m 1\n'));
  const proxy = new TestProxy();
  const proxyUrl = new URL(await proxy.listen());
  try {
    proxyUrl.username = 'user';
    proxyUrl.password = 'pw';
    const c = await load(`  targets = [{"__address__" = "${target}"}]\n  proxy_url = "${proxyUrl.href}"`);
    await waitForTarget(c, (t) => t.health === 'up');
    expect(proxy.forwarded[0]).toEqual({ url: `http://${target}/metrics`, auth: `Basic ${Buffer.from('user:pw').toString('base64')}` });
  } finally {
    await proxy.close();
  }
});

test('proxy settings are checked as Alloy checks them', async () => {
  await expect(load(`  targets = []\n  no_proxy = "example.com"`)).rejects.toThrow('if no_proxy is configured, proxy_url must also be configured');
  await expect(load(`  targets = []\n  proxy_url = "http://127.0.0.1:3128"\n  proxy_from_environment = true`)).rejects.toThrow(/proxy_from_environment/);
});
