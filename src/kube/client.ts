// The `client`-style arguments shared by every component that talks to the
// Kubernetes API, and their translation into a @kubernetes/client-node KubeConfig.
// With api_server, the whole HTTP client block applies (Alloy's rules): the
// connections come from net/ClientAgents (tls_config including cert_pem,
// key_pem and min_version; proxy_url, no_proxy, proxy_from_environment,
// proxy_connect_header), and follow_redirects is honoured by the requests.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { revealString, type Secret } from '../syntax/secret.js';
import { t, type AttrSchema, type BlockSpec } from '../runtime/types.js';
import { USER_AGENT } from '../net/user-agent.js';
import { extraHeaders, type FullHttpClientArgs, httpClientSchema, validateHttpClient } from '../net/client-schema.js';
import type http from 'node:http';
import type { TlsConfig } from '../net/http-options.js';
import { ClientAgents } from '../net/client-agents.js';
import { RequestAuth } from '../net/request-auth.js';

export type KubeTLSArgs = TlsConfig;

/** Where the API server is (api_server, kubeconfig_file or in-cluster) plus Alloy's HTTP client block. */
export interface KubeClientArgs extends Omit<FullHttpClientArgs, 'tls_config'> {
  api_server?: string;
  kubeconfig_file?: string;
  bearer_token?: string | Secret;
  tls_config?: KubeTLSArgs;
}

const clientSchema = httpClientSchema();

export const kubeClientAttrs: Record<string, AttrSchema> = {
  api_server: { type: t.string() },
  kubeconfig_file: { type: t.string() },
  ...clientSchema.attrs,
};

export const kubeClientBlocks: Record<string, BlockSpec> = clientSchema.blocks;

/** Spread `attrs` and `blocks` into a component's BlockSchema. */
export const kubeClientSchema = { attrs: kubeClientAttrs, blocks: kubeClientBlocks };

/** Reject contradictory client settings with a reason naming the attributes. */
export function validateKubeClientArgs(a: KubeClientArgs): void {
  if (a.api_server && a.kubeconfig_file) throw new Error("cannot use 'kubeconfig_file' and 'api_server' together");
  validateHttpClient(a);
  const custom = customHttpClientSettings(a);
  if (a.kubeconfig_file && custom.length) throw new Error(`'kubeconfig_file' cannot be combined with custom HTTP client settings (${custom.join(', ')})`);
  // Alloy's rule: the in-cluster configuration takes no HTTP client settings.
  if (!a.api_server && !a.kubeconfig_file && custom.length) throw new Error(`api_server must be set when custom HTTP client configuration is provided (${custom.join(', ')})`);
  if (a.api_server) {
    try {
      new URL(a.api_server);
    } catch {
      throw new Error(`api_server ${JSON.stringify(a.api_server)} is not a valid URL`);
    }
  }
}

/** The HTTP client settings that differ from Alloy's defaults, by name. */
function customHttpClientSettings(a: KubeClientArgs): string[] {
  const out: string[] = [];
  for (const k of ['bearer_token', 'bearer_token_file', 'basic_auth', 'authorization', 'oauth2', 'tls_config', 'proxy_url', 'no_proxy'] as const) {
    if (a[k] !== undefined && a[k] !== '') out.push(k);
  }
  if (a.proxy_from_environment === true) out.push('proxy_from_environment');
  if (Object.keys(a.proxy_connect_header ?? {}).length) out.push('proxy_connect_header');
  if (Object.keys(a.http_headers ?? {}).length) out.push('http_headers');
  if (a.follow_redirects === false) out.push('follow_redirects');
  if (a.enable_http2 === false) out.push('enable_http2');
  return out;
}

/**
 * A KubeConfig that reads a bearer token file on every request (trimmed, so a
 * trailing newline is harmless; rotated service-account tokens are picked up).
 */
export interface AlloyKubeConfig extends KubeConfig {
  bearerTokenFile?: string;
  /** basic_auth, authorization or oauth2 of the client block (the shared credentials of net/). */
  auth?: RequestAuth;
  /** http_headers of the client block. */
  headers: Record<string, string>;
  /** The connections of an api_server client (TLS and proxy settings of the block). */
  agents?: ClientAgents;
  /** follow_redirects of the client block (Go's default: follow). */
  followRedirects: boolean;
  /** The transport settings, for kubeIdentity. */
  transportKey: string;
  /** The agent for requests to the API server, when the client block sets the transport. */
  agentFor(url: URL): http.Agent | undefined;
}

// @kubernetes/client-node is the largest module we load (~25 MiB of heap,
// ~60 MiB RSS at start), so it is imported only by components that talk to
// the API server (their definitions' `load`), not by every `alloy run`.
let AlloyKubeConfigClass: (new () => AlloyKubeConfig) | undefined;

/** Loads the Kubernetes client; makeKubeConfig needs it. Idempotent. */
export async function loadKubeClient(): Promise<void> {
  if (AlloyKubeConfigClass) return;
  const { KubeConfig: Base } = await import('@kubernetes/client-node');
  AlloyKubeConfigClass ??= class extends Base implements AlloyKubeConfig {
    bearerTokenFile?: string;
    auth?: RequestAuth;
    headers: Record<string, string> = {};
    agents?: ClientAgents;
    followRedirects = true;
    transportKey = '';

    agentFor(url: URL): http.Agent | undefined {
      return this.agents?.get(url);
    }

    override async applyToHTTPSOptions(opts: https.RequestOptions): Promise<void> {
      await super.applyToHTTPSOptions(opts);
      const server = this.getCurrentCluster()?.server;
      const agent = server ? this.agentFor(new URL(server)) : undefined;
      if (agent) opts.agent = agent;
      // Our User-Agent first, so http_headers can still set another.
      const extra: Record<string, string> = { 'User-Agent': USER_AGENT, ...this.headers };
      if (this.bearerTokenFile) extra.Authorization = `Bearer ${fs.readFileSync(this.bearerTokenFile, 'utf8').trim()}`;
      const auth = await this.auth?.header();
      if (auth) extra.Authorization = auth;
      opts.headers = { ...(opts.headers ?? {}), ...extra };
    }
  };
}

/** Whether kc was made by makeKubeConfig (and so carries our transport settings). */
export function isAlloyKubeConfig(kc: KubeConfig): kc is AlloyKubeConfig {
  return AlloyKubeConfigClass !== undefined && kc instanceof AlloyKubeConfigClass;
}

const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** Build the KubeConfig for the arguments: explicit api_server, a kubeconfig file, or in-cluster. */
export function makeKubeConfig(a: KubeClientArgs = {}): AlloyKubeConfig {
  validateKubeClientArgs(a);
  if (!AlloyKubeConfigClass) throw new Error('internal error: the Kubernetes client is not loaded (await loadKubeClient() first)');
  const kc = new AlloyKubeConfigClass();
  if (a.kubeconfig_file) {
    kc.loadFromFile(a.kubeconfig_file);
    if (!kc.getCurrentCluster()) throw new Error(`kubeconfig_file ${a.kubeconfig_file}: no current cluster`);
    return kc;
  }
  if (!a.api_server) {
    const host = process.env.KUBERNETES_SERVICE_HOST;
    if (!host) {
      throw new Error('no api_server or kubeconfig_file given and not running in a cluster (KUBERNETES_SERVICE_HOST is unset)');
    }
    kc.loadFromCluster();
    // Read the token ourselves so rotation and trailing whitespace are handled alike.
    kc.bearerTokenFile = `${SA_DIR}/token`;
    return kc;
  }
  const tls = a.tls_config ?? {};
  const plainHttp = a.api_server.startsWith('http:');
  kc.loadFromOptions({
    clusters: [
      {
        name: 'alloy',
        server: a.api_server.replace(/\/+$/, ''),
        // client-node refuses http:// unless skipTLSVerify is set; there is no TLS to verify then.
        skipTLSVerify: plainHttp || tls.insecure_skip_verify === true,
        caFile: tls.ca_file,
        caData: tls.ca_pem ? Buffer.from(tls.ca_pem).toString('base64') : undefined,
        tlsServerName: tls.server_name,
        // Identity only: the connections come from `agents` below.
        proxyUrl: a.proxy_url,
      },
    ],
    users: [
      {
        name: 'alloy',
        token: revealString(a.bearer_token),
        certFile: tls.cert_file,
        keyFile: tls.key_file,
        certData: tls.cert_pem ? Buffer.from(tls.cert_pem).toString('base64') : undefined,
        keyData: tls.key_pem ? Buffer.from(revealString(tls.key_pem) ?? '').toString('base64') : undefined,
      },
    ],
    contexts: [{ name: 'alloy', cluster: 'alloy', user: 'alloy' }],
    currentContext: 'alloy',
  });
  kc.agents = new ClientAgents(
    { tls_config: tls, proxy_url: a.proxy_url, no_proxy: a.no_proxy, proxy_from_environment: a.proxy_from_environment, proxy_connect_header: a.proxy_connect_header },
    {},
    { where: 'client tls_config' },
  );
  const connectHeaders = Object.entries(a.proxy_connect_header ?? {}).map(([k, vs]) => [k, vs.map((v) => revealString(v))]);
  kc.transportKey = JSON.stringify([tls.cert_pem, revealString(tls.key_pem), tls.min_version, a.no_proxy, a.proxy_from_environment, connectHeaders]);
  if (a.bearer_token_file) kc.bearerTokenFile = a.bearer_token_file;
  if (a.basic_auth || a.authorization || a.oauth2) kc.auth = new RequestAuth({ basic_auth: a.basic_auth, authorization: a.authorization, oauth2: a.oauth2 });
  kc.headers = extraHeaders(a.http_headers, (v) => revealString(v) ?? '');
  kc.followRedirects = a.follow_redirects !== false;
  kc.agents = new ClientAgents(a, { keepAlive: true, maxSockets: 256 }, { where: 'client tls_config' });
  // Unreadable TLS files reject the configuration now, not at the first request.
  kc.agentFor(new URL(a.api_server));
  kc.transportKey = JSON.stringify({
    tls: { ...tls, key_pem: tls.key_pem === undefined ? undefined : revealString(tls.key_pem) },
    proxy: [a.proxy_url, a.no_proxy, a.proxy_from_environment, a.proxy_connect_header && Object.entries(a.proxy_connect_header).map(([k, v]) => [k, v.map((x) => revealString(x))])],
  });
  return kc;
}

/**
 * A stable identity of "which cluster, as whom": informers are shared only
 * between components with the same identity. Credentials enter only hashed.
 */
export function kubeIdentity(kc: KubeConfig): string {
  const cluster = kc.getCurrentCluster();
  const user = kc.getCurrentUser();
  const tokenFile = isAlloyKubeConfig(kc) ? kc.bearerTokenFile : undefined;
  const transport = isAlloyKubeConfig(kc) ? kc.transportKey : undefined;
  const h = createHash('sha256').update(JSON.stringify({ cluster, user, tokenFile, transport }));
  return `${cluster?.server ?? '?'}#${h.digest('hex').slice(0, 16)}`;
}
