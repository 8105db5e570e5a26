// otelcol.receiver.prometheus: a Prometheus metrics receiver whose samples
// become OTLP metrics (src/otel/bridge/prom-to-otlp.ts) for the output block's
// consumers. Family types (counter, gauge, histogram, summary, ...) come from
// the metadata the producer sends with its extras: the receiver asks for it
// (wantsMetadata), so prometheus.scrape sends it whatever honor_metadata says,
// as Alloy's receiver reads the scrape's metadata store. A family without
// metadata (a producer that sends none) becomes a gauge.
import { registerComponent } from '../../../runtime/registry.js';
import { t, type ComponentContext, type ComponentDefinition } from '../../../runtime/types.js';
import { METRICS_RECEIVER, metricsReceiver, type HistogramSample, type MetricsExtras, type Sample } from '../../../pipeline/metrics.js';
import type { OtelOutput } from '../../../pipeline/otel.js';
import { debugMetricsSchema, outputOf, outputSchema } from '../../../otel/config-schema.js';
import { ReceiverMetrics } from '../../../otel/receiver-metrics.js';
import { ReceiverSink } from '../../../otel/receiver-sink.js';
import { PrometheusToOtlp } from '../../../otel/bridge/prom-to-otlp.js';

export interface PrometheusReceiverArgs {
  output: Partial<OtelOutput>;
}

/** The Collector's prometheusreceiver reports its points under transport "http" (scraping). */
const TRANSPORT = 'http';

class PrometheusReceiverComponent {
  readonly #ctx: ComponentContext;
  readonly #sink: ReceiverSink;
  readonly #obs: ReceiverMetrics;
  readonly #conv = new PrometheusToOtlp();

  constructor(ctx: ComponentContext, args: PrometheusReceiverArgs) {
    this.#ctx = ctx;
    this.#obs = new ReceiverMetrics(ctx.metrics, 'prometheus');
    this.#sink = new ReceiverSink(outputOf(args.output), this.#obs);
    ctx.setExports({
      receiver: metricsReceiver({
        wantsMetadata: true,
        append: (samples: Sample[]) => this.#deliver(samples, []),
        appendExtras: (x: MetricsExtras) => {
          this.#conv.addMetadata(x.metadata);
          const delivered = this.#deliver([], x.histograms);
          // The scraper sends extras before the floats of the same scrape: exemplars join those points.
          this.#conv.addExemplars(x.exemplars);
          return delivered;
        },
      }),
    });
    ctx.setHealth('healthy');
  }

  update(args: PrometheusReceiverArgs): void {
    this.#sink.setOutput(outputOf(args.output));
  }

  async #deliver(samples: Sample[], histograms: HistogramSample[]): Promise<void> {
    if (samples.length === 0 && histograms.length === 0) return;
    const r = this.#conv.convert(samples, histograms);
    if (r.rejected > 0) {
      this.#obs.refused('metrics', TRANSPORT, r.rejected);
      this.#ctx.logger.warn({ rejected: r.rejected, reasons: r.errors }, 'samples that cannot become OTLP points were dropped');
    }
    if (r.points === 0) return;
    await this.#sink.deliver('metrics', r.metrics, {}, TRANSPORT);
  }
}

export const prometheusReceiver: ComponentDefinition<PrometheusReceiverArgs> = {
  name: 'otelcol.receiver.prometheus',
  args: { blocks: { output: { schema: outputSchema, required: true }, debug_metrics: { schema: debugMetricsSchema } } },
  exports: { receiver: t.capsule(METRICS_RECEIVER) },
  build: (ctx, args) => new PrometheusReceiverComponent(ctx, args),
};

registerComponent(prometheusReceiver);
