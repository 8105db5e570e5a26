// One GET of the kubelet's /pods over TLS with a bearer token, with every
// failure turned into a KubeletError whose message says what to fix.
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { tlsClientOptions } from '../net/http-options.js';
import { assertAllowedUrl } from '../net/loopback-guard.js';
import { revealString } from '../runtime/secret.js';
import { SERVICE_ACCOUNT_TOKEN, type KubeletArgs } from './arguments.js';

export type KubeletErrorKind = 'config' | 'unauthorized' | 'forbidden' | 'tls' | 'timeout' | 'network' | 'status' | 'body';

export class KubeletError extends Error {
  constructor(
    readonly kind: KubeletErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'KubeletError';
  }
}

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

function readFile(what: string, path: string): Buffer {
  try {
    return fs.readFileSync(path);
  } catch (e) {
    throw new KubeletError('config', `${what} ${path}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/**
 * The token to send, read on every poll so rotated service-account tokens are
 * picked up. Without bearer_token(_file) the service-account token is used when
 * present (in a pod); outside a pod no token is sent.
 */
export function resolveToken(a: KubeletArgs, defaultFile = SERVICE_ACCOUNT_TOKEN): { token?: string; source: string } {
  const inline = revealString(a.bearer_token);
  if (inline !== undefined) return { token: inline.trim(), source: 'bearer_token' };
  if (a.bearer_token_file) return { token: readFile('bearer_token_file', a.bearer_token_file).toString('utf8').trim(), source: `bearer_token_file ${a.bearer_token_file}` };
  try {
    return { token: fs.readFileSync(defaultFile, 'utf8').trim(), source: `service-account token ${defaultFile}` };
  } catch {
    return { source: 'no token (no bearer_token, bearer_token_file, or service-account token file)' };
  }
}

/** TLS options from tls_config, files read now (so rotated client certificates are used). */
function tlsOptions(a: KubeletArgs): https.RequestOptions {
  try {
    return tlsClientOptions(a.tls_config);
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

function statusError(status: number, body: string, url: URL, tokenSource: string): KubeletError {
  let detail = body.trim().slice(0, 300);
  try {
    // Through the API server's node proxy errors are Status objects.
    const st = JSON.parse(body);
    if (st && typeof st.message === 'string') detail = st.message;
  } catch {
    // the kubelet answers in plain text
  }
  const at = `GET ${url.href}`;
  // The kubelet's plain-text bodies just repeat the status text: show only what adds something.
  const extra = (text: string) => (detail && detail.toLowerCase() !== text.toLowerCase() ? ` (${detail})` : '');
  if (status === 401) {
    return new KubeletError('unauthorized', `${at}: 401 Unauthorized${extra('Unauthorized')}; the kubelet rejected the credentials: ${tokenSource}`);
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
  agent?: http.Agent;
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
  const { token, source } = resolveToken(o.args, o.defaultTokenFile);
  const https_ = o.url.protocol === 'https:';
  const opts: https.RequestOptions = {
    method: 'GET',
    headers: { Accept: 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    agent: o.agent,
    ...(https_ ? tlsOptions(o.args) : {}),
  };
  const timeout = AbortSignal.timeout(o.timeoutMs);
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
          if (status === 200) resolve(body);
          else reject(statusError(status, body, o.url, source));
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
