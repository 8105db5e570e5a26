// One POST over node:http(s), so TLS options (CA, client certs, SNI) and
// keep-alive agents are ours to set. Resolves with the status for any HTTP
// answer; rejects only on network errors and timeouts.
import http from 'node:http';
import https from 'node:https';
import { extraHeaders } from '../../net/client-schema.js';
import { RequestAuth } from '../../net/request-auth.js';
import { ClientAgents } from '../../net/client-agents.js';
import { USER_AGENT } from '../../net/user-agent.js';
import { revealString } from '../../syntax/secret.js';
import type { EndpointArgs } from './config.js';

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
  async headers(signal?: AbortSignal, tenant?: string): Promise<Record<string, string>> {
    const a = this.args;
    const h: Record<string, string> = {
      'Content-Type': 'application/x-protobuf',
      'User-Agent': USER_AGENT,
    };
    for (const [k, v] of Object.entries(a.headers ?? {})) h[k] = v;
    Object.assign(h, extraHeaders(a.http_headers, (v) => revealString(v) ?? ''));
    if (a.tenant_id) h['X-Scope-OrgID'] = a.tenant_id;
    // A batch's own tenant (stage.tenant's __tenant_id__ label) wins over tenant_id, as in Alloy.
    if (tenant) h['X-Scope-OrgID'] = tenant;
    const auth = await this.#auth.header(signal);
    if (auth) h.Authorization = auth;
    return h;
  }

  async post(body: Buffer, timeoutMs: number, signal?: AbortSignal, retried401 = false, tenant?: string): Promise<PostResult> {
    const headers: Record<string, string> = { ...(await this.headers(signal, tenant)), 'Content-Length': String(body.length) };
    const r = await this.#post(body, headers, timeoutMs, signal);
    // An OAuth2 token revoked before its expiry: one more try with a fresh token.
    if (r.status === 401 && !retried401 && this.#auth.unauthorized(headers.Authorization)) return this.post(body, timeoutMs, signal, true, tenant);
    return r;
  }

  #post(body: Buffer, headers: Record<string, string>, timeoutMs: number, signal?: AbortSignal): Promise<PostResult> {
    const agent = this.#agents.get(this.url);
    return new Promise((resolve, reject) => {
      const mod = this.url.protocol === 'https:' ? https : http;
      const req = mod.request(this.url, { method: 'POST', headers, agent, timeout: timeoutMs, signal }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          // Keep only the start of an error body: enough for a log line.
          if (size < 1024) chunks.push(c);
          size += c.length;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8').slice(0, 1024) }));
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
