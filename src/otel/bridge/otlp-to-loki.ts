// OTLP log records to Loki entries, by the rules of the Collector's
// pkg/translator/loki (LogToLokiEntry) that Alloy's otelcol.exporter.loki uses:
// labels `exporter="OTLP"`, `job` (service.namespace/service.name), `instance`
// (service.instance.id) and `level` (from the severity number), plus the
// attributes named by the `loki.resource.labels` / `loki.attribute.labels`
// hints; promoted attributes leave the line. The line is JSON by default, or
// logfmt / the raw body as the `loki.format` hint says.
import type { LogEntry } from '../../pipeline/logs.js';
import type { AnyValue, KeyValue, LogRecord, Resource, Scope } from '../../pipeline/otel.js';
import { normalizeLabel } from './prom-naming.js';
import { anyValueRaw, anyValueString, getAttr, hex, isEmptyId, isEmptyValue, nsToBigint } from './otlp-values.js';

const HINT_ATTRIBUTES = 'loki.attribute.labels';
const HINT_RESOURCES = 'loki.resource.labels';
const HINT_TENANT = 'loki.tenant';
const HINT_FORMAT = 'loki.format';
const HINTS = new Set([HINT_ATTRIBUTES, HINT_RESOURCES, HINT_TENANT, HINT_FORMAT]);

/** OTel severity numbers 1..24 by their names (SeverityNumber enum: TRACE, TRACE2.., FATAL4). */
function severityLevel(n: number): string {
  if (n < 1 || n > 24) return 'UNSPECIFIED';
  const names = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'];
  const base = names[Math.floor((n - 1) / 4)];
  const step = (n - 1) % 4;
  return step === 0 ? base : `${base}${step + 1}`;
}

const str = (s: string): AnyValue => ({ stringValue: s });

/** Names listed by a hint: a comma-separated string, a list, or (bad data) whatever the value reads as. */
function hintNames(v: AnyValue): string[] {
  if (v.stringValue !== undefined) return v.stringValue.split(',');
  if (v.arrayValue) return (v.arrayValue.values ?? []).map((x) => anyValueString(x));
  return [anyValueString(v)];
}

/** An attribute by name, or nested: `a.b.c` may be key `a.b` holding a map with key `c`. */
function lookup(name: string, attrs: readonly KeyValue[]): AnyValue | undefined {
  const direct = getAttr(attrs, name);
  if (direct) return direct;
  const seg = name.split('.');
  for (let i = 0; i < seg.length - 1; i++) {
    const left = seg.slice(0, seg.length - i - 1).join('.');
    const right = seg.slice(seg.length - i - 1).join('.');
    const v = lookup(left, attrs);
    if (v?.kvlistValue) return lookup(right, v.kvlistValue.values ?? []);
  }
  return undefined;
}

function selectLabels(out: Map<string, string>, attrs: readonly KeyValue[], hint: AnyValue | undefined): void {
  if (!hint) return;
  for (const raw of hintNames(hint)) {
    const name = raw.trim();
    const v = lookup(name, attrs);
    if (v) out.set(name, anyValueString(v));
  }
}

export function jobOf(resAttrs: readonly KeyValue[]): string | undefined {
  const name = getAttr(resAttrs, 'service.name');
  if (!name) return undefined;
  const ns = getAttr(resAttrs, 'service.namespace');
  return ns ? `${anyValueString(ns)}/${anyValueString(name)}` : anyValueString(name);
}

/** JSON as Go's encoding/json writes it: object keys sorted, <, > and & escaped. */
export function goJson(v: unknown): string {
  const sorted = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(sorted);
    if (x && typeof x === 'object') return Object.fromEntries(Object.keys(x).sort().map((k) => [k, sorted((x as Record<string, unknown>)[k])]));
    return x;
  };
  return JSON.stringify(sorted(v)).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const attrsRaw = (attrs: readonly KeyValue[]): Record<string, unknown> => Object.fromEntries(attrs.map((kv) => [kv.key, anyValueRaw(kv.value)]));

function encodeJson(lr: LogRecord, attrs: KeyValue[], resAttrs: KeyValue[], scope: Scope | undefined): string {
  // Field order and omission as the translator's lokiEntry struct (omitempty).
  const e: Record<string, unknown> = {};
  if (!isEmptyValue(lr.body)) e.body = anyValueRaw(lr.body);
  if (!isEmptyId(lr.traceId)) e.traceid = hex(lr.traceId);
  if (!isEmptyId(lr.spanId)) e.spanid = hex(lr.spanId);
  if (lr.severityText) e.severity = lr.severityText;
  if (lr.flags) e.flags = lr.flags;
  if (attrs.length > 0) e.attributes = attrsRaw(attrs);
  if (resAttrs.length > 0) e.resources = attrsRaw(resAttrs);
  if (scope?.name) e.instrumentation_scope = scope.version ? { name: scope.name, version: scope.version } : { name: scope.name };
  // Only the nested maps are sorted by Go; the top level keeps the struct order.
  return `{${Object.entries(e).map(([k, v]) => `${JSON.stringify(k)}:${goJson(v)}`).join(',')}}`;
}

// --- logfmt ---------------------------------------------------------------

type Kv = [string, unknown];

/** Parse a logfmt line as go-logfmt does; undefined when it is not logfmt. A bare key has a null value. */
export function parseLogfmt(line: string): Kv[] | undefined {
  const out: Kv[] = [];
  let i = 0;
  const n = line.length;
  while (i < n) {
    while (i < n && line[i] <= ' ') i++;
    if (i >= n) break;
    let key = '';
    while (i < n && line[i] > ' ' && line[i] !== '=' && line[i] !== '"') key += line[i++];
    if (key === '') return undefined; // "=" or a quote where a key should start
    if (i < n && line[i] === '"') return undefined;
    if (i >= n || line[i] !== '=') {
      out.push([key, null]);
      continue;
    }
    i++; // '='
    if (i < n && line[i] === '"') {
      i++;
      let val = '';
      let closed = false;
      while (i < n) {
        const c = line[i++];
        if (c === '\\' && i < n) {
          const e = line[i++];
          val += e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : e;
        } else if (c === '"') {
          closed = true;
          break;
        } else val += c;
      }
      if (!closed) return undefined;
      out.push([key, val]);
    } else {
      let val = '';
      while (i < n && line[i] > ' ') {
        if (line[i] === '"' || line[i] === '=') return undefined;
        val += line[i++];
      }
      out.push([key, val]);
    }
  }
  return out;
}

function logfmtValue(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
  if (s === '') return '';
  return /[\s"=\\]|[^\x20-\x7e]/.test(s) ? JSON.stringify(s) : s;
}

function logfmtKey(k: string): string {
  return k.replace(/[\s"=]/g, '_');
}

function valueKvs(key: string, v: AnyValue | undefined): Kv[] {
  if (!v || isEmptyValue(v)) return [];
  if (v.kvlistValue) {
    const prefix = key ? `${key}_` : '';
    return (v.kvlistValue.values ?? []).flatMap((kv) => valueKvs(prefix + kv.key, kv.value));
  }
  if (v.arrayValue) {
    const prefix = key ? `${key}_` : '';
    return (v.arrayValue.values ?? []).flatMap((x, i) => valueKvs(`${prefix}${i}`, x));
  }
  return [[key, anyValueRaw(v)]];
}

function bodyKvs(body: AnyValue | undefined): Kv[] {
  if (!body || isEmptyValue(body)) return [];
  if (body.stringValue !== undefined) return parseLogfmt(body.stringValue) ?? [['msg', body.stringValue]];
  if (body.kvlistValue) return valueKvs('', body);
  if (body.arrayValue) return valueKvs('body', body);
  return [['msg', anyValueRaw(body)]];
}

function replaceOrAppend(kvs: Kv[], key: string, value: unknown): void {
  const at = kvs.findIndex(([k]) => k === key);
  if (at >= 0) kvs[at][1] = value;
  else kvs.push([key, value]);
}

function encodeLogfmt(lr: LogRecord, attrs: KeyValue[], resAttrs: KeyValue[], scope: Scope | undefined): string {
  const kvs = bodyKvs(lr.body);
  if (!isEmptyId(lr.traceId)) replaceOrAppend(kvs, 'traceID', hex(lr.traceId));
  if (!isEmptyId(lr.spanId)) replaceOrAppend(kvs, 'spanID', hex(lr.spanId));
  if (lr.severityText) replaceOrAppend(kvs, 'severity', lr.severityText);
  if (lr.flags) replaceOrAppend(kvs, 'flags', lr.flags);
  for (const kv of attrs) kvs.push(...valueKvs(`attribute_${kv.key}`, kv.value));
  for (const kv of resAttrs) kvs.push(...valueKvs(`resource_${kv.key}`, kv.value));
  if (scope?.name) {
    kvs.push(['instrumentation_scope_name', scope.name]);
    if (scope.version) kvs.push(['instrumentation_scope_version', scope.version]);
  }
  return kvs.map(([k, v]) => `${logfmtKey(k)}=${logfmtValue(v)}`).join(' ');
}

// --- the entry --------------------------------------------------------------

/** One record as a Loki entry; throws for an unknown `loki.format`. */
export function logToLokiEntry(lr: LogRecord, resource: Resource | undefined, scope: Scope | undefined, nowNs: () => bigint): LogEntry {
  // Work on copies: the batch may be shared with other consumers.
  let attrs: KeyValue[] = [...(lr.attributes ?? [])];
  let resAttrs: KeyValue[] = [...(resource?.attributes ?? [])];

  if (lr.severityNumber) {
    const hint = getAttr(attrs, HINT_ATTRIBUTES);
    if (!hint) attrs.push({ key: HINT_ATTRIBUTES, value: str('level') });
    else if (hint.arrayValue) attrs = attrs.map((kv) => (kv.key === HINT_ATTRIBUTES ? { key: kv.key, value: { arrayValue: { values: [...(hint.arrayValue!.values ?? []), str('level')] } } } : kv));
    else if (hint.stringValue !== undefined) attrs = attrs.map((kv) => (kv.key === HINT_ATTRIBUTES ? { key: kv.key, value: str(`${hint.stringValue},level`) } : kv));
    if (!getAttr(attrs, 'level')) attrs.push({ key: 'level', value: str(severityLevel(lr.severityNumber)) });
  }

  const formatHint = getAttr(resAttrs, HINT_FORMAT) ?? getAttr(attrs, HINT_FORMAT);
  const format = formatHint ? anyValueString(formatHint) : 'json';

  const merged = new Map<string, string>([['exporter', 'OTLP']]);
  const job = jobOf(resAttrs);
  if (job !== undefined) merged.set('job', job);
  const inst = getAttr(resAttrs, 'service.instance.id');
  if (inst) merged.set('instance', anyValueString(inst));
  selectLabels(merged, resAttrs, getAttr(resAttrs, HINT_RESOURCES));
  selectLabels(merged, resAttrs, getAttr(attrs, HINT_RESOURCES));
  selectLabels(merged, attrs, getAttr(attrs, HINT_ATTRIBUTES));

  // Promoted attributes and the hints themselves leave the line.
  const keep = (kv: KeyValue) => !HINTS.has(kv.key) && !merged.has(kv.key);
  attrs = attrs.filter(keep);
  resAttrs = resAttrs.filter(keep);

  let line: string;
  if (format === 'json') line = encodeJson(lr, attrs, resAttrs, scope);
  else if (format === 'logfmt') line = encodeLogfmt(lr, attrs, resAttrs, scope);
  else if (format === 'raw') line = anyValueString(lr.body);
  else throw new Error(`invalid format ${format}. Expected one of: json, logfmt, raw`);

  const labels: Record<string, string> = {};
  for (const [k, v] of merged) labels[normalizeLabel(k)] = v;
  const t = nsToBigint(lr.timeUnixNano);
  const observed = nsToBigint(lr.observedTimeUnixNano);
  return { labels, ts: t !== 0n ? t : observed !== 0n ? observed : nowNs(), line };
}
