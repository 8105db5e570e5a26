// Native histogram resolution reduction is checked against bucketing the same
// observations directly at the lower schema (bucket i of schema s holds
// (2^((i-1)/2^s), 2^(i/2^s)]); NHCB against hand-computed buckets.
import type { BucketSpan, NativeHistogram } from '../pipeline/metrics.js';
import { BucketLimitError, classicToNhcb, limitHistogram, reduceResolution, schemaForFactor } from './native-histogram.js';

/** An integer histogram of positive and negative observations at `schema`, built from scratch. */
function bucketed(values: number[], schema: number): NativeHistogram {
  const side = (vs: number[]) => {
    const counts = new Map<number, number>();
    for (const v of vs) {
      const i = Math.ceil(Math.log2(v) * 2 ** schema);
      counts.set(i, (counts.get(i) ?? 0) + 1);
    }
    const idx = [...counts.keys()].sort((a, b) => a - b);
    const spans: BucketSpan[] = [];
    const deltas: number[] = [];
    let last = 0;
    let prev = 0;
    for (const i of idx) {
      if (spans.length === 0) spans.push({ offset: i, length: 1 });
      else if (i === last + 1) spans[spans.length - 1]!.length++;
      else spans.push({ offset: i - last - 1, length: 1 });
      deltas.push(counts.get(i)! - prev);
      prev = counts.get(i)!;
      last = i;
    }
    return [spans, deltas] as const;
  };
  const [ps, pb] = side(values.filter((v) => v > 0));
  const [ns, nb] = side(values.filter((v) => v < 0).map((v) => -v));
  return {
    float: false, count: values.length, sum: values.reduce((a, b) => a + b, 0), schema, zeroThreshold: 0, zeroCount: 0,
    positiveSpans: ps, positiveBuckets: pb, negativeSpans: ns, negativeBuckets: nb, resetHint: 0,
  };
}

/** Absolute counts by bucket index (independent of how spans are cut). */
function countsByIndex(spans: BucketSpan[], buckets: number[], deltas: boolean): Map<number, number> {
  const out = new Map<number, number>();
  let i = 0;
  let k = 0;
  let c = 0;
  for (const s of spans) {
    i += s.offset;
    for (let j = 0; j < s.length; j++, i++, k++) {
      c = deltas ? c + buckets[k]! : buckets[k]!;
      if (c !== 0) out.set(i, c);
    }
  }
  return out;
}

const obs = [0.011, 0.013, 0.05, 0.051, 0.3, 0.31, 0.7, 1.3, 1.9, 2.2, 5.5, 17, 120, -0.2, -0.21, -4, -9.5];

describe('reduceResolution', () => {
  test.each([[8, 3], [3, 1], [3, 0], [2, -2], [1, -4]])('schema %p -> %p matches bucketing at the lower schema', (from, to) => {
    const got = reduceResolution(bucketed(obs, from), to);
    const want = bucketed(obs, to);
    expect(got.schema).toBe(to);
    expect(countsByIndex(got.positiveSpans, got.positiveBuckets, true)).toEqual(countsByIndex(want.positiveSpans, want.positiveBuckets, true));
    expect(countsByIndex(got.negativeSpans, got.negativeBuckets, true)).toEqual(countsByIndex(want.negativeSpans, want.negativeBuckets, true));
    expect([got.count, got.sum]).toEqual([want.count, want.sum]);
  });

  test('float histograms keep absolute counts', () => {
    const h: NativeHistogram = { ...bucketed([1.1, 1.2, 3], 2), float: true, positiveSpans: [{ offset: 1, length: 6 }], positiveBuckets: [1.5, 0, 0, 0, 0, 2.5] };
    const r = reduceResolution(h, 1);
    expect(countsByIndex(r.positiveSpans, r.positiveBuckets, false)).toEqual(new Map([[1, 1.5], [3, 2.5]]));
  });
});

describe('native_histogram_bucket_limit and native_histogram_min_bucket_factor', () => {
  test('the schema drops until the bucket count fits; too many at schema -4 fails', () => {
    const h = bucketed(obs, 3);
    const n = h.positiveBuckets.length + h.negativeBuckets.length;
    const limited = limitHistogram(h, 8, 8);
    expect(limited.positiveBuckets.length + limited.negativeBuckets.length).toBeLessThanOrEqual(8);
    expect(limited.schema).toBeLessThan(3);
    // One step less would not have fit.
    const above = bucketed(obs, limited.schema + 1);
    expect(above.positiveBuckets.length + above.negativeBuckets.length).toBeGreaterThan(8);
    expect(limitHistogram(h, n, 8)).toBe(h);
    expect(() => limitHistogram(h, 1, 8)).toThrow(BucketLimitError);
  });

  test("the factor picks Prometheus's schema", () => {
    expect(schemaForFactor(0)).toBe(8);
    expect(schemaForFactor(1.1)).toBe(2); // schema 3 grows by 2^(1/8) = 1.09 < 1.1
    expect(schemaForFactor(2)).toBe(0);
    expect(schemaForFactor(4)).toBe(-1);
    expect(schemaForFactor(1e10)).toBe(-4);
    expect(limitHistogram(bucketed(obs, 5), 0, schemaForFactor(1.1)).schema).toBe(2);
  });
});

describe('classicToNhcb (convert_classic_histograms_to_nhcb)', () => {
  test('cumulative buckets become custom buckets; long empty runs are cut out', () => {
    // le: 0.1 0.2 0.5 1 2 5 +Inf with cumulative counts 1 1 1 1 1 4 6 -> per bucket 1 0 0 0 0 3 2.
    const h = classicToNhcb([0.1, 0.2, 0.5, 1, 2, 5, Infinity], [1, 1, 1, 1, 1, 4, 6], 6, 9.5)!;
    expect(h).toMatchObject({ float: false, count: 6, sum: 9.5, schema: -53, customValues: [0.1, 0.2, 0.5, 1, 2, 5] });
    expect(countsByIndex(h.positiveSpans, h.positiveBuckets, true)).toEqual(new Map([[0, 1], [5, 3], [6, 2]]));
    expect(h.positiveSpans).toEqual([{ offset: 0, length: 1 }, { offset: 4, length: 2 }]);
  });
  test('a missing +Inf bucket takes the count; a count below the last bucket is refused', () => {
    const h = classicToNhcb([1, 2], [2, 3], 5, 4)!;
    expect(h.customValues).toEqual([1, 2]);
    expect(countsByIndex(h.positiveSpans, h.positiveBuckets, true)).toEqual(new Map([[0, 2], [1, 1], [2, 2]]));
    expect(classicToNhcb([1, Infinity], [2, 3], 5, 4)).toBeUndefined();
    expect(classicToNhcb([1, Infinity], [0.5, 1.5], 1.5, 1)!.float).toBe(true);
  });
});
