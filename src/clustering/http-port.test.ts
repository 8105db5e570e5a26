// Gossip on the HTTP server's port (no --cluster.listen-addr): HTTP/2 gossip
// and HTTP/1.1 requests share one listener; with the http block's TLS the
// gossip rides inside it, dialled with the --cluster.tls-* files.
import http from 'node:http';
import https from 'node:https';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildTls } from '../server/listener.js';
import { allSeeMembers, startHttpPortNode, type HttpPortNode } from '../../e2e/lib/cluster-nodes.js';
import { waitFor } from '../../e2e/lib/wait.js';

const nodes: HttpPortNode[] = [];
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.stop()));
});

const hostPort = (url: string) => new URL(url).host;

function get(url: string, ca?: string): Promise<{ status: number; body: string; httpVersion: string }> {
  return new Promise((resolve, reject) => {
    const mod = url.startsWith('https') ? https : http;
    const req = mod.get(url, { agent: false, timeout: 5000, ...(ca ? { ca } : {}) }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, httpVersion: res.httpVersion }));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
  });
}

test('three nodes cluster over their HTTP ports; the advertised address is the HTTP address', async () => {
  const handler: http.RequestListener = (_req, res) => void res.end('api\n');
  const a = await startHttpPortNode({ nodeName: 'a', httpAddr: '127.0.0.1:0', handler });
  nodes.push(a);
  expect(a.cluster.advertiseAddress).toBe(hostPort(a.http.url));
  const b = await startHttpPortNode({ nodeName: 'b', httpAddr: '127.0.0.2:0', handler, joinAddresses: [hostPort(a.http.url)] });
  nodes.push(b);
  const c = await startHttpPortNode({ nodeName: 'c', httpAddr: '127.0.0.3:0', handler, joinAddresses: [hostPort(b.http.url)] });
  nodes.push(c);
  const clusters = nodes.map((n) => n.cluster);
  await waitFor('3 members over the HTTP ports', () => allSeeMembers(clusters, ['a', 'b', 'c']), { timeoutMs: 10_000, intervalMs: 10 });
  // HTTP/1.1 still answers on the same ports while gossip flows.
  for (const n of nodes) {
    const r = await get(`${n.http.url}/anything`);
    expect(r).toMatchObject({ status: 200, body: 'api\n', httpVersion: '1.1' });
  }
  // A failed member is still detected over this transport.
  await c.stop();
  nodes.pop();
  await waitFor('c declared gone', () => allSeeMembers([a.cluster, b.cluster], ['a', 'b']), { timeoutMs: 10_000, intervalMs: 20 });
});

test('a join address without a port uses our HTTP port', async () => {
  const a = await startHttpPortNode({ nodeName: 'a', httpAddr: '127.0.0.1:0' });
  nodes.push(a);
  // b listens on a's port number on another loopback address, so "127.0.0.1" alone means a.
  const port = new URL(a.http.url).port;
  const b = await startHttpPortNode({ nodeName: 'b', httpAddr: `127.0.0.2:${port}`, joinAddresses: ['127.0.0.1'] });
  nodes.push(b);
  await waitFor('2 members', () => allSeeMembers([a.cluster, b.cluster], ['a', 'b']), { timeoutMs: 10_000, intervalMs: 10 });
});

function haveOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

(haveOpenssl() ? describe : describe.skip)('with the http block TLS', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cluster-http-tls-'));
  const f = (n: string) => join(dir, n);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const ssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' });
  function makeCerts(prefix: string): void {
    ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', `/CN=${prefix}-ca`, '-keyout', f(`${prefix}-ca.key`), '-out', f(`${prefix}-ca.crt`));
    writeFileSync(f('san.ext'), 'subjectAltName=IP:127.0.0.1,IP:127.0.0.2,DNS:alloy\n');
    ssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=alloy', '-keyout', f(`${prefix}.key`), '-out', f(`${prefix}.csr`));
    ssl('x509', '-req', '-in', f(`${prefix}.csr`), '-CA', f(`${prefix}-ca.crt`), '-CAkey', f(`${prefix}-ca.key`), '-CAcreateserial', '-days', '1', '-extfile', f('san.ext'), '-out', f(`${prefix}.crt`));
  }
  beforeAll(() => {
    makeCerts('good');
    makeCerts('other');
  });
  const clusterTls = (p: string) => ({ caPath: f(`${p}-ca.crt`), certPath: f(`${p}.crt`), keyPath: f(`${p}.key`) });
  // The server side: the http block, requiring client certificates of the good CA (mutual TLS, as --cluster.listen-addr gives).
  const httpTls = () =>
    buildTls({ cert_file: f('good.crt'), key_file: f('good.key'), client_ca_file: f('good-ca.crt'), client_auth_type: 'RequireAndVerifyClientCert', cipher_suites: [], curve_preferences: [] });

  test('members with --cluster.enable-tls cluster over the HTTPS port (mutual TLS by the http block)', async () => {
    const a = await startHttpPortNode({ nodeName: 'a', httpAddr: '127.0.0.1:0', httpTls: httpTls(), tls: clusterTls('good') });
    nodes.push(a);
    expect(a.http.url).toMatch(/^https:/);
    const b = await startHttpPortNode({ nodeName: 'b', httpAddr: '127.0.0.2:0', httpTls: httpTls(), tls: clusterTls('good'), joinAddresses: [hostPort(a.http.url)] });
    nodes.push(b);
    await waitFor('2 members over TLS on the HTTP port', () => allSeeMembers([a.cluster, b.cluster], ['a', 'b']), { timeoutMs: 10_000, intervalMs: 10 });
  });

  test('a member whose certificate is of another CA is refused; one dialling in cleartext too', async () => {
    const a = await startHttpPortNode({ nodeName: 'a', httpAddr: '127.0.0.1:0', httpTls: httpTls(), tls: clusterTls('good') });
    nodes.push(a);
    const b = await startHttpPortNode({ nodeName: 'b', httpAddr: '127.0.0.2:0', tls: clusterTls('other'), joinAddresses: [hostPort(a.http.url)] });
    nodes.push(b);
    const c = await startHttpPortNode({ nodeName: 'c', httpAddr: '127.0.0.3:0', joinAddresses: [hostPort(a.http.url)] });
    nodes.push(c);
    // The joins fail (handshake, or cleartext HTTP/2 at a TLS port): each starts alone, a hears of neither.
    expect(b.cluster.peers().map((p) => p.name)).toEqual(['b']);
    expect(c.cluster.peers().map((p) => p.name)).toEqual(['c']);
    expect(a.cluster.peers().map((p) => p.name)).toEqual(['a']);
  });
});
