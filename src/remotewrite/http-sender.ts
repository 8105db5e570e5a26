// One HTTP POST of an encoded, snappy-compressed request (remote write 1.0
// WriteRequest or 2.0 Request, by the endpoint's protobuf_message). Classifies
// the outcome for the retry policy; never retries by itself. The answer's
// X-Prometheus-Remote-Write-*-Written headers are read as Prometheus does.
import http from 'node:http';
import https from 'node:https';
import { revealString, type Secret } from '../syntax/secret.js';
import { parseRetryAfter } from '../net/backoff.js';
import { extraHeaders } from '../net/client-schema.js';
import { RequestAuth } from '../net/request-auth.js';
import { ClientAgents } from '../net/client-agents.js';
import { type HostResolver, roundRobinLookup } from '../net/round-robin-dns.js';
import { USER_AGENT } from '../net/user-agent.js';
import { type EndpointArgs, PROTO_V2 } from './args.js';
import { describeExternalText, headerSecrets } from '../redact.js';

/** What the receiver says it wrote (the 2.0 response headers); `confirmed`: at least one header was present. */
export interface WrittenStats {
  samples: number;
  histograms: number;
  exemplars: number;
  confirmed: boolean;
}

export interface HttpSenderOptions {
  /** round_robin_dns: the resolver (tests answer 127.0.0.x addresses for a made-up name). */
  resolveHost?: HostResolver;
  /** Environment of the cloud credential chains (default process.env). */
  env?: NodeJS.ProcessEnv;
}

const WRITTEN = {
  samples: 'x-prometheus-remote-write-samples-written',
  histograms: 'x-prometheus-remote-write-histograms-written',
  exemplars: 'x-prometheus-remote-write-exemplars-written',
} as const;

/** Missing headers count 0; unparsable ones too (Prometheus ignores the parse error). */
export function parseWrittenStats(h: http.IncomingHttpHeaders): WrittenStats {
  const out: WrittenStats = { samples: 0, histograms: 0, exemplars: 0, confirmed: false };
  for (const k of ['samples', 'histograms', 'exemplars'] as const) {
    const v = h[WRITTEN[k]];
    if (typeof v !== 'string' || v === '') continue;
    out.confirmed = true;
    const n = Number.parseInt(v, 10);
    out[k] = Number.isFinite(n) ? n : 0;
  }
  return out;
}

/** One request of a send (a redirect makes another). */
interface Hop {
  url: URL;
  method: 'POST' | 'GET';
  body: Uint8Array | undefined;
}

type Redirect = { kind: 'redirect'; status: number; location: string };
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 10;

export type SendOutcome =
  | { kind: 'ok'; status: number; written: WrittenStats }
  | { kind: 'retry'; status?: number; retryAfterMs?: number; reason: string }
  | { kind: 'drop'; status: number; reason: string };

export class HttpSender {
  private readonly url: URL;
  /** Direct or proxied, with the TLS material following rotated tls_config files. */
  private readonly agents: ClientAgents;
  /** Static credentials, or an OAuth2 token cached across sends. */
  private readonly auth: RequestAuth;

  constructor(
    private readonly ep: EndpointArgs,
    o: HttpSenderOptions = {},
  ) {
    try {
      this.url = new URL(ep.url);
    } catch {
      throw new Error(`endpoint ${ep.name ?? ''}: invalid url ${JSON.stringify(ep.url)}`);
    }
    if (this.url.protocol !== 'http:' && this.url.protocol !== 'https:') {
      throw new Error(`endpoint url ${ep.url}: scheme must be http or https`);
    }
    this.auth = new RequestAuth(ep, { userAgent: USER_AGENT, env: o.env });
    const lookup = ep.round_robin_dns ? roundRobinLookup(o.resolveHost) : undefined;
    this.agents = new ClientAgents(ep, { keepAlive: true, maxSockets: 256, ...(lookup ? { lookup } : {}) });
    this.agents.get(this.url); // unreadable TLS files reject the config now, not at the first send
  }

  /** `attempt`: 0 for the first try of a batch; later tries carry Retry-Attempt as Prometheus sends it. */
  async send(body: Uint8Array, signal: AbortSignal, attempt = 0, retried401 = false): Promise<SendOutcome> {
    // follow_redirects (default true) as Go's client: 307/308 repeat the POST
    // with its body at the Location; 301/302/303 turn it into a GET without
    // one; at most 10 hops. Credentials are applied again at every hop (sigv4
    // signs the new URL), as Prometheus's round trippers do.
    let hop: Hop = { url: this.url, method: 'POST', body };
    for (let hops = 0; ; hops++) {
      let headers: Record<string, string>;
      try {
        headers = await this.headers(hop, attempt, signal);
      } catch (e) {
        return { kind: 'retry', reason: `credentials: ${(e as Error).message}` };
      }
      const outcome = await this.post(hop, headers, signal);
      if (outcome.kind === 'redirect') {
        if (this.ep.follow_redirects === false || hops >= MAX_REDIRECTS) {
          const why = this.ep.follow_redirects === false ? 'follow_redirects is false' : `stopped after ${MAX_REDIRECTS} redirects`;
          return { kind: 'drop', status: outcome.status, reason: `server returned HTTP status ${outcome.status} (redirect to ${outcome.location}; ${why})` };
        }
        let next: URL;
        try {
          next = new URL(outcome.location, hop.url);
        } catch {
          return { kind: 'drop', status: outcome.status, reason: `server returned HTTP status ${outcome.status} with an invalid Location ${JSON.stringify(outcome.location)}` };
        }
        const keepBody = outcome.status === 307 || outcome.status === 308;
        hop = keepBody ? { ...hop, url: next } : { url: next, method: 'GET', body: undefined };
        continue;
      }
      // An OAuth2 token revoked before its expiry: one more try with a fresh token.
      if (outcome.kind === 'drop' && outcome.status === 401 && !retried401 && this.auth.unauthorized(headers['Authorization'])) {
        return this.send(body, signal, attempt, true);
      }
      return outcome;
    }
  }

  private post(hop: Hop, headers: Record<string, string>, signal: AbortSignal): Promise<SendOutcome | Redirect> {
    const agent = this.agents.get(hop.url);
    const mod = hop.url.protocol === 'https:' ? https : http;
    return new Promise<SendOutcome | Redirect>((resolve) => {
      const req = mod.request(
        hop.url,
        { method: hop.method, agent, headers, timeout: this.ep.remote_timeout, signal },
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
            const text = describeExternalText(Buffer.concat(chunks).toString('utf8'), { max: 512, secrets: headerSecrets(headers) });
            if (status >= 200 && status < 300) return resolve({ kind: 'ok', status, written: parseWrittenStats(res.headers) });
            const location = res.headers.location;
            if (REDIRECTS.has(status) && location) return resolve({ kind: 'redirect', status, location });
            const reason = `server returned HTTP status ${status} ${res.statusMessage ?? ''}${text ? `: ${text}` : ''}`.trim();
            const retryAfterMs = parseRetryAfter(res.headers['retry-after']);
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
      req.end(hop.body);
    });
  }

  private async headers(hop: Hop, attempt: number, signal: AbortSignal): Promise<Record<string, string>> {
    const h: Record<string, string> = extraHeaders(this.ep.http_headers, (v) => revealString(v) ?? '');
    for (const [k, v] of Object.entries(this.ep.headers ?? {})) h[k] = revealString(v as string | Secret) ?? '';
    const v2 = this.ep.protobuf_message === PROTO_V2;
    h['Content-Encoding'] = 'snappy';
    h['Content-Type'] = v2 ? 'application/x-protobuf;proto=io.prometheus.write.v2.Request' : 'application/x-protobuf';
    h['User-Agent'] = USER_AGENT;
    h['X-Prometheus-Remote-Write-Version'] = v2 ? '2.0.0' : '0.1.0';
    if (attempt > 0) h['Retry-Attempt'] = String(attempt);
    if (hop.body) h['Content-Length'] = String(hop.body.length);
    else delete h['Content-Encoding'];
    // Last: sigv4 signs the headers above and the body.
    await this.auth.sign({ method: hop.method, url: hop.url, headers: h, body: hop.body ?? '' }, signal);
    return h;
  }

  close(): void {
    this.agents.destroy();
    this.auth.close();
  }
}

