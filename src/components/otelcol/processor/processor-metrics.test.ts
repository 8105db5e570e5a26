// The processorhelper self-metrics of otelcol.processor.attributes, filter,
// transform and k8sattributes, and filter's dropped-item counters, as the
// components expose them on /metrics: names and labels as the Collector (via
// Alloy) has them, every series carrying its component_id.
import { counterValue, otelController, recorders } from '../../../../e2e/lib/otel-support.js';
import type { Controller } from '../../../runtime/controller.js';
import type { Logs, Metrics, OtelConsumer, Traces } from '../../../pipeline/otel.js';

const traces = (names: string[]): Traces => ({
  resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ spans: names.map((name, i) => ({ traceId: Buffer.alloc(16, i + 1), spanId: Buffer.alloc(8, i + 1), name, attributes: [] })) }] }],
});
const metrics = (points: number[]): Metrics =>
  ({
    resourceMetrics: [{ resource: { attributes: [] }, scopeMetrics: [{ metrics: [{ name: 'm', gauge: { dataPoints: points.map((v) => ({ asDouble: v, attributes: [], timeUnixNano: 1 })) } }] }] }],
  }) as unknown as Metrics;
const logs = (bodies: string[]): Logs => ({
  resourceLogs: [{ resource: { attributes: [] }, scopeLogs: [{ logRecords: bodies.map((b) => ({ body: { stringValue: b }, attributes: [], timeUnixNano: '1' })) }] }],
});

const CONFIG = `
otelcol.processor.attributes "a" {
  action {
    key    = "k"
    value  = "v"
    action = "insert"
  }
  output {
    traces  = [otelcol.processor.filter.f.input]
    metrics = [otelcol.processor.filter.f.input]
    logs    = [otelcol.processor.filter.f.input]
  }
}
otelcol.processor.filter "f" {
  traces { span = ["name == \\"drop\\""] }
  metrics { datapoint = ["value_double < 0"] }
  logs { log_record = ["body == \\"drop\\""] }
  output {
    traces  = [otelcol.processor.transform.t.input]
    metrics = [otelcol.processor.transform.t.input]
    logs    = [otelcol.processor.transform.t.input]
  }
}
otelcol.processor.transform "t" {
  trace_statements {
    context    = "span"
    statements = ["set(attributes[\\"t\\"], true)"]
  }
  output {
    traces  = [otelcol.processor.k8sattributes.k.input]
    metrics = [otelcol.processor.k8sattributes.k.input]
    logs    = [otelcol.processor.k8sattributes.k.input]
  }
}
otelcol.processor.k8sattributes "k" {
  passthrough = true
  output {
    traces  = [testing.otel_recorder.procmetrics.input]
    metrics = [testing.otel_recorder.procmetrics.input]
    logs    = [testing.otel_recorder.procmetrics.input]
  }
}
testing.otel_recorder "procmetrics" { }
`;

async function metricsText(c: Controller): Promise<string> {
  return (await Promise.all(c.componentRegistries().map((r) => r.metrics()))).join('\n');
}

/** The value of the exposition line of `name` whose labels include `labels` (in any order). */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

describe('processor self-metrics', () => {
  let controller: Controller;
  beforeAll(async () => {
    ({ controller } = otelController());
    await controller.load(CONFIG, 'procmetrics.alloy');
    const input = controller.view('otelcol.processor.attributes.a')!.exports.input as OtelConsumer;
    await input.consumeTraces(traces(['keep', 'drop', 'keep2']));
    await input.consumeTraces(traces(['drop']));
    await input.consumeMetrics(metrics([1, -1, 2, -3]));
    await input.consumeLogs(logs(['drop', 'x', 'y']));
  });
  afterAll(() => controller.stop());

  test('incoming and outgoing items per processor and otel_signal; what the filter dropped is missing from its outgoing and from every later processor', async () => {
    const v = (name: string, id: string, signal: string) => counterValue(controller, name, { component_id: id, otel_signal: signal });
    const inOut = async (id: string, signal: string) => [await v('otelcol_processor_incoming_items_total', id, signal), await v('otelcol_processor_outgoing_items_total', id, signal)];
    expect(await inOut('otelcol.processor.attributes.a', 'traces')).toEqual([4, 4]);
    expect(await inOut('otelcol.processor.filter.f', 'traces')).toEqual([4, 2]);
    expect(await inOut('otelcol.processor.transform.t', 'traces')).toEqual([2, 2]);
    expect(await inOut('otelcol.processor.k8sattributes.k', 'traces')).toEqual([2, 2]);
    expect(await inOut('otelcol.processor.filter.f', 'metrics')).toEqual([4, 2]);
    expect(await inOut('otelcol.processor.transform.t', 'metrics')).toEqual([2, 2]);
    expect(await inOut('otelcol.processor.filter.f', 'logs')).toEqual([3, 2]);
    expect(await inOut('otelcol.processor.k8sattributes.k', 'logs')).toEqual([2, 2]);
    const rec = recorders.get('procmetrics')!;
    expect(rec.traces.flatMap((t) => t.data.resourceSpans[0].scopeSpans[0].spans.map((s) => s.name))).toEqual(['keep', 'keep2']);
  });

  test('filter counts the spans, data points and log records it dropped, labelled filter with its id', async () => {
    const f = { component_id: 'otelcol.processor.filter.f', filter: 'otelcol.processor.filter.f' };
    expect(await counterValue(controller, 'otelcol_processor_filter_spans_filtered_total', f)).toBe(2);
    expect(await counterValue(controller, 'otelcol_processor_filter_datapoints_filtered_total', f)).toBe(2);
    expect(await counterValue(controller, 'otelcol_processor_filter_logs_filtered_total', f)).toBe(1);
  });

  test('the exposition: names, labels, component_id and the duration histogram', async () => {
    const text = await metricsText(controller);
    expect(text).toContain('otelcol_processor_incoming_items_total{processor="otelcol.processor.filter.f",otel_signal="traces",component_id="otelcol.processor.filter.f",component_path="/"} 4');
    expect(text).toContain('otelcol_processor_outgoing_items_total{processor="otelcol.processor.filter.f",otel_signal="traces",component_id="otelcol.processor.filter.f",component_path="/"} 2');
    expect(text).toContain('otelcol_processor_filter_spans_filtered_total{filter="otelcol.processor.filter.f",component_id="otelcol.processor.filter.f",component_path="/"} 2');
    // Two trace requests reached the filter; it dropped the second whole, so one reached the transform.
    const count = (id: string) => sample(text, 'otelcol_processor_internal_duration_seconds_count', { processor: id, otel_signal: 'traces', component_id: id });
    expect(count('otelcol.processor.filter.f')).toBe(2);
    expect(count('otelcol.processor.transform.t')).toBe(1);
    expect(text).toMatch(/# TYPE otelcol_processor_internal_duration_seconds histogram/);
  });
});
