// A Kubernetes Event (core/v1) as one log line, field for field as Alloy's
// loki.source.kubernetes_events writes it: name, kind, action,
// objectAPIversion, objectRV, eventRV, reportinginstance,
// reportingcontroller, sourcecomponent, sourcehost, reason, type, count
// (each only when set), then msg. logfmt quotes msg (Go's %q) and nothing
// else; json is one object with the same keys in sorted order (Go's map
// encoding).

export type EventLogFormat = 'logfmt' | 'json';

export interface CoreEvent {
  metadata?: { name?: string; namespace?: string; resourceVersion?: string };
  involvedObject?: { kind?: string; namespace?: string; name?: string; apiVersion?: string; resourceVersion?: string };
  action?: string;
  reportingInstance?: string;
  reportingComponent?: string;
  source?: { component?: string; host?: string };
  reason?: string;
  type?: string;
  count?: number;
  message?: string;
  lastTimestamp?: string | null;
  eventTime?: string | null;
}

/** Go's strconv.Quote for the characters a message holds (printable Unicode kept, controls escaped). */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c === 7) out += '\\a';
    else if (c === 8) out += '\\b';
    else if (c === 12) out += '\\f';
    else if (c === 11) out += '\\v';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else if (c === 0xfffd && ch !== '\ufffd') out += '\\ufffd';
    else out += ch;
  }
  return out + '"';
}

/** The event's time in ns: lastTimestamp, else eventTime (as Alloy), else undefined. */
export function eventTimeNs(e: CoreEvent): bigint | undefined {
  for (const v of [e.lastTimestamp, e.eventTime]) {
    if (!v) continue;
    const ms = Date.parse(v);
    if (Number.isNaN(ms)) continue;
    // Date.parse keeps milliseconds; eventTime (MicroTime) carries microseconds.
    const frac = /\.(\d+)/.exec(v)?.[1] ?? '';
    const micros = frac.length > 3 ? BigInt(frac.slice(3, 6).padEnd(3, '0')) : 0n;
    return BigInt(ms) * 1_000_000n + micros * 1000n;
  }
  return undefined;
}

/** The line of an event; throws when it has no involved object (Alloy refuses those). */
export function eventLine(e: CoreEvent, format: EventLogFormat): string {
  const obj = e.involvedObject ?? {};
  if (!obj.name) throw new Error(`event ${e.metadata?.namespace ?? ''}/${e.metadata?.name ?? ''}: no involved object for event`);
  const fields: [string, string | number][] = [['name', obj.name]];
  const opt = (k: string, v: string | undefined) => {
    if (v) fields.push([k, v]);
  };
  opt('kind', obj.kind);
  opt('action', e.action);
  opt('objectAPIversion', obj.apiVersion);
  opt('objectRV', obj.resourceVersion);
  opt('eventRV', e.metadata?.resourceVersion);
  opt('reportinginstance', e.reportingInstance);
  opt('reportingcontroller', e.reportingComponent);
  opt('sourcecomponent', e.source?.component);
  opt('sourcehost', e.source?.host);
  opt('reason', e.reason);
  opt('type', e.type);
  if (e.count) fields.push(['count', e.count]);
  const msg = e.message ?? '';
  if (format === 'json') {
    const o: Record<string, string | number> = Object.fromEntries(fields);
    o.msg = msg;
    const sorted: Record<string, string | number> = {};
    for (const k of Object.keys(o).sort()) sorted[k] = o[k]!;
    // Go's encoder escapes <, >, & and the JS line separators.
    return JSON.stringify(sorted).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  }
  // Alloy leaves a trailing space after the last field.
  return fields.map(([k, v]) => `${k}=${v} `).join('') + `msg=${goQuote(msg)} `;
}
