// A ScrapeJob as its scrape pool takes it: the labels targets default to
// (populateTarget) and the clonable settings the scrape workers run with.
import { USER_AGENT } from '../net/user-agent.js';
import { scrapeCeilings } from './ceilings.js';
import type { HttpClientConfig } from './http.js';
import type { ScrapeJob } from './job.js';
import { acceptHeader } from './parse/index.js';
import type { PoolWireConfig } from './protocol.js';
import type { TargetDefaults } from './target.js';

/** What populateTarget fills in for a target without its own job/scheme/path/interval/timeout/params. */
export function targetDefaults(job: ScrapeJob): TargetDefaults {
  return { jobName: job.name, scheme: job.scheme, metricsPath: job.metricsPath, intervalMs: job.intervalMs, timeoutMs: job.timeoutMs, params: job.params };
}

/** The per-job settings the scrape workers take (clonable). */
export function wireConfig(job: ScrapeJob): PoolWireConfig {
  const ceilings = scrapeCeilings();
  const http: HttpClientConfig = {
    accept: acceptHeader(job.protocols, job.escapingScheme),
    enableCompression: job.enableCompression,
    bodySizeLimit: job.limits.bodySizeBytes,
    bodySizeCeiling: ceilings.bodySizeBytes,
    followRedirects: job.followRedirects,
    userAgent: USER_AGENT,
    headers: job.headers,
    client: job.client,
  };
  return {
    http,
    honorLabels: job.honorLabels,
    honorTimestamps: job.honorTimestamps,
    trackTimestampsStaleness: job.trackTimestampsStaleness,
    sampleLimit: job.limits.sample,
    sampleCeiling: ceilings.samples,
    labelLimit: job.limits.label,
    labelNameLengthLimit: job.limits.labelNameLength,
    labelValueLengthLimit: job.limits.labelValueLength,
    metricRelabel: job.metricRelabel,
    samples: job.samples,
    fallbackProtocol: job.fallbackProtocol,
  };
}
