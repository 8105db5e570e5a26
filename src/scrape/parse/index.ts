// Picks the parser from the response Content-Type the way Prometheus does:
// application/openmetrics-text => OpenMetrics, anything else (incl. none) => text 0.0.4.
import { openMetrics } from './openmetrics.js';
import { prometheusText } from './text.js';
import type { ExpositionFormat } from './types.js';

export { ParseError } from './float.js';
export type { ExpositionFormat, SampleVisitor } from './types.js';
export { openMetrics, prometheusText };

export function formatFor(contentType: string | undefined): ExpositionFormat {
  if (!contentType) return prometheusText;
  const media = contentType.split(';', 1)[0].trim().toLowerCase();
  return media === 'application/openmetrics-text' ? openMetrics : prometheusText;
}

/** scrape_protocols values and the media types they ask for. */
export const SCRAPE_PROTOCOL_HEADERS: Record<string, string> = {
  PrometheusProto: 'application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited',
  'PrometheusText0.0.4': 'text/plain;version=0.0.4',
  'OpenMetricsText0.0.1': 'application/openmetrics-text;version=0.0.1',
  'OpenMetricsText1.0.0': 'application/openmetrics-text;version=1.0.0',
};

export const DEFAULT_SCRAPE_PROTOCOLS = ['OpenMetricsText1.0.0', 'OpenMetricsText0.0.1', 'PrometheusText0.0.4'];
export const SUPPORTED_PROTOCOLS = new Set(['OpenMetricsText1.0.0', 'OpenMetricsText0.0.1', 'PrometheusText0.0.4']);

/** Accept header with descending weights, then any type at the lowest weight (as Prometheus builds it). */
export function acceptHeader(protocols: readonly string[]): string {
  let weight = 5; // number of known protocol headers + 1, as in Prometheus
  const parts: string[] = [];
  for (const p of protocols) {
    parts.push(`${SCRAPE_PROTOCOL_HEADERS[p]};q=0.${weight}`);
    weight--;
  }
  parts.push(`*/*;q=0.${weight}`);
  return parts.join(',');
}
