// One small HTTP(S) request for a credential service (AWS STS, Microsoft
// Entra ID, Azure IMDS, Google's token endpoint and metadata server): bounded
// in time and body size, refused outside loopback under ALLOY_LOOPBACK_ONLY=1.
// The remote write request itself never goes through here.
import http from 'node:http';
import https from 'node:https';
import { assertAllowedUrl } from './loopback-guard.js';

export interface TokenHttpResponse {
  status: number;
  body: string;
  contentType: string;
}

export interface TokenHttpRequest {
  method: 'GET' | 'POST' | 'PUT';
  url: URL;
  headers?: Record<string, string>;
  body?: string;
  timeoutMs?: number;
  /** Prefix of error messages, e.g. "azuread". */
  what: string;
}

const MAX_BODY = 1 << 20;

export function tokenHttp(r: TokenHttpRequest): Promise<TokenHttpResponse> {
  const timeoutMs = r.timeoutMs ?? 10_000;
  return new Promise((resolve, reject) => {
    const fail = (m: string) => reject(new Error(`${r.what}: request to ${r.url.origin}${r.url.pathname} failed: ${m}`));
    try {
      assertAllowedUrl(r.url);
    } catch (e) {
      return fail((e as Error).message);
    }
    const headers: Record<string, string> = { ...(r.headers ?? {}) };
    if (r.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(r.body));
    const mod = r.url.protocol === 'https:' ? https : http;
    const req = mod.request(r.url, { method: r.method, headers, timeout: timeoutMs, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      let n = 0;
      res.on('data', (b: Buffer) => {
        n += b.length;
        if (n > MAX_BODY) return res.destroy(new Error(`response larger than ${MAX_BODY} bytes`));
        chunks.push(b);
      });
      res.on('error', (e) => fail(e.message));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), contentType: String(res.headers['content-type'] ?? '') }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (e) => fail(e.message));
    req.end(r.body);
  });
}

/** The JSON object of a 2xx answer, or an error naming the service, the status and the start of the body. */
export function jsonBody(res: TokenHttpResponse, what: string): Record<string, unknown> {
  if (res.status < 200 || res.status > 299) throw new Error(`${what}: HTTP ${res.status}: ${res.body.trim().slice(0, 300)}`);
  try {
    const doc: unknown = JSON.parse(res.body);
    if (doc && typeof doc === 'object' && !Array.isArray(doc)) return doc as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new Error(`${what}: the answer is not a JSON object: ${res.body.trim().slice(0, 200)}`);
}
