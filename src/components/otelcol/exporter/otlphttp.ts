// otelcol.exporter.otlphttp: sends what its `input` receives to an OTLP/HTTP
// server (protobuf or JSON). Transport in src/otel/exporter/http-transport.ts;
// queue and retries in src/otel/exporter/sender.ts.
import { registerComponent } from '../../../runtime/registry.js';
import { t, type BlockSchema, type ComponentContext, type ComponentDefinition } from '../../../runtime/types.js';
import { OTELCOL_CONSUMER, type Signal } from '../../../pipeline/otel.js';
import { authAttr, exporterBlocks } from '../../../otel/config-schema.js';
import { Exporter, type ExporterCommonArgs } from '../../../otel/exporter/exporter.js';
import { HTTP_COMPRESSIONS, HttpTransport, signalUrl, type HttpClientArgs } from '../../../otel/exporter/http-transport.js';
import { tlsClientSchema } from '../../../otel/tls.js';

export interface OtlpHttpExporterArgs extends ExporterCommonArgs {
  client: HttpClientArgs;
  encoding: 'proto' | 'json';
  traces_endpoint?: string;
  metrics_endpoint?: string;
  logs_endpoint?: string;
}

const clientSchema: BlockSchema = {
  attrs: {
    endpoint: { type: t.string(), required: true },
    auth: authAttr,
    compression: { type: t.string(), default: 'gzip' },
    headers: { type: t.map(t.string()), default: {} },
    timeout: { type: t.duration(), default: 30_000 },
    disable_keep_alives: { type: t.bool(), default: false },
    idle_conn_timeout: { type: t.duration(), default: 90_000 },
    max_idle_conns: { type: t.number(), default: 100 },
    max_idle_conns_per_host: { type: t.number(), default: 0 },
    max_conns_per_host: { type: t.number(), default: 0 },
  },
  blocks: { tls: { schema: tlsClientSchema } },
  validate: (c: HttpClientArgs) => {
    if (!HTTP_COMPRESSIONS.includes(c.compression)) throw new Error(`compression: ${JSON.stringify(c.compression)} is not supported here (want one of "gzip", "deflate", "zlib", "none", "")`);
    if (!/^https?:\/\//.test(c.endpoint)) throw new Error(`endpoint: ${JSON.stringify(c.endpoint)} must be an http:// or https:// URL`);
  },
};

class OtlpHttpExporter {
  readonly #ctx: ComponentContext;
  readonly #exporter: Exporter;

  constructor(ctx: ComponentContext) {
    this.#ctx = ctx;
    this.#exporter = new Exporter(ctx.metrics, ctx.id, ctx.logger);
    ctx.setExports({ input: this.#exporter.input });
  }

  update(args: OtlpHttpExporterArgs): void {
    if (this.#exporter.unchanged(args, args.client.auth)) return;
    const urls = {} as Record<Signal, string>;
    for (const s of ['traces', 'metrics', 'logs'] as Signal[]) urls[s] = args[`${s}_endpoint`] || signalUrl(args.client.endpoint, s);
    // The client timeout bounds each attempt, as confighttp's Timeout does.
    this.#exporter.configure(new HttpTransport({ client: args.client, encoding: args.encoding, urls }, this.#ctx.logger), args, args.client.timeout);
    this.#ctx.setHealth('healthy');
  }

  stop(): Promise<void> {
    return this.#exporter.stop();
  }
}

export const otlpHttpExporter: ComponentDefinition<OtlpHttpExporterArgs> = {
  name: 'otelcol.exporter.otlphttp',
  args: {
    attrs: {
      encoding: { type: t.string(), default: 'proto' },
      traces_endpoint: { type: t.string() },
      metrics_endpoint: { type: t.string() },
      logs_endpoint: { type: t.string() },
    },
    blocks: { client: { schema: clientSchema, required: true }, ...exporterBlocks },
    validate: (a: OtlpHttpExporterArgs) => {
      if (a.encoding !== 'proto' && a.encoding !== 'json') throw new Error(`encoding: ${JSON.stringify(a.encoding)} (want "proto" or "json")`);
    },
  },
  exports: { input: t.capsule(OTELCOL_CONSUMER) },
  build: (ctx) => new OtlpHttpExporter(ctx),
};

registerComponent(otlpHttpExporter);
