// The few Kubernetes API calls the log tailer needs (pod get, pods/log
// stream, ConfigMap get/create/update), over node:http(s) with the
// credentials and TLS settings of a client-node KubeConfig, and, for a
// client block with api_server, its connections (proxy, TLS) and its
// follow_redirects (GETs follow redirects as Go's client does).
import http from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { describeExternalText } from '../../redact.js';
import { isAlloyKubeConfig } from '../../kube/client.js';
import { MAX_REDIRECTS, redirectStep } from '../../net/redirect.js';

export class KubeApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface JsonResponse<T = any> {
  status: number;
  body: T;
}

export class KubeApi {
  readonly server: URL;
  readonly #agent: http.Agent;

  constructor(private readonly kc: KubeConfig) {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error('kubernetes client: no current cluster in the configuration');
    this.server = new URL(cluster.server);
    this.#agent = this.server.protocol === 'https:' ? new https.Agent({ keepAlive: true, maxSockets: 256 }) : new http.Agent({ keepAlive: true, maxSockets: 256 });
  }

  /** Namespace of the current context (used for the shared positions). */
  get contextNamespace(): string | undefined {
    const ctx = this.kc.getContextObject(this.kc.getCurrentContext());
    return ctx?.namespace;
  }

  /** The agent of the client block (proxy, TLS), else our keep-alive one. */
  #agentFor(url: URL): http.Agent {
    return (isAlloyKubeConfig(this.kc) ? this.kc.agentFor(url) : undefined) ?? this.#agent;
  }

  get #followRedirects(): boolean {
    return isAlloyKubeConfig(this.kc) ? this.kc.followRedirects : true;
  }

  /** The next path for a redirect answer to a GET, or undefined (not a redirect, not followed, too many). */
  #redirect(res: http.IncomingMessage, path: string, hop: number): string | undefined {
    if (!this.#followRedirects || hop >= MAX_REDIRECTS) return undefined;
    const step = redirectStep(res.statusCode ?? 0, res.headers.location, new URL(path, this.server), 'GET');
    if (!step) return undefined;
    res.resume();
    return step.url.href;
  }

  async #request(method: string, path: string, headers: Record<string, string>, signal?: AbortSignal): Promise<http.ClientRequest> {
    const url = new URL(path, this.server);
    const opts: https.RequestOptions = {
      method,
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port,
      path: url.pathname + url.search,
      headers: { Accept: 'application/json', ...headers },
      agent: this.#agent,
      signal,
    };
    // Credentials are applied per request: tokens may be rotated or refreshed.
    await this.kc.applyToHTTPSOptions(opts);
    // TLS options (ca, cert, key) stay on the request: node's agent pools
    // connections by them, so one keep-alive agent serves every request.
    opts.agent = this.#agentFor(url);
    return (url.protocol === 'https:' ? https : http).request(opts);
  }

  async json<T = any>(method: string, path: string, body?: unknown, signal?: AbortSignal, timeoutMs = 15_000, hop = 0): Promise<JsonResponse<T>> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = await this.#request(method, path, payload ? { 'Content-Type': 'application/json', 'Content-Length': String(payload.length) } : {}, signal);
    return new Promise((resolve, reject) => {
      req.setTimeout(timeoutMs, () => req.destroy(new Error(`${method} ${path}: timed out after ${timeoutMs}ms`)));
      req.on('error', reject);
      req.on('response', (res) => {
        const next = method === 'GET' ? this.#redirect(res, path, hop) : undefined;
        if (next) return resolve(this.json<T>(method, next, body, signal, timeoutMs, hop + 1));
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            /* non-JSON error bodies stay text */
          }
          resolve({ status: res.statusCode ?? 0, body: parsed as T });
        });
      });
      req.end(payload);
    });
  }

  /** Open a streaming GET; rejects with KubeApiError for a non-2xx answer. */
  async stream(path: string, signal: AbortSignal, hop = 0): Promise<http.IncomingMessage> {
    const req = await this.#request('GET', path, { Accept: '*/*' }, signal);
    return new Promise((resolve, reject) => {
      req.on('error', reject);
      req.on('response', (res) => {
        const next = this.#redirect(res, path, hop);
        if (next) return resolve(this.stream(next, signal, hop + 1));
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) return resolve(res);
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.length < 16 && chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8').slice(0, 512);
          let message = text;
          try {
            message = (JSON.parse(text) as { message?: string }).message ?? text;
          } catch {
            /* keep text */
          }
          reject(new KubeApiError(status, `GET ${path.split('?')[0]}: HTTP ${status}: ${describeExternalText(message, { max: 300 })}`));
        });
      });
      req.end();
    });
  }

  close(): void {
    this.#agent.destroy();
    if (isAlloyKubeConfig(this.kc)) this.kc.agents?.destroy();
  }
}
