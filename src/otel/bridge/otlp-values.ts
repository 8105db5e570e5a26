// Reading OTLP values the way the Collector's pdata does: attribute values as
// strings (pcommon.Value.AsString), attribute lookup, nanosecond timestamps.
import type { AnyValue, KeyValue } from '../../pipeline/otel.js';
import { formatFloat } from './prom-naming.js';

/** The raw JS value of an AnyValue (maps as objects, arrays as arrays), as pdata's AsRaw. */
export function anyValueRaw(v: AnyValue | undefined): unknown {
  if (!v) return null;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.arrayValue) return (v.arrayValue.values ?? []).map(anyValueRaw);
  if (v.kvlistValue) return Object.fromEntries((v.kvlistValue.values ?? []).map((kv) => [kv.key, anyValueRaw(kv.value)]));
  if (v.bytesValue) return Buffer.from(v.bytesValue).toString('base64');
  return null;
}

/** An AnyValue as text: strings as they are, numbers in plain decimal, maps and lists as JSON, bytes as base64, empty as "". */
export function anyValueString(v: AnyValue | undefined): string {
  if (!v) return '';
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return v.boolValue ? 'true' : 'false';
  if (v.intValue !== undefined) return String(v.intValue);
  if (v.doubleValue !== undefined) return formatFloat(v.doubleValue);
  if (v.arrayValue || v.kvlistValue) return JSON.stringify(anyValueRaw(v));
  if (v.bytesValue) return Buffer.from(v.bytesValue).toString('base64');
  return '';
}

/** Whether an AnyValue holds nothing (pcommon.ValueTypeEmpty). */
export function isEmptyValue(v: AnyValue | undefined): boolean {
  return !v || anyValueRaw(v) === null;
}

export function getAttr(attrs: readonly KeyValue[] | undefined, key: string): AnyValue | undefined {
  if (!attrs) return undefined;
  for (const kv of attrs) if (kv.key === key) return kv.value ?? {};
  return undefined;
}

/** A fixed64 nanosecond timestamp (decimal string or number) in milliseconds since the epoch; 0 when unset. */
export function nsToMs(ns: string | number | undefined): number {
  if (ns === undefined || ns === '' || ns === 0 || ns === '0') return 0;
  try {
    return Number(BigInt(ns) / 1_000_000n);
  } catch {
    return 0;
  }
}

export function nsToBigint(ns: string | number | undefined): bigint {
  if (ns === undefined || ns === '') return 0n;
  try {
    return BigInt(ns);
  } catch {
    return 0n;
  }
}

/** An int64/uint64 field (decimal string, number or undefined) as a number. */
export function num(v: string | number | undefined | null): number {
  if (v === undefined || v === null || v === '') return 0;
  return typeof v === 'number' ? v : Number(v);
}

export function hex(b: Uint8Array | undefined): string {
  return b && b.length > 0 ? Buffer.from(b).toString('hex') : '';
}

/** True when every byte is zero or there are none (an unset trace or span id). */
export function isEmptyId(b: Uint8Array | undefined): boolean {
  return !b || b.every((x) => x === 0);
}
