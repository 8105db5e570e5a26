// The one scrape job builder: defaults (Prometheus's and Alloy's) applied in
// one place, bad jobs refused with the job's name and the reason, and the
// same job from prometheus.scrape and from a ServiceMonitor.
import { decodeBlock } from '../runtime/decode.js';
import { parse } from '../syntax/parser.js';
import { stdlib } from '../syntax/stdlib.js';
import { Secret } from '../syntax/secret.js';
import { buildJob } from '../crd/operator/job.js';
import { parseMonitor } from '../crd/operator/monitor.js';
import type { RefStore } from '../crd/operator/secrets.js';
import { type ScrapeArgs, scrapeArgsSchema, scrapeJobSpec } from './args.js';
import { buildScrapeJob, type ScrapeJob } from './job.js';
import { targetDefaults, wireConfig } from './wire.js';

/** prometheus.scrape arguments as the runtime decodes them (schema defaults included). */
function decodeScrape(body: string): ScrapeArgs {
  const file = parse(`prometheus.scrape "x" {\n  forward_to = []\n${body}\n}\n`, 'scrape.alloy');
  const block = file.body[0] as any;
  return decodeBlock(block.body, scrapeArgsSchema, { lookup: (n) => (stdlib as any)[n] }, block.pos) as ScrapeArgs;
}

describe('buildScrapeJob defaults', () => {
  test('an empty spec gets every default, once, in the job', () => {
    const job = buildScrapeJob({ name: 'j' });
    expect(job).toEqual({
      name: 'j',
      intervalMs: 60_000,
      timeoutMs: 10_000,
      scheme: 'http',
      metricsPath: '/metrics',
      params: {},
      honorLabels: false,
      honorTimestamps: true,
      trackTimestampsStaleness: false,
      limits: { sample: 0, target: 0, label: 0, labelNameLength: 0, labelValueLength: 0, bodySizeBytes: 0 },
      protocols: ['OpenMetricsText1.0.0', 'OpenMetricsText0.0.1', 'PrometheusText1.0.0', 'PrometheusText0.0.4'],
      enableCompression: true,
      followRedirects: true,
      enableHttp2: true,
      extraMetrics: false,
      metricRelabel: [],
      client: {},
      headers: {},
      targets: [],
      samples: {
        nativeHistograms: false, classicHistograms: false, bucketLimit: 0, maxSchema: 8,
        convertClassicToNhcb: false, honorMetadata: false, typeAndUnitLabels: false, legacyNames: true, startTimestampZero: false, metadataEpoch: 0,
      },
      fallbackProtocol: 'PrometheusText0.0.4',
      escapingScheme: 'underscores',
      failureLogFile: '',
    } satisfies ScrapeJob);
    // The defaults land in the worker settings and the target defaults unchanged.
    expect(wireConfig(job).http.accept).toMatch(/^application\/openmetrics-text;version=1\.0\.0/);
    expect(targetDefaults(job)).toEqual({ jobName: 'j', scheme: 'http', metricsPath: '/metrics', intervalMs: 60_000, timeoutMs: 10_000, params: {} });
  });

  test('prometheus.scrape with no settings decodes to the same job as an empty spec', () => {
    const args = decodeScrape('  targets = []');
    expect(buildScrapeJob(scrapeJobSpec(args, 'j'))).toEqual(buildScrapeJob({ name: 'j' }));
  });

  test('globals: an unset interval, timeout and sample limit come from them; an unset timeout is capped at the interval', () => {
    const globals = { intervalMs: 30_000, timeoutMs: 15_000, sampleLimit: 500 };
    expect(buildScrapeJob({ name: 'j' }, { globals })).toMatchObject({ intervalMs: 30_000, timeoutMs: 15_000, limits: { sample: 500 } });
    expect(buildScrapeJob({ name: 'j', intervalMs: 5000 }, { globals })).toMatchObject({ intervalMs: 5000, timeoutMs: 5000 });
    expect(buildScrapeJob({ name: 'j', limits: { sample: 7 } }, { globals }).limits.sample).toBe(7);
    // A partial globals block keeps the other defaults.
    expect(buildScrapeJob({ name: 'j' }, { globals: { intervalMs: undefined, sampleLimit: 3 } })).toMatchObject({ intervalMs: 60_000, timeoutMs: 10_000, limits: { sample: 3 } });
  });

  test('secrets and http_headers arrive as text for the workers', () => {
    const job = buildScrapeJob({ name: 'j', client: { bearer_token: new Secret('tok'), http_headers: { 'X-Team': ['a', new Secret('b')] } } });
    expect(job.client).toEqual({ bearer_token: 'tok' });
    expect(job.headers).toEqual({ 'X-Team': 'a, b' });
    expect(wireConfig(job).http.headers).toEqual({ 'X-Team': 'a, b' });
  });
});

describe('buildScrapeJob refuses bad jobs, naming the job and the reason', () => {
  test.each([
    [{ timeoutMs: 20_000, intervalMs: 10_000 }, 'scrape job "shop": scrape_timeout (20s) is greater than the interval (10s)'],
    [{ intervalMs: 0 }, 'scrape job "shop": scrape_interval: must be greater than 0'],
    [{ timeoutMs: 0 }, 'scrape job "shop": scrape_timeout: must be greater than 0'],
    [{ scheme: 'ftp' }, 'scrape job "shop": scheme: must be "http" or "https", got "ftp"'],
    [{ protocols: ['Nope'] }, 'scrape job "shop": scrape_protocols: unknown protocol "Nope"'],
    [{ protocols: ['PrometheusText0.0.4', 'PrometheusText0.0.4'] }, 'scrape job "shop": scrape_protocols: duplicate protocol'],
    [{ limits: { sample: -1 } }, 'scrape job "shop": sample_limit: must be a non-negative integer'],
    [{ limits: { labelValueLength: 1.5 } }, 'scrape job "shop": label_value_length_limit: must be a non-negative integer'],
    [{ limits: { bodySize: '10 parsecs' } }, 'scrape job "shop": body_size_limit: invalid size "10 parsecs" (use e.g. "10MB")'],
    [{ client: { bearer_token: 'a', basic_auth: { username: 'u' } } }, "scrape job \"shop\": at most one of 'bearer_token' and 'basic_auth' may be set"],
    [{ client: { no_proxy: 'example.com' } }, 'scrape job "shop": if no_proxy is configured, proxy_url must also be configured'],
    [{ samples: { nativeHistograms: true }, protocols: ['OpenMetricsText1.0.0'] }, 'scrape job "shop": scrape_native_histograms: is set to true, but PrometheusProto is not in scrape_protocols'],
    [{ samples: { fallbackProtocol: 'Binary' } }, 'scrape job "shop": scrape_fallback_protocol: invalid scrape protocol "Binary"'],
    [{ samples: { nameValidation: 'ascii' } }, 'scrape job "shop": metric_name_validation_scheme: must be either "utf8" or "legacy", got "ascii"'],
    [{ samples: { nameEscaping: 'allow-utf-8' } }, 'scrape job "shop": metric_name_escaping_scheme: cannot be set to "allow-utf-8" while metric_name_validation_scheme is not set to "utf8"'],
    [{ samples: { nameEscaping: 'spaces' } }, 'scrape job "shop": metric_name_escaping_scheme: invalid value "spaces"'],
    [{ samples: { nativeHistogramBucketLimit: -1 } }, 'scrape job "shop": native_histogram_bucket_limit: must be a non-negative integer'],
  ])('%j', (over, message) => {
    expect(() => buildScrapeJob({ name: 'shop', ...over })).toThrow(message);
  });

  test('native histograms: protobuf first by default; the escaping scheme follows validation; enable_protobuf_negotiation', () => {
    const job = buildScrapeJob({ name: 'j', samples: { nativeHistograms: true, nameValidation: 'utf8' } });
    expect(job.protocols).toEqual(['PrometheusProto', 'OpenMetricsText1.0.0', 'OpenMetricsText0.0.1', 'PrometheusText1.0.0', 'PrometheusText0.0.4']);
    expect(job.escapingScheme).toBe('allow-utf-8');
    expect(wireConfig(job).http.accept).toMatch(/^application\/vnd\.google\.protobuf;proto=io\.prometheus\.client\.MetricFamily;encoding=delimited;q=0\.6,/);
    const legacy = buildScrapeJob(scrapeJobSpec(decodeScrape('  targets = []\n  enable_protobuf_negotiation = true'), 'j'));
    expect(legacy.protocols[0]).toBe('PrometheusProto');
    expect(legacy.samples.nativeHistograms).toBe(true);
    expect(() => decodeScrape('  targets = []\n  enable_protobuf_negotiation = true\n  scrape_protocols = ["PrometheusText0.0.4"]')).toThrow(
      'both enable_protobuf_negotiation and scrape_protocols are set, only one can be set at a time',
    );
    expect(buildScrapeJob({ name: 'j', samples: { nativeHistogramMinBucketFactor: 2 } }).samples.maxSchema).toBe(0);
  });

  test('a caller names fields in its own terms', () => {
    expect(() => buildScrapeJob({ name: 'serviceMonitor/a/m/0', protocols: ['Nope'] }, { fieldNames: { protocols: 'spec.scrapeProtocols' } })).toThrow(
      'scrape job "serviceMonitor/a/m/0": spec.scrapeProtocols: unknown protocol "Nope"',
    );
  });

  test('prometheus.scrape refuses the same jobs at load time', () => {
    expect(() => decodeScrape('  targets = []\n  job_name = "shop"\n  scrape_interval = "5s"')).toThrow('scrape job "shop": scrape_timeout (10s) is greater than the interval (5s)');
    expect(() => decodeScrape('  targets = []\n  no_proxy = "x"')).toThrow('if no_proxy is configured, proxy_url must also be configured');
  });
});

describe('one job from either surface', () => {
  const refs = {
    value(kind: string, ns: string, ref: { name: string; key: string }) {
      const data: Record<string, string> = { 'Secret/shop/tok/token': 's3cret', 'ConfigMap/shop/ca/ca.crt': 'CA-PEM' };
      return data[`${kind}/${ns}/${ref.name}/${ref.key}`];
    },
  } as unknown as RefStore;

  test('a ServiceMonitor endpoint and prometheus.scrape with the same settings build equal ScrapeJobs', () => {
    const m = parseMonitor('ServiceMonitor', {
      metadata: { name: 'cart', namespace: 'shop' },
      spec: {
        selector: {},
        sampleLimit: 1000,
        labelLimit: 40,
        bodySizeLimit: '1MB',
        scrapeProtocols: ['PrometheusText0.0.4'],
        endpoints: [
          {
            port: 'web',
            path: '/stats',
            scheme: 'https',
            interval: '30s',
            scrapeTimeout: '5s',
            params: { format: ['prometheus'] },
            honorLabels: true,
            honorTimestamps: false,
            followRedirects: false,
            bearerTokenSecret: { name: 'tok', key: 'token' },
            tlsConfig: { ca: { configMap: { name: 'ca', key: 'ca.crt' } }, serverName: 'cart.shop' },
            metricRelabelings: [{ action: 'drop', sourceLabels: ['__name__'], regex: 'go_.*' }],
          },
        ],
      },
    });
    const op = buildJob(m, m.endpoints[0], { role: 'endpoints', scrape: {}, extraRules: [], allowFileAccess: false }, refs).scrape;

    const args = decodeScrape(`  targets = []
  job_name = "serviceMonitor/shop/cart/0"
  metrics_path = "/stats"
  scheme = "https"
  scrape_interval = "30s"
  scrape_timeout = "5s"
  params = { format = ["prometheus"] }
  honor_labels = true
  honor_timestamps = false
  follow_redirects = false
  sample_limit = 1000
  label_limit = 40
  body_size_limit = "1MB"
  scrape_protocols = ["PrometheusText0.0.4"]
  bearer_token = "s3cret"
  tls_config {
    ca_pem = "CA-PEM"
    server_name = "cart.shop"
  }
  metric_relabel {
    action = "drop"
    source_labels = ["__name__"]
    regex = "go_.*"
  }`);
    const scrape = buildScrapeJob(scrapeJobSpec(args, args.job_name!));

    expect(op).toEqual(scrape);
    // Not equal by being empty: the settings are there.
    expect(op).toMatchObject({ intervalMs: 30_000, timeoutMs: 5000, scheme: 'https', limits: { sample: 1000, label: 40, bodySizeBytes: 1024 ** 2 }, client: { bearer_token: 's3cret' } });
    expect(op.metricRelabel).toHaveLength(1);
  });
});
