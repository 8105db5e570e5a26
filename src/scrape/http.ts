// The HTTP side of a scrape, run inside a scrape worker: GET with the
// negotiated Accept header, auth and TLS, an overall deadline, optional gzip,
// a limit on the uncompressed size, and redirects like Go's client (<= 10).
import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import { createGunzip, createInflate } from 'node:zlib';
import type { Readable } from 'node:stream';
import { assertAllowedUrl } from '../net/loopback-guard.js';

/** Plain, clonable client settings (secrets already revealed by the main thread). */
export interface HttpClientConfig {
  accept: string;
  enableCompression: boolean;
  /** Bytes of uncompressed body; 0 = unlimited. */
  bodySizeLimit: number;
  followRedirects: boolean;
  userAgent: string;
  /** A fixed Authorization header value, or a file whose content is the credential. */
  authorization?: { type: string; credentials?: string; credentialsFile?: string };
  basicAuth?: { username: string; password?: string; passwordFile?: string };
  tls?: {
    ca?: string;
    caFile?: string;
    cert?: string;
    certFile?: string;
    key?: string;
    keyFile?: string;
    serverName?: string;
    insecureSkipVerify?: boolean;
  };
}

export class BodySizeLimitError extends Error {
  constructor(limit: number) {
    super(`body size limit exceeded (limit ${limit} bytes)`);
  }
}

export interface ScrapeResponse {
  body: string;
  contentType: string | undefined;
  /** Uncompressed size. */
  bytes: number;
  /** The body was not valid UTF-8 (label values with U+FFFD then fail the scrape). */
  badUtf8: boolean;
}

const strictDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const looseDecoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/** One client per scrape_config: keeps its own keep-alive agents and TLS material. */
export class ScrapeHttpClient {
  private readonly httpAgent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  private readonly httpsAgent: https.Agent;

  constructor(readonly cfg: HttpClientConfig) {
    const t = cfg.tls ?? {};
    const read = (pem: string | undefined, file: string | undefined) =>
      pem ?? (file ? readTlsFile(file) : undefined);
    this.httpsAgent = new https.Agent({
      keepAlive: true,
      maxSockets: 4,
      ca: read(t.ca, t.caFile),
      cert: read(t.cert, t.certFile),
      key: read(t.key, t.keyFile),
      servername: t.serverName || undefined,
      rejectUnauthorized: !t.insecureSkipVerify,
    });
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  private async authHeader(): Promise<string | undefined> {
    const { authorization: a, basicAuth: b } = this.cfg;
    if (a) {
      const cred = a.credentialsFile ? (await fs.readFile(a.credentialsFile, 'utf8')).trim() : (a.credentials ?? '');
      return `${a.type || 'Bearer'} ${cred}`;
    }
    if (b) {
      const pw = b.passwordFile ? (await fs.readFile(b.passwordFile, 'utf8')).trim() : (b.password ?? '');
      return `Basic ${Buffer.from(`${b.username}:${pw}`).toString('base64')}`;
    }
    return undefined;
  }

  async scrape(url: string, timeoutMs: number): Promise<ScrapeResponse> {
    const headers: Record<string, string> = {
      Accept: this.cfg.accept,
      'Accept-Encoding': this.cfg.enableCompression ? 'gzip' : 'identity',
      'User-Agent': this.cfg.userAgent,
      'X-Prometheus-Scrape-Timeout-Seconds': String(timeoutMs / 1000),
    };
    const auth = await this.authHeader();
    if (auth) headers.Authorization = auth;
    const deadline = AbortSignal.timeout(timeoutMs);
    let target = url;
    for (let hop = 0; ; hop++) {
      const res = await this.get(target, headers, deadline, url);
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && res.headers.location && this.cfg.followRedirects) {
        res.resume();
        if (hop >= 10) throw new Error(`Get ${JSON.stringify(url)}: stopped after 10 redirects`);
        target = new URL(res.headers.location, target).toString();
        continue;
      }
      if (status !== 200) {
        res.resume();
        throw new Error(`server returned HTTP status ${status} ${res.statusMessage ?? ''}`.trim());
      }
      const buf = await this.readBody(res, deadline, url);
      let body: string;
      let badUtf8 = false;
      try {
        body = strictDecoder.decode(buf);
      } catch {
        body = looseDecoder.decode(buf);
        badUtf8 = true;
      }
      return { body, contentType: res.headers['content-type'], bytes: buf.length, badUtf8 };
    }
  }

  private get(url: string, headers: Record<string, string>, signal: AbortSignal, orig: string): Promise<http.IncomingMessage> {
    return new Promise((resolve, reject) => {
      let u: URL;
      try {
        u = new URL(url);
      } catch {
        reject(new Error(`invalid URL ${JSON.stringify(url)}`));
        return;
      }
      try {
        assertAllowedUrl(u);
      } catch (e) {
        reject(e);
        return;
      }
      const mod = u.protocol === 'https:' ? https : http;
      const agent = u.protocol === 'https:' ? this.httpsAgent : this.httpAgent;
      const req = mod.get(u, { headers, agent, signal }, resolve);
      req.on('error', (e) => reject(deadlineOr(e, signal, orig)));
    });
  }

  private readBody(res: http.IncomingMessage, signal: AbortSignal, url: string): Promise<Buffer> {
    const limit = this.cfg.bodySizeLimit;
    const enc = (res.headers['content-encoding'] ?? '').toLowerCase();
    let stream: Readable = res;
    if (enc === 'gzip') stream = res.pipe(createGunzip());
    else if (enc === 'deflate') stream = res.pipe(createInflate());
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let n = 0;
      let done = false;
      const finish = (err?: Error) => {
        if (done) return;
        done = true;
        signal.removeEventListener('abort', onAbort);
        if (err) {
          res.destroy();
          if (stream !== res) stream.destroy();
          reject(err);
        } else resolve(Buffer.concat(chunks, n));
      };
      const onAbort = () => finish(deadlineOr(new Error('aborted'), signal, url));
      signal.addEventListener('abort', onAbort);
      stream.on('data', (c: Buffer) => {
        n += c.length;
        if (limit > 0 && n >= limit) return finish(new BodySizeLimitError(limit));
        chunks.push(c);
      });
      stream.on('end', () => finish());
      stream.on('error', (e) => finish(deadlineOr(e, signal, url)));
      res.on('error', (e) => finish(deadlineOr(e, signal, url)));
      res.on('aborted', () => finish(new Error(`Get ${JSON.stringify(url)}: unexpected EOF`)));
    });
  }
}

function deadlineOr(e: Error, signal: AbortSignal, url: string): Error {
  if (signal.aborted) return new Error(`Get ${JSON.stringify(url)}: context deadline exceeded`);
  return e.message.startsWith('Get ') ? e : new Error(`Get ${JSON.stringify(url)}: ${e.message}`);
}

/** TLS files are read once when the client is built (config load). */
function readTlsFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`unable to read TLS file ${path}: ${(e as Error).message}`);
  }
}
