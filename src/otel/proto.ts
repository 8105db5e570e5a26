// OTLP wire codecs. The message types come from the official opentelemetry-proto
// definitions vendored under proto/ (loaded once with protobufjs); in memory a
// request is a plain object in protobufjs's camelCase shape (see model.ts):
// 64-bit integers as decimal strings (exact), enums as numbers, bytes as Buffers.
//
// OTLP/JSON is not proto3's canonical JSON: trace and span ids are hex strings,
// enums are integers, field names lowerCamelCase (unknown fields are ignored).
import path from 'node:path';
import protobuf from 'protobufjs';
import { packageRoot } from '../package-root.js';
import type { Signal, SignalData } from './model.js';

const PROTO_DIR = path.join(packageRoot(), 'proto');
const SERVICES = {
  traces: 'opentelemetry/proto/collector/trace/v1/trace_service.proto',
  metrics: 'opentelemetry/proto/collector/metrics/v1/metrics_service.proto',
  logs: 'opentelemetry/proto/collector/logs/v1/logs_service.proto',
} as const;

function loadRoot(): protobuf.Root {
  const root = new protobuf.Root();
  // Imports in the .proto files are relative to the proto/ folder.
  root.resolvePath = (_origin, target) => (path.isAbsolute(target) ? target : path.join(PROTO_DIR, target));
  root.loadSync(Object.values(SERVICES));
  // google.rpc.Status, the body of OTLP/HTTP error responses (details are google.protobuf.Any).
  root.add(
    protobuf.Root.fromJSON({
      nested: {
        google: {
          nested: {
            rpc: {
              nested: {
                Status: { fields: { code: { type: 'int32', id: 1 }, message: { type: 'string', id: 2 }, details: { rule: 'repeated', type: 'google.protobuf.Any', id: 3 } } },
                // google.rpc.RetryInfo: a gRPC server's "retry after" (in the status details).
                RetryInfo: { fields: { retry_delay: { type: 'google.protobuf.Duration', id: 1 } } },
              },
            },
            protobuf: {
              nested: {
                Any: { fields: { type_url: { type: 'string', id: 1 }, value: { type: 'bytes', id: 2 } } },
                Duration: { fields: { seconds: { type: 'int64', id: 1 }, nanos: { type: 'int32', id: 2 } } },
              },
            },
          },
        },
      },
    }).nested!.google as protobuf.Namespace,
  );
  root.resolveAll();
  return root;
}

const root = loadRoot();
const PKG = 'opentelemetry.proto.collector';
const requestTypes: Record<Signal, protobuf.Type> = {
  traces: root.lookupType(`${PKG}.trace.v1.ExportTraceServiceRequest`),
  metrics: root.lookupType(`${PKG}.metrics.v1.ExportMetricsServiceRequest`),
  logs: root.lookupType(`${PKG}.logs.v1.ExportLogsServiceRequest`),
};
const responseTypes: Record<Signal, protobuf.Type> = {
  traces: root.lookupType(`${PKG}.trace.v1.ExportTraceServiceResponse`),
  metrics: root.lookupType(`${PKG}.metrics.v1.ExportMetricsServiceResponse`),
  logs: root.lookupType(`${PKG}.logs.v1.ExportLogsServiceResponse`),
};
const statusType = root.lookupType('google.rpc.Status');
const retryInfoType = root.lookupType('google.rpc.RetryInfo');
const RETRY_INFO_URL = 'type.googleapis.com/google.rpc.RetryInfo';

/** Full gRPC service names, as OTLP clients call them. */
export const SERVICE_NAMES: Record<Signal, string> = {
  traces: `${PKG}.trace.v1.TraceService`,
  metrics: `${PKG}.metrics.v1.MetricsService`,
  logs: `${PKG}.logs.v1.LogsService`,
};

const TO_OBJECT: protobuf.IConversionOptions = { longs: String, enums: Number, arrays: true };

/** Protobuf bytes -> request; throws (with protobufjs's reason) on a malformed message. */
export function decodeRequest<S extends Signal>(signal: S, bytes: Uint8Array): SignalData[S] {
  const type = requestTypes[signal];
  return type.toObject(type.decode(bytes), TO_OBJECT) as SignalData[S];
}

export function encodeRequest(signal: Signal, data: SignalData[Signal]): Uint8Array {
  const type = requestTypes[signal];
  return type.encode(type.fromObject(data as object)).finish();
}

/** The response body of a full success (no partial_success). */
export function encodeResponse(signal: Signal): Uint8Array {
  return responseTypes[signal].encode(responseTypes[signal].create({})).finish();
}

/** Response bytes -> rejected item count of a partial success (0 when none). */
export function rejectedInResponse(signal: Signal, bytes: Uint8Array): { rejected: number; message: string } {
  const o = responseTypes[signal].toObject(responseTypes[signal].decode(bytes), { longs: Number }) as { partialSuccess?: Record<string, unknown> };
  const ps = o.partialSuccess ?? {};
  const rejected = Number(ps.rejectedSpans ?? ps.rejectedDataPoints ?? ps.rejectedLogRecords ?? 0);
  return { rejected, message: String(ps.errorMessage ?? '') };
}

export function encodeStatus(code: number, message: string): Uint8Array {
  return statusType.encode(statusType.create({ code, message })).finish();
}

/** A google.rpc.Status carrying a google.rpc.RetryInfo detail (tests and servers that ask to be retried later). */
export function encodeStatusWithRetryDelay(code: number, message: string, delayMs: number): Uint8Array {
  const retryDelay = { seconds: Math.floor(delayMs / 1000), nanos: (delayMs % 1000) * 1e6 };
  const value = retryInfoType.encode(retryInfoType.create({ retry_delay: retryDelay })).finish();
  return statusType.encode(statusType.create({ code, message, details: [{ type_url: RETRY_INFO_URL, value }] })).finish();
}

/**
 * The RetryInfo delay (ms) in a google.rpc.Status (the grpc-status-details-bin
 * trailer), or undefined when there is none or the bytes do not decode.
 */
export function retryDelayOfStatus(bytes: Uint8Array): number | undefined {
  try {
    const o = statusType.toObject(statusType.decode(bytes), { longs: Number }) as { details?: { type_url?: string; value?: Uint8Array }[] };
    const d = (o.details ?? []).find((x) => x.type_url === RETRY_INFO_URL);
    if (!d?.value) return undefined;
    const ri = retryInfoType.toObject(retryInfoType.decode(d.value), { longs: Number }) as { retry_delay?: { seconds?: number; nanos?: number } };
    if (!ri.retry_delay) return undefined;
    return (ri.retry_delay.seconds ?? 0) * 1000 + Math.round((ri.retry_delay.nanos ?? 0) / 1e6);
  } catch {
    return undefined;
  }
}

export function decodeStatus(bytes: Uint8Array): { code: number; message: string } {
  const o = statusType.toObject(statusType.decode(bytes)) as { code?: number; message?: string };
  return { code: o.code ?? 0, message: o.message ?? '' };
}

// ---- OTLP/JSON ----

/** Fields that OTLP/JSON writes as hex instead of base64 (spans, links, log records, exemplars). */
const HEX_ID_FIELDS = new Set(['traceId', 'spanId', 'parentSpanId']);

/** JSON text -> request; throws with the reason on bad JSON, a bad id or a field of the wrong type. */
export function decodeJsonRequest<S extends Signal>(signal: S, text: string): SignalData[S] {
  const parsed: unknown = JSON.parse(text);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('request body must be a JSON object');
  const type = requestTypes[signal];
  const msg = type.fromObject(hexIdsToBytes(parsed, '') as object);
  return type.toObject(msg, TO_OBJECT) as SignalData[S];
}

export function encodeJsonRequest(signal: Signal, data: SignalData[Signal]): string {
  return JSON.stringify(bytesToJson(data, ''));
}

export function encodeJsonResponse(): string {
  return '{}';
}

export function encodeJsonStatus(code: number, message: string): string {
  return JSON.stringify({ code, message });
}

function hexIdsToBytes(v: unknown, key: string): unknown {
  if (Array.isArray(v)) return v.map((x) => hexIdsToBytes(x, ''));
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = hexIdsToBytes(x, k);
    return out;
  }
  if (HEX_ID_FIELDS.has(key) && typeof v === 'string') {
    if (v.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(v)) throw new Error(`${key}: ${JSON.stringify(v)} is not a hex string`);
    return Buffer.from(v, 'hex');
  }
  return v;
}

function bytesToJson(v: unknown, key: string): unknown {
  if (v instanceof Uint8Array) return HEX_ID_FIELDS.has(key) ? Buffer.from(v).toString('hex') : Buffer.from(v).toString('base64');
  if (Array.isArray(v)) return v.map((x) => bytesToJson(x, ''));
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = bytesToJson(x, k);
    return out;
  }
  return v;
}
