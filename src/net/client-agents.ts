// The connection agents of one HTTP client block: per target scheme, direct or
// through the proxy the block selects (net/proxy.ts), with the tls_config
// material followed across rotations (TlsAgent). HTTPS targets behind a proxy
// are tunnelled with CONNECT (proxy_connect_header sent on the CONNECT);
// plain-HTTP targets are sent to the proxy as absolute-URI requests, as Go's
// transport does. The clients speak HTTP/1.1: enable_http2 = false is what
// they do anyway, true (Alloy's default) allows HTTP/2 without requiring it.
import http from 'node:http';
import type https from 'node:https';
import { HttpProxyAgent } from 'http-proxy-agent';
import type { AgentConnectOpts } from 'agent-base';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { revealString, type Secret } from '../syntax/secret.js';
import type { TlsConfig } from './http-options.js';
import { proxyFor, type ProxySettings } from './proxy.js';
import { TlsAgent } from './tls-agent.js';

export interface ClientAgentsConfig extends ProxySettings {
  tls_config?: TlsConfig;
  proxy_connect_header?: Record<string, (string | Secret)[]>;
}

export interface ClientAgentsOptions {
  /** Prefix of TLS error messages. */
  where?: string;
  /** Least time between two reads of the tls_config files (TlsAgent; default 5 s). */
  recheckMs?: number;
  /** The environment for proxy_from_environment (default process.env, read once here). */
  env?: NodeJS.ProcessEnv;
}

/**
 * HttpsProxyAgent takes the target's TLS options from each request, not from
 * the agent: this one adds the tls_config options to every tunnelled
 * connection (as Go's TLSClientConfig, they also apply to an https:// proxy,
 * except the target's server_name).
 */
class TunnelAgent extends HttpsProxyAgent<string> {
  readonly #tls: https.AgentOptions;

  constructor(proxy: URL, o: https.AgentOptions, headers: Record<string, string>) {
    const { servername: _targetName, ...forProxy } = o;
    super(proxy, { ...forProxy, headers });
    this.#tls = o;
  }

  override connect(req: http.ClientRequest, opts: AgentConnectOpts): ReturnType<HttpsProxyAgent<string>['connect']> {
    return super.connect(req, { ...opts, ...pickTls(this.#tls) } as AgentConnectOpts);
  }
}

function pickTls(o: https.AgentOptions): https.AgentOptions {
  const out: https.AgentOptions = {};
  for (const k of ['ca', 'cert', 'key', 'servername', 'rejectUnauthorized', 'minVersion', 'maxVersion'] as const) if (o[k] !== undefined) (out as Record<string, unknown>)[k] = o[k];
  return out;
}

export class ClientAgents {
  readonly #cfg: ClientAgentsConfig;
  readonly #agentOptions: http.AgentOptions;
  readonly #where: string | undefined;
  readonly #recheckMs: number | undefined;
  readonly #env: NodeJS.ProcessEnv;
  readonly #connectHeaders: Record<string, string>;
  readonly #agents = new Map<string, http.Agent | TlsAgent>();

  constructor(cfg: ClientAgentsConfig, agentOptions: http.AgentOptions = {}, o: ClientAgentsOptions = {}) {
    this.#cfg = cfg;
    this.#agentOptions = agentOptions;
    this.#where = o.where;
    this.#recheckMs = o.recheckMs;
    // Go's httpproxy.FromEnvironment is read once per client too.
    this.#env = { ...(o.env ?? process.env) };
    this.#connectHeaders = Object.fromEntries(Object.entries(cfg.proxy_connect_header ?? {}).map(([k, vs]) => [k, vs.map((v) => revealString(v) ?? '').join(', ')]));
    // Several values in one line, as a server reads repeated header lines.
  }

  /** The proxy a request to `url` goes through, or undefined (direct). */
  proxyFor(url: URL): URL | undefined {
    return proxyFor(url, this.#cfg, this.#env);
  }

  /**
   * The agent for a request to `url`. Throws (with the attribute and path)
   * only when the TLS material was never readable.
   */
  get(url: URL): http.Agent {
    const secure = url.protocol === 'https:';
    const proxy = this.proxyFor(url);
    const key = `${secure ? 'https' : 'http'} ${proxy?.href ?? 'direct'}`;
    let a = this.#agents.get(key);
    if (!a) {
      a = this.#build(secure, proxy);
      this.#agents.set(key, a);
    }
    return a instanceof TlsAgent ? a.get() : a;
  }

  #build(secure: boolean, proxy: URL | undefined): http.Agent | TlsAgent {
    if (!secure) return proxy ? new HttpProxyAgent(proxy, this.#agentOptions) : new http.Agent(this.#agentOptions);
    if (!proxy) return new TlsAgent(this.#cfg.tls_config, this.#agentOptions, { where: this.#where, recheckMs: this.#recheckMs });
    const headers = this.#connectHeaders;
    const createAgent = (o: https.AgentOptions) => new TunnelAgent(proxy, o, headers) as unknown as https.Agent;
    return new TlsAgent(this.#cfg.tls_config, this.#agentOptions, { where: this.#where, recheckMs: this.#recheckMs, createAgent });
  }

  destroy(): void {
    for (const a of this.#agents.values()) a.destroy();
    this.#agents.clear();
  }
}
