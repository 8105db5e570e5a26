// The HTTP side shared by the clients of Mimir's / Loki's configuration APIs
// (the ruler's `config/v1/rules`, the Alertmanager's `/api/v1/alerts`):
// optional tenant header, the shared HTTP client options (credentials files
// re-read per request, OAuth2 tokens cached, TLS files followed by a
// rotating agent, proxies), redirects, a timeout, and errors that say
// whether a retry can help and never echo our credentials.
import http from 'node:http';
import https from 'node:https';
import { extraHeaders, type FullHttpClientArgs, type HttpTransportArgs } from '../net/client-schema.js';
import type { HttpClientArgs } from '../net/http-options.js';
import { RequestAuth } from '../net/request-auth.js';
import { revealString } from '../syntax/secret.js';
import { ClientAgents, type ClientAgentsConfig } from '../net/client-agents.js';
import { USER_AGENT } from '../net/user-agent.js';
import { describeExternalText, headerSecrets } from '../redact.js';

export interface ConfigApiClientConfig {
  address: string;
  tenantId?: string;
  /** Credentials and tls_config as the component's arguments carry them. */
  http: HttpClientArgs;
  /** Extra headers (http_headers). */
  httpHeaders?: HttpTransportArgs['http_headers'];
  /** proxy_url, no_proxy, proxy_from_environment, proxy_connect_header. */
  proxy?: Omit<ClientAgentsConfig, 'tls_config'>;
  followRedirects?: boolean;
  timeoutMs?: number;
  userAgent?: string;
}

/** The client part of a config API client from a component's flat client arguments (as Alloy's rules and alerts components take them). */
export function configApiClientFields(a: FullHttpClientArgs): Pick<ConfigApiClientConfig, 'http' | 'httpHeaders' | 'proxy' | 'followRedirects'> {
  return {
    http: {
      bearer_token: a.bearer_token,
      // An empty bearer_token_file means none (as in Alloy).
      bearer_token_file: a.bearer_token_file || undefined,
      basic_auth: a.basic_auth,
      authorization: a.authorization,
      oauth2: a.oauth2,
      tls_config: a.tls_config,
    },
    httpHeaders: a.http_headers,
    proxy: { proxy_url: a.proxy_url, no_proxy: a.no_proxy, proxy_from_environment: a.proxy_from_environment, proxy_connect_header: a.proxy_connect_header },
    followRedirects: a.follow_redirects,
  };
}

export class ConfigApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
  /** 5xx, 429 and network errors are worth retrying; other 4xx are not (a retry sends the same request). */
  get recoverable(): boolean {
    return this.status === 0 || this.status === 429 || this.status >= 500;
  }
}

export interface ApiResponse {
  status: number;
  body: string;
  secrets: string[];
}

export class ConfigApiClient {
  /** Direct or proxied, with the TLS material following rotated tls_config files. */
  private readonly agents: ClientAgents;
  protected readonly base: URL;
  /** Static credentials, or an OAuth2 token cached across syncs. */
  private readonly auth: RequestAuth;
  /** HTTP status of the last answer (0: none came), for request metrics. */
  lastStatus = 0;

  constructor(protected readonly cfg: ConfigApiClientConfig) {
    this.base = new URL(cfg.address);
    this.auth = new RequestAuth(cfg.http, { userAgent: cfg.userAgent ?? USER_AGENT });
    this.agents = new ClientAgents({ ...cfg.proxy, tls_config: cfg.http.tls_config }, { keepAlive: true });
    // Unreadable TLS files are a configuration error: report it now, not at the first sync.
    this.agents.get(this.base);
  }

  close(): void {
    this.agents.destroy();
    this.auth.close();
  }

  /** The address's path, then `path`, then each segment URL-encoded. */
  protected url(path: string, ...segments: string[]): URL {
    const base = this.base.pathname.replace(/\/+$/, '');
    const u = new URL(this.base.toString());
    u.pathname = base + path + segments.map((s) => '/' + encodeURIComponent(s)).join('');
    return u;
  }

  private async headers(method: string, url: URL): Promise<Record<string, string>> {
    const h: Record<string, string> = { ...extraHeaders(this.cfg.httpHeaders, (v) => revealString(v) ?? ''), 'User-Agent': this.cfg.userAgent ?? USER_AGENT };
    if (this.cfg.tenantId) h['X-Scope-OrgID'] = this.cfg.tenantId;
    let auth: string | undefined;
    try {
      auth = await this.auth.header();
    } catch (e) {
      throw new ConfigApiError(0, `${method} ${url.pathname}: ${(e as Error).message}`);
    }
    if (auth) h.Authorization = auth;
    return h;
  }

  protected async request(method: string, url: URL, body?: string, redirects = 0): Promise<ApiResponse> {
    this.lastStatus = 0;
    const headers = await this.headers(method, url);
    if (body !== undefined) headers['Content-Type'] = 'application/yaml';
    const mod = url.protocol === 'https:' ? https : http;
    let agent: http.Agent;
    try {
      agent = this.agents.get(url);
    } catch (e) {
      throw new ConfigApiError(0, `${method} ${url.pathname}: ${(e as Error).message}`);
    }
    return new Promise((resolve, reject) => {
      const req = mod.request(url, { method, headers, agent, timeout: this.cfg.timeoutMs ?? 10_000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (e) => reject(new ConfigApiError(0, `${method} ${url.pathname}: ${e.message}`)));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const loc = res.headers.location;
          if (status >= 300 && status < 400 && loc && this.cfg.followRedirects !== false && redirects < 10) {
            resolve(this.request(method, new URL(loc, url), body, redirects + 1));
            return;
          }
          this.lastStatus = status;
          resolve({ status, body: Buffer.concat(chunks).toString('utf8'), secrets: headerSecrets(headers) });
        });
      });
      req.on('timeout', () => req.destroy(new Error(`timed out after ${this.cfg.timeoutMs ?? 10_000} ms`)));
      req.on('error', (e) => reject(new ConfigApiError(0, `${method} ${url.pathname}: ${e.message}`)));
      req.end(body);
    });
  }

  protected fail(method: string, url: URL, r: { status: number; body: string; secrets?: string[] }): never {
    // The server's answer, cut, and without anything of our request's credentials it may echo.
    throw new ConfigApiError(r.status, `${method} ${decodeURIComponent(url.pathname)}: HTTP ${r.status}: ${describeExternalText(r.body, { max: 200, secrets: r.secrets })}`);
  }
}
