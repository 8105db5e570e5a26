// One POST over node:http(s), so TLS options (CA, client certs, SNI) and
// keep-alive agents are ours to set. Resolves with the status for any HTTP
// answer; rejects only on network errors and timeouts.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { revealString } from '../../runtime/secret.js';
import type { EndpointArgs } from './config.js';

export interface PostResult {
  status: number;
  body: string;
}

export class HttpPoster {
  readonly url: URL;
  readonly #agent: http.Agent;

  constructor(private readonly args: EndpointArgs) {
    try {
      this.url = new URL(args.url);
    } catch {
      throw new Error(`endpoint url "${args.url}" is not a valid URL`);
    }
    if (this.url.protocol !== 'http:' && this.url.protocol !== 'https:') {
      throw new Error(`endpoint url "${args.url}": scheme must be http or https`);
    }
    const tls = args.tls_config ?? {};
    const tlsOpts: https.AgentOptions = {
      keepAlive: true,
      ca: tls.ca_pem ?? (tls.ca_file ? readFileSync(tls.ca_file) : undefined),
      cert: tls.cert_pem ?? (tls.cert_file ? readFileSync(tls.cert_file) : undefined),
      key: revealString(tls.key_pem) ?? (tls.key_file ? readFileSync(tls.key_file) : undefined),
      servername: tls.server_name,
      rejectUnauthorized: !tls.insecure_skip_verify,
    };
    this.#agent = this.url.protocol === 'https:' ? new https.Agent(tlsOpts) : new http.Agent({ keepAlive: true });
  }

  /** Headers are rebuilt per request so rotated token files are picked up. */
  headers(): Record<string, string> {
    const a = this.args;
    const h: Record<string, string> = {
      'Content-Type': 'application/x-protobuf',
      'User-Agent': 'alloy-ts/0.1',
    };
    for (const [k, v] of Object.entries(a.headers ?? {})) h[k] = v;
    for (const [k, vs] of Object.entries(a.http_headers ?? {})) h[k] = vs.map((v) => revealString(v)).join(', ');
    if (a.tenant_id) h['X-Scope-OrgID'] = a.tenant_id;
    if (a.basic_auth) {
      const pw = revealString(a.basic_auth.password) ?? (a.basic_auth.password_file ? readFileSync(a.basic_auth.password_file, 'utf8').trim() : '');
      h.Authorization = 'Basic ' + Buffer.from(`${a.basic_auth.username ?? ''}:${pw}`).toString('base64');
    } else if (a.authorization) {
      const cred = revealString(a.authorization.credentials) ?? (a.authorization.credentials_file ? readFileSync(a.authorization.credentials_file, 'utf8').trim() : '');
      h.Authorization = `${a.authorization.type ?? 'Bearer'} ${cred}`;
    } else if (a.bearer_token !== undefined || a.bearer_token_file) {
      const tok = revealString(a.bearer_token) ?? readFileSync(a.bearer_token_file!, 'utf8').trim();
      h.Authorization = `Bearer ${tok}`;
    }
    return h;
  }

  post(body: Buffer, timeoutMs: number, signal?: AbortSignal): Promise<PostResult> {
    return new Promise((resolve, reject) => {
      const mod = this.url.protocol === 'https:' ? https : http;
      const headers = { ...this.headers(), 'Content-Length': String(body.length) };
      const req = mod.request(this.url, { method: 'POST', headers, agent: this.#agent, timeout: timeoutMs, signal }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          // Keep only the start of an error body: enough for a log line.
          if (size < 1024) chunks.push(c);
          size += c.length;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8').slice(0, 1024) }));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`request timed out after ${timeoutMs}ms`)));
      req.on('error', reject);
      req.end(body);
    });
  }

  close(): void {
    this.#agent.destroy();
  }
}
