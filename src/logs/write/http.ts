// One POST over node:http(s), so TLS options (CA, client certs, SNI) and
// keep-alive agents are ours to set. Resolves with the status for any HTTP
// answer; rejects only on network errors and timeouts. Redirects are followed
// as Go's client does unless follow_redirects is false (net/redirect.ts).
// Requests are HTTP/1.1: enable_http2 is accepted, HTTP/2 is not negotiated.
import http from 'node:http';
import https from 'node:https';
import { extraHeaders } from '../../net/client-schema.js';
import { MAX_REDIRECTS, redirectStep } from '../../net/redirect.js';
import { RequestAuth } from '../../net/request-auth.js';
import { ClientAgents } from '../../net/client-agents.js';
import { USER_AGENT } from '../../net/user-agent.js';
import { revealString } from '../../syntax/secret.js';
import type { EndpointArgs } from './config.js';
import { describeExternalText, headerSecrets } from '../../redact.js';

export interface PostResult {
  status: number;
  body: string;
}

export class HttpPoster {
  readonly url: URL;
  /** Direct or proxied, with the TLS material following rotated tls_config files. */
  readonly #agents: ClientAgents;
  /** Static credentials, or an OAuth2 token cached across pushes. */
  readonly #auth: RequestAuth;

  constructor(private readonly args: EndpointArgs) {
    try {
      this.url = new URL(args.url);
    } catch {
      throw new Error(`endpoint url "${args.url}" is not a valid URL`);
    }
    if (this.url.protocol !== 'http:' && this.url.protocol !== 'https:') {
      throw new Error(`endpoint url "${args.url}": scheme must be http or https`);
    }
    this.#auth = new RequestAuth(args, { userAgent: USER_AGENT });
    this.#agents = new ClientAgents(args, { keepAlive: true });
    this.#agents.get(this.url); // unreadable TLS files reject the config now, not at the first push
  }

  /** Headers are rebuilt per request so rotated credential files are picked up. */
  async headers(signal?: AbortSignal, tenant = ''): Promise<Record<string, string>> {
    const a = this.args;
    const h: Record<string, string> = {
      'Content-Type': 'application/x-protobuf',
      // As Alloy's client sends it (the body is snappy-compressed protobuf).
      'Content-Encoding': 'snappy',
      'User-Agent': USER_AGENT,
    };
    for (const [k, v] of Object.entries(a.headers ?? {})) h[k] = v;
    Object.assign(h, extraHeaders(a.http_headers, (v) => revealString(v) ?? ''));
    const orgId = tenant || a.tenant_id;
    if (orgId) h['X-Scope-OrgID'] = orgId;
    const auth = await this.#auth.header(signal);
    if (auth) h.Authorization = auth;
    return h;
  }

  /** `tenant`: the batch's tenant from the entries' __tenant_id__ label (else tenant_id). */
  async post(body: Buffer, timeoutMs: number, signal?: AbortSignal, tenant = '', retried401 = false): Promise<PostResult> {
    const headers: Record<string, string> = { ...(await this.headers(signal, tenant)), 'Content-Length': String(body.length) };
    const r = await this.#post(body, headers, timeoutMs, signal);
    // An OAuth2 token revoked before its expiry: one more try with a fresh token.
    if (r.status === 401 && !retried401 && this.#auth.unauthorized(headers.Authorization)) return this.post(body, timeoutMs, signal, tenant, true);
    return r;
  }

  async #post(body: Buffer, headers: Record<string, string>, timeoutMs: number, signal?: AbortSignal): Promise<PostResult> {
    let url = this.url;
    let method = 'POST';
    let payload: Buffer | undefined = body;
    let h = headers;
    for (let hop = 0; ; hop++) {
      const r = await this.#once(url, method, payload, h, timeoutMs, signal);
      const step = this.args.follow_redirects === false || hop >= MAX_REDIRECTS ? undefined : redirectStep(r.status, r.location, url, method);
      // The server's answer as a log line may show it: cut, and without our request's credentials.
      if (!step) return { status: r.status, body: describeExternalText(r.body, { max: 512, secrets: headerSecrets(headers) }) };
      url = step.url;
      method = step.method;
      if (!step.keepBody) {
        payload = undefined;
        h = { ...h };
        delete h['Content-Length'];
        delete h['Content-Type'];
        delete h['Content-Encoding'];
      }
      if (!step.keepAuth) {
        h = { ...h };
        delete h.Authorization;
      }
    }
  }

  #once(url: URL, method: string, body: Buffer | undefined, headers: Record<string, string>, timeoutMs: number, signal?: AbortSignal): Promise<PostResult & { location?: string }> {
    const agent = this.#agents.get(url);
    return new Promise((resolve, reject) => {
      const mod = url.protocol === 'https:' ? https : http;
      const req = mod.request(url, { method, headers, agent, timeout: timeoutMs, signal }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          // Keep only the start of an error body: enough for a log line.
          if (size < 1024) chunks.push(c);
          size += c.length;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8').slice(0, 1024), location: res.headers.location }));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`request timed out after ${timeoutMs}ms`)));
      req.on('error', reject);
      req.end(body);
    });
  }

  close(): void {
    this.#agents.destroy();
    this.#auth.close();
  }
}
