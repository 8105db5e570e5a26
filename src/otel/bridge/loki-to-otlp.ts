// Loki entries to OTLP log records, as Alloy's otelcol.receiver.loki does: the
// line is the body, the entry's timestamp the record's time (observed time:
// now), every stream label an attribute, and `loki.attribute.labels` names
// them all so that otelcol.exporter.loki turns them back into labels. A
// `filename` label also gives log.file.path and log.file.name.
import path from 'node:path';
import type { LogEntry } from '../../pipeline/logs.js';
import type { KeyValue, LogRecord, Logs } from '../../pipeline/otel.js';

export function entryToLogRecord(e: LogEntry, nowNs: bigint): LogRecord {
  const attributes: KeyValue[] = [];
  const filename = e.labels.filename;
  if (filename !== undefined) {
    attributes.push({ key: 'log.file.path', value: { stringValue: filename } });
    attributes.push({ key: 'log.file.name', value: { stringValue: path.posix.basename(filename) } });
  }
  const names = Object.keys(e.labels).sort();
  if (names.length > 0) attributes.push({ key: 'loki.attribute.labels', value: { stringValue: names.join(',') } });
  for (const n of names) attributes.push({ key: n, value: { stringValue: e.labels[n] } });
  const ts = e.ts > 0n ? e.ts : nowNs;
  return { timeUnixNano: ts.toString(), observedTimeUnixNano: nowNs.toString(), body: { stringValue: e.line }, attributes };
}

/** A batch of entries as one request (empty resource and scope, as Alloy's records carry). */
export function entriesToLogs(entries: readonly LogEntry[], nowNs: bigint): Logs {
  return { resourceLogs: [{ resource: { attributes: [] }, scopeLogs: [{ scope: {}, logRecords: entries.map((e) => entryToLogRecord(e, nowNs)) }] }] };
}
