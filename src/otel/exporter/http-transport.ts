// OTLP/HTTP export (otelcol.exporter.otlphttp): POST protobuf or JSON to one
// URL per signal, compressed as configured; answers classified as the OTLP/HTTP
// spec says (429, 502, 503, 504 retryable with Retry-After; other errors permanent).
import http from 'node:http';
import https from 'node:https';
import zlib from 'node:zlib';
import type { Logger } from 'pino';
import { parseRetryAfter } from '../../net/backoff.js';
import { assertAllowedUrl } from '../../net/loopback-guard.js';
import type { OtelAuthHandler, OtelContext, Signal, SignalData } from '../../pipeline/otel.js';
import { decodeStatus, encodeJsonRequest, encodeRequest, rejectedInResponse } from '../proto.js';
import { clientTlsOptions, type TlsClientArgs } from '../tls.js';
import { ExportError, type ExportTransport } from './export-error.js';

export interface HttpClientArgs {
  endpoint: string;
  compression: string;
  headers: Record<string, string>;
  timeout: number;
  disable_keep_alives: boolean;
  idle_conn_timeout: number;
  max_idle_conns: number;
  max_idle_conns_per_host: number;
  max_conns_per_host: number;
  tls?: TlsClientArgs;
  auth?: OtelAuthHandler;
}

export interface HttpExportArgs {
  client: HttpClientArgs;
  encoding: 'proto' | 'json';
  /** Full URL per signal. */
  urls: Record<Signal, string>;
}

const COMPRESSORS: Record<string, ((b: Buffer) => Buffer) | undefined> = {
  '': undefined,
  none: undefined,
  gzip: (b) => zlib.gzipSync(b),
  zlib: (b) => zlib.deflateSync(b),
  deflate: (b) => zlib.deflateSync(b),
};
export const HTTP_COMPRESSIONS = Object.keys(COMPRESSORS);

const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);

/** The default URL of a signal: the client endpoint with the signal's path appended. */
export function signalUrl(endpoint: string, signal: Signal): string {
  return `${endpoint.replace(/\/+$/, '')}/v1/${signal}`;
}

export class HttpTransport implements ExportTransport {
  readonly #a: HttpExportArgs;
  readonly #logger: Logger;
  readonly #http: http.Agent;
  readonly #https: https.Agent;

  constructor(a: HttpExportArgs, logger: Logger) {
    this.#a = a;
    this.#logger = logger;
    const c = a.client;
    const agent = {
      keepAlive: !c.disable_keep_alives,
      timeout: c.idle_conn_timeout || undefined,
      maxSockets: c.max_conns_per_host > 0 ? c.max_conns_per_host : Infinity,
      maxFreeSockets: c.max_idle_conns_per_host > 0 ? c.max_idle_conns_per_host : c.max_idle_conns > 0 ? c.max_idle_conns : 256,
    };
    this.#http = new http.Agent(agent);
    const needsTls = Object.values(a.urls).some((u) => u.startsWith('https:'));
    this.#https = new https.Agent({ ...agent, ...(needsTls ? clientTlsOptions(c.tls, 'client.tls') : {}) });
  }

  async export<S extends Signal>(signal: S, data: SignalData[S], ctx: OtelContext | undefined, abort: AbortSignal): Promise<void> {
    const c = this.#a.client;
    const json = this.#a.encoding === 'json';
    let body: Buffer = json ? Buffer.from(encodeJsonRequest(signal, data)) : Buffer.from(encodeRequest(signal, data));
    const headers: Record<string, string> = { ...c.headers, 'Content-Type': json ? 'application/json' : 'application/x-protobuf' };
    const compress = COMPRESSORS[c.compression];
    if (compress) {
      body = compress(body);
      headers['Content-Encoding'] = c.compression === 'zlib' ? 'deflate' : c.compression;
    }
    if (c.auth) {
      if (!c.auth.setHeaders) throw new ExportError(`${c.auth.componentId} cannot authenticate outgoing requests (it has no client side)`, false);
      await c.auth.setHeaders(headers, ctx);
    }
    const url = new URL(this.#a.urls[signal]);
    try {
      assertAllowedUrl(url);
    } catch (e) {
      throw new ExportError((e as Error).message, false);
    }
    const { status, resHeaders, resBody } = await new Promise<{ status: number; resHeaders: http.IncomingHttpHeaders; resBody: Buffer }>((resolve, reject) => {
      const lib = url.protocol === 'https:' ? https : http;
      const req = lib.request(url, { method: 'POST', headers: { ...headers, 'Content-Length': String(body.length) }, agent: url.protocol === 'https:' ? this.#https : this.#http, signal: abort }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (x: Buffer) => chunks.push(x));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, resHeaders: res.headers, resBody: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      req.on('error', (e) => reject(abort.aborted ? e : new ExportError(`failed to make an HTTP request: ${e.message}`, true)));
      req.end(body);
    });
    if (status >= 200 && status < 300) {
      const rejected = this.#partial(signal, resHeaders, resBody);
      if (rejected) this.#logger.warn({ ...rejected, signal }, 'Partial success response');
      return;
    }
    const detail = this.#statusMessage(resHeaders, resBody);
    const msg = `error exporting items, request to ${url.href} responded with HTTP Status Code ${status}${detail ? `, Message=${detail}` : ''}`;
    throw new ExportError(msg, RETRYABLE_STATUS.has(status), RETRYABLE_STATUS.has(status) ? parseRetryAfter(resHeaders['retry-after']) : undefined);
  }

  #partial(signal: Signal, h: http.IncomingHttpHeaders, b: Buffer): { rejected: number; message: string } | undefined {
    if (b.length === 0) return undefined;
    try {
      if (String(h['content-type'] ?? '').includes('json')) {
        const o = JSON.parse(b.toString('utf8')) as { partialSuccess?: Record<string, unknown> };
        const ps = o.partialSuccess ?? {};
        const rejected = Number(ps.rejectedSpans ?? ps.rejectedDataPoints ?? ps.rejectedLogRecords ?? 0);
        return rejected > 0 ? { rejected, message: String(ps.errorMessage ?? '') } : undefined;
      }
      const r = rejectedInResponse(signal, b);
      return r.rejected > 0 ? r : undefined;
    } catch {
      return undefined;
    }
  }

  #statusMessage(h: http.IncomingHttpHeaders, b: Buffer): string {
    if (b.length === 0) return '';
    try {
      const ct = String(h['content-type'] ?? '');
      if (ct.includes('json')) return String((JSON.parse(b.toString('utf8')) as { message?: string }).message ?? '');
      if (ct.includes('protobuf')) return decodeStatus(b).message;
    } catch {
      // fall through to the raw text
    }
    return b.toString('utf8').slice(0, 256);
  }

  close(): void {
    this.#http.destroy();
    this.#https.destroy();
  }
}
