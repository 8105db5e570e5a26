// prometheus.scrape arguments: the Alloy names and defaults, decoded by the
// runtime (durations in ms), and their translation into a ScrapeJobSpec
// (job.ts validates and completes it, the same way for every component).
import { type RuleBlock, ruleBlockSchema, rulesFromConfig } from '../relabel/index.js';
import { METRICS_RECEIVER, type MetricsReceiver } from '../pipeline/metrics.js';
import { type FullHttpClientArgs, httpClientSchema } from '../net/client-schema.js';
import { TLS_ATTRS_NO_MIN_VERSION } from '../net/http-options.js';
import { type BlockSchema, t } from '../runtime/types.js';
import { buildScrapeJob, SCRAPE_GLOBALS, SCRAPE_JOB_DEFAULTS, type ScrapeJob, type ScrapeJobSpec } from './job.js';

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
    protocols: a.scrape_protocols,
    enableCompression: a.enable_compression,
    followRedirects: a.follow_redirects,
    enableHttp2: a.enable_http2,
    extraMetrics: a.extra_metrics,
    metricRelabel: rulesFromConfig(a.metric_relabel),
    client: { bearer_token, bearer_token_file, basic_auth, authorization, oauth2, tls_config, proxy_url, no_proxy, proxy_from_environment, proxy_connect_header, http_headers },
    targets: Array.isArray(a.targets) ? a.targets : [],
  };
}

export function buildScrapeArgsJob(a: ScrapeArgs, name: string): ScrapeJob {
  return buildScrapeJob(scrapeJobSpec(a, name));
}

/** At load time: the job's own checks (the name is the component's, which the diagnostic shows). */
export function validateScrapeArgs(a: ScrapeArgs): void {
  buildScrapeArgsJob(a, a.job_name ?? '');
}
