// Prometheus's own scrape metrics, in the registry of the component that
// scrapes (prometheus.scrape or an operator component).
import { Counter, Gauge, type Registry, Summary } from 'prom-client';

export interface ScrapeMetrics {
  exceededSampleLimit: Counter;
  duplicateTimestamps: Counter;
  exceededBodySizeLimit: Counter;
  exceededLabelLimits: Counter;
  exceededTargetLimit: Counter;
  intervalLength: Summary<'interval'>;
  poolTargets: Gauge<'scrape_job'>;
  poolsTotal: Counter;
  scrapesSkipped: Counter<'scrape_job'>;
  appendFailures: Counter<'scrape_job'>;
  syncFailed: Counter<'scrape_job'>;
}

export function scrapeMetrics(registry: Registry): ScrapeMetrics {
  const registers = [registry];
  return {
    exceededSampleLimit: new Counter({ name: 'prometheus_target_scrapes_exceeded_sample_limit_total', help: 'Total number of scrapes that hit the sample limit and were rejected.', registers }),
    duplicateTimestamps: new Counter({ name: 'prometheus_target_scrapes_sample_duplicate_timestamp_total', help: 'Total number of samples rejected due to duplicate timestamps but different values.', registers }),
    exceededBodySizeLimit: new Counter({ name: 'prometheus_target_scrapes_exceeded_body_size_limit_total', help: 'Total number of scrapes that hit the body size limit', registers }),
    exceededLabelLimits: new Counter({ name: 'prometheus_target_scrape_pool_exceeded_label_limits_total', help: 'Total number of times scrape pools hit the label limits, during sync or config reload.', registers }),
    exceededTargetLimit: new Counter({ name: 'prometheus_target_scrape_pool_exceeded_target_limit_total', help: 'Total number of times scrape pools hit the target limit, during sync or config reload.', registers }),
    intervalLength: new Summary({
      name: 'prometheus_target_interval_length_seconds',
      help: 'Actual intervals between scrapes.',
      labelNames: ['interval'],
      percentiles: [0.01, 0.05, 0.5, 0.9, 0.99],
      maxAgeSeconds: 600,
      ageBuckets: 5,
      registers,
    }),
    poolTargets: new Gauge({ name: 'prometheus_target_scrape_pool_targets', help: 'Current number of targets in this scrape pool.', labelNames: ['scrape_job'], registers }),
    poolsTotal: new Counter({ name: 'prometheus_target_scrape_pools_total', help: 'Total number of scrape pool creation attempts.', registers }),
    scrapesSkipped: new Counter({ name: 'alloy_ts_scrape_skipped_total', help: 'Scrapes skipped because the previous scrape of the target was still running or being delivered.', labelNames: ['scrape_job'], registers }),
    syncFailed: new Counter({ name: 'prometheus_target_sync_failed_total', help: 'Total number of target sync failures.', labelNames: ['scrape_job'], registers }),
    appendFailures: new Counter({ name: 'alloy_ts_scrape_append_failures_total', help: 'Batches a downstream receiver (forward_to) rejected.', labelNames: ['scrape_job'], registers }),
  };
}
