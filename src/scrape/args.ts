// prometheus.scrape arguments: the Alloy names and defaults, decoded by the
// runtime (durations in ms), and their translation into a ScrapeJobSpec
// (job.ts validates and completes it, the same way for every component).
import { type RuleBlock, ruleBlockSchema, rulesFromConfig } from '../relabel/index.js';
import { METRICS_RECEIVER, type MetricsReceiver } from '../pipeline/metrics.js';
import { type FullHttpClientArgs, httpClientSchema } from '../net/client-schema.js';
import { TLS_ATTRS_NO_MIN_VERSION } from '../net/http-options.js';
import { type BlockSchema, t } from '../runtime/types.js';
import { buildScrapeJob, SCRAPE_GLOBALS, SCRAPE_JOB_DEFAULTS, type ScrapeJob, ScrapeJobError, type ScrapeJobSpec } from './job.js';
import { DEFAULT_SCRAPE_PROTOCOLS, PROTO_FIRST_SCRAPE_PROTOCOLS } from './parse/index.js';

export interface ScrapeArgs extends FullHttpClientArgs {
  targets: Record<string, string>[];
  forward_to: MetricsReceiver[];
  job_name?: string;
  scrape_interval: number;
  scrape_timeout: number;
  metrics_path: string;
  scheme: string;
  params?: Record<string, string[]>;
  honor_labels: boolean;
  honor_timestamps: boolean;
  track_timestamps_staleness: boolean;
  sample_limit: number;
  target_limit: number;
  label_limit: number;
  label_name_length_limit: number;
  label_value_length_limit: number;
  body_size_limit?: string | number;
  enable_compression: boolean;
  scrape_protocols?: string[];
  scrape_fallback_protocol?: string;
  enable_protobuf_negotiation?: boolean;
  scrape_native_histograms?: boolean;
  scrape_classic_histograms?: boolean;
  native_histogram_bucket_limit?: number;
  native_histogram_min_bucket_factor?: number;
  convert_classic_histograms_to_nhcb?: boolean;
  metric_name_validation_scheme?: string;
  metric_name_escaping_scheme?: string;
  honor_metadata?: boolean;
  enable_type_and_unit_labels?: boolean;
  start_timestamp_zero_ingestion?: boolean;
  scrape_failure_log_file?: string;
  extra_metrics: boolean;
  clustering?: { enabled?: boolean; excluded_labels?: string[] };
  /** alloy-ts extension: Prometheus's metric_relabel_configs (rules applied in the scrape workers). */
  metric_relabel?: RuleBlock[];
}

/** The shared HTTP client block, with tls_config as prometheus.scrape documents it (no min_version). */
const client = httpClientSchema({ tlsAttrs: TLS_ATTRS_NO_MIN_VERSION });

export const scrapeArgsSchema: BlockSchema = {
  attrs: {
    targets: { type: t.targets(), required: true },
    forward_to: { type: t.array(t.capsule(METRICS_RECEIVER)), required: true },
    job_name: { type: t.string() },
    // Alloy's defaults are values (the timeout is not "unset"): the job's own table.
    scrape_interval: { type: t.duration(), default: SCRAPE_GLOBALS.intervalMs },
    scrape_timeout: { type: t.duration(), default: SCRAPE_GLOBALS.timeoutMs },
    metrics_path: { type: t.string(), default: SCRAPE_JOB_DEFAULTS.metricsPath },
    scheme: { type: t.string(), default: SCRAPE_JOB_DEFAULTS.scheme },
    params: { type: t.map(t.array(t.string())) },
    honor_labels: { type: t.bool(), default: SCRAPE_JOB_DEFAULTS.honorLabels },
    honor_timestamps: { type: t.bool(), default: SCRAPE_JOB_DEFAULTS.honorTimestamps },
    track_timestamps_staleness: { type: t.bool(), default: SCRAPE_JOB_DEFAULTS.trackTimestampsStaleness },
    sample_limit: { type: t.number(), default: 0 },
    target_limit: { type: t.number(), default: 0 },
    label_limit: { type: t.number(), default: 0 },
    label_name_length_limit: { type: t.number(), default: 0 },
    label_value_length_limit: { type: t.number(), default: 0 },
    body_size_limit: { type: t.any() },
    enable_compression: { type: t.bool(), default: SCRAPE_JOB_DEFAULTS.enableCompression },
    scrape_protocols: { type: t.array(t.string()) },
    scrape_fallback_protocol: { type: t.string(), default: 'PrometheusText0.0.4' },
    enable_protobuf_negotiation: { type: t.bool(), default: false },
    scrape_native_histograms: { type: t.bool(), default: false },
    scrape_classic_histograms: { type: t.bool(), default: false },
    native_histogram_bucket_limit: { type: t.number(), default: 0 },
    native_histogram_min_bucket_factor: { type: t.number(), default: 0 },
    convert_classic_histograms_to_nhcb: { type: t.bool(), default: false },
    metric_name_validation_scheme: { type: t.string(), default: 'legacy' },
    // Unset: follows the validation scheme (Alloy resolves it in Validate).
    metric_name_escaping_scheme: { type: t.string() },
    honor_metadata: { type: t.bool(), default: false, stability: 'experimental' },
    enable_type_and_unit_labels: { type: t.bool(), default: false, stability: 'experimental' },
    start_timestamp_zero_ingestion: { type: t.bool(), default: false, stability: 'experimental' },
    scrape_failure_log_file: { type: t.string(), default: '' },
    extra_metrics: { type: t.bool(), default: SCRAPE_JOB_DEFAULTS.extraMetrics },
    ...client.attrs,
  },
  blocks: {
    ...client.blocks,
    clustering: { schema: { attrs: { enabled: { type: t.bool(), default: false }, excluded_labels: { type: t.array(t.string()), default: [] } } } },
    metric_relabel: { schema: ruleBlockSchema, multiple: true },
  },
  validate: (a: ScrapeArgs) => validateScrapeArgs(a),
};

/** The job these arguments describe; `name`: job_name, else the component's id. */
export function scrapeJobSpec(a: ScrapeArgs, name: string): ScrapeJobSpec {
  const {
    bearer_token, bearer_token_file, basic_auth, authorization, oauth2, tls_config,
    proxy_url, no_proxy, proxy_from_environment, proxy_connect_header, http_headers,
  } = a;
  return {
    name,
    intervalMs: a.scrape_interval,
    timeoutMs: a.scrape_timeout,
    scheme: a.scheme,
    metricsPath: a.metrics_path,
    params: a.params,
    honorLabels: a.honor_labels,
    honorTimestamps: a.honor_timestamps,
    trackTimestampsStaleness: a.track_timestamps_staleness,
    limits: {
      sample: a.sample_limit,
      target: a.target_limit,
      label: a.label_limit,
      labelNameLength: a.label_name_length_limit,
      labelValueLength: a.label_value_length_limit,
      bodySize: a.body_size_limit,
    },
    protocols: scrapeProtocols(a),
    samples: {
      nativeHistograms: a.scrape_native_histograms === true || a.enable_protobuf_negotiation === true,
      classicHistograms: a.scrape_classic_histograms,
      nativeHistogramBucketLimit: a.native_histogram_bucket_limit,
      nativeHistogramMinBucketFactor: a.native_histogram_min_bucket_factor,
      convertClassicToNhcb: a.convert_classic_histograms_to_nhcb,
      honorMetadata: a.honor_metadata,
      typeAndUnitLabels: a.enable_type_and_unit_labels,
      startTimestampZero: a.start_timestamp_zero_ingestion,
      nameValidation: a.metric_name_validation_scheme,
      nameEscaping: a.metric_name_escaping_scheme,
      fallbackProtocol: a.scrape_fallback_protocol,
      failureLogFile: a.scrape_failure_log_file,
    },
    enableCompression: a.enable_compression,
    followRedirects: a.follow_redirects,
    enableHttp2: a.enable_http2,
    extraMetrics: a.extra_metrics,
    metricRelabel: rulesFromConfig(a.metric_relabel),
    client: { bearer_token, bearer_token_file, basic_auth, authorization, oauth2, tls_config, proxy_url, no_proxy, proxy_from_environment, proxy_connect_header, http_headers },
    targets: Array.isArray(a.targets) ? a.targets : [],
  };
}

/**
 * scrape_protocols, or the default for the settings: the deprecated
 * enable_protobuf_negotiation means Alloy's protobuf-first list (and native
 * histograms) and cannot be combined with an explicit list.
 */
function scrapeProtocols(a: ScrapeArgs): string[] | undefined {
  if (!a.enable_protobuf_negotiation) return a.scrape_protocols;
  if (a.scrape_protocols !== undefined && JSON.stringify(a.scrape_protocols) !== JSON.stringify(DEFAULT_SCRAPE_PROTOCOLS)) {
    throw new ScrapeJobError(a.job_name ?? '', '', 'both enable_protobuf_negotiation and scrape_protocols are set, only one can be set at a time');
  }
  return [...PROTO_FIRST_SCRAPE_PROTOCOLS];
}

export function buildScrapeArgsJob(a: ScrapeArgs, name: string): ScrapeJob {
  return buildScrapeJob(scrapeJobSpec(a, name));
}

/** At load time: the job's own checks (the name is the component's, which the diagnostic shows). */
export function validateScrapeArgs(a: ScrapeArgs): void {
  buildScrapeArgsJob(a, a.job_name ?? '');
}
