// Picks the parser from the response Content-Type the way Prometheus does:
// application/openmetrics-text => OpenMetrics, application/vnd.google.protobuf
// => the delimited protobuf format, text/plain => text; a missing, malformed
// or unknown type => the scrape_fallback_protocol's parser, or an error
// without one.
import { ParseError } from './float.js';
import { openMetrics } from './openmetrics.js';
import { prometheusProto } from './protobuf.js';
import { prometheusText } from './text.js';
import type { ExpositionFormat } from './types.js';

export { ParseError } from './float.js';
export type { ExpositionFormat, ParseExtras, SampleVisitor } from './types.js';
export { openMetrics, prometheusProto, prometheusText };

/** The parser of a scrape protocol (scrape_fallback_protocol). */
export function formatOfProtocol(protocol: string): ExpositionFormat {
  if (protocol === 'PrometheusProto') return prometheusProto;
  if (protocol.startsWith('OpenMetricsText')) return openMetrics;
  return prometheusText;
}

/** `fallback`: a scrape protocol name, or '' for none (a response without a usable Content-Type then fails). */
export function formatFor(contentType: string | undefined, fallback = 'PrometheusText0.0.4'): ExpositionFormat {
  const media = (contentType ?? '').split(';', 1)[0].trim().toLowerCase();
  if (media === 'application/openmetrics-text') return openMetrics;
  if (media === 'application/vnd.google.protobuf') return prometheusProto;
  if (media === 'text/plain') return prometheusText;
  if (fallback) return formatOfProtocol(fallback);
  if (!contentType) throw new ParseError('non-compliant scrape target sending blank Content-Type and no fallback_scrape_protocol specified for target');
  throw new ParseError(`received unsupported Content-Type ${JSON.stringify(contentType)} and no fallback_scrape_protocol specified for target`);
}

/** scrape_protocols values and the media types they ask for. */
export const SCRAPE_PROTOCOL_HEADERS: Record<string, string> = {
  PrometheusProto: 'application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited',
  'PrometheusText0.0.4': 'text/plain;version=0.0.4',
  'PrometheusText1.0.0': 'text/plain;version=1.0.0',
  'OpenMetricsText0.0.1': 'application/openmetrics-text;version=0.0.1',
  'OpenMetricsText1.0.0': 'application/openmetrics-text;version=1.0.0',
};

/** Alloy's defaults (Prometheus's DefaultScrapeProtocols), and with scrape_native_histograms (DefaultProtoFirstScrapeProtocols). */
export const DEFAULT_SCRAPE_PROTOCOLS = ['OpenMetricsText1.0.0', 'OpenMetricsText0.0.1', 'PrometheusText1.0.0', 'PrometheusText0.0.4'];
export const PROTO_FIRST_SCRAPE_PROTOCOLS = ['PrometheusProto', 'OpenMetricsText1.0.0', 'OpenMetricsText0.0.1', 'PrometheusText1.0.0', 'PrometheusText0.0.4'];
export const SUPPORTED_PROTOCOLS = new Set(Object.keys(SCRAPE_PROTOCOL_HEADERS));

/**
 * Accept header with descending weights, then any type at the lowest weight
 * (as Prometheus builds it); the 1.0.0 text formats carry the escaping scheme
 * (metric_name_escaping_scheme) the target should apply to UTF-8 names.
 */
export function acceptHeader(protocols: readonly string[], escaping = 'underscores'): string {
  let weight = Object.keys(SCRAPE_PROTOCOL_HEADERS).length + 1;
  const parts: string[] = [];
  for (const p of protocols) {
    let v = SCRAPE_PROTOCOL_HEADERS[p];
    if (p === 'PrometheusText1.0.0' || p === 'OpenMetricsText1.0.0') v += `;escaping=${escaping}`;
    parts.push(`${v};q=0.${weight}`);
    weight--;
  }
  parts.push(`*/*;q=0.${weight}`);
  return parts.join(',');
}
