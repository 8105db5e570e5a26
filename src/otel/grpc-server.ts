// The OTLP/gRPC server of otelcol.receiver.otlp: the Trace, Metrics and Logs
// services on @grpc/grpc-js. Requests are taken as raw bytes and decoded in the
// handler, so a malformed message is answered InvalidArgument (grpc-js would
// say Internal for a failed deserializer). grpc-js decompresses gzip itself.
import * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { SIGNALS, type OtelAuthHandler, type OtelContext, type Signal } from '../pipeline/otel.js';
import { decodeRequest, encodeResponse, SERVICE_NAMES } from './proto.js';
import { grpcPeerIp, metadataOf, type ReceiverSink } from './receiver-sink.js';
import type { RpcServerMetrics } from './receiver-metrics.js';
import { grpcServerCredentials, type TlsServerArgs } from './tls.js';

export interface GrpcServerArgs {
  endpoint: string;
  transport: 'tcp' | 'unix';
  tls?: TlsServerArgs;
  /** Bytes. */
  max_recv_msg_size: number;
  max_concurrent_streams?: number;
  include_metadata: boolean;
  keepalive?: {
    server_parameters?: { max_connection_idle?: number; max_connection_age?: number; max_connection_age_grace?: number; time?: number; timeout?: number };
    enforcement_policy?: { min_time?: number; permit_without_stream?: boolean };
  };
  auth?: OtelAuthHandler;
}

const METHOD = 'Export';
const identity = (b: Buffer) => b;

/** grpc-js options for the arguments (durations in ms; "infinity" is simply not set). */
export function grpcServerOptions(a: GrpcServerArgs): grpc.ServerOptions {
  const o: grpc.ServerOptions = { 'grpc.max_receive_message_length': a.max_recv_msg_size };
  if (a.max_concurrent_streams) o['grpc.max_concurrent_streams'] = a.max_concurrent_streams;
  const sp = a.keepalive?.server_parameters;
  if (sp?.max_connection_idle) o['grpc.max_connection_idle_ms'] = sp.max_connection_idle;
  if (sp?.max_connection_age) o['grpc.max_connection_age_ms'] = sp.max_connection_age;
  if (sp?.max_connection_age_grace) o['grpc.max_connection_age_grace_ms'] = sp.max_connection_age_grace;
  if (sp?.time) o['grpc.keepalive_time_ms'] = sp.time;
  if (sp?.timeout) o['grpc.keepalive_timeout_ms'] = sp.timeout;
  const ep = a.keepalive?.enforcement_policy;
  if (ep?.min_time) o['grpc.http2.min_ping_interval_without_data_ms'] = ep.min_time;
  if (ep?.permit_without_stream) o['grpc.keepalive_permit_without_calls'] = 1;
  return o;
}

export class OtlpGrpcServer {
  readonly #server: grpc.Server;
  #port = 0;

  private constructor(server: grpc.Server) {
    this.#server = server;
  }

  /** Binds and serves; rejects with the bind error (address in use, bad TLS files). */
  static async start(a: GrpcServerArgs, sink: ReceiverSink, logger: Logger, where: string, rpc?: RpcServerMetrics): Promise<OtlpGrpcServer> {
    const creds = grpcServerCredentials(a.tls, `${where}.tls`);
    const server = new grpc.Server(grpcServerOptions(a));
    for (const signal of SIGNALS) {
      const definition: grpc.ServiceDefinition = {
        [METHOD]: {
          path: `/${SERVICE_NAMES[signal]}/${METHOD}`,
          requestStream: false,
          responseStream: false,
          requestSerialize: identity,
          requestDeserialize: identity,
          responseSerialize: identity,
          responseDeserialize: identity,
        },
      };
      server.addService(definition, { [METHOD]: handler(signal, a, sink, logger, rpc) });
    }
    const self = new OtlpGrpcServer(server);
    const address = a.transport === 'unix' ? `unix:${a.endpoint}` : a.endpoint;
    self.#port = await new Promise<number>((resolve, reject) => server.bindAsync(address, creds, (err, port) => (err ? reject(new Error(`${where}: cannot listen on ${a.endpoint}: ${err.message}`)) : resolve(port))));
    return self;
  }

  get port(): number {
    return this.#port;
  }

  /** Finishes the calls in flight (bounded), then closes. */
  async stop(graceMs = 5_000): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.#server.forceShutdown();
        resolve();
      }, graceMs);
      this.#server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

function handler(signal: Signal, a: GrpcServerArgs, sink: ReceiverSink, logger: Logger, rpc?: RpcServerMetrics): grpc.handleUnaryCall<Buffer, Buffer> {
  return (call, reply) => {
    const start = performance.now();
    // Every answer, error or not, is observed once with its status code.
    const callback = (err: grpc.ServerErrorResponse | Partial<grpc.StatusObject> | null, value?: Buffer): void => {
      rpc?.observe(SERVICE_NAMES[signal], METHOD, err?.code ?? grpc.status.OK, performance.now() - start, call.request?.length ?? 0);
      reply(err, value);
    };
    void (async () => {
      const headers = call.metadata.getMap();
      const ctx: OtelContext = {};
      const addr = grpcPeerIp(call.getPeer());
      if (addr) ctx.clientAddress = addr;
      if (a.auth) {
        if (!a.auth.authenticate) return callback({ code: grpc.status.INTERNAL, details: `${a.auth.componentId} cannot authenticate requests (it has no server side)` });
        try {
          ctx.auth = await a.auth.authenticate(metadataOf(call.metadata.toHttp2Headers() as Record<string, string | string[]>) as Record<string, string[]>);
        } catch (e) {
          return callback({ code: grpc.status.UNAUTHENTICATED, details: (e as Error).message });
        }
      }
      if (a.include_metadata) ctx.metadata = metadataOf(headers as Record<string, string | Buffer>);
      let data;
      try {
        data = decodeRequest(signal, call.request);
      } catch (e) {
        return callback({ code: grpc.status.INVALID_ARGUMENT, details: `cannot decode the ${signal} request: ${(e as Error).message}` });
      }
      try {
        await sink.deliver(signal, data, ctx, 'grpc');
      } catch (e) {
        logger.debug({ err: (e as Error).message, signal }, 'downstream refused an OTLP/gRPC request');
        return callback({ code: grpc.status.UNAVAILABLE, details: (e as Error).message });
      }
      callback(null, Buffer.from(encodeResponse(signal)));
    })();
  };
}
