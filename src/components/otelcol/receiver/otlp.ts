// otelcol.receiver.otlp: OTLP over gRPC (grpc block) and HTTP (http block),
// handed to the output block's consumers. The servers live in src/otel/.
// Alloy's default endpoints bind every interface (0.0.0.0:4317 / :4318);
// tests and loopback-only setups set endpoint to 127.0.0.1:<port>.
import { withLiveTap } from '../../../otel/live-output.js';
import { registerComponent } from '../../../runtime/registry.js';
import { t, type BlockSchema, type ComponentContext, type ComponentDefinition } from '../../../runtime/types.js';
import type { OtelAuthHandler, OtelOutput } from '../../../pipeline/otel.js';
import { authAttr, debugMetricsSchema, outputOf, outputSchema } from '../../../otel/config-schema.js';
import { OtlpGrpcServer, type GrpcServerArgs } from '../../../otel/grpc-server.js';
import { OtlpHttpReceiver, SUPPORTED_ENCODINGS, type HttpReceiverArgs } from '../../../otel/http-receiver.js';
import { ReceiverMetrics, RpcServerMetrics } from '../../../otel/receiver-metrics.js';
import { ReceiverSink } from '../../../otel/receiver-sink.js';
import { tlsServerSchema, type TlsServerArgs } from '../../../otel/tls.js';
import { parseBase2Bytes } from '../../../otel/units.js';

interface GrpcBlock {
  endpoint: string;
  transport: string;
  max_recv_msg_size: string;
  max_concurrent_streams?: number;
  read_buffer_size?: string;
  write_buffer_size?: string;
  include_metadata: boolean;
  auth?: OtelAuthHandler;
  tls?: TlsServerArgs;
  keepalive?: GrpcServerArgs['keepalive'];
}

interface HttpBlock extends Omit<HttpReceiverArgs, 'max_request_body_size'> {
  max_request_body_size: string;
}

export interface OtlpReceiverArgs {
  grpc?: GrpcBlock;
  http?: HttpBlock;
  output: Partial<OtelOutput>;
}

const grpcSchema: BlockSchema = {
  attrs: {
    endpoint: { type: t.string(), default: '0.0.0.0:4317' },
    transport: { type: t.string(), default: 'tcp' },
    max_recv_msg_size: { type: t.string(), default: '4MiB' },
    max_concurrent_streams: { type: t.number() },
    read_buffer_size: { type: t.string() },
    write_buffer_size: { type: t.string() },
    include_metadata: { type: t.bool(), default: false },
    auth: authAttr,
  },
  blocks: {
    tls: { schema: tlsServerSchema },
    keepalive: {
      schema: {
        blocks: {
          server_parameters: {
            schema: {
              attrs: {
                max_connection_idle: { type: t.duration() },
                max_connection_age: { type: t.duration() },
                max_connection_age_grace: { type: t.duration() },
                time: { type: t.duration(), default: 2 * 3600_000 },
                timeout: { type: t.duration(), default: 20_000 },
              },
            },
          },
          enforcement_policy: {
            schema: { attrs: { min_time: { type: t.duration(), default: 300_000 }, permit_without_stream: { type: t.bool(), default: false } } },
          },
        },
      },
    },
  },
  validate: (g: GrpcBlock) => {
    if (g.transport !== 'tcp' && g.transport !== 'unix') throw new Error(`transport: ${JSON.stringify(g.transport)} is not supported (want "tcp" or "unix")`);
    parseBase2Bytes('max_recv_msg_size', g.max_recv_msg_size);
    for (const k of ['read_buffer_size', 'write_buffer_size'] as const) if (g[k] !== undefined) parseBase2Bytes(k, g[k]!);
  },
};

const httpSchema: BlockSchema = {
  attrs: {
    endpoint: { type: t.string(), default: '0.0.0.0:4318' },
    traces_url_path: { type: t.string(), default: '/v1/traces' },
    metrics_url_path: { type: t.string(), default: '/v1/metrics' },
    logs_url_path: { type: t.string(), default: '/v1/logs' },
    max_request_body_size: { type: t.string(), default: '20MiB' },
    include_metadata: { type: t.bool(), default: false },
    compression_algorithms: { type: t.array(t.string()), default: ['', 'gzip', 'zstd', 'zlib', 'snappy', 'deflate', 'lz4'] },
    idle_timeout: { type: t.duration(), default: 60_000 },
    keep_alives_enabled: { type: t.bool(), default: true },
    read_header_timeout: { type: t.duration(), default: 60_000 },
    read_timeout: { type: t.duration(), default: 0 },
    write_timeout: { type: t.duration(), default: 30_000 },
    auth: authAttr,
  },
  blocks: {
    tls: { schema: tlsServerSchema },
    cors: {
      schema: {
        attrs: {
          allowed_origins: { type: t.array(t.string()), default: [] },
          allowed_headers: { type: t.array(t.string()), default: ['X-Requested-With'] },
          exposed_headers: { type: t.array(t.string()), default: [] },
          max_age: { type: t.number() },
        },
      },
    },
  },
  validate: (h: HttpBlock) => {
    parseBase2Bytes('max_request_body_size', h.max_request_body_size);
    for (const [k, v] of [['traces_url_path', h.traces_url_path], ['metrics_url_path', h.metrics_url_path], ['logs_url_path', h.logs_url_path]] as const) {
      if (!v.startsWith('/')) throw new Error(`${k}: ${JSON.stringify(v)} must start with "/"`);
    }
  },
};

type Server = OtlpGrpcServer | OtlpHttpReceiver;

class OtlpReceiver {
  readonly #ctx: ComponentContext;
  readonly #sink: ReceiverSink;
  readonly #rpc: RpcServerMetrics;
  #servers: Server[] = [];
  #key = '';
  #auth: (OtelAuthHandler | undefined)[] = [];
  #warned = new Set<string>();

  constructor(ctx: ComponentContext) {
    this.#ctx = ctx;
    this.#sink = new ReceiverSink(outputOf(undefined), new ReceiverMetrics(ctx.metrics, 'otlp'));
    this.#rpc = new RpcServerMetrics(ctx.metrics);
  }

  #warnOnce(what: string, msg: string): void {
    if (this.#warned.has(what)) return;
    this.#warned.add(what);
    this.#ctx.logger.warn(msg);
  }

  async update(args: OtlpReceiverArgs): Promise<void> {
    this.#sink.setOutput(withLiveTap(outputOf(args.output), this.#ctx.liveDebugging));
    const { grpc, http } = args;
    const key = JSON.stringify({ grpc, http }, (k, v) => (k === 'auth' ? (v as OtelAuthHandler | undefined)?.componentId : v && typeof v === 'object' && 'reveal' in v ? (v as { reveal(): string }).reveal() : v));
    const auth = [grpc?.auth, http?.auth];
    if (key === this.#key && auth.every((a, i) => a === this.#auth[i])) return;
    await this.#stopServers();
    this.#key = key;
    this.#auth = auth;
    for (const [name, b] of [['grpc', grpc], ['http', http]] as const) {
      if (b?.tls?.ca_file || b?.tls?.ca_pem) this.#warnOnce(`${name}.tls.ca`, `${name}.tls: ca_file / ca_pem have no effect on a server (as in the Collector); use client_ca_file to verify clients`);
    }
    if (grpc) {
      for (const k of ['read_buffer_size', 'write_buffer_size'] as const) {
        if (grpc[k] !== undefined) this.#warnOnce(k, `grpc.${k} is accepted but not applied: grpc-js sizes its socket buffers itself`);
      }
      const a: GrpcServerArgs = { ...grpc, transport: grpc.transport as 'tcp' | 'unix', max_recv_msg_size: parseBase2Bytes('max_recv_msg_size', grpc.max_recv_msg_size) };
      this.#servers.push(await OtlpGrpcServer.start(a, this.#sink, this.#ctx.logger, 'grpc', this.#rpc));
    }
    if (http) {
      const unsupported = http.compression_algorithms.filter((c) => !SUPPORTED_ENCODINGS.includes(c));
      if (unsupported.length > 0) {
        this.#warnOnce('compression', `http.compression_algorithms: ${unsupported.join(', ')} cannot be decoded by this build; requests using them get 400`);
      }
      const a: HttpReceiverArgs = { ...http, max_request_body_size: parseBase2Bytes('max_request_body_size', http.max_request_body_size) };
      this.#servers.push(await OtlpHttpReceiver.start(a, this.#sink, this.#ctx.logger, 'http'));
    }
    this.#ctx.setHealth('healthy');
  }

  async #stopServers(): Promise<void> {
    const old = this.#servers;
    this.#servers = [];
    await Promise.all(old.map((s) => s.stop()));
  }

  /** Ports actually bound (grpc first), for tests and debug info. */
  ports(): number[] {
    return this.#servers.map((s) => s.port);
  }

  async stop(): Promise<void> {
    await this.#stopServers();
  }

  debugInfo(): unknown {
    return { ports: this.ports() };
  }
}

export const otlpReceiver: ComponentDefinition<OtlpReceiverArgs> = {
  name: 'otelcol.receiver.otlp',
  liveDebugging: true,
  args: {
    blocks: {
      grpc: { schema: grpcSchema },
      http: { schema: httpSchema },
      output: { schema: outputSchema, required: true },
      debug_metrics: { schema: debugMetricsSchema },
    },
  },
  exports: {},
  build: (ctx) => new OtlpReceiver(ctx),
};

registerComponent(otlpReceiver);
