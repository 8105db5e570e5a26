// The operator components' scrape block: Alloy's options, defaults and
// validation; the options the scrape job does not apply yet are named in a
// warning (set to a non-default value) instead of being dropped silently.
import { operatorArgsSchema, scrapeSampleSpec, validateOperatorArgs, type OperatorArgs } from './args.js';
import { buildScrapeJob } from '../../scrape/job.js';

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

test('the scrape block sample options reach the scrape job every generated job is built from', () => {
  const spec = scrapeSampleSpec({
    scrape_native_histograms: true,
    scrape_classic_histograms: true,
    native_histogram_bucket_limit: 20,
    native_histogram_min_bucket_factor: 1.1,
    convert_classic_histograms_to_nhcb: true,
    honor_metadata: true,
    enable_type_and_unit_labels: true,
    start_timestamp_zero_ingestion: true,
  });
  const job = buildScrapeJob({ name: 'serviceMonitor/ns/x/0', samples: spec });
  expect(job.samples).toMatchObject({ nativeHistograms: true, classicHistograms: true, bucketLimit: 20, convertClassicToNhcb: true, honorMetadata: true, typeAndUnitLabels: true, startTimestampZero: true });
  // Native histograms need protobuf: the protocols start with it, as Prometheus orders them then.
  expect(job.protocols[0]).toBe('PrometheusProto');
});

test('validation', () => {
  expect(() => validateOperatorArgs(base({ native_histogram_bucket_limit: 1.5 }), true)).toThrow('scrape.native_histogram_bucket_limit must be a non-negative integer');
  expect(() => validateOperatorArgs(base({ native_histogram_min_bucket_factor: -1 }), true)).toThrow('must not be negative');
  expect(() => validateOperatorArgs(base({ default_scrape_timeout: 0 }), true)).toThrow('scrape.default_scrape_timeout must be greater than 0');
});
