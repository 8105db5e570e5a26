// OTLP/gRPC export on @grpc/grpc-js (otelcol.exporter.otlp's client block):
// one channel per component, requests encoded with the official protos,
// failures classified as the OTel Collector does (retryable gRPC codes below).
import tls from 'node:tls';
import * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { OtelAuthHandler, OtelContext, Signal, SignalData } from '../../pipeline/otel.js';
import { assertAllowedUrl } from '../../net/loopback-guard.js';
import { encodeRequest, rejectedInResponse, retryDelayOfStatus, SERVICE_NAMES } from '../proto.js';
import { clientTlsOptions, type TlsClientArgs } from '../tls.js';
import { ExportError, type ExportTransport } from './export-error.js';

export interface GrpcClientArgs {
  endpoint: string;
  compression: string;
  headers: Record<string, string>;
  tls?: TlsClientArgs;
  keepalive?: { ping_wait?: number; ping_response_timeout?: number; ping_without_stream?: boolean };
  balancer_name: string;
  authority?: string;
  wait_for_ready: boolean;
  auth?: OtelAuthHandler;
}

/** The codes OTel's exporter retries; ResourceExhausted only when the server sent a RetryInfo. */
const RETRYABLE = new Set([grpc.status.CANCELLED, grpc.status.DEADLINE_EXCEEDED, grpc.status.ABORTED, grpc.status.OUT_OF_RANGE, grpc.status.UNAVAILABLE, grpc.status.DATA_LOSS]);

/**
 * An export failure as the Collector's OTLP exporter classifies it: retryable
 * by code (ResourceExhausted only with a RetryInfo detail), waiting at least
 * the RetryInfo delay before the next attempt when the server gave one.
 */
export function grpcExportError(err: grpc.ServiceError): ExportError {
  const details = err.metadata?.get('grpc-status-details-bin')[0];
  const retryAfterMs = Buffer.isBuffer(details) ? retryDelayOfStatus(details) : undefined;
  const retryable = RETRYABLE.has(err.code) || (err.code === grpc.status.RESOURCE_EXHAUSTED && retryAfterMs !== undefined);
  return new ExportError(`rpc error: code = ${grpc.status[err.code]} desc = ${err.details}`, retryable, retryable ? retryAfterMs : undefined);
}

const COMPRESSION: Record<string, number> = { '': 0, none: 0, gzip: 2, deflate: 1, zlib: 1 };
export const GRPC_COMPRESSIONS = Object.keys(COMPRESSION);

/** "http://host:port" means plaintext, "https://" TLS; the scheme is stripped for the target. */
export function grpcTarget(endpoint: string): { target: string; scheme?: 'http' | 'https' } {
  const m = /^(https?):\/\/(.*)$/.exec(endpoint);
  return m ? { target: m[2], scheme: m[1] as 'http' | 'https' } : { target: endpoint };
}

function credentials(a: GrpcClientArgs, insecure: boolean): grpc.ChannelCredentials {
  if (insecure) return grpc.credentials.createInsecure();
  const o = clientTlsOptions(a.tls, 'client.tls');
  const ctx = tls.createSecureContext({ ca: o.ca, cert: o.cert, key: o.key, minVersion: o.minVersion, maxVersion: o.maxVersion });
  return grpc.credentials.createFromSecureContext(ctx, { rejectUnauthorized: o.rejectUnauthorized, ...(o.rejectUnauthorized ? {} : { checkServerIdentity: () => undefined }) });
}

/** The client block's channel settings as grpc-js options. */
export function grpcChannelOptions(a: GrpcClientArgs): grpc.ChannelOptions {
  const options: grpc.ChannelOptions = {
    'grpc.default_compression_algorithm': COMPRESSION[a.compression],
    'grpc.service_config': JSON.stringify({ loadBalancingConfig: [{ [a.balancer_name]: {} }] }),
    'grpc.max_send_message_length': -1,
  };
  if (a.authority) options['grpc.default_authority'] = a.authority;
  if (a.tls?.server_name) options['grpc.ssl_target_name_override'] = a.tls.server_name;
  if (a.keepalive?.ping_wait) options['grpc.keepalive_time_ms'] = a.keepalive.ping_wait;
  if (a.keepalive?.ping_response_timeout) options['grpc.keepalive_timeout_ms'] = a.keepalive.ping_response_timeout;
  if (a.keepalive?.ping_without_stream) options['grpc.keepalive_permit_without_calls'] = 1;
  return options;
}

export class GrpcTransport implements ExportTransport {
  readonly #client: grpc.Client;
  readonly #a: GrpcClientArgs;
  readonly #logger: Logger;

  constructor(a: GrpcClientArgs, logger: Logger) {
    this.#a = a;
    this.#logger = logger;
    const { target, scheme } = grpcTarget(a.endpoint);
    const insecure = scheme === 'http' || (scheme !== 'https' && a.tls?.insecure === true);
    this.#client = new grpc.Client(target, credentials(a, insecure), grpcChannelOptions(a));
  }

  async export<S extends Signal>(signal: S, data: SignalData[S], ctx: OtelContext | undefined, abort: AbortSignal): Promise<void> {
    const { target } = grpcTarget(this.#a.endpoint);
    if (!target.startsWith('unix:')) {
      try {
        assertAllowedUrl(new URL(`grpc://${target}`));
      } catch (e) {
        throw new ExportError((e as Error).message, false);
      }
    }
    const headers = { ...this.#a.headers };
    if (this.#a.auth) {
      if (!this.#a.auth.setHeaders) throw new ExportError(`${this.#a.auth.componentId} cannot authenticate outgoing requests (it has no client side)`, false);
      await this.#a.auth.setHeaders(headers, ctx);
    }
    const md = new grpc.Metadata({ waitForReady: this.#a.wait_for_ready });
    for (const [k, v] of Object.entries(headers)) md.set(k.toLowerCase(), v);
    const body = Buffer.from(encodeRequest(signal, data));
    const reply = await new Promise<Buffer>((resolve, reject) => {
      const call = this.#client.makeUnaryRequest(`/${SERVICE_NAMES[signal]}/Export`, (b: Buffer) => b, (b: Buffer) => b, body, md, {}, (err, res) => {
        abort.removeEventListener('abort', cancel);
        if (err) reject(grpcExportError(err));
        else resolve(res ?? Buffer.alloc(0));
      });
      const cancel = () => call.cancel();
      abort.addEventListener('abort', cancel, { once: true });
    });
    const { rejected, message } = rejectedInResponse(signal, reply);
    // A partial success is a success with a warning (the server kept the rest), as in the Collector.
    if (rejected > 0) this.#logger.warn({ rejected, message, signal }, 'Partial success response');
  }

  close(): void {
    this.#client.close();
  }
}
