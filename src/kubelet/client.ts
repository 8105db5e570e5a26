// One GET of the kubelet's /pods over TLS with the configured credentials, with every
// failure turned into a KubeletError whose message says what to fix.
import http from 'node:http';
import https from 'node:https';
import type { ClientAgents } from '../net/client-agents.js';
import { extraHeaders } from '../net/client-schema.js';
import { assertAllowedUrl } from '../net/loopback-guard.js';
import type { RequestAuth } from '../net/request-auth.js';
import { USER_AGENT } from '../net/user-agent.js';
import { revealString } from '../syntax/secret.js';
import type { KubeletArgs } from './arguments.js';
import { resolveCredentials } from './credentials.js';
import { KubeletError } from './errors.js';
import { describeExternalText } from '../redact.js';

export { KubeletError, type KubeletErrorKind } from './errors.js';
export { resolveToken } from './credentials.js';

/** A PodList can be large (110 pods with long annotations); anything beyond this is not a kubelet. */
export const MAX_BODY_BYTES = 64 * 1024 * 1024;

const UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
]);
const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EPIPE', 'ECONNABORTED']);

/** The connection for the URL (direct or proxied; tls_config read by the agents): unreadable TLS files are config errors. */
function agentFor(agents: ClientAgents, url: URL): http.Agent {
  try {
    return agents.get(url);
  } catch (e) {
    throw new KubeletError('config', (e as Error).message);
  }
}

function describeTransportError(e: NodeJS.ErrnoException, url: URL): KubeletError {
  const code = e.code ?? '';
  const where = `${url.origin}`;
  if (UNTRUSTED.has(code)) {
    return new KubeletError('tls', `TLS: the certificate of ${where} is not signed by a trusted CA (${code}); set tls_config.ca_file or ca_pem to the CA that signed the kubelet's serving certificate`);
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return new KubeletError('tls', `TLS: the certificate of ${where} is not valid for ${url.hostname} (${e.message}); set tls_config.server_name to a name it carries`);
  }
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
    return new KubeletError('tls', `TLS: the certificate of ${where} is outside its validity period (${code})`);
  }
  if (code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS') || /ssl|tls/i.test(e.message)) {
    return new KubeletError('tls', `TLS handshake with ${where} failed: ${e.message}`);
  }
  if (NETWORK.has(code)) {
    return new KubeletError('network', `the kubelet at ${where} is not reachable: ${code} (${e.message})`);
  }
  return new KubeletError('network', `request to ${where} failed: ${e.message}`);
}

/** `/api/v1/nodes/<node>/proxy/pods`: the API server's proxy to the node's kubelet. */
const NODE_PROXY_PATH = /\/api\/v1\/nodes\/[^/]+\/proxy\/pods$/;

function statusError(status: number, body: string, url: URL, tokenSource: string): KubeletError {
  let detail = body.trim().slice(0, 300);
  try {
    // Through the API server's node proxy errors are Status objects.
    const st = JSON.parse(body);
    if (st && typeof st.message === 'string') detail = st.message;
  } catch {
    // the kubelet answers in plain text
  }
  detail = describeExternalText(detail, { max: 300 });
  const at = `GET ${url.href}`;
  // The kubelet's plain-text bodies just repeat the status text: show only what adds something.
  const extra = (text: string) => (detail && detail.toLowerCase() !== text.toLowerCase() ? ` (${detail})` : '');
  // Through the API server's node proxy the API server authenticates and authorizes (nodes/proxy).
  const viaProxy = NODE_PROXY_PATH.test(url.pathname);
  if (status === 401) {
    const who = viaProxy ? 'the API server' : 'the kubelet';
    return new KubeletError('unauthorized', `${at}: 401 Unauthorized${extra('Unauthorized')}; ${who} rejected the credentials: ${tokenSource}`);
  }
  if (status === 403 && viaProxy) {
    return new KubeletError('forbidden', `${at}: 403 Forbidden${extra('Forbidden')}; through the API server's node proxy the service account needs RBAC 'get' on 'nodes/proxy'`);
  }
  if (status === 403) {
    return new KubeletError(
      'forbidden',
      `${at}: 403 Forbidden${extra('Forbidden')}; the service account needs RBAC 'get' on 'nodes/pods' (or 'nodes/proxy' on clusters without fine-grained kubelet authorization)`,
    );
  }
  return new KubeletError('status', `${at}: unexpected status ${status}${detail ? `: ${detail}` : ''}`);
}

export interface FetchOptions {
  url: URL;
  args: KubeletArgs;
  timeoutMs: number;
  /** The client block's connections: TLS material, proxy. */
  agents: ClientAgents;
  /** The client block's credentials (caches an oauth2 token across polls). */
  auth?: RequestAuth;
  signal?: AbortSignal;
  /** Test hook: where the default service-account token lives. */
  defaultTokenFile?: string;
}

/** GET <url>/pods and return the body of a 200 answer; anything else throws a KubeletError. */
export async function fetchPodsBody(o: FetchOptions): Promise<string> {
  try {
    assertAllowedUrl(o.url);
  } catch (e) {
    throw new KubeletError('config', (e as Error).message);
  }
  const timeout = AbortSignal.timeout(o.timeoutMs);
  const { header, source } = await resolveCredentials(o.args, o.defaultTokenFile, o.auth, timeout);
  const https_ = o.url.protocol === 'https:';
  const opts: https.RequestOptions = {
    method: 'GET',
    headers: {
      ...extraHeaders(o.args.http_headers, (v) => revealString(v) ?? ''),
      Accept: 'application/json',
      'User-Agent': USER_AGENT,
      ...(header ? { Authorization: header } : {}),
    },
    agent: agentFor(o.agents, o.url),
  };
  const signal = o.signal ? AbortSignal.any([o.signal, timeout]) : timeout;
  opts.signal = signal;
  const mod = https_ ? https : http;

  try {
    return await new Promise<string>((resolve, reject) => {
      const req = mod.request(o.url, opts, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_BODY_BYTES) {
            res.destroy();
            reject(new KubeletError('body', `GET ${o.url.href}: body larger than ${MAX_BODY_BYTES} bytes`));
            return;
          }
          chunks.push(c);
        });
        res.on('error', reject);
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          if (status === 200) return resolve(body);
          // A revoked oauth2 token: the next poll fetches a fresh one.
          if (status === 401) o.auth?.unauthorized(header);
          reject(statusError(status, body, o.url, source));
        });
      });
      req.on('error', reject);
      req.end();
    });
  } catch (e) {
    if (e instanceof KubeletError) throw e;
    if (timeout.aborted) throw new KubeletError('timeout', `GET ${o.url.href}: no complete answer within ${o.timeoutMs} ms`);
    if (o.signal?.aborted) throw new KubeletError('network', `GET ${o.url.href}: cancelled`);
    throw describeTransportError(e as NodeJS.ErrnoException, o.url);
  }
}
