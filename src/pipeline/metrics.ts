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
  /**
   * Native histograms, exemplars and metadata (see MetricsExtras), off the
   * float fast path. Same acknowledgement semantics as `append`. Receivers
   * without it do not take these (a producer counts them as dropped).
   */
  appendExtras?(extras: MetricsExtras): void | Promise<void>;
  /**
   * The receiver builds typed data from family metadata (otelcol.receiver.prometheus):
   * prometheus.scrape sends it the metadata whatever honor_metadata says, as
   * Alloy's receiver reads the scrape's metadata store. Others get metadata
   * only with honor_metadata.
   */
  readonly wantsMetadata?: boolean;
}

// --- Native histograms, exemplars, metadata --------------------------------
// The in-memory shapes follow Prometheus's remote write 1.0 messages
// (prompb/types.proto), so an encoder maps them field by field; a staleness
// marker of a histogram series travels as a float Sample with the stale NaN.

/** prompb BucketSpan: `offset` is the gap to the previous span (or the first index), `length` the number of buckets. */
export interface BucketSpan {
  offset: number;
  length: number;
}

/** prompb Histogram.ResetHint: 0 UNKNOWN, 1 YES, 2 NO, 3 GAUGE. */
export type ResetHint = 0 | 1 | 2 | 3;
export const RESET_HINT = { unknown: 0, yes: 1, no: 2, gauge: 3 } as const;

/**
 * A native histogram (prompb Histogram without its timestamp). An integer
 * histogram (`float` false) has integer `count`/`zeroCount` and bucket counts
 * delta-encoded (each bucket relative to the one before, the first to zero),
 * as exposed and as remote write sends them (`positive_deltas`); a float
 * histogram has absolute bucket counts (`positive_counts`). Schema -53 is a
 * histogram with custom bucket bounds (`customValues`, NHCB).
 */
export interface NativeHistogram {
  float: boolean;
  count: number;
  sum: number;
  schema: number;
  zeroThreshold: number;
  zeroCount: number;
  negativeSpans: BucketSpan[];
  negativeBuckets: number[];
  positiveSpans: BucketSpan[];
  positiveBuckets: number[];
  resetHint: ResetHint;
  /** Upper bounds of the custom buckets (schema -53 only). */
  customValues?: number[];
}

export interface HistogramSample {
  /** The series (sorted pairs, final: relabeling applied). */
  labels: LabelPairs;
  /** Milliseconds since the epoch. */
  t: number;
  h: NativeHistogram;
}

/** prompb Exemplar, attached to a series. */
export interface ExemplarSample {
  /** The series the exemplar belongs to (e.g. the `_bucket{le=...}` or `_total` series, or the native histogram). */
  labels: LabelPairs;
  /** The exemplar's own labels (e.g. trace_id), sorted pairs. */
  exemplarLabels: LabelPairs;
  value: number;
  /** Milliseconds since the epoch; as Prometheus, the scrape time when the exposition gave none. */
  t: number;
}

/** prompb MetricMetadata.MetricType names, lower case (as OpenMetrics spells them). */
export type MetricTypeName = 'unknown' | 'counter' | 'gauge' | 'histogram' | 'gaugehistogram' | 'summary' | 'info' | 'stateset';

/** prompb MetricMetadata: one per metric family (and target labels, so relabeling can route it). */
export interface MetricMetadata {
  /** The target's labels plus `__name__` = the family name; relabeling applies to these. */
  labels: LabelPairs;
  family: string;
  type: MetricTypeName;
  help: string;
  unit: string;
}

export interface MetricsExtras {
  histograms: HistogramSample[];
  exemplars: ExemplarSample[];
  metadata: MetricMetadata[];
}

export function extrasEmpty(x: MetricsExtras): boolean {
  return x.histograms.length === 0 && x.exemplars.length === 0 && x.metadata.length === 0;
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
