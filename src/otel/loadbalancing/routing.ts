// Cutting a request into parts by routing key (the loadbalancing exporter's
// routing_key): "traceID" puts every span (and log record) of one trace in
// one part; "service" groups resources by service.name; "resource" groups
// metrics by their resource's attributes; "metric" by metric name. Each item
// keeps a copy of its resource and scope; the input is not modified.
import { createHash, randomBytes } from 'node:crypto';
import type { KeyValue, Resource, Signal, SignalData } from '../../pipeline/otel.js';

export type RoutingKey = 'traceID' | 'service' | 'resource' | 'metric';
export const ROUTING_KEYS: RoutingKey[] = ['traceID', 'service', 'resource', 'metric'];

/** The signals each routing key balances (the Collector's choice per key). */
export const SIGNALS_OF: Record<RoutingKey, readonly Signal[]> = {
  traceID: ['traces', 'logs'],
  service: ['traces', 'logs', 'metrics'],
  resource: ['metrics'],
  metric: ['metrics'],
};

const LEVELS: Record<Signal, readonly [string, string, string]> = {
  traces: ['resourceSpans', 'scopeSpans', 'spans'],
  metrics: ['resourceMetrics', 'scopeMetrics', 'metrics'],
  logs: ['resourceLogs', 'scopeLogs', 'logRecords'],
};

type Obj = Record<string, any>;

const hex = (b: Uint8Array | undefined) => (b && b.length ? Buffer.from(b).toString('hex') : '');

function serviceName(r: Resource | undefined): string {
  return r?.attributes?.find((a: KeyValue) => a.key === 'service.name')?.value?.stringValue ?? '';
}

function resourceHash(r: Resource | undefined): string {
  const attrs = [...(r?.attributes ?? [])].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return createHash('sha256').update(JSON.stringify(attrs, (_k, v) => (v instanceof Uint8Array ? hex(v) : v))).digest('hex').slice(0, 32);
}

/** Which key each item of the signal goes under, or undefined when the whole resource goes under one key. */
function itemKey(key: RoutingKey, signal: Signal, item: Obj): string | undefined {
  if (key === 'traceID') {
    // A log record without a trace id has nothing to stick to: any backend will do.
    return hex(item.traceId) || randomBytes(8).toString('hex');
  }
  if (key === 'metric') return signal === 'metrics' ? String(item.name ?? '') : undefined;
  return undefined;
}

function resourceKey(key: RoutingKey, r: Resource | undefined): string {
  return key === 'service' ? serviceName(r) : resourceHash(r);
}

/**
 * The data cut into one request per group, where `groupOf` maps each routing
 * key value to its group (identity: one request per key value; the balancer
 * passes the key's backend, so each backend gets one request).
 */
export function splitByRoutingKey<S extends Signal>(key: RoutingKey, signal: S, data: SignalData[S], groupOf: (routingKey: string) => string = (k) => k): Map<string, SignalData[S]> {
  const [top, mid, leaf] = LEVELS[signal];
  const parts = new Map<string, Obj>();
  // Per part, the copies made of each source resource and scope (so items of one scope stay together).
  const copies = new Map<string, Map<Obj, Obj>>();
  const place = (k: string, r: Obj, s: Obj, item: Obj) => {
    let part = parts.get(k);
    let seen = copies.get(k);
    if (!part || !seen) {
      part = { [top]: [] };
      seen = new Map();
      parts.set(k, part);
      copies.set(k, seen);
    }
    let rc = seen.get(r);
    if (!rc) {
      rc = { ...r, [mid]: [] };
      seen.set(r, rc);
      part[top].push(rc);
    }
    let sc = seen.get(s);
    if (!sc) {
      sc = { ...s, [leaf]: [] };
      seen.set(s, sc);
      rc[mid].push(sc);
    }
    sc[leaf].push(item);
  };
  for (const r of ((data as Obj)[top] ?? []) as Obj[]) {
    const whole = resourceKey(key, r.resource);
    for (const s of (r[mid] ?? []) as Obj[]) {
      for (const item of (s[leaf] ?? []) as Obj[]) place(groupOf(itemKey(key, signal, item) ?? whole), r, s, item);
    }
  }
  return parts as Map<string, SignalData[S]>;
}
