// One interface over the exposition formats. The hot path only needs the raw
// series text (the cache key, like Prometheus's scrape cache), the value and
// the timestamp; labels are parsed from the series text only on a cache miss.
// Exemplars, metadata and native histograms go through ParseExtras, whose
// hooks a caller sets only when it wants them (the float path pays nothing).
import type { MetricTypeName, NativeHistogram } from '../../pipeline/metrics.js';

export { ParseError } from './float.js';

/** Called for every sample line. `tsMs` is NaN when the line carries no timestamp. */
export type SampleVisitor = (series: string, value: number, tsMs: number) => void;

export interface ParseExtras {
  /** An exemplar of the sample or histogram visited last (labels as pairs, exposition order). `tsMs` NaN when none. */
  exemplar?(labels: string[], value: number, tsMs: number): void;
  /** A family's TYPE, HELP or UNIT as the exposition states it. */
  metadata?(family: string, field: 'type' | 'help' | 'unit', text: string): void;
  /** A native histogram (protobuf only). Unset: native histograms are not parsed (their classic buckets are). */
  histogram?(series: string, h: NativeHistogram, tsMs: number): void;
  /** The start (created) timestamp, in ms, of the series visited next (NaN: none), until called again (protobuf only). */
  created?(tsMs: number): void;
  /** With `histogram` set: also expose the classic series of a histogram that has a native form. */
  classicHistograms?: boolean;
}

export interface ExpositionFormat {
  readonly name: 'prometheus-text' | 'openmetrics' | 'prometheus-proto';
  /** The body is parsed as bytes (protobuf), not as text. */
  readonly binary?: boolean;
  /** Walks the whole body; throws ParseError on the first syntax error (the scrape then fails). */
  parse(body: string | Uint8Array, visit: SampleVisitor, extras?: ParseExtras): void;
  /**
   * Label pairs of a series text previously passed to a visitor, in exposition order,
   * `__name__` first, values unescaped and empty values kept. Throws ParseError.
   */
  labels(series: string): string[];
}

/** OpenMetrics/Prometheus type names as metadata carries them ("untyped" is "unknown"). */
export function metricTypeName(text: string): MetricTypeName {
  switch (text) {
    case 'counter':
    case 'gauge':
    case 'histogram':
    case 'gaugehistogram':
    case 'summary':
    case 'info':
    case 'stateset':
      return text;
    default:
      return 'unknown';
  }
}
