// The HTTP side of a scrape, run inside a scrape worker: GET with the
// negotiated Accept header, auth and TLS, an overall deadline, optional gzip,
// a limit on the uncompressed size, and redirects like Go's client (<= 10).
import http from 'node:http';
import https from 'node:https';
import { createGunzip, createInflate } from 'node:zlib';
import type { Readable } from 'node:stream';
import { assertAllowedUrl } from '../net/loopback-guard.js';
import { RequestAuth } from '../net/request-auth.js';
import { ClientAgents } from '../net/client-agents.js';
import type { HttpClientArgs } from '../net/http-options.js';
import type { ProxySettings } from '../net/proxy.js';

/** The client settings a scrape worker takes: clonable, secrets as text. */
export interface ScrapeClientArgs extends HttpClientArgs, ProxySettings {
  proxy_connect_header?: Record<string, string[]>;
}

/** Plain, clonable client settings (secrets already revealed by the main thread). */
export interface HttpClientConfig {
  accept: string;
  enableCompression: boolean;
  /** Bytes of uncompressed body (body_size_limit); 0 = none, then bodySizeCeiling applies. */
  bodySizeLimit: number;
  /** The collector's cap on one uncompressed body when body_size_limit is 0 (see ceilings.ts); 0 or unset = none. */
  bodySizeCeiling?: number;
  followRedirects: boolean;
  userAgent: string;
  /** http_headers (values joined); the scrape's own headers take precedence. */
  headers?: Record<string, string>;
  /** Credentials, tls_config, oauth2 and proxy settings in Alloy's names (see buildScrapeJob). */
  client: ScrapeClientArgs;
}

export class BodySizeLimitError extends Error {
  constructor(limit: number, message = `body size limit exceeded (limit ${limit} bytes)`) {
    super(message);
  }
}

/** body_size_limit was unset and the body passed the collector's ceiling (counted like body_size_limit). */
export class BodySizeCeilingError extends BodySizeLimitError {
  constructor(ceiling: number) {
    super(
      ceiling,
      `body size ceiling exceeded: the uncompressed body reached ${ceiling} bytes; body_size_limit is not set, so the collector's ceiling applies (ALLOY_SCRAPE_BODY_SIZE_CEILING)`,
    );
  }
}

export interface ScrapeResponse {
  /** The uncompressed body (protobuf is parsed from it). */
  raw: Buffer;
  /** The body as text (decoded on first call; text formats only). */
  body(): string;
  contentType: string | undefined;
  /** Uncompressed size. */
  bytes: number;
  /** The body was not valid UTF-8 (label values with U+FFFD then fail the scrape); decodes like body(). */
  badUtf8(): boolean;
}

function response(buf: Buffer, contentType: string | undefined): ScrapeResponse {
  let text: string | undefined;
  let bad = false;
  const decode = (): string => {
    if (text === undefined) {
      try {
        text = strictDecoder.decode(buf);
      } catch {
        text = looseDecoder.decode(buf);
        bad = true;
      }
    }
    return text;
  };
  return { raw: buf, body: decode, contentType, bytes: buf.length, badUtf8: () => (decode(), bad) };
}

const strictDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const looseDecoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/** One client per scrape_config: keeps its own keep-alive agents and TLS material. */
export class ScrapeHttpClient {
  /** Keep-alive agents per scheme and proxy; TLS files are read at build (config load) and re-read when they change. */
  private readonly agents: ClientAgents;
  /** Static credentials, or an OAuth2 token cached across scrapes of every target of the pool. */
  private readonly auth: RequestAuth;

  constructor(readonly cfg: HttpClientConfig) {
    this.agents = new ClientAgents(cfg.client, { keepAlive: true, maxSockets: 4 });
    if (cfg.client.tls_config) this.agents.get(new URL('https://tls-check.invalid/')); // unreadable TLS files fail the load, not the first scrape
    this.auth = new RequestAuth(cfg.client, { userAgent: cfg.userAgent });
  }

  /** OAuth2 token requests sent by this client (0 without oauth2). */
  get tokenRequests(): number {
    return this.auth.tokenRequests;
  }

  close(): void {
    this.agents.destroy();
    this.auth.close();
  }

  async scrape(url: string, timeoutMs: number): Promise<ScrapeResponse> {
    const headers: Record<string, string> = {
      ...this.cfg.headers,
      Accept: this.cfg.accept,
      'Accept-Encoding': this.cfg.enableCompression ? 'gzip' : 'identity',
      'User-Agent': this.cfg.userAgent,
      'X-Prometheus-Scrape-Timeout-Seconds': String(timeoutMs / 1000),
    };
    const deadline = AbortSignal.timeout(timeoutMs);
    let auth = await this.authHeader(deadline, url);
    if (auth) headers.Authorization = auth;
    let target = url;
    let retried401 = false;
    for (let hop = 0; ; hop++) {
      const res = await this.get(target, headers, deadline, url);
      const status = res.statusCode ?? 0;
      if (status === 401 && !retried401 && this.auth.unauthorized(auth)) {
        // An OAuth2 token revoked before its expiry: one retry with a fresh token.
        res.resume();
        retried401 = true;
        auth = await this.authHeader(deadline, url);
        if (auth) headers.Authorization = auth;
        hop--;
        continue;
      }
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
      return response(buf, res.headers['content-type']);
    }
  }

  private async authHeader(deadline: AbortSignal, url: string): Promise<string | undefined> {
    try {
      return await this.auth.header(deadline);
    } catch (e) {
      throw deadlineOr(e as Error, deadline, url);
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
      let agent: http.Agent;
      try {
        agent = this.agents.get(u);
      } catch (e) {
        reject(e);
        return;
      }
      const req = mod.get(u, { headers, agent, signal }, resolve);
      req.on('error', (e) => reject(deadlineOr(e, signal, orig)));
    });
  }

  private readBody(res: http.IncomingMessage, signal: AbortSignal, url: string): Promise<Buffer> {
    // The limit counts uncompressed bytes, so a small gzip body that inflates without end stops here too.
    const configured = this.cfg.bodySizeLimit;
    const limit = configured > 0 ? configured : (this.cfg.bodySizeCeiling ?? 0);
    const overLimit = () => (configured > 0 ? new BodySizeLimitError(configured) : new BodySizeCeilingError(limit));
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
        if (limit > 0 && n >= limit) return finish(overLimit());
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
