// OAuth 2.0 client credentials (RFC 6749 §4.4) as Prometheus's HTTP client
// does it through Go's clientcredentials package: POST a form to token_url,
// client id/secret first in a Basic Authorization header and, when the token
// URL refuses that, in the form body (the style that worked is remembered);
// the token is cached until 10 s before `expires_in` runs out. The `oauth2`
// block schema and validation live here too.
import http from 'node:http';
import https from 'node:https';
import { revealString, type Secret } from '../syntax/secret.js';
import { t, type BlockSchema } from '../runtime/types.js';
import { type OAuth2Config, readCredentialFile, TLS_ATTRS, tlsConfigSchema, validateTlsConfig } from './http-options.js';
import { assertAllowedUrl } from './loopback-guard.js';
import { ClientAgents, type ClientAgentsConfig } from './client-agents.js';
import { validateProxySettings } from './proxy.js';
import { describeExternalText, headerSecrets } from '../redact.js';

export type { OAuth2Config };

export const GRANT_CLIENT_CREDENTIALS = 'client_credentials';

export const oauth2Schema: BlockSchema = {
  attrs: {
    client_id: { type: t.string() },
    client_secret: { type: t.secret() },
    client_secret_file: { type: t.string() },
    scopes: { type: t.array(t.string()) },
    token_url: { type: t.string() },
    endpoint_params: { type: t.map(t.string()) },
    grant_type: { type: t.string() },
    proxy_url: { type: t.string() },
    no_proxy: { type: t.string() },
    proxy_from_environment: { type: t.bool() },
    proxy_connect_header: { type: t.map(t.array(t.secret())) },
  },
  blocks: { tls_config: { schema: tlsConfigSchema } },
  validate: (c: OAuth2Config) => validateOAuth2(c),
};

/** Prometheus's rules (client_id and token_url required, one secret source) plus what this collector refuses. */
export function validateOAuth2(c: OAuth2Config | undefined, where = 'oauth2'): void {
  if (!c) return;
  if (!c.client_id) throw new Error(`${where}: client_id must be set`);
  if (!c.token_url) throw new Error(`${where}: token_url must be set`);
  let u: URL;
  try {
    u = new URL(c.token_url);
  } catch {
    throw new Error(`${where}: token_url ${JSON.stringify(c.token_url)} is not a valid URL`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`${where}: token_url must be http or https, got ${JSON.stringify(c.token_url)}`);
  if (c.client_secret !== undefined && c.client_secret !== null && c.client_secret_file !== undefined && c.client_secret_file !== null) {
    throw new Error(`${where}: at most one of 'client_secret' and 'client_secret_file' may be set`);
  }
  if (c.grant_type && c.grant_type !== GRANT_CLIENT_CREDENTIALS) {
    throw new Error(`${where}: grant_type ${JSON.stringify(c.grant_type)} is not supported by this collector (only "client_credentials")`);
  }
  validateProxySettings(c, where);
  for (const k of Object.keys(c.endpoint_params ?? {})) {
    // Go's clientcredentials refuses to overwrite its own parameters (grant_type excepted).
    if (k === 'scope' && (c.scopes?.length ?? 0) > 0) throw new Error(`${where}: endpoint_params cannot overwrite "scope" (use scopes)`);
  }
  validateTlsConfig(c.tls_config, TLS_ATTRS, `${where}.tls_config`);
}

export class OAuth2Error extends Error {}

interface CachedToken {
  header: string;
  /** ms since epoch; undefined: no expiry given (valid until refused). */
  expiresAt: number | undefined;
  /** The client secret it was fetched with (a changed secret file means a new token). */
  secret: string;
}

export interface TokenSourceOptions {
  userAgent?: string;
  /** Deadline of one token request; default 10 s. */
  timeoutMs?: number;
  /** Clock, for tests. */
  now?: () => number;
  /** A token counts as expired this long before its expiry (Go's oauth2: 10 s). */
  expiryDeltaMs?: number;
}

type AuthStyle = 'header' | 'params';

const MAX_BODY = 1 << 20;

/**
 * Fetches and caches the access token of one oauth2 block. Concurrent callers
 * share one token request; the per-sample path never sees this (one call per
 * scrape, answered from the cache).
 */
export class OAuth2TokenSource {
  readonly #cfg: OAuth2Config;
  readonly #url: URL;
  readonly #opts: Required<Omit<TokenSourceOptions, 'userAgent'>> & { userAgent?: string };
  /** Direct or through the block's proxy settings, TLS from its tls_config. */
  readonly #agents: ClientAgents;
  #token: CachedToken | undefined;
  #inflight: { secret: string; p: Promise<CachedToken> } | undefined;
  /** Learned as Go's clientcredentials does: header first, params when the header style is refused. */
  #style: AuthStyle | undefined;
  /** Token requests sent so far (debug info and tests). */
  requests = 0;

  constructor(cfg: OAuth2Config, opts: TokenSourceOptions = {}) {
    validateOAuth2(cfg);
    this.#cfg = cfg;
    this.#url = new URL(cfg.token_url!);
    this.#opts = { timeoutMs: opts.timeoutMs ?? 10_000, now: opts.now ?? Date.now, expiryDeltaMs: opts.expiryDeltaMs ?? 10_000, userAgent: opts.userAgent };
    this.#agents = new ClientAgents(
      { ...cfg, proxy_connect_header: cfg.proxy_connect_header as ClientAgentsConfig['proxy_connect_header'] },
      { keepAlive: true, maxSockets: 2 },
      { where: 'oauth2.tls_config' },
    );
  }

  get tokenUrl(): string {
    return this.#cfg.token_url!;
  }

  /**
   * The Authorization header value ("Bearer <access_token>"). `signal` bounds
   * this caller's wait only: a token request already under way still completes
   * and is cached for the next caller.
   */
  async header(signal?: AbortSignal): Promise<string> {
    const secret = await this.#secret();
    const tok = this.#token;
    if (tok && tok.secret === secret && this.#fresh(tok)) return tok.header;
    if (!this.#inflight || this.#inflight.secret !== secret) {
      const p = this.#fetch(secret).finally(() => {
        if (this.#inflight?.p === p) this.#inflight = undefined;
      });
      this.#inflight = { secret, p };
      // A failure is reported to the callers awaiting it; nobody else must see it unhandled.
      p.catch(() => {});
    }
    const p = this.#inflight.p;
    return (await (signal ? raceAbort(p, signal, this.tokenUrl) : p)).header;
  }

  /**
   * The resource server refused `used` (HTTP 401): forget that token so the
   * next header() fetches another (unless a newer one already replaced it).
   */
  invalidate(used: string | undefined): void {
    if (this.#token && (used === undefined || this.#token.header === used)) this.#token = undefined;
  }

  close(): void {
    this.#agents.destroy();
  }

  #fresh(tok: CachedToken): boolean {
    return tok.expiresAt === undefined || tok.expiresAt - this.#opts.expiryDeltaMs > this.#opts.now();
  }

  async #secret(): Promise<string> {
    const c = this.#cfg;
    if (c.client_secret_file) return readCredentialFile('oauth2.client_secret_file', c.client_secret_file);
    return revealString(c.client_secret) ?? '';
  }

  async #fetch(secret: string): Promise<CachedToken> {
    const c = this.#cfg;
    const form = new URLSearchParams({ grant_type: GRANT_CLIENT_CREDENTIALS });
    if (c.scopes && c.scopes.length > 0) form.set('scope', c.scopes.join(' '));
    for (const [k, v] of Object.entries(c.endpoint_params ?? {})) form.set(k, v);
    const probing = this.#style === undefined;
    let style: AuthStyle = this.#style ?? 'header';
    let tok: CachedToken;
    try {
      tok = await this.#request(form, style, secret);
    } catch (e) {
      if (!probing) throw e;
      // Servers differ (RFC 6749 allows both): retry with the credentials in the body.
      style = 'params';
      tok = await this.#request(form, style, secret);
    }
    if (probing) this.#style = style;
    this.#token = tok;
    return tok;
  }

  async #request(base: URLSearchParams, style: AuthStyle, secret: string): Promise<CachedToken> {
    const c = this.#cfg;
    const form = new URLSearchParams(base);
    const headers: Record<string, string> = { 'Content-Type': 'application/x-www-form-urlencoded' };
    if (this.#opts.userAgent) headers['User-Agent'] = this.#opts.userAgent;
    if (style === 'header') {
      // As Go's oauth2: both parts are URL-encoded before the Basic encoding (RFC 6749 §2.3.1).
      headers.Authorization = `Basic ${Buffer.from(`${formEscape(c.client_id ?? '')}:${formEscape(secret)}`).toString('base64')}`;
    } else {
      if (c.client_id) form.set('client_id', c.client_id);
      if (secret) form.set('client_secret', secret);
    }
    this.requests++;
    const now = this.#opts.now();
    const res = await this.#post(form.toString(), headers);
    if (res.status < 200 || res.status > 299) throw this.#fail(`HTTP ${res.status}${describeOAuthError(res.body, res.contentType, [secret, ...headerSecrets(headers)])}`);
    return this.#parse(res.body, res.contentType, now, secret);
  }

  #parse(body: string, contentType: string, now: number, secret: string): CachedToken {
    let fields: Record<string, unknown>;
    const mime = contentType.split(';')[0].trim().toLowerCase();
    if (mime === 'application/x-www-form-urlencoded' || mime === 'text/plain') {
      fields = Object.fromEntries(new URLSearchParams(body));
    } else {
      try {
        const doc: unknown = JSON.parse(body);
        if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new Error('not a JSON object');
        fields = doc as Record<string, unknown>;
      } catch (e) {
        throw this.#fail(`invalid token response: ${(e as Error).message}`);
      }
    }
    const access = fields.access_token;
    if (typeof access !== 'string' || access === '') throw this.#fail('the response has no access_token');
    const expiresIn = Number(fields.expires_in ?? 0);
    if (!Number.isFinite(expiresIn)) throw this.#fail(`invalid expires_in ${JSON.stringify(fields.expires_in)}`);
    return {
      header: `${tokenType(typeof fields.token_type === 'string' ? fields.token_type : '')} ${access}`,
      expiresAt: expiresIn > 0 ? now + expiresIn * 1000 : undefined,
      secret,
    };
  }

  #fail(reason: string): OAuth2Error {
    return new OAuth2Error(`oauth2: cannot fetch token from ${this.tokenUrl}: ${reason}`);
  }

  #post(body: string, headers: Record<string, string>): Promise<{ status: number; body: string; contentType: string }> {
    return new Promise((resolve, reject) => {
      const u = this.#url;
      let agent: http.Agent;
      try {
        assertAllowedUrl(u);
        agent = this.#agents.get(u);
      } catch (e) {
        reject(this.#fail((e as Error).message));
        return;
      }
      const mod = u.protocol === 'https:' ? https : http;
      const req = mod.request(u, { method: 'POST', headers: { ...headers, 'Content-Length': String(Buffer.byteLength(body)) }, agent, timeout: this.#opts.timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        let n = 0;
        res.on('data', (b: Buffer) => {
          n += b.length;
          if (n > MAX_BODY) {
            res.destroy(new Error(`response larger than ${MAX_BODY} bytes`));
            return;
          }
          chunks.push(b);
        });
        res.on('error', (e) => reject(this.#fail(e.message)));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), contentType: res.headers['content-type'] ?? '' }));
      });
      req.on('timeout', () => req.destroy(new Error(`no answer within ${this.#opts.timeoutMs} ms`)));
      req.on('error', (e) => reject(this.#fail(e.message)));
      req.end(body);
    });
  }
}

/** Go's url.QueryEscape (spaces as '+'), which URLSearchParams applies to a single value. */
function formEscape(s: string): string {
  return new URLSearchParams({ v: s }).toString().slice(2);
}

/** The header scheme Go's oauth2 Token.Type() derives from token_type. */
function tokenType(raw: string): string {
  const lower = raw.toLowerCase();
  if (lower === '' || lower === 'bearer') return 'Bearer';
  if (lower === 'mac') return 'MAC';
  if (lower === 'basic') return 'Basic';
  return raw;
}

/** ": invalid_client (bad secret)" from an RFC 6749 §5.2 error body, else a short excerpt. */
/** The token endpoint's error, cut, without our client secret should it echo it. */
function describeOAuthError(body: string, contentType: string, secrets: string[]): string {
  if (contentType.includes('json')) {
    try {
      const e = JSON.parse(body) as { error?: unknown; error_description?: unknown };
      if (typeof e.error === 'string') return `: ${describeExternalText(`${e.error}${typeof e.error_description === 'string' ? ` (${e.error_description})` : ''}`, { max: 200, secrets })}`;
    } catch {
      // fall through to the excerpt
    }
  }
  const text = describeExternalText(body, { max: 200, secrets });
  return text ? `: ${text}` : '';
}

function raceAbort<T>(p: Promise<T>, signal: AbortSignal, url: string): Promise<T> {
  if (signal.aborted) return Promise.reject(new OAuth2Error(`oauth2: token request to ${url} abandoned: deadline exceeded`));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new OAuth2Error(`oauth2: token request to ${url} abandoned: deadline exceeded`));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
