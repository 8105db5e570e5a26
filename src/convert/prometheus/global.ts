// The `global` section: the defaults every scrape config inherits, and the
// external labels (for remote_write). Prometheus's defaults apply to what is
// not written (scrape_interval 1m, scrape_timeout 10s).
import type { Fields } from '../fields.js';

export interface ScrapeDefaults {
  intervalMs: number;
  timeoutMs: number;
  protocols?: string[];
  bodySizeLimit?: string;
  limits: Partial<Record<LimitName, number>>;
}

export const LIMITS = ['sample_limit', 'target_limit', 'label_limit', 'label_name_length_limit', 'label_value_length_limit'] as const;
export type LimitName = (typeof LIMITS)[number];

export interface GlobalConfig {
  scrape: ScrapeDefaults;
  externalLabels?: Record<string, string>;
}

const DEFAULT_INTERVAL_MS = 60_000;
const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_EVALUATION_INTERVAL_MS = 60_000;

export function convertGlobal(f: Fields | undefined): GlobalConfig {
  if (!f) return { scrape: { intervalMs: DEFAULT_INTERVAL_MS, timeoutMs: DEFAULT_TIMEOUT_MS, limits: {} } };
  const intervalMs = f.promDuration('scrape_interval') ?? DEFAULT_INTERVAL_MS;
  // Prometheus: an unset global timeout is 10s, or the interval when that is shorter.
  let timeoutMs = f.promDuration('scrape_timeout');
  if (timeoutMs === undefined) timeoutMs = Math.min(DEFAULT_TIMEOUT_MS, intervalMs);
  if (timeoutMs > intervalMs) f.diags.critical(`global.scrape_timeout greater than global.scrape_interval`);
  const limits: ScrapeDefaults['limits'] = {};
  for (const k of LIMITS) {
    const v = f.uint(k);
    if (v !== undefined && v > 0) limits[k] = v;
  }
  const scrape: ScrapeDefaults = { intervalMs, timeoutMs, protocols: f.strList('scrape_protocols'), bodySizeLimit: f.str('body_size_limit'), limits };
  const externalLabels = f.strMap('external_labels');

  const evaluation = f.promDuration('evaluation_interval');
  if (evaluation !== undefined && evaluation !== DEFAULT_EVALUATION_INTERVAL_MS) f.diags.unsupported('global evaluation_interval');
  f.unsupported('rule_query_offset', 'this collector evaluates no rules', (v) => v === '0s' || v === '0');
  f.unsupported('query_log_file', undefined, (v) => v === '');
  f.unsupported('scrape_failure_log_file', undefined, (v) => v === '');
  f.unsupported('keep_dropped_targets', undefined, (v) => v === 0);
  f.unsupported('metric_name_validation_scheme', 'this collector validates names the legacy way', (v) => v === 'legacy');
  f.unsupported('metric_name_escaping_scheme', undefined, (v) => v === 'underscores');
  f.unsupported('always_scrape_classic_histograms', undefined, (v) => v === false);
  f.unsupported('convert_classic_histograms_to_nhcb', undefined, (v) => v === false);
  f.unsupported('scrape_native_histograms', 'native histograms are not scraped by this collector', (v) => v === false);
  f.finish();
  return { scrape, externalLabels };
}
