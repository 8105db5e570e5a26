// The OTLP/HTTP server of otelcol.receiver.otlp: POST protobuf or JSON bodies
// (Content-Type application/x-protobuf or application/json), optionally
// compressed (Content-Encoding), on one path per signal. Answers follow the
// OTLP/HTTP spec: 200 with an Export*ServiceResponse, or an error status with a
// google.rpc.Status body in the request's encoding.
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import type { Logger } from 'pino';
import type { OtelAuthHandler, OtelContext, Signal } from '../pipeline/otel.js';
import { Cors, type CorsArgs } from './cors.js';
import { decodeJsonRequest, decodeRequest, encodeJsonResponse, encodeJsonStatus, encodeResponse, encodeStatus } from './proto.js';
import { clientIp, metadataOf, type ReceiverSink } from './receiver-sink.js';
import { serverTlsOptions, type TlsServerArgs } from './tls.js';

export interface HttpReceiverArgs {
  endpoint: string;
  traces_url_path: string;
  metrics_url_path: string;
  logs_url_path: string;
  /** Bytes, applied to the body before and after decompression. */
  max_request_body_size: number;
  include_metadata: boolean;
  compression_algorithms: string[];
  cors?: CorsArgs;
  tls?: TlsServerArgs;
  auth?: OtelAuthHandler;
  idle_timeout: number;
  keep_alives_enabled: boolean;
  read_header_timeout: number;
  read_timeout: number;
  write_timeout: number;
}

/** Content-Encoding values we can decode, by the name compression_algorithms uses. */
const DECODERS: Record<string, ((b: Buffer, max: number) => Buffer) | undefined> = {
  '': (b) => b,
  gzip: (b, max) => zlib.gunzipSync(b, { maxOutputLength: max }),
  zlib: (b, max) => zlib.inflateSync(b, { maxOutputLength: max }),
  deflate: (b, max) => zlib.inflateSync(b, { maxOutputLength: max }),
};
export const SUPPORTED_ENCODINGS = Object.keys(DECODERS);

/** google.rpc.Code values used in Status bodies. */
const CODE = { INVALID_ARGUMENT: 3, UNAUTHENTICATED: 16, UNAVAILABLE: 14, RESOURCE_EXHAUSTED: 8, UNIMPLEMENTED: 12 };

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

type Encoding = 'proto' | 'json';

function splitHostPort(endpoint: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(endpoint);
  if (!m) throw new Error(`endpoint ${JSON.stringify(endpoint)}: want host:port`);
  return { host: m[1] ?? m[2] ?? '', port: Number(m[3]) };
}

export class OtlpHttpReceiver {
  readonly #server: http.Server;

  private constructor(server: http.Server) {
    this.#server = server;
  }

  static async start(a: HttpReceiverArgs, sink: ReceiverSink, logger: Logger, where: string): Promise<OtlpHttpReceiver> {
    const { host, port } = splitHostPort(a.endpoint);
    const routes = new Map<string, Signal>([
      [a.traces_url_path, 'traces'],
      [a.metrics_url_path, 'metrics'],
      [a.logs_url_path, 'logs'],
    ]);
    const cors = a.cors ? new Cors(a.cors) : undefined;
    const listener = (req: http.IncomingMessage, res: http.ServerResponse) => {
      if (!a.keep_alives_enabled) res.shouldKeepAlive = false;
      if (a.write_timeout > 0) {
        // Go's WriteTimeout: a response not written in time loses its connection.
        const timer = setTimeout(() => res.destroy(), a.write_timeout);
        res.on('close', () => clearTimeout(timer));
      }
      if (cors?.handle(req, res)) return;
      void serve(req, res, routes, a, sink, logger);
    };
    // Node checks header and request timeouts on a timer (30 s by default): check often enough that the configured ones hold.
    const timeouts = [a.read_header_timeout, a.read_timeout].filter((t) => t > 0);
    const connectionsCheckingInterval = Math.max(50, Math.min(30_000, ...timeouts.map((t) => t / 4)));
    const server = a.tls ? https.createServer({ ...serverTlsOptions(a.tls, `${where}.tls`), connectionsCheckingInterval }, listener) : http.createServer({ connectionsCheckingInterval }, listener);
    server.keepAliveTimeout = a.idle_timeout;
    server.headersTimeout = a.read_header_timeout;
    server.requestTimeout = a.read_timeout;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (e) => reject(new Error(`${where}: cannot listen on ${a.endpoint}: ${e.message}`)));
      server.listen(port, host || undefined, () => resolve());
    });
    return new OtlpHttpReceiver(server);
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  async stop(graceMs = 5_000): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeIdleConnections();
    const timer = setTimeout(() => this.#server.closeAllConnections(), graceMs);
    await closed;
    clearTimeout(timer);
  }
}

function encodingOf(req: http.IncomingMessage): Encoding | undefined {
  const ct = String(req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (ct === 'application/x-protobuf') return 'proto';
  if (ct === 'application/json') return 'json';
  return undefined;
}

function readBody(req: http.IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) {
        reject(new HttpError(413, CODE.RESOURCE_EXHAUSTED, `request body larger than max_request_body_size (${max} bytes)`));
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function reply(res: http.ServerResponse, enc: Encoding, status: number, body: Uint8Array | string): void {
  if (res.headersSent || res.destroyed) return;
  res.statusCode = status;
  res.setHeader('Content-Type', enc === 'json' ? 'application/json' : 'application/x-protobuf');
  res.end(body);
}

function replyError(res: http.ServerResponse, enc: Encoding, e: HttpError): void {
  reply(res, enc, e.status, enc === 'json' ? encodeJsonStatus(e.code, e.message) : encodeStatus(e.code, e.message));
}

async function serve(req: http.IncomingMessage, res: http.ServerResponse, routes: Map<string, Signal>, a: HttpReceiverArgs, sink: ReceiverSink, logger: Logger): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  const signal = routes.get(path);
  const enc = encodingOf(req) ?? 'proto';
  try {
    if (!signal) throw new HttpError(404, CODE.UNIMPLEMENTED, `${path} is not an OTLP path of this receiver`);
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST');
      throw new HttpError(405, CODE.UNIMPLEMENTED, `${req.method} not allowed, only POST`);
    }
    if (!encodingOf(req)) throw new HttpError(415, CODE.INVALID_ARGUMENT, `unsupported Content-Type ${JSON.stringify(req.headers['content-type'] ?? '')} (want application/x-protobuf or application/json)`);
    const ctx: OtelContext = {};
    const addr = clientIp(req.socket.remoteAddress);
    if (addr) ctx.clientAddress = addr;
    if (a.auth) {
      if (!a.auth.authenticate) throw new HttpError(500, CODE.UNAUTHENTICATED, `${a.auth.componentId} cannot authenticate requests (it has no server side)`);
      try {
        ctx.auth = await a.auth.authenticate(req.headers);
      } catch (e) {
        throw new HttpError(401, CODE.UNAUTHENTICATED, (e as Error).message);
      }
    }
    if (a.include_metadata) ctx.metadata = metadataOf(req.headers);
    const contentEncoding = String(req.headers['content-encoding'] ?? '').trim().toLowerCase();
    const decoder = a.compression_algorithms.includes(contentEncoding) ? DECODERS[contentEncoding] : undefined;
    if (!decoder) throw new HttpError(400, CODE.INVALID_ARGUMENT, `unsupported Content-Encoding ${JSON.stringify(contentEncoding)}`);
    const raw = await readBody(req, a.max_request_body_size);
    let body: Buffer;
    try {
      body = decoder(raw, a.max_request_body_size);
    } catch (e) {
      throw new HttpError(400, CODE.INVALID_ARGUMENT, `cannot decompress the ${contentEncoding} body: ${(e as Error).message}`);
    }
    let data;
    try {
      data = enc === 'json' ? decodeJsonRequest(signal, body.toString('utf8')) : decodeRequest(signal, body);
    } catch (e) {
      throw new HttpError(400, CODE.INVALID_ARGUMENT, `cannot decode the ${signal} request: ${(e as Error).message}`);
    }
    try {
      await sink.deliver(signal, data, ctx, 'http');
    } catch (e) {
      logger.debug({ err: (e as Error).message, signal }, 'downstream refused an OTLP/HTTP request');
      throw new HttpError(503, CODE.UNAVAILABLE, (e as Error).message);
    }
    reply(res, enc, 200, enc === 'json' ? encodeJsonResponse() : encodeResponse(signal));
  } catch (e) {
    replyError(res, enc, e instanceof HttpError ? e : new HttpError(500, CODE.UNAVAILABLE, (e as Error).message));
  }
}
