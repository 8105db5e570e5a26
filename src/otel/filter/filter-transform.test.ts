// otelcol.processor.filter and .transform mechanisms over OTLP data: what is
// dropped, what is changed, error_mode, and that inputs stay untouched.
import pino from 'pino';
import type { KeyValue, Logs, Metrics, Traces } from '../../pipeline/otel.js';
import { Transformer, type StatementsBlock } from '../transform/transform.js';
import { Filter } from './filter.js';

const s = (v: string) => ({ stringValue: v });
const logger = pino({ level: 'silent' });

function traces(): Traces {
  const span = (name: string, attrs: KeyValue[], events: string[]) => ({ traceId: new Uint8Array(16), spanId: new Uint8Array(8), name, attributes: attrs, events: events.map((e) => ({ name: e, attributes: [] })) });
  return {
    resourceSpans: [
      { resource: { attributes: [{ key: 'service.name', value: s('a') }] }, scopeSpans: [{ spans: [span('GET', [{ key: 'http.request.method', value: s('GET') }], ['keep', 'drop']), span('internal', [], [])] }] },
      { resource: { attributes: [{ key: 'service.name', value: s('b') }] }, scopeSpans: [{ spans: [span('internal2', [], [])] }] },
    ],
  };
}
function metrics(): Metrics {
  return {
    resourceMetrics: [
      {
        resource: { attributes: [{ key: 'my_label', value: s('abc123') }] },
        scopeMetrics: [
          {
            metrics: [
              { name: 'my.metric', gauge: { dataPoints: [{ asDouble: 1, attributes: [] }] } },
              { name: 'h', histogram: { dataPoints: [{ count: '1', attributes: [] }] } },
              { name: 'points', sum: { dataPoints: [1, 2, 3].map((v) => ({ asInt: String(v), attributes: [{ key: 'v', value: { intValue: String(v) } }] })) } },
            ],
          },
        ],
      },
    ],
  };
}
function logs(): Logs {
  return { resourceLogs: [{ resource: { attributes: [] }, scopeLogs: [{ logRecords: [{ body: s('user password=1'), severityNumber: 17, attributes: [] }, { body: s('debug'), severityNumber: 5, attributes: [] }, { body: s('fine'), severityNumber: 13, attributes: [] }] }] }] };
}
const names = (t: Traces) => t.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((ss) => ss.spans.map((sp) => `${sp.name}[${(sp.events as { name: string }[]).map((e) => e.name).join(',')}]`)));

describe('filter', () => {
  it('drops spans and span events; empty resources go', () => {
    const input = traces();
    const out = new Filter({ error_mode: 'ignore', traces: { span: ['attributes["http.request.method"] == nil'], spanevent: ['name == "drop"'] } }, logger).apply('traces', input);
    expect(names(out)).toEqual(['GET[keep]']);
    expect(out.resourceSpans).toHaveLength(1);
    expect(names(input)).toEqual(['GET[keep,drop]', 'internal[]', 'internal2[]']);
  });
  it('drops metrics by name, resource and type, and data points', () => {
    const out = new Filter({ error_mode: 'ignore', metrics: { metric: ['name == "my.metric" and resource.attributes["my_label"] == "abc123"', 'type == METRIC_DATA_TYPE_HISTOGRAM'], datapoint: ['attributes["v"] > 1'] } }, logger).apply('metrics', metrics());
    const ms = out.resourceMetrics[0].scopeMetrics[0].metrics;
    expect(ms.map((m) => m.name)).toEqual(['points']);
    expect(ms[0].sum!.dataPoints).toHaveLength(1);
  });
  it('a metric whose points are all dropped goes', () => {
    const out = new Filter({ error_mode: 'ignore', metrics: { metric: [], datapoint: ['metric.name == "points"'] } }, logger).apply('metrics', metrics());
    expect(out.resourceMetrics[0].scopeMetrics[0].metrics.map((m) => m.name)).toEqual(['my.metric', 'h']);
  });
  it('drops log records', () => {
    const out = new Filter({ error_mode: 'ignore', logs: { log_record: ['IsMatch(body, ".*password.*")', 'severity_number < SEVERITY_NUMBER_WARN'] } }, logger).apply('logs', logs());
    expect(out.resourceLogs[0].scopeLogs[0].logRecords.map((l) => l.body)).toEqual([s('fine')]);
  });
  it('error_mode: ignore keeps the item, propagate refuses the request', () => {
    const cond = { logs: { log_record: ['IsMatch(attributes, "x")'] } };
    expect(new Filter({ error_mode: 'ignore', ...cond }, logger).apply('logs', logs()).resourceLogs[0].scopeLogs[0].logRecords).toHaveLength(3);
    expect(() => new Filter({ error_mode: 'propagate', ...cond }, logger).apply('logs', logs())).toThrow(/failed to execute IsMatch\(attributes, "x"\): IsMatch: want a string, got map/);
  });
  it('trace_conditions: explicit and inferred contexts, resources dropped whole', () => {
    const out = new Filter({ error_mode: 'ignore', trace_conditions: [{ context: 'resource', conditions: ['attributes["service.name"] == "b"'] }, { conditions: ['span.name == "internal"'] }, { conditions: ['spanevent.name == "drop" and span.name == "GET"'] }] }, logger).apply('traces', traces());
    expect(names(out)).toEqual(['GET[keep]']);
  });
  it('metric_conditions and log_conditions infer datapoint / log', () => {
    const m = new Filter({ error_mode: 'ignore', metric_conditions: [{ conditions: ['datapoint.attributes["v"] >= 2 and metric.name == "points"'] }] }, logger).apply('metrics', metrics());
    expect(m.resourceMetrics[0].scopeMetrics[0].metrics[2].sum!.dataPoints).toHaveLength(1);
    const l = new Filter({ error_mode: 'ignore', log_conditions: [{ conditions: ['log.severity_number < SEVERITY_NUMBER_WARN'] }] }, logger).apply('logs', logs());
    expect(l.resourceLogs[0].scopeLogs[0].logRecords).toHaveLength(2);
  });
  it('conditions blocks are refused with the old blocks, unprefixed paths without context, and scope', () => {
    expect(() => new Filter({ error_mode: 'ignore', logs: { log_record: [] }, log_conditions: [{ conditions: ['log.body == "x"'] }] }, logger)).toThrow(/log_conditions cannot be used together with the logs block/);
    expect(() => new Filter({ error_mode: 'ignore', log_conditions: [{ conditions: ['body == "x"'] }] }, logger)).toThrow(/log_conditions\[0\]: OTTL condition "body == \\"x\\"": column 1: path "body" has no context prefix/);
    expect(() => new Filter({ error_mode: 'ignore', trace_conditions: [{ context: 'scope', conditions: ['name == "x"'] }] }, logger)).toThrow(/context "scope" is not valid/);
  });
  it('an unsupported condition fails construction, naming it', () => {
    expect(() => new Filter({ error_mode: 'ignore', traces: { span: ['HasAttrOnDataPoint("a", "b")'], spanevent: [] } }, logger)).toThrow(/traces\.span\[0\]: OTTL condition "HasAttrOnDataPoint\(\\"a\\", \\"b\\"\)": column 1: unsupported function "HasAttrOnDataPoint"/);
  });
});

const block = (context: string, statements: string[], conditions: string[] = [], error_mode?: string): StatementsBlock => ({ context, statements, conditions, error_mode });

describe('transform', () => {
  it('runs blocks in order in their contexts, gated by conditions', () => {
    const tr = new Transformer(
      {
        error_mode: 'ignore',
        trace_statements: [block('resource', ['set(attributes["env"], "prod")']), block('span', ['set(attributes["svc"], resource.attributes["service.name"])', 'set(attributes["env"], resource.attributes["env"])'], ['name == "GET"'])],
        metric_statements: [block('metric', ['set(description, "Sum") where type == METRIC_DATA_TYPE_SUM']), block('datapoint', ['set(attributes["double"], attributes["v"] * 2)'])],
        log_statements: [block('log', ['set(severity_text, "FAIL") where body == "debug"'])],
      },
      logger,
    );
    const input = traces();
    const t = tr.apply('traces', input);
    const spans = t.resourceSpans[0].scopeSpans[0].spans;
    expect(spans[0].attributes.map((a) => [a.key, a.value])).toEqual([['http.request.method', s('GET')], ['svc', s('a')], ['env', s('prod')]]);
    expect(spans[1].attributes).toEqual([]);
    expect(input.resourceSpans[0].resource!.attributes).toHaveLength(1);
    const m = tr.apply('metrics', metrics()).resourceMetrics[0].scopeMetrics[0].metrics[2];
    expect(m.description).toBe('Sum');
    expect((m.sum!.dataPoints[2] as { attributes: KeyValue[] }).attributes[1]).toEqual({ key: 'double', value: { intValue: '6' } });
    expect(tr.apply('logs', logs()).resourceLogs[0].scopeLogs[0].logRecords.map((l) => l.severityText ?? '')).toEqual(['', 'FAIL', '']);
  });
  it('error_mode per block: ignore goes on with the next statement, propagate throws', () => {
    const sts = ['set(attributes["n"], attributes["x"] + 1)', 'set(attributes["after"], true)'];
    const ok = new Transformer({ error_mode: 'propagate', trace_statements: [block('span', sts, [], 'ignore')], metric_statements: [], log_statements: [] }, logger).apply('traces', traces());
    const a = ok.resourceSpans[0].scopeSpans[0].spans[0].attributes;
    expect(a.find((x) => x.key === 'after')).toBeDefined();
    expect(a.find((x) => x.key === 'n')).toBeUndefined();
    const bad = new Transformer({ error_mode: 'propagate', trace_statements: [block('span', sts)], metric_statements: [], log_statements: [] }, logger);
    expect(() => bad.apply('traces', traces())).toThrow(/cannot compute nil \+ int/);
  });
  it('the statements block infers each list\'s context', () => {
    const tr = new Transformer({ error_mode: 'ignore', trace_statements: [], metric_statements: [], log_statements: [], statements: { trace: ['set(span.attributes["r"], resource.attributes["service.name"])'], metric: ['set(metric.description, "test passed") where datapoint.attributes["v"] == 3'], log: ['set(resource.attributes["seen"], true)'] } }, logger);
    const t = tr.apply('traces', traces());
    expect(t.resourceSpans[1].scopeSpans[0].spans[0].attributes).toEqual([{ key: 'r', value: s('b') }]);
    const ms = tr.apply('metrics', metrics()).resourceMetrics[0].scopeMetrics[0].metrics;
    expect(ms.map((m) => m.description ?? '')).toEqual(['', '', 'test passed']);
    expect(tr.apply('logs', logs()).resourceLogs[0].resource!.attributes).toEqual([{ key: 'seen', value: { boolValue: true } }]);
    expect(() => new Transformer({ error_mode: 'ignore', trace_statements: [], metric_statements: [], log_statements: [], statements: { trace: ['set(name, "x")'], metric: [], log: [] } }, logger)).toThrow(/statements\.trace: OTTL statement "set\(name, \\"x\\"\)": column 5: path "name" has no context prefix/);
  });
  it('a context that is not the signal\'s is refused', () => {
    expect(() => new Transformer({ error_mode: 'ignore', trace_statements: [block('log', ['set(body, "x")'])], metric_statements: [], log_statements: [] }, logger)).toThrow(/trace_statements\[0\]: context "log" is not valid for traces/);
    expect(() => new Transformer({ error_mode: 'ignore', trace_statements: [], metric_statements: [block('metric', ['set(description, "x")', 'convert_sum_to_gauge()'])], log_statements: [] }, logger)).toThrow(/metric_statements\[0\]\.statements\[1\]: OTTL statement "convert_sum_to_gauge\(\)": column 1: unsupported function/);
  });
});
