// OTLP histograms as Prometheus native histograms, as Alloy's converter does:
// exponential histograms become integer native histograms (scale capped at 8
// by merging buckets, scales below -4 refused), explicit-bucket histograms
// become native histograms with custom buckets (schema -53) when asked.
import type { BucketSpan, NativeHistogram } from '../../pipeline/metrics.js';
import { num } from './otlp-values.js';

/** Alloy sets this zero threshold whatever the data point says. */
const DEFAULT_ZERO_THRESHOLD = 1e-128;

interface ExpBuckets {
  offset?: number;
  bucketCounts?: (string | number)[];
}
export interface ExpHistogramPoint {
  scale?: number;
  zeroCount?: string | number;
  positive?: ExpBuckets;
  negative?: ExpBuckets;
  count?: string | number;
  sum?: number;
}
export interface HistogramPoint {
  count?: string | number;
  sum?: number;
  bucketCounts?: (string | number)[];
  explicitBounds?: number[];
}

/**
 * Dense OTel buckets to sparse spans and deltas. OTel bucket i covers
 * (base^(offset+i), base^(offset+i+1)], Prometheus bucket i covers
 * (base^(i-1), base^i], hence the +1; `scaleDown` merges 2^scaleDown buckets.
 * Gaps of up to two empty buckets stay inside a span (as client_golang does).
 */
function bucketsLayout(b: ExpBuckets | undefined, scaleDown: number): { spans: BucketSpan[]; deltas: number[] } {
  const counts = (b?.bucketCounts ?? []).map(num);
  if (counts.length === 0) return { spans: [], deltas: [] };
  const offset = b?.offset ?? 0;
  const spans: BucketSpan[] = [];
  const deltas: number[] = [];
  let prev = 0;
  const appendDelta = (c: number) => {
    spans[spans.length - 1].length++;
    deltas.push(c - prev);
    prev = c;
  };
  let idx = (offset >> scaleDown) + 1;
  spans.push({ offset: idx, length: 0 });
  let count = 0;
  for (let i = 0; i < counts.length; i++) {
    const next = ((i + offset) >> scaleDown) + 1;
    if (idx === next) {
      count += counts[i];
      continue;
    }
    if (count === 0) {
      count = counts[i];
      continue;
    }
    const gap = next - idx - 1;
    if (gap > 2) spans.push({ offset: gap, length: 0 });
    else for (let j = 0; j < gap; j++) appendDelta(0);
    appendDelta(count);
    count = counts[i];
    idx = next;
  }
  const gap = ((counts.length + offset - 1) >> scaleDown) + 1 - idx;
  if (gap > 2) spans.push({ offset: gap, length: 0 });
  else for (let j = 0; j < gap; j++) appendDelta(0);
  appendDelta(count);
  return { spans, deltas };
}

/** Throws (with the reason) for a scale Prometheus cannot represent. */
export function exponentialToNative(p: ExpHistogramPoint): NativeHistogram {
  let scale = p.scale ?? 0;
  if (scale < -4) throw new Error(`cannot convert exponential to native histogram: scale must be >= -4, was ${scale}`);
  let scaleDown = 0;
  if (scale > 8) {
    scaleDown = scale - 8;
    scale = 8;
  }
  const pos = bucketsLayout(p.positive, scaleDown);
  const neg = bucketsLayout(p.negative, scaleDown);
  return {
    float: false,
    count: num(p.count),
    sum: p.sum ?? 0,
    schema: scale,
    zeroThreshold: DEFAULT_ZERO_THRESHOLD,
    zeroCount: num(p.zeroCount),
    positiveSpans: pos.spans,
    positiveBuckets: pos.deltas,
    negativeSpans: neg.spans,
    negativeBuckets: neg.deltas,
    resetHint: 0,
  };
}

/** Custom-bucket layout: no index scaling and no +1 shift. */
function customLayout(counts: number[], offset: number): { spans: BucketSpan[]; deltas: number[] } {
  if (counts.length === 0) return { spans: [], deltas: [] };
  const spans: BucketSpan[] = [{ offset, length: 0 }];
  const deltas: number[] = [];
  let prev = 0;
  const appendDelta = (c: number) => {
    spans[spans.length - 1].length++;
    deltas.push(c - prev);
    prev = c;
  };
  let idx = offset + 1;
  let count = 0;
  for (let i = 0; i < counts.length; i++) {
    const next = i + offset + 1;
    if (idx === next) {
      count += counts[i];
      continue;
    }
    if (count === 0) {
      count = counts[i];
      continue;
    }
    const gap = next - idx - 1;
    if (gap > 2) spans.push({ offset: gap, length: 0 });
    else for (let j = 0; j < gap; j++) appendDelta(0);
    appendDelta(count);
    count = counts[i];
    idx = next;
  }
  const gap = counts.length + offset - idx;
  if (gap > 2) spans.push({ offset: gap, length: 0 });
  else for (let j = 0; j < gap; j++) appendDelta(0);
  appendDelta(count);
  return { spans, deltas };
}

/** An explicit-bucket histogram point as a native histogram with custom buckets (NHCB). */
export function explicitToCustomBuckets(p: HistogramPoint): NativeHistogram {
  const bounds = p.explicitBounds ?? [];
  const counts = (p.bucketCounts ?? []).map(num);
  if (bounds.length + 1 !== counts.length) {
    throw new Error(`bucket counts length (${counts.length}) must be explicit bounds length (${bounds.length}) + 1`);
  }
  let first = 0;
  while (first < counts.length && counts[first] === 0) first++;
  const { spans, deltas } = customLayout(counts.slice(first), first);
  return {
    float: false,
    count: num(p.count),
    sum: p.sum ?? 0,
    schema: -53,
    zeroThreshold: 0,
    zeroCount: 0,
    positiveSpans: spans,
    positiveBuckets: deltas,
    negativeSpans: [],
    negativeBuckets: [],
    resetHint: 0,
    customValues: [...bounds],
  };
}

/** The same shape with nothing counted: the start-timestamp zero sample of a native histogram. */
export function zeroLike(h: NativeHistogram): NativeHistogram {
  return { ...h, count: 0, sum: 0, zeroCount: 0, positiveSpans: [], positiveBuckets: [], negativeSpans: [], negativeBuckets: [] };
}
