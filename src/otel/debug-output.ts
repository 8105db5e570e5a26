// What otelcol.exporter.debug writes (the Collector's debug exporter): a
// one-line summary per batch (basic, normal), or every record in text
// (detailed); sampled as zap's sampler does it, per second: the first
// `initial` messages, then every `thereafter`-th.
import type { AnyValue, KeyValue, Logs, Metrics, Signal, SignalData, Traces } from '../pipeline/otel.js';
import { itemCount } from './model.js';

export class Sampler {
  #second = -1;
  #count = 0;
  constructor(
    private readonly initial: number,
    private readonly thereafter: number,
    private readonly now: () => number = Date.now,
  ) {}

  allow(): boolean {
    const s = Math.floor(this.now() / 1000);
    if (s !== this.#second) {
      this.#second = s;
      this.#count = 0;
    }
    this.#count++;
    if (this.#count <= this.initial) return true;
    return this.thereafter > 0 && (this.#count - this.initial) % this.thereafter === 0;
  }
}

const SUMMARY_MSG: Record<Signal, string> = { traces: 'TracesExporter', metrics: 'MetricsExporter', logs: 'LogsExporter' };

export function summary<S extends Signal>(signal: S, data: SignalData[S]): { msg: string; fields: Record<string, number> } {
  if (signal === 'traces') return { msg: SUMMARY_MSG.traces, fields: { 'resource spans': (data as Traces).resourceSpans.length, spans: itemCount('traces', data as Traces) } };
  if (signal === 'metrics') {
    const m = data as Metrics;
    const metrics = m.resourceMetrics.reduce((n, r) => n + r.scopeMetrics.reduce((k, s) => k + s.metrics.length, 0), 0);
    return { msg: SUMMARY_MSG.metrics, fields: { 'resource metrics': m.resourceMetrics.length, metrics, 'data points': itemCount('metrics', m) } };
  }
  return { msg: SUMMARY_MSG.logs, fields: { 'resource logs': (data as Logs).resourceLogs.length, 'log records': itemCount('logs', data as Logs) } };
}

function anyValue(v: AnyValue | undefined): string {
  if (!v) return 'Empty()';
  if (v.stringValue !== undefined) return `Str(${v.stringValue})`;
  if (v.boolValue !== undefined) return `Bool(${v.boolValue})`;
  if (v.intValue !== undefined) return `Int(${v.intValue})`;
  if (v.doubleValue !== undefined) return `Double(${v.doubleValue})`;
  if (v.bytesValue !== undefined) return `Bytes(${Buffer.from(v.bytesValue).toString('base64')})`;
  if (v.arrayValue) return `Slice(${JSON.stringify(v.arrayValue.values.map(anyValue))})`;
  if (v.kvlistValue) return `Map(${JSON.stringify(Object.fromEntries(v.kvlistValue.values.map((kv) => [kv.key, anyValue(kv.value)])))})`;
  return 'Empty()';
}

function attrs(title: string, list: KeyValue[] | undefined, out: string[]): void {
  if (!list || list.length === 0) return;
  out.push(`${title}:`);
  for (const kv of list) out.push(`     -> ${kv.key}: ${anyValue(kv.value)}`);
}

const hex = (b: Uint8Array | undefined) => (b ? Buffer.from(b).toString('hex') : '');
const SPAN_KINDS = ['Unspecified', 'Internal', 'Server', 'Client', 'Producer', 'Consumer'];

/** Every record of the data as text (verbosity "detailed"). */
export function detailed<S extends Signal>(signal: S, data: SignalData[S]): string {
  const out: string[] = [];
  if (signal === 'traces') {
    (data as Traces).resourceSpans.forEach((r, i) => {
      out.push(`ResourceSpans #${i}`, `Resource SchemaURL: ${r.schemaUrl ?? ''}`);
      attrs('Resource attributes', r.resource?.attributes, out);
      r.scopeSpans.forEach((s, j) => {
        out.push(`ScopeSpans #${j}`, `ScopeSpans SchemaURL: ${s.schemaUrl ?? ''}`, `InstrumentationScope ${s.scope?.name ?? ''} ${s.scope?.version ?? ''}`.trimEnd());
        s.spans.forEach((sp, k) => {
          out.push(`Span #${k}`, `    Trace ID       : ${hex(sp.traceId)}`, `    Parent ID      : ${hex(sp.parentSpanId)}`, `    ID             : ${hex(sp.spanId)}`, `    Name           : ${sp.name}`, `    Kind           : ${SPAN_KINDS[sp.kind ?? 0] ?? sp.kind}`, `    Start time     : ${sp.startTimeUnixNano ?? ''}`, `    End time       : ${sp.endTimeUnixNano ?? ''}`);
          attrs('Attributes', sp.attributes, out);
        });
      });
    });
  } else if (signal === 'metrics') {
    (data as Metrics).resourceMetrics.forEach((r, i) => {
      out.push(`ResourceMetrics #${i}`, `Resource SchemaURL: ${r.schemaUrl ?? ''}`);
      attrs('Resource attributes', r.resource?.attributes, out);
      r.scopeMetrics.forEach((s, j) => {
        out.push(`ScopeMetrics #${j}`, `InstrumentationScope ${s.scope?.name ?? ''} ${s.scope?.version ?? ''}`.trimEnd());
        s.metrics.forEach((m, k) => {
          const kind = (['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary'] as const).find((x) => m[x]) ?? 'empty';
          out.push(`Metric #${k}`, 'Descriptor:', `     -> Name: ${m.name}`, `     -> Description: ${m.description ?? ''}`, `     -> Unit: ${m.unit ?? ''}`, `     -> DataType: ${kind[0].toUpperCase()}${kind.slice(1)}`);
          const points = (m[kind as 'gauge']?.dataPoints ?? []) as Record<string, unknown>[];
          points.forEach((p, n) => out.push(`NumberDataPoint #${n}`, `Value: ${p.asDouble ?? p.asInt ?? p.sum ?? ''}`));
        });
      });
    });
  } else {
    (data as Logs).resourceLogs.forEach((r, i) => {
      out.push(`ResourceLog #${i}`, `Resource SchemaURL: ${r.schemaUrl ?? ''}`);
      attrs('Resource attributes', r.resource?.attributes, out);
      r.scopeLogs.forEach((s, j) => {
        out.push(`ScopeLogs #${j}`, `InstrumentationScope ${s.scope?.name ?? ''} ${s.scope?.version ?? ''}`.trimEnd());
        s.logRecords.forEach((l, k) => {
          out.push(`LogRecord #${k}`, `ObservedTimestamp: ${l.observedTimeUnixNano ?? ''}`, `Timestamp: ${l.timeUnixNano ?? ''}`, `SeverityText: ${l.severityText ?? ''}`, `SeverityNumber: ${l.severityNumber ?? 0}`, `Body: ${anyValue(l.body)}`);
          attrs('Attributes', l.attributes, out);
          out.push(`Trace ID: ${hex(l.traceId)}`, `Span ID: ${hex(l.spanId)}`);
        });
      });
    });
  }
  return out.join('\n');
}
