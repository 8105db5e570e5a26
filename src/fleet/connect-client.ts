// A Connect-protocol unary client for collector.v1.CollectorService, on the
// one HTTP client block (credentials, TLS, proxies, extra headers, redirects).
// Connect unary over HTTP/1.1: POST <url>/<service>/<method> with a protobuf
// body (Content-Type application/proto, Connect-Protocol-Version 1); a 200
// answer carries the response message, any other a JSON error {code, message}.
// A server that refuses protobuf (415) is asked again in Connect's JSON codec,
// which this client then keeps using.
import http from 'node:http';
import https from 'node:https';
import zlib from 'node:zlib';
import { extraHeaders, type FullHttpClientArgs } from '../net/client-schema.js';
import { assertAllowedUrl } from '../net/loopback-guard.js';
import { ClientAgents } from '../net/client-agents.js';
import { RequestAuth } from '../net/request-auth.js';
import { MAX_REDIRECTS, redirectStep } from '../net/redirect.js';
import { USER_AGENT } from '../net/user-agent.js';
import { describeExternalText, headerSecrets } from '../redact.js';
import { revealString } from '../syntax/secret.js';
import { decodeMessage, encodeMessage, fromJsonMessage, METHODS, SERVICE, toJsonMessage, type MethodName } from './collector-proto.js';

/** A config is text of modest size; anything bigger is refused, not buffered. */
const MAX_RESPONSE_BYTES = 32 << 20;
const REQUEST_TIMEOUT_MS = 30_000;

/** An error answer of the API: the Connect code and message, or the HTTP status when the body is not Connect's. */
export class ConnectError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly httpStatus: number,
  ) {
    super(message);
  }
}

interface RawAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export class CollectorApiClient {
  private readonly base: string;
  private readonly auth: RequestAuth;
  private readonly agents: ClientAgents;
  /** The codec the server takes: protobuf first (as Alloy's client), JSON after a 415. */
  codec: 'proto' | 'json' = 'proto';

  constructor(
    url: string,
    private readonly client: FullHttpClientArgs,
    private readonly timeoutMs = REQUEST_TIMEOUT_MS,
  ) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new Error(`remotecfg: url ${JSON.stringify(url)} is not a valid URL`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error(`remotecfg: url ${url}: scheme must be http or https`);
    this.base = url.replace(/\/+$/, '');
    this.auth = new RequestAuth(client, { userAgent: USER_AGENT });
    this.agents = new ClientAgents(client, { keepAlive: true });
    this.agents.get(parsed); // unreadable TLS files refuse the block now
  }

  async call<Res>(method: MethodName, request: object, signal?: AbortSignal): Promise<Res> {
    const [reqType, resType] = METHODS[method];
    const json = this.codec === 'json';
    const body = json ? Buffer.from(JSON.stringify(toJsonMessage(reqType, request))) : Buffer.from(encodeMessage(reqType, request));
    const headers: Record<string, string> = {
      ...extraHeaders(this.client.http_headers, (v) => revealString(v) ?? ''),
      'User-Agent': USER_AGENT,
      'Content-Type': json ? 'application/json' : 'application/proto',
      'Connect-Protocol-Version': '1',
      'Connect-Timeout-Ms': String(this.timeoutMs),
      'Accept-Encoding': 'gzip',
    };
    let url = new URL(`${this.base}/${SERVICE}/${method}`);
    let sendAuth = true;
    let used: string | undefined;
    for (let hop = 0; ; hop++) {
      const h = { ...headers };
      if (sendAuth) {
        used = await this.auth.header(signal);
        if (used) h['Authorization'] = used;
      }
      const answer = await this.post(url, h, body, signal);
      const step = this.client.follow_redirects === false ? undefined : redirectStep(answer.status, answer.headers.location, url, 'POST');
      if (step && step.method === 'POST' && step.keepBody) {
        if (hop >= MAX_REDIRECTS) throw new Error(`remotecfg: ${method}: stopped after ${MAX_REDIRECTS} redirects`);
        sendAuth = sendAuth && step.keepAuth;
        url = step.url;
        continue;
      }
      if (answer.status === 401 && this.auth.unauthorized(used) && hop === 0) continue;
      if (answer.status === 415 && !json) {
        this.codec = 'json';
        return this.call<Res>(method, request, signal);
      }
      if (answer.status !== 200) throw this.errorOf(method, answer, headerSecrets(h));
      return json ? fromJsonMessage<Res>(resType, answer.body) : decodeMessage<Res>(resType, answer.body);
    }
  }

  private errorOf(method: string, a: RawAnswer, secrets: string[]): ConnectError {
    const text = a.body.toString('utf8');
    let code = `http_${a.status}`;
    let message = text;
    if (String(a.headers['content-type'] ?? '').startsWith('application/json')) {
      try {
        const j = JSON.parse(text) as { code?: unknown; message?: unknown };
        if (typeof j.code === 'string') code = j.code;
        if (typeof j.message === 'string') message = j.message;
      } catch {
        // not Connect's error body: the status and text say enough
      }
    }
    const said = describeExternalText(message, { secrets });
    return new ConnectError(`remotecfg: ${method} answered ${a.status} (${code})${said ? `: ${said}` : ''}`, code, a.status);
  }

  private post(url: URL, headers: Record<string, string>, body: Buffer, signal?: AbortSignal): Promise<RawAnswer> {
    assertAllowedUrl(url);
    const mod = url.protocol === 'https:' ? https : http;
    const agent = this.agents.get(url);
    return new Promise((resolve, reject) => {
      const fail = (m: string) => reject(new Error(`remotecfg: POST ${url.origin}${url.pathname}: ${m}`));
      const req = mod.request(url, { method: 'POST', headers: { ...headers, 'Content-Length': String(body.length) }, agent, timeout: this.timeoutMs, signal }, (res) => {
        const gzip = String(res.headers['content-encoding'] ?? '').toLowerCase() === 'gzip';
        const stream = gzip ? res.pipe(zlib.createGunzip()) : res;
        const chunks: Buffer[] = [];
        let size = 0;
        stream.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_RESPONSE_BYTES) req.destroy(new Error(`answer larger than ${MAX_RESPONSE_BYTES} bytes`));
          else chunks.push(c);
        });
        stream.on('error', (e: Error) => fail(e.message));
        stream.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      });
      req.on('timeout', () => req.destroy(new Error(`no answer within ${this.timeoutMs}ms`)));
      req.on('error', (e) => fail(e.message));
      req.end(body);
    });
  }

  close(): void {
    this.agents.destroy();
    this.auth.close();
  }
}

/** Refuses a url or client block the client could not be built from (a bad URL, an unreadable TLS file). */
export function checkCollectorApiClient(url: string, client: FullHttpClientArgs): void {
  new CollectorApiClient(url, client).close();
}
