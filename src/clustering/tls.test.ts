// Gossip over mutual TLS with certificates made by openssl for this test.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Cluster } from './cluster.js';
import { loadTlsCredentials } from './tls.js';
import { allSeeMembers, startTestNode } from '../../e2e/lib/cluster-nodes.js';
import { waitFor } from '../../e2e/lib/wait.js';

function haveOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const dir = mkdtempSync(join(tmpdir(), 'cluster-tls-'));
const f = (n: string) => join(dir, n);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function makeCerts(prefix: string): void {
  const ssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' });
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', `/CN=${prefix}-ca`, '-keyout', f(`${prefix}-ca.key`), '-out', f(`${prefix}-ca.crt`));
  writeFileSync(f('san.ext'), 'subjectAltName=IP:127.0.0.1,IP:127.0.0.2,DNS:alloy\n');
  ssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=alloy', '-keyout', f(`${prefix}.key`), '-out', f(`${prefix}.csr`));
  ssl('x509', '-req', '-in', f(`${prefix}.csr`), '-CA', f(`${prefix}-ca.crt`), '-CAkey', f(`${prefix}-ca.key`), '-CAcreateserial', '-days', '1', '-extfile', f('san.ext'), '-out', f(`${prefix}.crt`));
}

const maybe = haveOpenssl() ? describe : describe.skip;

maybe('cluster TLS', () => {
  const nodes: Cluster[] = [];
  beforeAll(() => {
    makeCerts('good');
    makeCerts('other');
  });
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map((n) => n.stop()));
  });
  const tls = (p: string) => ({ caPath: f(`${p}-ca.crt`), certPath: f(`${p}.crt`), keyPath: f(`${p}.key`) });

  test('nodes with certificates of the same CA form a cluster', async () => {
    const a = await startTestNode({ nodeName: 'a', listenAddr: '127.0.0.1:0', tls: tls('good') });
    nodes.push(a);
    const b = await startTestNode({ nodeName: 'b', listenAddr: '127.0.0.2:0', tls: tls('good'), joinAddresses: [a.advertiseAddress] });
    nodes.push(b);
    await waitFor('2 members over TLS', () => allSeeMembers(nodes, ['a', 'b']), { timeoutMs: 5000, intervalMs: 10 });
  });

  test('a node with a certificate of another CA cannot join', async () => {
    const a = await startTestNode({ nodeName: 'a', listenAddr: '127.0.0.1:0', tls: tls('good') });
    nodes.push(a);
    const b = await startTestNode({ nodeName: 'b', listenAddr: '127.0.0.2:0', tls: tls('other'), joinAddresses: [a.advertiseAddress] });
    nodes.push(b);
    // The join fails at the handshake: b starts alone, a never hears of it.
    expect(b.peers().map((p) => p.name)).toEqual(['b']);
    expect(a.peers().map((p) => p.name)).toEqual(['a']);
  });

  test('unreadable files are named in the error', () => {
    expect(() => loadTlsCredentials({ caPath: f('nope.crt'), certPath: f('good.crt'), keyPath: f('good.key') })).toThrow(/CA certificate \(--cluster.tls-ca-path\) ".*nope.crt"/);
  });
});
