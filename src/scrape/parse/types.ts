// One interface over the exposition formats. The hot path only needs the raw
// series text (the cache key, like Prometheus's scrape cache), the value and
// the timestamp; labels are parsed from the series text only on a cache miss.
export { ParseError } from './float.js';

/** Called for every sample line. `tsMs` is NaN when the line carries no timestamp. */
export type SampleVisitor = (series: string, value: number, tsMs: number) => void;

export interface ExpositionFormat {
  readonly name: 'prometheus-text' | 'openmetrics';
  /** Walks the whole body; throws ParseError on the first syntax error (the scrape then fails). */
  parse(body: string, visit: SampleVisitor): void;
  /**
   * Label pairs of a series text previously passed to a visitor, in exposition order,
   * `__name__` first, values unescaped and empty values kept. Throws ParseError.
   */
  labels(series: string): string[];
}
