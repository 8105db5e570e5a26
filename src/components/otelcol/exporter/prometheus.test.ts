import { jest } from '@jest/globals';
import { makeTestContext } from '../../../../e2e/lib/component-context.js';
import type { MetricsExtras, MetricsReceiver, Sample } from '../../../pipeline/metrics.js';
import type { Metrics, OtelConsumer } from '../../../pipeline/otel.js';
import { prometheusExporter, type PrometheusExporterArgs } from './prometheus.js';
import { lokiExporter } from './loki.js';
import type { LogEntry } from '../../../pipeline/logs.js';

const ARGS: Omit<PrometheusExporterArgs, 'forward_to'> = {
  include_target_info: false,
  include_scope_info: false,
  include_scope_labels: false,
  add_metric_suffixes: true,
  resource_to_telemetry_conversion: false,
  honor_metadata: false,
  convert_classic_histograms_to_nhcb: false,
  keep_identifying_resource_attributes: false,
  start_timestamp_zero_ingestion: false,
  gc_frequency: 60_000,
};

class Sink implements MetricsReceiver {
  samples: Sample[] = [];
  extras: MetricsExtras[] = [];
  refuse?: string;
  async append(s: Sample[]): Promise<void> {
    if (this.refuse) throw new Error(this.refuse);
    this.samples.push(...s);
  }
  async appendExtras(x: MetricsExtras): Promise<void> {
    this.extras.push(x);
  }
}

const gauge = (tMs: number): Metrics => ({
  resourceMetrics: [{ resource: { attributes: [] }, scopeMetrics: [{ metrics: [{ name: 'g', gauge: { dataPoints: [{ timeUnixNano: (BigInt(tMs) * 1_000_000n).toString(), asDouble: 1 }] } }] }] }],
});

async function counter(ctx: ReturnType<typeof makeTestContext>, name: string): Promise<number> {
  const m = (await ctx.metrics.getMetricsAsJSON()).find((x) => x.name === name) as unknown as { values: { value: number }[] } | undefined;
  return (m?.values ?? []).reduce((a, v) => a + v.value, 0);
}

describe('otelcol.exporter.prometheus component', () => {
  afterEach(() => jest.useRealTimers());

  test('gc_frequency drives the forgetting of series unseen for five minutes', async () => {
    jest.useFakeTimers({ now: 1_700_000_000_000 });
    const ctx = makeTestContext({ id: 'otelcol.exporter.prometheus.gc' });
    const sink = new Sink();
    const comp = prometheusExporter.build(ctx, { ...ARGS, forward_to: [sink] }) as { stop(): void; debugInfo(): { active_series: number } };
    const input = ctx.exports.input as OtelConsumer;
    const t0 = Date.now();
    await input.consumeMetrics(gauge(t0));
    await input.consumeMetrics(gauge(t0 - 1000)); // older: skipped
    expect(sink.samples.map((s) => s.t)).toEqual([t0]);
    expect(comp.debugInfo().active_series).toBe(1);
    jest.advanceTimersByTime(4 * 60_000);
    expect(comp.debugInfo().active_series).toBe(1);
    jest.advanceTimersByTime(2 * 60_000);
    expect(comp.debugInfo().active_series).toBe(0);
    await input.consumeMetrics(gauge(t0 - 1000)); // forgotten: accepted again
    expect(sink.samples.map((s) => s.t)).toEqual([t0, t0 - 1000]);
    comp.stop();
  });

  test('a refusing receiver rejects the request and counts the points as failed; traces and logs are ignored', async () => {
    const ctx = makeTestContext({ id: 'otelcol.exporter.prometheus.refuse' });
    const sink = new Sink();
    sink.refuse = 'wal full';
    const comp = prometheusExporter.build(ctx, { ...ARGS, forward_to: [sink] }) as { stop(): void };
    const input = ctx.exports.input as OtelConsumer;
    await expect(input.consumeMetrics(gauge(Date.now()))).rejects.toThrow('wal full');
    expect(await counter(ctx, 'otelcol_exporter_send_failed_metric_points_total')).toBe(1);
    expect(await counter(ctx, 'otelcol_exporter_sent_metric_points_total')).toBe(0);
    await expect(input.consumeTraces({ resourceSpans: [] })).resolves.toBeUndefined();
    await expect(input.consumeLogs({ resourceLogs: [] })).resolves.toBeUndefined();
    sink.refuse = undefined;
    await input.consumeMetrics(gauge(Date.now() + 1));
    expect(await counter(ctx, 'otelcol_exporter_sent_metric_points_total')).toBe(1);
    expect(await counter(ctx, 'prometheus_forwarded_samples_total')).toBe(1);
    comp.stop();
  });

  test('gc_frequency must be positive', () => {
    expect(() => prometheusExporter.args.validate!({ ...ARGS, forward_to: [], gc_frequency: 0 })).toThrow('gc_frequency must be greater than 0');
  });

  test('honor_metadata sends metadata through appendExtras', async () => {
    const ctx = makeTestContext({ id: 'otelcol.exporter.prometheus.md' });
    const sink = new Sink();
    const comp = prometheusExporter.build(ctx, { ...ARGS, honor_metadata: true, forward_to: [sink] }) as { stop(): void };
    await (ctx.exports.input as OtelConsumer).consumeMetrics(gauge(Date.now()));
    expect(sink.extras.flatMap((x) => x.metadata.map((m) => [m.family, m.type]))).toEqual([['g', 'gauge']]);
    comp.stop();
  });
});

describe('otelcol.exporter.loki component', () => {
  test('entries reach every receiver; a bad record is counted and skipped', async () => {
    const ctx = makeTestContext({ id: 'otelcol.exporter.loki.t' });
    const got: LogEntry[][] = [[], []];
    const recv = (i: number) => ({ append: async (e: LogEntry[]) => void got[i].push(...e) });
    lokiExporter.build(ctx, { forward_to: [recv(0), recv(1)] });
    await (ctx.exports.input as OtelConsumer).consumeLogs({
      resourceLogs: [{ resource: { attributes: [] }, scopeLogs: [{ logRecords: [{ body: { stringValue: 'a' }, attributes: [] }, { body: { stringValue: 'b' }, attributes: [{ key: 'loki.format', value: { stringValue: 'yaml' } }] }] }] }],
    });
    expect(got.map((g) => g.map((e) => e.line))).toEqual([['{"body":"a"}'], ['{"body":"a"}']]);
    expect(await counter(ctx, 'otelcol_exporter_loki_entries_failed')).toBe(1);
    expect(await counter(ctx, 'otelcol_exporter_loki_entries_processed')).toBe(1);
  });
});
