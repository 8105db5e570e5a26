// The HTTP clients built on http-options (prometheus.scrape's worker client,
// prometheus.remote_write's sender, loki.write's poster, the rules
// components' ruler client, mimir.alerts.kubernetes's Alertmanager client) against one
// HTTPS server: same TLS verification, same Authorization header, same
// pick-up of rotated credential and CA files.
import fs from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { AlertmanagerClient } from '../crd/alerts/alertmanager-client.js';
import { RulerClient } from '../crd/rules/ruler-client.js';
import { HttpPoster } from '../logs/write/http.js';
import { QUEUE_DEFAULTS } from '../remotewrite/args.js';
import { HttpSender } from '../remotewrite/http-sender.js';
import { ScrapeHttpClient } from '../scrape/http.js';
import { makeCert, type SelfSignedCert } from './certs.js';

interface Client {
  /** Resolves on a 2xx answer; rejects with the transport or status error. */
  request(): Promise<void>;
  close(): void;
}

/** One client per component, configured from the same Alloy-shaped settings. */
type Factory = (o: { url: string; caFile?: string; tokenFile: string; recheckMs?: number }) => Client;

const factories: Record<string, Factory> = {
  'prometheus.scrape': ({ url, caFile, tokenFile }) => {
    const c = new ScrapeHttpClient({
      accept: 'text/plain',
      enableCompression: false,
      bodySizeLimit: 0,
      followRedirects: true,
      userAgent: 'test',
      client: { bearer_token_file: tokenFile, tls_config: caFile ? { ca_file: caFile } : undefined },
    });
    return { request: async () => void (await c.scrape(url, 5000)), close: () => c.close() };
  },
  'prometheus.remote_write': ({ url, caFile, tokenFile }) => {
    const s = new HttpSender({ url, remote_timeout: 5000, queue_config: QUEUE_DEFAULTS, bearer_token_file: tokenFile, tls_config: caFile ? { ca_file: caFile } : undefined });
    return {
      request: async () => {
        const r = await s.send(new Uint8Array([1]), AbortSignal.timeout(5000));
        if (r.kind !== 'ok') throw new Error(r.reason);
      },
      close: () => s.close(),
    };
  },
  'loki.write': ({ url, caFile, tokenFile }) => {
    const p = new HttpPoster({ url, bearer_token_file: tokenFile, tls_config: caFile ? { ca_file: caFile } : undefined });
    return {
      request: async () => {
        const r = await p.post(Buffer.from([1]), 5000);
        if (r.status >= 300) throw new Error(`status ${r.status}`);
      },
      close: () => p.close(),
    };
  },
  'mimir.rules.kubernetes': ({ url, caFile, tokenFile }) => {
    const c = new RulerClient({ address: new URL(url).origin, rulesPath: '/prometheus/config/v1/rules', http: { bearer_token_file: tokenFile, tls_config: caFile ? { ca_file: caFile } : undefined } });
    return { request: async () => void (await c.list()), close: () => c.close() };
  },
  'mimir.alerts.kubernetes': ({ url, caFile, tokenFile }) => {
    const c = new AlertmanagerClient({ address: new URL(url).origin, http: { bearer_token_file: tokenFile, tls_config: caFile ? { ca_file: caFile } : undefined } });
    return { request: async () => void (await c.get()), close: () => c.close() };
  },
};

let dir: string;
let server: https.Server;
let url: string;
let cert: SelfSignedCert;
let lastAuth: string | undefined;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'http-clients-'));
  cert = makeCert({ commonName: 'server', dir, fileName: 'server' });
  server = https.createServer({ cert: cert.cert, key: cert.key }, (req, res) => {
    lastAuth = req.headers.authorization;
    req.resume();
    req.on('end', () => res.end('up 1\n'));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  fs.rmSync(dir, { recursive: true, force: true });
});

describe.each(Object.entries(factories))('%s', (name, make) => {
  const slug = name.replace(/\W/g, '-');

  test('verifies the server against ca_file and sends the re-read token file', async () => {
    const tokenFile = path.join(dir, `${slug}.token`);
    fs.writeFileSync(tokenFile, 'first\n');
    const c = make({ url, caFile: cert.certPath, tokenFile });
    try {
      await c.request();
      expect(lastAuth).toBe('Bearer first');
      fs.writeFileSync(tokenFile, 'second');
      await c.request();
      expect(lastAuth).toBe('Bearer second');
    } finally {
      c.close();
    }
  });

  test('without the CA the self-signed server is refused', async () => {
    const tokenFile = path.join(dir, `${slug}.token2`);
    fs.writeFileSync(tokenFile, 't');
    const c = make({ url, tokenFile });
    try {
      await expect(c.request()).rejects.toThrow(/self.signed|certificate/i);
    } finally {
      c.close();
    }
  });

  test('an unreadable ca_file rejects the configuration, naming the file', () => {
    const missing = path.join(dir, 'missing-ca.pem');
    expect(() => make({ url, caFile: missing, tokenFile: '/dev/null' })).toThrow(`tls_config.ca_file ${missing}: cannot read: ENOENT`);
  });
});
