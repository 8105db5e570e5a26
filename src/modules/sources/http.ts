// Fetches a module over HTTP(S) with the shared client block: credentials
// (RequestAuth), TLS and proxies (ClientAgents), extra headers; refuses non-2xx answers.
import http from 'node:http';
import https from 'node:https';
import { extraHeaders, type FullHttpClientArgs } from '../../net/client-schema.js';
import { assertAllowedUrl } from '../../net/loopback-guard.js';
import { RequestAuth } from '../../net/request-auth.js';
import { ClientAgents } from '../../net/client-agents.js';
import { revealString } from '../../syntax/secret.js';
import type { ModuleSource } from '../../runtime/types.js';

/** Largest module accepted (a config, not a data file). */
const MAX_MODULE_BYTES = 16 << 20;
const USER_AGENT = 'alloy-ts/0.1.0';

export interface HttpModuleOptions {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  client: FullHttpClientArgs;
}

export class HttpModuleClient {
  private readonly url: URL;
  private readonly auth: RequestAuth;
  private readonly agents: ClientAgents;

  constructor(private readonly o: HttpModuleOptions) {
    try {
      this.url = new URL(o.url);
    } catch {
      throw new Error(`url ${JSON.stringify(o.url)} is not a valid URL`);
    }
    if (this.url.protocol !== 'http:' && this.url.protocol !== 'https:') throw new Error(`url ${o.url}: scheme must be http or https`);
    this.auth = new RequestAuth(o.client, { userAgent: USER_AGENT });
    this.agents = new ClientAgents(o.client, { keepAlive: true });
    this.agents.get(this.url); // unreadable TLS files reject the arguments now
  }

  async fetch(signal: AbortSignal): Promise<ModuleSource> {
    assertAllowedUrl(this.url);
    const headers: Record<string, string> = { 'User-Agent': USER_AGENT, ...extraHeaders(this.o.client.http_headers, (v) => revealString(v) ?? ''), ...this.o.headers };
    const authorization = await this.auth.header(signal);
    if (authorization) headers['Authorization'] = authorization;
    const text = await this.request(headers, signal);
    // module_path of an HTTP module: the URL up to its last "/" (Alloy's).
    return { files: { [this.o.url]: text }, modulePath: this.o.url.slice(0, this.o.url.lastIndexOf('/') + 1) };
  }

  private request(headers: Record<string, string>, signal: AbortSignal): Promise<string> {
    const mod = this.url.protocol === 'https:' ? https : http;
    const agent = this.agents.get(this.url);
    return new Promise((resolve, reject) => {
      const req = mod.request(this.url, { method: this.o.method, headers, agent, timeout: this.o.timeoutMs, signal }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_MODULE_BYTES) req.destroy(new Error(`module larger than ${MAX_MODULE_BYTES} bytes`));
          else chunks.push(c);
        });
        res.on('error', reject);
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const body = Buffer.concat(chunks).toString('utf8');
          if (status < 200 || status >= 300) reject(new Error(`${this.o.method} ${this.o.url}: unexpected status code ${status} ${res.statusMessage ?? ""}`.trim()));
          else resolve(body);
        });
      });
      req.on('timeout', () => req.destroy(new Error(`no response from ${this.o.url} within ${this.o.timeoutMs}ms`)));
      req.on('error', (e) => reject(new Error(`${this.o.method} ${this.o.url}: ${e.message}`)));
      req.end(this.o.body || undefined);
    });
  }

  close(): void {
    this.agents.destroy();
    this.auth.close();
  }
}
