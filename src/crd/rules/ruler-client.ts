// A client of the Mimir / Loki ruler configuration API (Cortex's
// `config/v1/rules` shape): list every namespace's groups, set one group,
// delete one group. YAML bodies, optional tenant header and auth (the shared
// HTTP client options: credentials files re-read per request, TLS files
// followed by a rotating agent).
import http from 'node:http';
import https from 'node:https';
import YAML from 'yaml';
import { extraHeaders, type HttpTransportArgs } from '../../net/client-schema.js';
import type { HttpClientArgs } from '../../net/http-options.js';
import { RequestAuth } from '../../net/request-auth.js';
import { revealString } from '../../syntax/secret.js';
import { ClientAgents, type ClientAgentsConfig } from '../../net/client-agents.js';
import { USER_AGENT } from '../../net/user-agent.js';
import type { RuleGroup } from './groups.js';
import { describeExternalText, headerSecrets } from '../../redact.js';

export interface RulerClientConfig {
  address: string;
  /** e.g. /prometheus/config/v1/rules or /loki/api/v1/rules */
  rulesPath: string;
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

export class RulerError extends Error {
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

export type RulerState = Map<string, Map<string, RuleGroup>>;

export class RulerClient {
  /** Direct or proxied, with the TLS material following rotated tls_config files. */
  private readonly agents: ClientAgents;
  private readonly base: URL;
  /** Static credentials, or an OAuth2 token cached across syncs. */
  private readonly auth: RequestAuth;

  constructor(private readonly cfg: RulerClientConfig) {
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

  private url(...segments: string[]): URL {
    const base = this.base.pathname.replace(/\/+$/, '');
    const u = new URL(this.base.toString());
    u.pathname = base + this.cfg.rulesPath + segments.map((s) => '/' + encodeURIComponent(s)).join('');
    return u;
  }

  private async headers(method: string, url: URL): Promise<Record<string, string>> {
    const h: Record<string, string> = { ...extraHeaders(this.cfg.httpHeaders, (v) => revealString(v) ?? ''), 'User-Agent': this.cfg.userAgent ?? USER_AGENT };
    if (this.cfg.tenantId) h['X-Scope-OrgID'] = this.cfg.tenantId;
    let auth: string | undefined;
    try {
      auth = await this.auth.header();
    } catch (e) {
      throw new RulerError(0, `${method} ${url.pathname}: ${(e as Error).message}`);
    }
    if (auth) h.Authorization = auth;
    return h;
  }

  private async request(method: string, url: URL, body?: string, redirects = 0): Promise<{ status: number; body: string; secrets: string[] }> {
    const headers = await this.headers(method, url);
    if (body !== undefined) headers['Content-Type'] = 'application/yaml';
    const mod = url.protocol === 'https:' ? https : http;
    let agent: http.Agent;
    try {
      agent = this.agents.get(url);
    } catch (e) {
      throw new RulerError(0, `${method} ${url.pathname}: ${(e as Error).message}`);
    }
    return new Promise((resolve, reject) => {
      const req = mod.request(url, { method, headers, agent, timeout: this.cfg.timeoutMs ?? 10_000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (e) => reject(new RulerError(0, `${method} ${url.pathname}: ${e.message}`)));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const loc = res.headers.location;
          if (status >= 300 && status < 400 && loc && this.cfg.followRedirects !== false && redirects < 10) {
            resolve(this.request(method, new URL(loc, url), body, redirects + 1));
            return;
          }
          resolve({ status, body: Buffer.concat(chunks).toString('utf8'), secrets: headerSecrets(headers) });
        });
      });
      req.on('timeout', () => req.destroy(new Error(`timed out after ${this.cfg.timeoutMs ?? 10_000} ms`)));
      req.on('error', (e) => reject(new RulerError(0, `${method} ${url.pathname}: ${e.message}`)));
      req.end(body);
    });
  }

  private fail(method: string, url: URL, r: { status: number; body: string; secrets?: string[] }): never {
    // The server's answer, cut, and without anything of our request's credentials it may echo.
    throw new RulerError(r.status, `${method} ${decodeURIComponent(url.pathname)}: HTTP ${r.status}: ${describeExternalText(r.body, { max: 200, secrets: r.secrets })}`);
  }

  /** Every namespace's groups. The ruler answers 404 when the tenant has none. */
  async list(): Promise<RulerState> {
    const url = this.url();
    const r = await this.request('GET', url);
    if (r.status === 404) return new Map();
    if (r.status !== 200) this.fail('GET', url, r);
    let doc: unknown;
    try {
      doc = YAML.parse(r.body);
    } catch (e) {
      throw new RulerError(r.status, `GET ${url.pathname}: invalid YAML: ${(e as Error).message}`);
    }
    const out: RulerState = new Map();
    if (doc && typeof doc === 'object') {
      for (const [ns, groups] of Object.entries(doc as Record<string, unknown>)) {
        const m = new Map<string, RuleGroup>();
        if (Array.isArray(groups)) for (const g of groups) if (g && typeof g === 'object' && typeof (g as RuleGroup).name === 'string') m.set((g as RuleGroup).name, g as RuleGroup);
        out.set(ns, m);
      }
    }
    return out;
  }

  async setGroup(namespace: string, group: RuleGroup): Promise<void> {
    const url = this.url(namespace);
    const r = await this.request('POST', url, YAML.stringify(group));
    if (r.status < 200 || r.status >= 300) this.fail('POST', url, r);
  }

  async deleteGroup(namespace: string, name: string): Promise<void> {
    const url = this.url(namespace, name);
    const r = await this.request('DELETE', url);
    // Already gone is as good as deleted.
    if (r.status !== 404 && (r.status < 200 || r.status >= 300)) this.fail('DELETE', url, r);
  }
}
