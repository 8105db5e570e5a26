// prometheus.scrape arguments: the Alloy names and defaults, decoded by the
// runtime (durations in ms), and their conversion to the worker settings.
import { describeRule, type RuleBlock, ruleBlockSchema, rulesFromConfig } from '../relabel/index.js';
import { METRICS_RECEIVER, type MetricsReceiver } from '../pipeline/metrics.js';
import { bearerTokenAttrs, type HttpClientArgs, httpClientBlocks, revealHttpClientArgs, TLS_ATTRS_NO_MIN_VERSION, tlsConfigSchemaOf, validateHttpClientArgs } from '../net/http-options.js';
import { oauth2Schema } from '../net/oauth2.js';
import { type BlockSchema, t } from '../runtime/types.js';
import type { HttpClientConfig } from './http.js';
import { acceptHeader, DEFAULT_SCRAPE_PROTOCOLS, SCRAPE_PROTOCOL_HEADERS, SUPPORTED_PROTOCOLS } from './parse/index.js';
import type { PoolWireConfig } from './protocol.js';

export interface ScrapeArgs extends HttpClientArgs {
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
  follow_redirects: boolean;
  extra_metrics: boolean;
  clustering?: { enabled?: boolean; excluded_labels?: string[] };
  /** alloy-ts extension: Prometheus's metric_relabel_configs (rules applied in the scrape workers). */
  metric_relabel?: RuleBlock[];
}

export const scrapeArgsSchema: BlockSchema = {
  attrs: {
    targets: { type: t.targets(), required: true },
    forward_to: { type: t.array(t.capsule(METRICS_RECEIVER)), required: true },
    job_name: { type: t.string() },
    scrape_interval: { type: t.duration(), default: 60_000 },
    scrape_timeout: { type: t.duration(), default: 10_000 },
    metrics_path: { type: t.string(), default: '/metrics' },
    scheme: { type: t.string(), default: 'http' },
    params: { type: t.map(t.array(t.string())) },
    honor_labels: { type: t.bool(), default: false },
    honor_timestamps: { type: t.bool(), default: true },
    track_timestamps_staleness: { type: t.bool(), default: false },
    sample_limit: { type: t.number(), default: 0 },
    target_limit: { type: t.number(), default: 0 },
    label_limit: { type: t.number(), default: 0 },
    label_name_length_limit: { type: t.number(), default: 0 },
    label_value_length_limit: { type: t.number(), default: 0 },
    body_size_limit: { type: t.any() },
    enable_compression: { type: t.bool(), default: true },
    scrape_protocols: { type: t.array(t.string()) },
    ...bearerTokenAttrs,
    follow_redirects: { type: t.bool(), default: true },
    extra_metrics: { type: t.bool(), default: false },
  },
  blocks: {
    ...httpClientBlocks(tlsConfigSchemaOf(TLS_ATTRS_NO_MIN_VERSION)),
    oauth2: { schema: oauth2Schema },
    clustering: { schema: { attrs: { enabled: { type: t.bool(), default: false }, excluded_labels: { type: t.array(t.string()), default: [] } } } },
    metric_relabel: { schema: ruleBlockSchema, multiple: true },
  },
  validate: (a: ScrapeArgs) => validateScrapeArgs(a),
};

const SIZE_UNITS: Record<string, number> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 };

/** "10MB" (Prometheus units are powers of 1024), a byte count, or 0/undefined for none. */
export function parseByteSize(v: string | number | undefined): number {
  if (v === undefined || v === null || v === '' || v === 0) return 0;
  if (typeof v === 'number') {
    if (!Number.isFinite(v) || v < 0) throw new Error(`body_size_limit: invalid size ${v}`);
    return Math.floor(v);
  }
  const m = /^\s*(\d+(?:\.\d+)?)\s*([KMGT]i?B|B)?\s*$/.exec(v);
  if (!m) throw new Error(`body_size_limit: invalid size ${JSON.stringify(v)} (use e.g. "10MB")`);
  return Math.floor(Number(m[1]) * SIZE_UNITS[m[2] ?? 'B']);
}

export function validateScrapeArgs(a: ScrapeArgs): void {
  if (a.scrape_timeout > a.scrape_interval) {
    throw new Error(`scrape_timeout (${a.scrape_timeout}ms) greater than scrape_interval (${a.scrape_interval}ms)`);
  }
  if (!(a.scrape_interval > 0)) throw new Error('scrape_interval must be greater than 0');
  if (!(a.scrape_timeout > 0)) throw new Error('scrape_timeout must be greater than 0');
  if (a.scheme !== 'http' && a.scheme !== 'https') throw new Error(`scheme must be "http" or "https", got ${JSON.stringify(a.scheme)}`);
  for (const p of a.scrape_protocols ?? []) {
    if (!(p in SCRAPE_PROTOCOL_HEADERS)) throw new Error(`scrape_protocols: unknown protocol ${JSON.stringify(p)}`);
    if (!SUPPORTED_PROTOCOLS.has(p)) throw new Error(`scrape_protocols: ${p} is not supported by this collector`);
  }
  if (a.scrape_protocols && new Set(a.scrape_protocols).size !== a.scrape_protocols.length) {
    throw new Error('scrape_protocols: duplicate protocol');
  }
  validateHttpClientArgs(a, TLS_ATTRS_NO_MIN_VERSION);
  for (const k of ['sample_limit', 'target_limit', 'label_limit', 'label_name_length_limit', 'label_value_length_limit'] as const) {
    if (!Number.isInteger(a[k]) || a[k] < 0) throw new Error(`${k} must be a non-negative integer`);
  }
  parseByteSize(a.body_size_limit);
  rulesFromConfig(a.metric_relabel);
}

export { USER_AGENT } from '../net/user-agent.js';
import { USER_AGENT } from '../net/user-agent.js';

/** Settings the workers need, secrets revealed (they never leave the process). */
export function poolWireConfig(a: ScrapeArgs): PoolWireConfig {
  const http: HttpClientConfig = {
    accept: acceptHeader(a.scrape_protocols ?? DEFAULT_SCRAPE_PROTOCOLS),
    enableCompression: a.enable_compression,
    bodySizeLimit: parseByteSize(a.body_size_limit),
    followRedirects: a.follow_redirects,
    userAgent: USER_AGENT,
    client: revealHttpClientArgs(a),
  };
  return {
    http,
    honorLabels: a.honor_labels,
    honorTimestamps: a.honor_timestamps,
    trackTimestampsStaleness: a.track_timestamps_staleness,
    sampleLimit: a.sample_limit,
    labelLimit: a.label_limit,
    labelNameLengthLimit: a.label_name_length_limit,
    labelValueLengthLimit: a.label_value_length_limit,
    metricRelabel: rulesFromConfig(a.metric_relabel).map(describeRule),
  };
}
