// otelcol.exporter.otlp: sends what its `input` receives to an OTLP/gRPC
// server. Transport in src/otel/exporter/grpc-transport.ts; queue and retries
// in src/otel/exporter/sender.ts.
import { registerComponent } from '../../../runtime/registry.js';
import { t, type BlockSchema, type ComponentContext, type ComponentDefinition } from '../../../runtime/types.js';
import { OTELCOL_CONSUMER } from '../../../pipeline/otel.js';
import { authAttr, exporterBlocks } from '../../../otel/config-schema.js';
import { Exporter, type ExporterCommonArgs } from '../../../otel/exporter/exporter.js';
import { GRPC_COMPRESSIONS, GrpcTransport, type GrpcClientArgs } from '../../../otel/exporter/grpc-transport.js';
import { tlsClientSchema } from '../../../otel/tls.js';
import { parseBase2Bytes } from '../../../otel/units.js';

interface ClientBlock extends GrpcClientArgs {
  read_buffer_size?: string;
  write_buffer_size?: string;
}

export interface OtlpExporterArgs extends ExporterCommonArgs {
  timeout: number;
  client: ClientBlock;
}

const clientSchema: BlockSchema = {
  attrs: {
    endpoint: { type: t.string(), required: true },
    auth: authAttr,
    authority: { type: t.string() },
    balancer_name: { type: t.string(), default: 'round_robin' },
    compression: { type: t.string(), default: 'gzip' },
    headers: { type: t.map(t.string()), default: {} },
    read_buffer_size: { type: t.string() },
    wait_for_ready: { type: t.bool(), default: false },
    write_buffer_size: { type: t.string() },
  },
  blocks: {
    tls: { schema: tlsClientSchema },
    keepalive: { schema: { attrs: { ping_wait: { type: t.duration() }, ping_response_timeout: { type: t.duration() }, ping_without_stream: { type: t.bool() } } } },
  },
  validate: (c: ClientBlock) => {
    if (!GRPC_COMPRESSIONS.includes(c.compression)) throw new Error(`compression: ${JSON.stringify(c.compression)} is not supported over gRPC here (want one of "gzip", "deflate", "zlib", "none", "")`);
    if (c.balancer_name !== 'round_robin' && c.balancer_name !== 'pick_first') throw new Error(`balancer_name: ${JSON.stringify(c.balancer_name)} (want "round_robin" or "pick_first")`);
    for (const k of ['read_buffer_size', 'write_buffer_size'] as const) if (c[k] !== undefined) parseBase2Bytes(k, c[k]!);
  },
};

class OtlpExporter {
  readonly #ctx: ComponentContext;
  readonly #exporter: Exporter;
  #warned = false;

  constructor(ctx: ComponentContext) {
    this.#ctx = ctx;
    this.#exporter = new Exporter(ctx.metrics, ctx.id, ctx.logger);
    ctx.setExports({ input: this.#exporter.input });
  }

  update(args: OtlpExporterArgs): void {
    if (this.#exporter.unchanged(args, args.client.auth)) return;
    if (!this.#warned && (args.client.read_buffer_size !== undefined || args.client.write_buffer_size !== undefined)) {
      this.#warned = true;
      this.#ctx.logger.warn('client.read_buffer_size and client.write_buffer_size are accepted but not applied: grpc-js sizes its socket buffers itself');
    }
    this.#exporter.configure(new GrpcTransport(args.client, this.#ctx.logger), args, args.timeout);
    this.#ctx.setHealth('healthy');
  }

  stop(): Promise<void> {
    return this.#exporter.stop();
  }
}

export const otlpExporter: ComponentDefinition<OtlpExporterArgs> = {
  name: 'otelcol.exporter.otlp',
  args: {
    attrs: { timeout: { type: t.duration(), default: 5_000 } },
    blocks: { client: { schema: clientSchema, required: true }, ...exporterBlocks },
  },
  exports: { input: t.capsule(OTELCOL_CONSUMER) },
  build: (ctx) => new OtlpExporter(ctx),
};

registerComponent(otlpExporter);
