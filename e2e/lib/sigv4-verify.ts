// An AWS Signature Version 4 verifier for tests, written separately from the
// signer (src/net/sigv4-sign.ts): it rebuilds the canonical request from the
// request as the server received it (method, path, query, the headers the
// Authorization header lists, the body's SHA-256) and recomputes the signature
// with its own HMAC chain. Throws on any mismatch.
import { createHash, createHmac } from 'node:crypto';

/** Independent check of an Authorization header over a request as received. */
export function verifySigV4(
  method: string,
  pathAndQuery: string,
  headers: Record<string, string | string[] | undefined>,
  body: Buffer | string,
  secret: string,
): { accessKey: string; region: string; service: string } {
  const auth = String(headers['authorization'] ?? '');
  const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(auth);
  if (!m) throw new Error(`not a SigV4 Authorization header: ${auth}`);
  const [, accessKey, date, region, service, signed, signature] = m;
  const u = new URL(pathAndQuery, 'http://x');
  const q = [...u.searchParams.entries()].map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).sort().join('&');
  const names = signed!.split(';');
  const canon = [method, u.pathname, q, names.map((n) => `${n}:${String(headers[n]).trim()}\n`).join(''), signed, createHash('sha256').update(body).digest('hex')].join('\n');
  const stamp = String(headers['x-amz-date']);
  const toSign = `AWS4-HMAC-SHA256\n${stamp}\n${date}/${region}/${service}/aws4_request\n${createHash('sha256').update(canon).digest('hex')}`;
  let k: Buffer = createHmac('sha256', `AWS4${secret}`).update(date!).digest();
  for (const part of [region!, service!, 'aws4_request']) k = createHmac('sha256', k).update(part).digest();
  const want = createHmac('sha256', k).update(toSign).digest('hex');
  if (want !== signature) throw new Error(`signature mismatch: got ${signature}, computed ${want}`);
  return { accessKey: accessKey!, region: region!, service: service! };
}

