// The operator components' scrape block: Alloy's options, defaults and
// validation; the options the scrape job does not apply yet are named in a
// warning (set to a non-default value) instead of being dropped silently.
import { operatorArgsSchema, SCRAPE_OPTIONS_NOT_WIRED, unwiredScrapeOptions, validateOperatorArgs, type OperatorArgs } from './args.js';

const base = (scrape: OperatorArgs['scrape']): OperatorArgs => ({ forward_to: [], kubernetes_role: 'endpoints', allow_arbitrary_file_access: false, informer_sync_timeout: 60_000, scrape });

test("every documented scrape option with Alloy's default", () => {
  const attrs = operatorArgsSchema(true).blocks!.scrape.schema.attrs!;
  expect(Object.fromEntries(Object.entries(attrs).map(([k, v]) => [k, v.default]))).toEqual({
    default_scrape_interval: 60_000,
    default_scrape_timeout: 10_000,
    default_sample_limit: 0,
    start_timestamp_zero_ingestion: false,
    convert_classic_histograms_to_nhcb: false,
    enable_type_and_unit_labels: false,
    honor_metadata: false,
    native_histogram_bucket_limit: 0,
    native_histogram_min_bucket_factor: 0,
    scrape_classic_histograms: false,
    scrape_native_histograms: false,
  });
});

test('options not applied yet are reported only when set', () => {
  expect(unwiredScrapeOptions({ scrape_native_histograms: false, native_histogram_bucket_limit: 0 })).toEqual([]);
  expect(unwiredScrapeOptions({ scrape_native_histograms: true, native_histogram_min_bucket_factor: 1.1 })).toEqual(['native_histogram_min_bucket_factor', 'scrape_native_histograms']);
  expect([...SCRAPE_OPTIONS_NOT_WIRED].sort()).toEqual(unwiredScrapeOptions(Object.fromEntries(SCRAPE_OPTIONS_NOT_WIRED.map((k) => [k, k.startsWith('native') ? 2 : true]))).sort());
});

test('validation', () => {
  expect(() => validateOperatorArgs(base({ native_histogram_bucket_limit: 1.5 }), true)).toThrow('scrape.native_histogram_bucket_limit must be a non-negative integer');
  expect(() => validateOperatorArgs(base({ native_histogram_min_bucket_factor: -1 }), true)).toThrow('must not be negative');
  expect(() => validateOperatorArgs(base({ default_scrape_timeout: 0 }), true)).toThrow('scrape.default_scrape_timeout must be greater than 0');
});
