// A server that echoes the request back in its error body (headers, form
// fields) must not get our credentials into an error message, a log line or
// last_error: every client that builds errors from a server's answer cuts it
// and takes out what it sent. Control characters in the answer are escaped.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AlertmanagerClient } from '../crd/alerts/alertmanager-client.js';
import { RulerClient } from '../crd/rules/ruler-client.js';
import { HttpPoster } from '../logs/write/http.js';
import { QUEUE_DEFAULTS } from '../remotewrite/args.js';
import { HttpSender } from '../remotewrite/http-sender.js';
import { OAuth2TokenSource } from './oauth2.js';

const TOKEN = 'tok-5ecret-abcdef';
const PASSWORD = 'pa55word-xyz';
const CLIENT_SECRET = 'client-5ecret-42';

let server: http.Server;
let base = '';

beforeAll(async () => {
  // Answers 400 with everything it received, plus a terminal escape and a long tail.
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      res.writeHead(400, { 'Content-Type': 'text/plain' });
      res.end(`bad request\n${JSON.stringify(req.headers)}\n${Buffer.concat(chunks).toString('latin1')}\u001b[31m${'x'.repeat(2000)}`);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
});

function expectClean(message: string, ...secrets: string[]): void {
  for (const s of secrets) expect(message).not.toContain(s);
  expect(message).not.toContain(Buffer.from(`user:${PASSWORD}`).toString('base64'));
  expect(message).not.toContain('\u001b');
  expect(message.length).toBeLessThan(800);
}

test('prometheus.remote_write: the rejected batch reason', async () => {
  const s = new HttpSender({ url: `${base}/api/v1/write`, remote_timeout: 5000, queue_config: QUEUE_DEFAULTS, bearer_token: TOKEN } as never);
  const out = await s.send(Buffer.from([1]), new AbortController().signal);
  expect(out.kind).toBe('drop');
  const reason = (out as { reason: string }).reason;
  expect(reason).toMatch(/^server returned HTTP status 400/);
  expect(reason).toContain('(secret)');
  expectClean(reason, TOKEN);
});

test('loki.write: the push error body', async () => {
  const p = new HttpPoster({ url: `${base}/loki/api/v1/push`, basic_auth: { username: 'user', password: PASSWORD }, http_headers: { 'X-Api-Key': [TOKEN] } } as never);
  try {
    const r = await p.post(Buffer.from([1]), 5000);
    expect(r.status).toBe(400);
    expectClean(r.body, TOKEN, PASSWORD);
  } finally {
    p.close();
  }
});

test('mimir.alerts.kubernetes: the Alertmanager API error (a POST carrying the config)', async () => {
  const c = new AlertmanagerClient({ address: base, http: { basic_auth: { username: 'user', password: PASSWORD } } as never, httpHeaders: { 'X-Api-Key': [TOKEN] } as never });
  try {
    const err = await c.set({ alertmanager_config: 'route: {receiver: r}\nreceivers: [{name: r}]\n', template_files: {} }).then(() => undefined, (e: Error) => e);
    expect(err?.message).toMatch(/^POST \/api\/v1\/alerts: HTTP 400: bad request/);
    expectClean(err!.message, TOKEN, PASSWORD);
  } finally {
    c.close();
  }
});

test('mimir.rules.kubernetes: the ruler error', async () => {
  const c = new RulerClient({ address: base, rulesPath: '/prometheus/config/v1/rules', http: { bearer_token: TOKEN } as never });
  try {
    const err = await c.list().then(() => undefined, (e: Error) => e);
    expect(err?.message).toMatch(/HTTP 400/);
    expectClean(err!.message, TOKEN);
  } finally {
    c.close();
  }
});

test('oauth2: the token endpoint error', async () => {
  const src = new OAuth2TokenSource({ client_id: 'id', client_secret: CLIENT_SECRET, token_url: `${base}/token` } as never);
  const err = await src.header(new AbortController().signal).then(() => undefined, (e: Error) => e);
  src.close();
  expect(err?.message).toMatch(/HTTP 400/);
  expectClean(err!.message, CLIENT_SECRET);
});
