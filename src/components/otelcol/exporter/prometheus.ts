// otelcol.exporter.prometheus: OTLP metrics from otelcol components, converted
// to Prometheus series (src/otel/bridge/otlp-to-prom.ts) and appended to the
// forward_to receivers. Traces and logs sent to its input are ignored.
import { registerComponent } from '../../../runtime/registry.js';
import { t, type ComponentContext, type ComponentDefinition } from '../../../runtime/types.js';
import { extrasEmpty, METRICS_RECEIVER, type MetricsReceiver } from '../../../pipeline/metrics.js';
import { OTELCOL_CONSUMER, otelConsumer, type Metrics } from '../../../pipeline/otel.js';
import { debugMetricsSchema } from '../../../otel/config-schema.js';
import { ExporterMetrics } from '../../../otel/exporter/exporter-metrics.js';
import { FanoutMetrics } from '../../../otel/bridge/bridge-metrics.js';
import { OtlpToPrometheus, type PromConvertOptions } from '../../../otel/bridge/otlp-to-prom.js';

export interface PrometheusExporterArgs extends PromConvertOptions {
  forward_to: MetricsReceiver[];
  gc_frequency: number;
}

/** Alloy's converter forgets a series five minutes after it was last seen, whatever gc_frequency is. */
export const SERIES_STALE_MS = 5 * 60_000;

class PrometheusExporter {
  readonly #ctx: ComponentContext;
  readonly #conv: OtlpToPrometheus;
  readonly #metrics: ExporterMetrics;
  readonly #fanout: FanoutMetrics;
  #args!: PrometheusExporterArgs;
  #gcTimer: NodeJS.Timeout | undefined;
  #gcEvery = 0;
  #warnedExtras = false;

  constructor(ctx: ComponentContext, args: PrometheusExporterArgs) {
    this.#ctx = ctx;
    this.#conv = new OtlpToPrometheus(args);
    this.#metrics = new ExporterMetrics(ctx.metrics, ctx.id);
    this.#fanout = new FanoutMetrics(ctx.metrics);
    this.update(args);
    ctx.setExports({
      input: otelConsumer({
        consumeTraces: async () => {},
        consumeLogs: async () => {},
        consumeMetrics: (d) => this.#consume(d),
      }),
    });
  }

  update(args: PrometheusExporterArgs): void {
    this.#args = args;
    this.#conv.setOptions(args);
    if (args.gc_frequency !== this.#gcEvery) {
      if (this.#gcTimer) clearInterval(this.#gcTimer);
      this.#gcEvery = args.gc_frequency;
      this.#gcTimer = setInterval(() => this.#conv.gc(SERIES_STALE_MS), args.gc_frequency);
      this.#gcTimer.unref();
    }
    this.#ctx.setHealth('healthy');
  }

  async #consume(data: Metrics): Promise<void> {
    const out = this.#conv.convert(data);
    if (out.errors.length > 0) this.#ctx.logger.debug({ errors: out.errors.slice(0, 5), dropped: out.droppedPoints }, 'metric points dropped in conversion');
    if (out.droppedPoints > 0) this.#metrics.failed('metrics', out.droppedPoints);
    const receivers = this.#args.forward_to;
    const hasExtras = !extrasEmpty(out.extras);
    try {
      await Promise.all(
        receivers.map(async (r) => {
          if (out.samples.length > 0) await r.append(out.samples);
          if (!hasExtras) return;
          if (r.appendExtras) await r.appendExtras(out.extras);
          else if (!this.#warnedExtras) {
            this.#warnedExtras = true;
            this.#ctx.logger.warn('a forward_to receiver takes no native histograms, exemplars or metadata; they are dropped for it');
          }
        }),
      );
    } catch (e) {
      this.#metrics.failed('metrics', out.convertedPoints);
      throw e;
    }
    this.#fanout.forwarded.inc(out.samples.length * receivers.length);
    this.#metrics.sent('metrics', out.convertedPoints);
  }

  stop(): void {
    if (this.#gcTimer) clearInterval(this.#gcTimer);
  }

  debugInfo(): unknown {
    return { active_series: this.#conv.seriesCount };
  }
}

export const prometheusExporter: ComponentDefinition<PrometheusExporterArgs> = {
  name: 'otelcol.exporter.prometheus',
  args: {
    attrs: {
      forward_to: { type: t.array(t.capsule(METRICS_RECEIVER)), required: true },
      add_metric_suffixes: { type: t.bool(), default: true },
      convert_classic_histograms_to_nhcb: { type: t.bool(), default: false, stability: 'experimental' },
      start_timestamp_zero_ingestion: { type: t.bool(), default: false, stability: 'experimental' },
      gc_frequency: { type: t.duration(), default: 5 * 60_000 },
      honor_metadata: { type: t.bool(), default: false },
      include_scope_info: { type: t.bool(), default: false },
      include_scope_labels: { type: t.bool(), default: true },
      include_target_info: { type: t.bool(), default: true },
      keep_identifying_resource_attributes: { type: t.bool(), default: false },
      resource_to_telemetry_conversion: { type: t.bool(), default: false },
    },
    blocks: { debug_metrics: { schema: debugMetricsSchema } },
    validate: (a: PrometheusExporterArgs) => {
      if (!(a.gc_frequency > 0)) throw new Error('gc_frequency must be greater than 0');
    },
  },
  exports: { input: t.capsule(OTELCOL_CONSUMER) },
  build: (ctx, args) => new PrometheusExporter(ctx, args),
};

registerComponent(prometheusExporter);
