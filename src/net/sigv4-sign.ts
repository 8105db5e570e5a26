// AWS Signature Version 4 (the published algorithm: canonical request, string
// to sign, derived signing key, Authorization header) for one HTTP request
// whose body is known. Signs every header given except those the AWS SDKs
// leave out (Authorization, User-Agent, X-Amzn-Trace-Id, Expect,
// Transfer-Encoding), plus Host and X-Amz-Date (and X-Amz-Security-Token with
// temporary credentials).
import { createHash, createHmac } from 'node:crypto';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** ms since the epoch; undefined: static credentials. */
  expiresAt?: number;
}

export interface SignableRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body: Uint8Array | string;
}

const UNSIGNED = new Set(['authorization', 'user-agent', 'x-amzn-trace-id', 'expect', 'transfer-encoding']);

/** RFC 3986 encoding as SigV4 wants it: everything but unreserved characters. */
function uriEncode(s: string, keepSlash: boolean): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-._~]/.test(c) || (keepSlash && c === '/')) out += c;
    else out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** "20150830T123600Z" */
export function amzDate(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

export function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  const h = (k: Buffer | string, v: string) => createHmac('sha256', k).update(v).digest();
  return h(h(h(h(`AWS4${secret}`, date), region), service), 'aws4_request');
}

/**
 * The headers to add to `req` (X-Amz-Date, Authorization, and
 * X-Amz-Security-Token for temporary credentials). `req.headers` is not changed.
 */
export function signV4(req: SignableRequest, creds: AwsCredentials, region: string, service: string, now: Date): Record<string, string> {
  const stamp = amzDate(now);
  const date = stamp.slice(0, 8);
  const added: Record<string, string> = { 'X-Amz-Date': stamp };
  if (creds.sessionToken) added['X-Amz-Security-Token'] = creds.sessionToken;
  const all: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...req.headers, ...added })) {
    const name = k.toLowerCase();
    if (UNSIGNED.has(name)) continue;
    all[name] = v.trim().replace(/\s+/g, ' ');
  }
  if (all.host === undefined) all.host = req.url.host;
  const names = Object.keys(all).sort();
  const canonicalHeaders = names.map((n) => `${n}:${all[n]}\n`).join('');
  const signedHeaders = names.join(';');
  const query = [...req.url.searchParams.entries()]
    .map(([k, v]) => [uriEncode(k, false), uriEncode(v, false)])
    .sort((a, b) => (a[0] === b[0] ? (a[1]! < b[1]! ? -1 : 1) : a[0]! < b[0]! ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const path = uriEncode(req.url.pathname || '/', true);
  const canonical = [req.method.toUpperCase(), path, query, canonicalHeaders, signedHeaders, sha256Hex(req.body)].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', stamp, scope, sha256Hex(canonical)].join('\n');
  const signature = createHmac('sha256', signingKey(creds.secretAccessKey, date, region, service)).update(toSign).digest('hex');
  added.Authorization = `AWS4-HMAC-SHA256 Credential=${creds.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return added;
}
