// Raw GETs against the API server over client-node's auth/TLS plumbing
// (headers, CA, client certs, proxy agent), with our own status handling and
// streaming so list/watch semantics stay testable.
import http from 'node:http';
import https from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { KubeConfig } from '@kubernetes/client-node';
import { describeExternalText } from '../redact.js';
import { MAX_REDIRECTS, redirectStep } from '../net/redirect.js';

/** An API error: HTTP status (or the code of an in-stream ERROR Status) and the server's reason. */
export class KubeApiError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = 'KubeApiError';
  }
}

export function isGone(e: unknown): boolean {
  return e instanceof KubeApiError && (e.status === 410 || e.reason === 'Expired' || e.reason === 'Gone');
}

/** Build the request URL from the current cluster's server, a path and query parameters. */
function urlFor(kc: KubeConfig, path: string, query: Record<string, string | undefined>): URL {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('kubeconfig has no current cluster');
  const url = new URL(cluster.server.replace(/\/+$/, '') + path);
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') url.searchParams.set(k, v);
  return url;
}

/** Open a GET and resolve with the response once headers arrive (any status). */
export async function openGet(
  kc: KubeConfig,
  path: string,
  query: Record<string, string | undefined>,
  signal: AbortSignal,
): Promise<IncomingMessage> {
  let url = urlFor(kc, path, query);
  // follow_redirects of the client block (kube/client.ts); Go's client follows by default.
  const follow = (kc as { followRedirects?: boolean }).followRedirects !== false;
  for (let hop = 0; ; hop++) {
    const opts: https.RequestOptions = { headers: { Accept: 'application/json' } };
    await kc.applyToHTTPSOptions(opts);
    // A redirect may lead to another scheme or host: the client block's agent for that URL.
    const agent = (kc as { agentFor?: (u: URL) => http.Agent | undefined }).agentFor?.(url);
    if (agent) opts.agent = agent;
    const mod = url.protocol === 'https:' ? https : http;
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = mod.request(url, { ...opts, method: 'GET', signal }, resolve);
      req.on('error', reject);
      req.end();
    });
    const step = follow && hop < MAX_REDIRECTS ? redirectStep(res.statusCode ?? 0, res.headers.location, url, 'GET') : undefined;
    if (!step) return res;
    res.resume();
    url = step.url;
  }
}

async function readBody(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Turn a non-2xx response (a Status object, usually) into a KubeApiError. */
export async function errorFrom(res: IncomingMessage): Promise<KubeApiError> {
  const body = await readBody(res).catch(() => '');
  let reason = http.STATUS_CODES[res.statusCode ?? 0] ?? 'Unknown';
  let message = body.slice(0, 300);
  try {
    const st = JSON.parse(body);
    if (st && typeof st === 'object') {
      reason = st.reason || reason;
      message = st.message || message;
    }
  } catch {
    // not JSON: keep the raw text
  }
  return new KubeApiError(res.statusCode ?? 0, reason, describeExternalText(message || reason, { max: 300 }));
}

/** GET a JSON document; non-2xx becomes a KubeApiError. */
export async function getJSON(kc: KubeConfig, path: string, query: Record<string, string | undefined>, signal: AbortSignal): Promise<any> {
  const res = await openGet(kc, path, query, signal);
  if ((res.statusCode ?? 0) < 200 || (res.statusCode ?? 0) >= 300) throw await errorFrom(res);
  const body = await readBody(res);
  try {
    return JSON.parse(body);
  } catch {
    throw new KubeApiError(res.statusCode ?? 0, 'BadResponse', `invalid JSON from ${path}`);
  }
}
