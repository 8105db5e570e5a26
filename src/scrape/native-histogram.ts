// Native histogram operations the scrape needs, as Prometheus defines them
// (model/histogram): lowering the resolution (native_histogram_bucket_limit,
// native_histogram_min_bucket_factor) and building a histogram with custom
// buckets from a classic one (convert_classic_histograms_to_nhcb).
import type { BucketSpan, NativeHistogram } from '../pipeline/metrics.js';

/** Lowest exponential schema (Prometheus's ExponentialSchemaMin) and the highest. */
export const SCHEMA_MIN = -4;
export const SCHEMA_MAX = 8;
/** Schema of histograms with custom bucket bounds. */
export const CUSTOM_BUCKETS_SCHEMA = -53;

export class BucketLimitError extends Error {
  constructor() {
    super('histogram bucket limit exceeded');
  }
}

export function bucketCount(h: NativeHistogram): number {
  return h.positiveBuckets.length + h.negativeBuckets.length;
}

/** Prometheus's pickSchema: the highest schema whose bucket growth factor is at least `factor`. */
export function schemaForFactor(factor: number): number {
  const f = factor <= 1 ? 1.00271 : factor;
  const floor = Math.floor(-Math.log2(Math.log2(f)));
  if (floor >= SCHEMA_MAX) return SCHEMA_MAX;
  if (floor <= SCHEMA_MIN) return SCHEMA_MIN;
  return floor | 0; // no -0
}

/** Bucket index -> absolute count. */
function expand(spans: BucketSpan[], buckets: number[], deltas: boolean): [number[], number[]] {
  const idx: number[] = [];
  const counts: number[] = [];
  let i = 0;
  let k = 0;
  let c = 0;
  for (const s of spans) {
    i += s.offset;
    for (let j = 0; j < s.length; j++, i++, k++) {
      c = deltas ? c + (buckets[k] ?? 0) : (buckets[k] ?? 0);
      idx.push(i);
      counts.push(c);
    }
  }
  return [idx, counts];
}

/** Rebuilds spans and buckets from ascending indexes (adjacent indexes share a span; empty buckets are kept). */
function collapse(idx: number[], counts: number[], deltas: boolean): [BucketSpan[], number[]] {
  const spans: BucketSpan[] = [];
  const out: number[] = [];
  let last = 0;
  let prev = 0;
  for (let k = 0; k < idx.length; k++) {
    const i = idx[k]!;
    if (spans.length === 0) spans.push({ offset: i, length: 1 });
    else if (i === last + 1) spans[spans.length - 1]!.length++;
    else spans.push({ offset: i - last - 1, length: 1 });
    last = i;
    out.push(deltas ? counts[k]! - prev : counts[k]!);
    prev = counts[k]!;
  }
  return [spans, out];
}

function reduceSide(spans: BucketSpan[], buckets: number[], from: number, to: number, deltas: boolean): [BucketSpan[], number[]] {
  const [idx, counts] = expand(spans, buckets, deltas);
  const shift = from - to;
  const tIdx: number[] = [];
  const tCounts: number[] = [];
  for (let k = 0; k < idx.length; k++) {
    const t = ((idx[k]! - 1) >> shift) + 1; // Prometheus's targetIdx
    if (tIdx.length > 0 && tIdx[tIdx.length - 1] === t) tCounts[tCounts.length - 1] += counts[k]!;
    else {
      tIdx.push(t);
      tCounts.push(counts[k]!);
    }
  }
  return collapse(tIdx, tCounts, deltas);
}

/** The histogram at a lower exponential schema (Prometheus's ReduceResolution: neighbouring buckets merged). */
export function reduceResolution(h: NativeHistogram, schema: number): NativeHistogram {
  if (schema >= h.schema) return h;
  const deltas = !h.float;
  const [ps, pb] = reduceSide(h.positiveSpans, h.positiveBuckets, h.schema, schema, deltas);
  const [ns, nb] = reduceSide(h.negativeSpans, h.negativeBuckets, h.schema, schema, deltas);
  return { ...h, schema, positiveSpans: ps, positiveBuckets: pb, negativeSpans: ns, negativeBuckets: nb };
}

/**
 * native_histogram_min_bucket_factor (as `maxSchema`) then
 * native_histogram_bucket_limit (0: none), in Prometheus's order. Throws
 * BucketLimitError when even the lowest schema has too many buckets.
 */
export function limitHistogram(h: NativeHistogram, bucketLimit: number, maxSchema: number): NativeHistogram {
  const custom = h.schema === CUSTOM_BUCKETS_SCHEMA;
  if (!custom && h.schema > maxSchema) h = reduceResolution(h, maxSchema);
  if (bucketLimit > 0) {
    while (bucketCount(h) > bucketLimit) {
      if (custom || h.schema <= SCHEMA_MIN) throw new BucketLimitError();
      h = reduceResolution(h, h.schema - 1);
    }
  }
  return h;
}

/**
 * A classic histogram (upper bounds with cumulative counts, any order, +Inf
 * optional) as a native histogram with custom buckets, the way Prometheus's
 * convertnhcb does it: an integer histogram when every count is a whole
 * number, runs of more than `maxEmpty` (2 integer, 0 float) empty buckets cut
 * out of the span. Returns undefined when the counts contradict each other.
 */
export function classicToNhcb(bounds: number[], cumulative: number[], count: number | undefined, sum: number): NativeHistogram | undefined {
  const order = bounds.map((_, i) => i).sort((a, b) => bounds[a]! - bounds[b]!);
  const les = order.map((i) => bounds[i]!);
  const cum = order.map((i) => cumulative[i]!);
  const total = count ?? (cum.length > 0 ? cum[cum.length - 1]! : 0);
  if (les.length === 0 || les[les.length - 1] !== Infinity) {
    les.push(Infinity);
    cum.push(total);
  }
  if (cum[cum.length - 1] !== total) return undefined;
  const isFloat = !Number.isInteger(total) || cum.some((c) => !Number.isInteger(c));
  const counts: number[] = [];
  let prev = 0;
  for (const c of cum) {
    counts.push(c - prev);
    prev = c;
  }
  const [spans, buckets] = compact(counts, isFloat ? 0 : 2, !isFloat);
  return {
    float: isFloat,
    count: total,
    sum,
    schema: CUSTOM_BUCKETS_SCHEMA,
    zeroThreshold: 0,
    zeroCount: 0,
    negativeSpans: [],
    negativeBuckets: [],
    positiveSpans: spans,
    positiveBuckets: buckets,
    resetHint: 0,
    customValues: les.slice(0, -1),
  };
}

/** Absolute counts at indexes 0..n-1 -> spans without leading/trailing empty buckets and without empty runs longer than maxEmpty. */
function compact(counts: number[], maxEmpty: number, deltas: boolean): [BucketSpan[], number[]] {
  const idx: number[] = [];
  const kept: number[] = [];
  let k = 0;
  while (k < counts.length) {
    if (counts[k] === 0) {
      let e = k;
      while (e < counts.length && counts[e] === 0) e++;
      // An inner run short enough stays (as empty buckets inside a span).
      if (idx.length > 0 && e < counts.length && e - k <= maxEmpty) for (let j = k; j < e; j++) (idx.push(j), kept.push(0));
      k = e;
      continue;
    }
    idx.push(k);
    kept.push(counts[k]!);
    k++;
  }
  // collapse() starts a new span at any gap, so short runs kept above keep spans joined.
  return collapse(idx, kept, deltas);
}
