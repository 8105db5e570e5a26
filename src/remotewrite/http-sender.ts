// One HTTP POST of an encoded, snappy-compressed WriteRequest. Classifies the
// outcome for the retry policy; never retries by itself.
import http from 'node:http';
import https from 'node:https';
import { promises as fsp, readFileSync } from 'node:fs';
import { revealString, type Secret } from '../runtime/secret.js';
import { parseRetryAfter } from './backoff.js';
import type { EndpointArgs, TlsArgs } from './args.js';

export const USER_AGENT = 'alloy-ts/0.1.0';

export type SendOutcome =
  | { kind: 'ok'; status: number }
  | { kind: 'retry'; status?: number; retryAfterMs?: number; reason: string }
  | { kind: 'drop'; status: number; reason: string };

export class HttpSender {
  private readonly url: URL;
  private readonly agent: http.Agent;
  private readonly mod: typeof http | typeof https;

  constructor(private readonly ep: EndpointArgs) {
    try {
      this.url = new URL(ep.url);
    } catch {
      throw new Error(`endpoint ${ep.name ?? ''}: invalid url ${JSON.stringify(ep.url)}`);
    }
    if (this.url.protocol !== 'http:' && this.url.protocol !== 'https:') {
      throw new Error(`endpoint url ${ep.url}: scheme must be http or https`);
    }
    const isHttps = this.url.protocol === 'https:';
    this.mod = isHttps ? https : http;
    this.agent = isHttps
      ? new https.Agent({ keepAlive: true, maxSockets: 256, ...tlsOptions(ep.tls_config) })
      : new http.Agent({ keepAlive: true, maxSockets: 256 });
  }

  async send(body: Uint8Array, signal: AbortSignal): Promise<SendOutcome> {
    let headers: Record<string, string>;
    try {
      headers = await this.headers(body.length);
    } catch (e) {
      return { kind: 'retry', reason: `credentials: ${(e as Error).message}` };
    }
    return new Promise<SendOutcome>((resolve) => {
      const req = this.mod.request(
        this.url,
        { method: 'POST', agent: this.agent, headers, timeout: this.ep.remote_timeout, signal },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            // Keep only the start of an error body for the log line.
            if (size < 1024) chunks.push(c);
            size += c.length;
          });
          res.on('error', (e) => resolve({ kind: 'retry', reason: `reading response: ${e.message}` }));
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            const text = Buffer.concat(chunks).toString('utf8').slice(0, 512).trim();
            if (status >= 200 && status < 300) return resolve({ kind: 'ok', status });
            const reason = `server returned HTTP status ${status} ${res.statusMessage ?? ''}${text ? `: ${text}` : ''}`.trim();
            const retryAfterMs = parseRetryAfter(headerValue(res.headers['retry-after']));
            if (status === 429) {
              return resolve(this.ep.queue_config.retry_on_http_429 ? { kind: 'retry', status, retryAfterMs, reason } : { kind: 'drop', status, reason });
            }
            if (status >= 500) return resolve({ kind: 'retry', status, retryAfterMs, reason });
            resolve({ kind: 'drop', status, reason });
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no response within ${this.ep.remote_timeout}ms`)));
      req.on('error', (e) => resolve({ kind: 'retry', reason: e.message }));
      req.end(body);
    });
  }

  private async headers(length: number): Promise<Record<string, string>> {
    const h: Record<string, string> = {};
    for (const [k, v] of Object.entries(this.ep.headers ?? {})) h[k] = revealString(v as string | Secret) ?? '';
    h['Content-Encoding'] = 'snappy';
    h['Content-Type'] = 'application/x-protobuf';
    h['User-Agent'] = USER_AGENT;
    h['X-Prometheus-Remote-Write-Version'] = '0.1.0';
    h['Content-Length'] = String(length);
    const auth = await authorization(this.ep);
    if (auth) h['Authorization'] = auth;
    return h;
  }

  close(): void {
    this.agent.destroy();
  }
}

async function readSecretFile(file: string): Promise<string> {
  return (await fsp.readFile(file, 'utf8')).trim();
}

/** The Authorization header; files are re-read per request so rotated credentials apply. */
async function authorization(ep: EndpointArgs): Promise<string | undefined> {
  if (ep.basic_auth) {
    const b = ep.basic_auth;
    const pw = b.password_file ? await readSecretFile(b.password_file) : revealString(b.password) ?? '';
    return `Basic ${Buffer.from(`${b.username ?? ''}:${pw}`).toString('base64')}`;
  }
  if (ep.authorization) {
    const a = ep.authorization;
    const cred = a.credentials_file ? await readSecretFile(a.credentials_file) : revealString(a.credentials) ?? '';
    return `${a.type || 'Bearer'} ${cred}`;
  }
  if (ep.bearer_token_file) return `Bearer ${await readSecretFile(ep.bearer_token_file)}`;
  const tok = revealString(ep.bearer_token);
  if (tok) return `Bearer ${tok}`;
  return undefined;
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

const TLS_VERSIONS: Record<string, 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3'> = {
  TLS10: 'TLSv1', TLS11: 'TLSv1.1', TLS12: 'TLSv1.2', TLS13: 'TLSv1.3',
};

function tlsOptions(t: TlsArgs | undefined): https.AgentOptions {
  if (!t) return {};
  const o: https.AgentOptions = {};
  const ca = t.ca_pem ?? (t.ca_file ? readFileSync(t.ca_file, 'utf8') : undefined);
  if (ca) o.ca = ca;
  const cert = t.cert_pem ?? (t.cert_file ? readFileSync(t.cert_file, 'utf8') : undefined);
  if (cert) o.cert = cert;
  const key = revealString(t.key_pem) ?? (t.key_file ? readFileSync(t.key_file, 'utf8') : undefined);
  if (key) o.key = key;
  if (t.server_name) o.servername = t.server_name;
  if (t.insecure_skip_verify) o.rejectUnauthorized = false;
  if (t.min_version) {
    const v = TLS_VERSIONS[t.min_version];
    if (!v) throw new Error(`tls_config: unknown min_version ${t.min_version} (want TLS10, TLS11, TLS12 or TLS13)`);
    o.minVersion = v;
  }
  return o;
}
