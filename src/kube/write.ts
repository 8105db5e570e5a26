// Writes to the API server (PATCH with a JSON merge patch, as kubectl and
// client-go send), over the same client-node auth/TLS plumbing and
// per-URL agents as the reads in request.ts. Used for the status
// subresource of the custom resources we read.
import http from 'node:http';
import https from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { KubeConfig } from '@kubernetes/client-node';
import { errorFrom, KubeApiError } from './request.js';

const MAX_ANSWER = 4 * 1024 * 1024;

/** PATCH `path` with `body` (Content-Type merge-patch unless told); resolves with the object the server returns. */
export async function patchJSON(
  kc: KubeConfig,
  path: string,
  body: unknown,
  signal: AbortSignal,
  contentType = 'application/merge-patch+json',
): Promise<any> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('kubeconfig has no current cluster');
  const url = new URL(cluster.server.replace(/\/+$/, '') + path);
  const data = JSON.stringify(body);
  const opts: https.RequestOptions = {
    method: 'PATCH',
    headers: { Accept: 'application/json', 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(data) },
  };
  await kc.applyToHTTPSOptions(opts);
  const agent = (kc as { agentFor?: (u: URL) => http.Agent | undefined }).agentFor?.(url);
  if (agent) opts.agent = agent;
  const mod = url.protocol === 'https:' ? https : http;
  const res = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = mod.request(url, { ...opts, signal }, resolve);
    req.on('error', reject);
    req.end(data);
  });
  const status = res.statusCode ?? 0;
  if (status < 200 || status >= 300) throw await errorFrom(res);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of res) {
    size += (c as Buffer).length;
    if (size > MAX_ANSWER) break;
    chunks.push(c as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new KubeApiError(status, 'BadResponse', `invalid JSON from PATCH ${path}`);
  }
}
