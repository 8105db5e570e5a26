// One scrape job, the way Prometheus's ScrapeConfig is one: every setting a
// scrape pool needs (timing, target defaults, limits, protocols, metric
// relabeling, HTTP client) plus its targets. prometheus.scrape and the
// operator components each translate their own surface into a ScrapeJobSpec;
// buildScrapeJob applies the defaults and the validation once, for both, and
// the result is what the ScrapeManager runs (manager.ts, through wire.ts).
import { type CompiledRule, describeRule, type RelabelRule } from '../relabel/index.js';
import { extraHeaders, type FullHttpClientArgs, validateHttpClient } from '../net/client-schema.js';
import { type HttpClientArgs, revealHttpClientArgs, TLS_ATTRS_NO_MIN_VERSION } from '../net/http-options.js';
import { revealString, type Secret } from '../syntax/secret.js';
import type { ProxySettings } from '../net/proxy.js';
import { formatDuration } from '../syntax/duration.js';
import { DEFAULT_SCRAPE_PROTOCOLS, PROTO_FIRST_SCRAPE_PROTOCOLS, SCRAPE_PROTOCOL_HEADERS, SUPPORTED_PROTOCOLS } from './parse/index.js';
import { schemaForFactor } from './native-histogram.js';
import type { SampleOptions } from './protocol.js';
import type { ScrapeClientArgs } from './http.js';

export type { ScrapeClientArgs } from './http.js';

/** Only the settings that are on, so equal jobs compare equal whichever surface built them. */
function scrapeClient(c: FullHttpClientArgs): ScrapeClientArgs {
  const out: ScrapeClientArgs = revealHttpClientArgs(c);
  if (c.proxy_url) out.proxy_url = c.proxy_url;
  if (c.no_proxy) out.no_proxy = c.no_proxy;
  if (c.proxy_from_environment) out.proxy_from_environment = true;
  const connect = revealHeaderLists(c.proxy_connect_header);
  if (connect && Object.keys(connect).length > 0) out.proxy_connect_header = connect;
  return out;
}

function revealHeaderLists(h: Record<string, (string | Secret)[]> | undefined): Record<string, string[]> | undefined {
  return h && Object.fromEntries(Object.entries(h).map(([k, vs]) => [k, vs.map((v) => revealString(v) ?? '')]));
}

export interface ScrapeLimits {
  /** 0 = no limit, for each. */
  sample: number;
  target: number;
  label: number;
  labelNameLength: number;
  labelValueLength: number;
  /** Bytes of uncompressed body. */
  bodySizeBytes: number;
}

/** A validated scrape job with every default applied; secrets revealed (it stays in the process). */
export interface ScrapeJob {
  /** The job name: the manager's key and the `job` label targets get unless they carry one. */
  name: string;
  intervalMs: number;
  timeoutMs: number;
  scheme: 'http' | 'https';
  metricsPath: string;
  params: Record<string, string[]>;
  honorLabels: boolean;
  honorTimestamps: boolean;
  trackTimestampsStaleness: boolean;
  limits: ScrapeLimits;
  /** Scrape protocols in preference order (the Accept header is built from them). */
  protocols: string[];
  enableCompression: boolean;
  followRedirects: boolean;
  enableHttp2: boolean;
  /** The synthetic scrape_timeout_seconds, scrape_sample_limit and scrape_body_size_bytes series. */
  extraMetrics: boolean;
  /** metric_relabel_configs, in the clonable form the workers compile. */
  metricRelabel: RelabelRule[];
  /** Credentials, tls_config and proxy settings in Alloy's names, secrets as text. */
  client: ScrapeClientArgs;
  /** http_headers, several values joined. */
  headers: Record<string, string>;
  /** The targets (discovered labels, after any target relabeling). */
  targets: Record<string, string>[];
  /** Native histograms, NHCB, metadata, type/unit labels, name validation. */
  samples: SampleOptions;
  /** scrape_fallback_protocol ('' = none). */
  fallbackProtocol: string;
  /** metric_name_escaping_scheme (sent in the Accept header). */
  escapingScheme: string;
  /** scrape_failure_log_file ('' = none). */
  failureLogFile: string;
}

/** The scrape settings beyond the float path, as a spec states them. */
export interface ScrapeSampleSpec {
  nativeHistograms?: boolean;
  classicHistograms?: boolean;
  nativeHistogramBucketLimit?: number;
  nativeHistogramMinBucketFactor?: number;
  convertClassicToNhcb?: boolean;
  honorMetadata?: boolean;
  typeAndUnitLabels?: boolean;
  startTimestampZero?: boolean;
  /** "legacy" (default) or "utf8". */
  nameValidation?: string;
  /** Unset: "underscores" with legacy validation, "allow-utf-8" with utf8. */
  nameEscaping?: string;
  /** Unset: PrometheusText0.0.4; '' for none. */
  fallbackProtocol?: string;
  failureLogFile?: string;
}

/**
 * A job as a component states it: unset fields take the defaults. Durations
 * in milliseconds; the rules already compiled (each surface has its own rule
 * syntax and reports its own rule errors).
 */
export interface ScrapeJobSpec {
  name: string;
  intervalMs?: number;
  /** Unset: the global timeout, capped at the interval (Prometheus's rule). */
  timeoutMs?: number;
  scheme?: string;
  metricsPath?: string;
  params?: Record<string, string[]>;
  honorLabels?: boolean;
  honorTimestamps?: boolean;
  trackTimestampsStaleness?: boolean;
  limits?: Partial<Omit<ScrapeLimits, 'bodySizeBytes'>> & { bodySize?: string | number };
  /** Unset: Prometheus's default order. */
  protocols?: string[];
  enableCompression?: boolean;
  followRedirects?: boolean;
  enableHttp2?: boolean;
  extraMetrics?: boolean;
  metricRelabel?: readonly CompiledRule[];
  client?: FullHttpClientArgs;
  targets?: Record<string, string>[];
  samples?: ScrapeSampleSpec;
}

/** Prometheus's global section: what a job inherits for interval, timeout and sample limit. */
export interface ScrapeGlobals {
  intervalMs: number;
  timeoutMs: number;
  sampleLimit: number;
}

/** Prometheus's (and Alloy's) defaults: interval 1m, timeout 10s, no limits. */
export const SCRAPE_GLOBALS: ScrapeGlobals = { intervalMs: 60_000, timeoutMs: 10_000, sampleLimit: 0 };

/** Defaults of the fields besides the global ones, in one place. */
export const SCRAPE_JOB_DEFAULTS = {
  scheme: 'http',
  metricsPath: '/metrics',
  honorLabels: false,
  honorTimestamps: true,
  trackTimestampsStaleness: false,
  enableCompression: true,
  followRedirects: true,
  enableHttp2: true,
  extraMetrics: false,
} as const;

/** The fields of a spec, as error messages name them. */
export type ScrapeJobField =
  | 'interval'
  | 'timeout'
  | 'scheme'
  | 'protocols'
  | 'bodySize'
  | 'sample'
  | 'target'
  | 'label'
  | 'labelNameLength'
  | 'labelValueLength'
  | 'client'
  | 'nativeHistograms'
  | 'bucketLimit'
  | 'bucketFactor'
  | 'fallbackProtocol'
  | 'nameValidation'
  | 'nameEscaping';

/** Alloy's argument names (prometheus.scrape). */
const ALLOY_FIELD_NAMES: Record<ScrapeJobField, string> = {
  interval: 'scrape_interval',
  timeout: 'scrape_timeout',
  scheme: 'scheme',
  protocols: 'scrape_protocols',
  bodySize: 'body_size_limit',
  sample: 'sample_limit',
  target: 'target_limit',
  label: 'label_limit',
  labelNameLength: 'label_name_length_limit',
  labelValueLength: 'label_value_length_limit',
  client: '',
  nativeHistograms: 'scrape_native_histograms',
  bucketLimit: 'native_histogram_bucket_limit',
  bucketFactor: 'native_histogram_min_bucket_factor',
  fallbackProtocol: 'scrape_fallback_protocol',
  nameValidation: 'metric_name_validation_scheme',
  nameEscaping: 'metric_name_escaping_scheme',
};

export interface BuildScrapeJobOptions {
  globals?: Partial<ScrapeGlobals>;
  /** How the caller's surface names each field (default: Alloy's argument names). */
  fieldNames?: Partial<Record<ScrapeJobField, string>>;
}

/** A job that cannot run: names the job, the field and the reason. */
export class ScrapeJobError extends Error {
  constructor(
    readonly job: string,
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${job ? `scrape job ${JSON.stringify(job)}: ` : ''}${field ? `${field}: ` : ''}${reason}`);
  }
}

const SIZE_UNITS: Record<string, number> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 };

/** "10MB" (Prometheus units are powers of 1024), a byte count, or 0/undefined for none. */
export function parseByteSize(v: string | number | undefined): number {
  if (v === undefined || v === null || v === '' || v === 0) return 0;
  if (typeof v === 'number') {
    if (!Number.isFinite(v) || v < 0) throw new Error(`invalid size ${v}`);
    return Math.floor(v);
  }
  const m = /^\s*(\d+(?:\.\d+)?)\s*([KMGT]i?B|B)?\s*$/.exec(v);
  if (!m) throw new Error(`invalid size ${JSON.stringify(v)} (use e.g. "10MB")`);
  return Math.floor(Number(m[1]) * SIZE_UNITS[m[2] ?? 'B']);
}

/** Applies the defaults and checks the job; throws ScrapeJobError. */
export function buildScrapeJob(spec: ScrapeJobSpec, o: BuildScrapeJobOptions = {}): ScrapeJob {
  const g = o.globals ?? {};
  const globals: ScrapeGlobals = {
    intervalMs: g.intervalMs ?? SCRAPE_GLOBALS.intervalMs,
    timeoutMs: g.timeoutMs ?? SCRAPE_GLOBALS.timeoutMs,
    sampleLimit: g.sampleLimit ?? SCRAPE_GLOBALS.sampleLimit,
  };
  const names = { ...ALLOY_FIELD_NAMES, ...o.fieldNames };
  const fail = (field: ScrapeJobField, reason: string): never => {
    throw new ScrapeJobError(spec.name, names[field], reason);
  };

  const intervalMs = spec.intervalMs ?? globals.intervalMs;
  if (!(intervalMs > 0)) fail('interval', 'must be greater than 0');
  if (spec.timeoutMs !== undefined && spec.timeoutMs > intervalMs) {
    throw new ScrapeJobError(spec.name, '', `${names.timeout} (${formatDuration(spec.timeoutMs)}) is greater than the interval (${formatDuration(intervalMs)})`);
  }
  const timeoutMs = spec.timeoutMs ?? Math.min(globals.timeoutMs, intervalMs);
  if (!(timeoutMs > 0)) fail('timeout', 'must be greater than 0');

  const scheme = spec.scheme ?? SCRAPE_JOB_DEFAULTS.scheme;
  if (scheme !== 'http' && scheme !== 'https') return fail('scheme', `must be "http" or "https", got ${JSON.stringify(scheme)}`);

  const sm = spec.samples ?? {};
  const nativeHistograms = sm.nativeHistograms ?? false;
  // With native histograms on, the default order asks for protobuf first (as Alloy and Prometheus do).
  const protocols = spec.protocols ?? [...(nativeHistograms ? PROTO_FIRST_SCRAPE_PROTOCOLS : DEFAULT_SCRAPE_PROTOCOLS)];
  if (nativeHistograms && !protocols.includes('PrometheusProto')) fail('nativeHistograms', 'is set to true, but PrometheusProto is not in scrape_protocols');
  const fallbackProtocol = sm.fallbackProtocol ?? 'PrometheusText0.0.4';
  if (fallbackProtocol !== '' && !(fallbackProtocol in SCRAPE_PROTOCOL_HEADERS)) {
    fail('fallbackProtocol', `invalid scrape protocol ${JSON.stringify(fallbackProtocol)} (one of ${Object.keys(SCRAPE_PROTOCOL_HEADERS).join(', ')})`);
  }
  const nameValidation = sm.nameValidation ?? 'legacy';
  if (nameValidation !== 'legacy' && nameValidation !== 'utf8') fail('nameValidation', `must be either "utf8" or "legacy", got ${JSON.stringify(nameValidation)}`);
  const escapingScheme = sm.nameEscaping || (nameValidation === 'legacy' ? 'underscores' : 'allow-utf-8');
  if (!['allow-utf-8', 'underscores', 'dots', 'values'].includes(escapingScheme)) {
    fail('nameEscaping', `invalid value ${JSON.stringify(escapingScheme)}, supported values: allow-utf-8, underscores, dots, values`);
  }
  if (escapingScheme === 'allow-utf-8' && nameValidation !== 'utf8') fail('nameEscaping', `cannot be set to "allow-utf-8" while ${names.nameValidation} is not set to "utf8"`);
  const bucketLimit = sm.nativeHistogramBucketLimit ?? 0;
  if (!Number.isInteger(bucketLimit) || bucketLimit < 0) fail('bucketLimit', 'must be a non-negative integer');
  const bucketFactor = sm.nativeHistogramMinBucketFactor ?? 0;
  if (!Number.isFinite(bucketFactor) || bucketFactor < 0) fail('bucketFactor', 'must be a non-negative number');
  const samples: SampleOptions = {
    nativeHistograms,
    classicHistograms: sm.classicHistograms ?? false,
    bucketLimit,
    maxSchema: schemaForFactor(bucketFactor),
    convertClassicToNhcb: sm.convertClassicToNhcb ?? false,
    honorMetadata: sm.honorMetadata ?? false,
    typeAndUnitLabels: sm.typeAndUnitLabels ?? false,
    legacyNames: nameValidation === 'legacy',
    startTimestampZero: sm.startTimestampZero ?? false,
    metadataEpoch: 0,
  };
  for (const p of protocols) {
    if (!(p in SCRAPE_PROTOCOL_HEADERS)) fail('protocols', `unknown protocol ${JSON.stringify(p)}`);
    if (!SUPPORTED_PROTOCOLS.has(p)) fail('protocols', `${p} is not supported by this collector`);
  }
  if (new Set(protocols).size !== protocols.length) fail('protocols', 'duplicate protocol');

  const l = spec.limits ?? {};
  const limit = (field: 'sample' | 'target' | 'label' | 'labelNameLength' | 'labelValueLength', fallback = 0): number => {
    const v = l[field] ?? fallback;
    if (!Number.isInteger(v) || v < 0) fail(field, 'must be a non-negative integer');
    return v;
  };
  let bodySizeBytes = 0;
  try {
    bodySizeBytes = parseByteSize(l.bodySize);
  } catch (e) {
    fail('bodySize', (e as Error).message);
  }
  const limits: ScrapeLimits = {
    sample: limit('sample', globals.sampleLimit),
    target: limit('target'),
    label: limit('label'),
    labelNameLength: limit('labelNameLength'),
    labelValueLength: limit('labelValueLength'),
    bodySizeBytes,
  };

  const client = spec.client ?? {};
  try {
    validateHttpClient(client, TLS_ATTRS_NO_MIN_VERSION);
  } catch (e) {
    fail('client', (e as Error).message);
  }

  return {
    name: spec.name,
    intervalMs,
    timeoutMs,
    scheme,
    metricsPath: spec.metricsPath ?? SCRAPE_JOB_DEFAULTS.metricsPath,
    params: spec.params ?? {},
    honorLabels: spec.honorLabels ?? SCRAPE_JOB_DEFAULTS.honorLabels,
    honorTimestamps: spec.honorTimestamps ?? SCRAPE_JOB_DEFAULTS.honorTimestamps,
    trackTimestampsStaleness: spec.trackTimestampsStaleness ?? SCRAPE_JOB_DEFAULTS.trackTimestampsStaleness,
    limits,
    protocols,
    enableCompression: spec.enableCompression ?? SCRAPE_JOB_DEFAULTS.enableCompression,
    followRedirects: spec.followRedirects ?? SCRAPE_JOB_DEFAULTS.followRedirects,
    enableHttp2: spec.enableHttp2 ?? SCRAPE_JOB_DEFAULTS.enableHttp2,
    extraMetrics: spec.extraMetrics ?? SCRAPE_JOB_DEFAULTS.extraMetrics,
    metricRelabel: (spec.metricRelabel ?? []).map(describeRule),
    client: scrapeClient(client),
    headers: extraHeaders(client.http_headers, (v) => revealString(v) ?? ''),
    targets: spec.targets ?? [],
    samples,
    fallbackProtocol,
    escapingScheme,
    failureLogFile: sm.failureLogFile ?? '',
  };
}
