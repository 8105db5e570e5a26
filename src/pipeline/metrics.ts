// The sample pipeline contract between prometheus.scrape, prometheus.relabel
// and prometheus.remote_write (Prometheus's Appender, in our shape).
import { asCapsule, type Capsule } from '../syntax/capsule.js';

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

/**
 * Optional columnar form of a batch (the fast path from prometheus.scrape to
 * prometheus.remote_write): samples name their series by a ref scoped to
 * `scope`, and label sets are looked up only for refs the receiver has not
 * seen. Receivers that do not implement `appendBatch` get `append(samples)`.
 */
export interface SampleBatch {
  /** Identity of the ref space. Within one scope a ref names one label set until it is released. */
  readonly scope: object;
  /** Labels of a ref; valid during the synchronous part of `appendBatch` only. */
  labels(ref: number): LabelPairs | undefined;
  readonly length: number;
  readonly refs: Int32Array;
  /** Milliseconds since the epoch. */
  readonly ts: Float64Array;
  /** A Float64Array keeps the stale NaN's bit pattern (plain arrays may not). */
  readonly values: Float64Array;
  /** Refs the producer will never use again in this scope (they may appear in this batch). */
  readonly released: ArrayLike<number>;
}

export interface BatchMetricsReceiver extends MetricsReceiver {
  /** Same acknowledgement semantics as `append`. */
  appendBatch(batch: SampleBatch): void | Promise<void>;
}

export function acceptsBatches(r: MetricsReceiver): r is BatchMetricsReceiver {
  return typeof (r as Partial<BatchMetricsReceiver>).appendBatch === 'function';
}

/** Capsule type name of a metrics receiver (`forward_to = [prometheus.remote_write.x.receiver]`), as Alloy names it. */
export const METRICS_RECEIVER = 'storage.Appendable';

/** Marks a receiver as a metrics capsule: only such values pass a `list(capsule("storage.Appendable"))` argument. */
export function metricsReceiver<T extends MetricsReceiver>(r: T): T & Capsule {
  return asCapsule(METRICS_RECEIVER, r);
}
