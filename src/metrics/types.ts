// The sample pipeline contract between prometheus.scrape, prometheus.relabel
// and prometheus.remote_write (Prometheus's Appender, in our shape).

/** Label pairs sorted by name and flattened: [name0, value0, name1, value1, ...]. */
export type LabelPairs = string[];

export interface Sample {
  labels: LabelPairs;
  /** Milliseconds since the epoch. */
  t: number;
  /** Float value; staleness markers use the stale NaN bit pattern (see staleness.ts). */
  v: number;
}

export interface MetricsReceiver {
  /**
   * Hand a batch downstream. The promise resolves once the batch is accepted
   * (for remote_write: durable in the WAL); a rejection means nothing was accepted.
   */
  append(samples: Sample[]): void | Promise<void>;
}
