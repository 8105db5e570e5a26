// The OpenTelemetry pipeline contract between otelcol.* components: OTLP data
// in memory (the shape src/otel/proto.ts decodes the official protos into), the
// consumer a component exports as `input`, and the auth handler an
// otelcol.auth.* component exports as `handler`. Both are capsules, so the
// decoder refuses a loki or prometheus receiver where a consumer is wanted.
import { asCapsule, type Capsule } from '../syntax/capsule.js';

export type Signal = 'traces' | 'metrics' | 'logs';
export const SIGNALS: readonly Signal[] = ['traces', 'metrics', 'logs'];

export interface AnyValue {
  stringValue?: string;
  boolValue?: boolean;
  /** int64 as a decimal string (exact). */
  intValue?: string;
  doubleValue?: number;
  arrayValue?: { values: AnyValue[] };
  kvlistValue?: { values: KeyValue[] };
  bytesValue?: Uint8Array;
}
export interface KeyValue {
  key: string;
  value?: AnyValue;
}
export interface Resource {
  attributes: KeyValue[];
  droppedAttributesCount?: number;
  [field: string]: unknown;
}
export interface Scope {
  name?: string;
  version?: string;
  attributes?: KeyValue[];
  [field: string]: unknown;
}
export interface Span {
  traceId: Uint8Array;
  spanId: Uint8Array;
  parentSpanId?: Uint8Array;
  name: string;
  kind?: number;
  /** fixed64 nanoseconds as decimal strings. */
  startTimeUnixNano?: string;
  endTimeUnixNano?: string;
  attributes: KeyValue[];
  [field: string]: unknown;
}
export interface ScopeSpans {
  scope?: Scope;
  spans: Span[];
  schemaUrl?: string;
}
export interface ResourceSpans {
  resource?: Resource;
  scopeSpans: ScopeSpans[];
  schemaUrl?: string;
}
/** ExportTraceServiceRequest. */
export interface Traces {
  resourceSpans: ResourceSpans[];
}

/** A metric: one of gauge, sum, histogram, exponentialHistogram, summary carries `dataPoints`. */
export interface Metric {
  name: string;
  description?: string;
  unit?: string;
  gauge?: { dataPoints: unknown[] };
  sum?: { dataPoints: unknown[]; aggregationTemporality?: number; isMonotonic?: boolean };
  histogram?: { dataPoints: unknown[]; aggregationTemporality?: number };
  exponentialHistogram?: { dataPoints: unknown[]; aggregationTemporality?: number };
  summary?: { dataPoints: unknown[] };
  [field: string]: unknown;
}
export interface ScopeMetrics {
  scope?: Scope;
  metrics: Metric[];
  schemaUrl?: string;
}
export interface ResourceMetrics {
  resource?: Resource;
  scopeMetrics: ScopeMetrics[];
  schemaUrl?: string;
}
/** ExportMetricsServiceRequest. */
export interface Metrics {
  resourceMetrics: ResourceMetrics[];
}

export interface LogRecord {
  timeUnixNano?: string;
  observedTimeUnixNano?: string;
  severityNumber?: number;
  severityText?: string;
  body?: AnyValue;
  attributes: KeyValue[];
  traceId?: Uint8Array;
  spanId?: Uint8Array;
  [field: string]: unknown;
}
export interface ScopeLogs {
  scope?: Scope;
  logRecords: LogRecord[];
  schemaUrl?: string;
}
export interface ResourceLogs {
  resource?: Resource;
  scopeLogs: ScopeLogs[];
  schemaUrl?: string;
}
/** ExportLogsServiceRequest. */
export interface Logs {
  resourceLogs: ResourceLogs[];
}

export interface SignalData {
  traces: Traces;
  metrics: Metrics;
  logs: Logs;
}

/**
 * What travels with a batch besides the data: the client's request metadata
 * (receivers with include_metadata; keys lowercase) and the attributes an auth
 * handler established for it (e.g. the basic-auth username).
 */
export interface OtelContext {
  metadata?: Record<string, string[]>;
  auth?: Record<string, string>;
  /**
   * The client's address as the receiver's socket saw it (IP only, no port;
   * IPv4-mapped IPv6 unwrapped): the Collector's client.Info.Addr, used by
   * otelcol.processor.k8sattributes to associate data with a pod by connection.
   */
  clientAddress?: string;
}

/**
 * A component's `input`. Each call resolves once the data was accepted
 * downstream; a rejection means it was not (receivers answer their client with
 * an error). Consumers never modify the data they are given: one batch may be
 * fanned out to several consumers.
 */
export interface OtelConsumer {
  consumeTraces(data: Traces, ctx?: OtelContext): Promise<void>;
  consumeMetrics(data: Metrics, ctx?: OtelContext): Promise<void>;
  consumeLogs(data: Logs, ctx?: OtelContext): Promise<void>;
}

/** Capsule type name of a consumer, as Alloy names it (`output { traces = [otelcol.exporter.otlp.x.input] }`). */
export const OTELCOL_CONSUMER = 'otelcol.Consumer';

export function otelConsumer<T extends OtelConsumer>(c: T): T & Capsule {
  return asCapsule(OTELCOL_CONSUMER, c);
}

/** Hand one signal's data to a consumer. */
export function consume<S extends Signal>(c: OtelConsumer, signal: S, data: SignalData[S], ctx?: OtelContext): Promise<void> {
  switch (signal) {
    case 'traces':
      return c.consumeTraces(data as Traces, ctx);
    case 'metrics':
      return c.consumeMetrics(data as Metrics, ctx);
    default:
      return c.consumeLogs(data as Logs, ctx);
  }
}

/** Send to every consumer; resolves when all accepted, rejects with the first failure. */
export async function fanoutSignal<S extends Signal>(consumers: readonly OtelConsumer[], signal: S, data: SignalData[S], ctx?: OtelContext): Promise<void> {
  if (consumers.length === 1) return consume(consumers[0], signal, data, ctx);
  await Promise.all(consumers.map((c) => consume(c, signal, data, ctx)));
}

/** The `output` block of otelcol components: a list of consumers per signal. */
export interface OtelOutput {
  traces: OtelConsumer[];
  metrics: OtelConsumer[];
  logs: OtelConsumer[];
}

/** Request headers as the server saw them (lowercase names). */
export type RequestHeaders = Record<string, string | string[] | undefined>;

/**
 * An otelcol.auth.* component's `handler`. `authenticate` is the server side
 * (receivers' `auth`): resolves with the attributes of an accepted request,
 * rejects with the reason otherwise. `setHeaders` is the client side
 * (exporters' `auth`): it edits the outgoing request's headers in place. A
 * handler offers either or both; using a missing side fails the request.
 */
export interface OtelAuthHandler {
  /** The component that exported it, for error messages. */
  readonly componentId: string;
  authenticate?(headers: RequestHeaders): Promise<Record<string, string>>;
  setHeaders?(headers: Record<string, string>, ctx?: OtelContext): Promise<void>;
}

export const OTELCOL_HANDLER = 'otelcol.Handler';

export function otelAuthHandler<T extends OtelAuthHandler>(h: T): T & Capsule {
  return asCapsule(OTELCOL_HANDLER, h);
}
