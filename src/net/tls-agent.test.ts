import fs from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { makeCert, type SelfSignedCert } from './certs.js';
import { TlsAgent } from './tls-agent.js';

let dir: string;
let server: https.Server;
let url: string;
const certs: SelfSignedCert[] = [];

function get(agent: https.Agent): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { agent, timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve(body));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tls-agent-'));
  certs.push(makeCert({ commonName: 'first', dir, fileName: 'first' }), makeCert({ commonName: 'second', dir, fileName: 'second' }));
  server = https.createServer({ cert: certs[0].cert, key: certs[0].key, keepAlive: true }, (_req, res) => res.end('ok'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  fs.rmSync(dir, { recursive: true, force: true });
});

afterEach(() => server.setSecureContext({ cert: certs[0].cert, key: certs[0].key }));

test('a rotated CA file is picked up: a new agent, the old one retired', async () => {
  const caFile = path.join(dir, 'ca.pem');
  fs.writeFileSync(caFile, certs[0].cert);
  const tls = new TlsAgent({ ca_file: caFile }, { keepAlive: true }, { recheckMs: 0 });
  try {
    const first = tls.get();
    expect(await get(first)).toBe('ok');
    expect(tls.get()).toBe(first); // unchanged content: same agent, connections reused
    await new Promise((r) => setImmediate(r)); // the socket returns to the pool after the response ends
    expect(Object.values(first.freeSockets).flat()).toHaveLength(1);

    server.setSecureContext({ cert: certs[1].cert, key: certs[1].key });
    // The old agent's kept-alive connection still speaks to the first certificate;
    // a new connection with the old CA must fail, proving verification is on.
    await expect(get(new https.Agent({ ca: certs[0].cert }))).rejects.toThrow(/self.signed|unable to verify|certificate/i);

    fs.writeFileSync(caFile, certs[1].cert);
    const second = tls.get();
    expect(second).not.toBe(first);
    expect(await get(second)).toBe('ok');
    expect(Object.values(first.freeSockets).flat()).toHaveLength(0);
  } finally {
    tls.destroy();
  }
});

test('a file missing mid-rotation keeps the last good material and reports why', async () => {
  const caFile = path.join(dir, 'ca-missing.pem');
  fs.writeFileSync(caFile, certs[0].cert);
  const tls = new TlsAgent({ ca_file: caFile }, {}, { recheckMs: 0, where: 'endpoint 1: tls_config' });
  try {
    const first = tls.get();
    fs.rmSync(caFile);
    expect(tls.get()).toBe(first);
    expect(tls.lastError).toMatch(/endpoint 1: tls_config.ca_file .*: cannot read: ENOENT/);
    expect(await get(first)).toBe('ok');
  } finally {
    tls.destroy();
  }
});

test('files are not re-read before recheckMs', () => {
  const caFile = path.join(dir, 'ca-slow.pem');
  fs.writeFileSync(caFile, certs[0].cert);
  const tls = new TlsAgent({ ca_file: caFile }, {}, { recheckMs: 60_000 });
  try {
    const first = tls.get();
    fs.writeFileSync(caFile, certs[1].cert);
    expect(tls.get()).toBe(first);
  } finally {
    tls.destroy();
  }
});

test('TLS material never readable: get() throws naming the file', () => {
  const tls = new TlsAgent({ cert_file: path.join(dir, 'none.crt'), key_file: path.join(dir, 'none.key') });
  expect(() => tls.get()).toThrow(/tls_config.cert_file .*none.crt: cannot read: ENOENT/);
});

test('insecure_skip_verify connects to an untrusted certificate', async () => {
  const tls = new TlsAgent({ insecure_skip_verify: true });
  try {
    expect(await get(tls.get())).toBe('ok');
  } finally {
    tls.destroy();
  }
});
