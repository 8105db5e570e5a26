// Arguments of prometheus.operator.servicemonitors / .podmonitors (Alloy's
// names and defaults; durations arrive in milliseconds).
import { type RuleBlock, ruleBlockSchema, rulesFromConfig } from '../../relabel/index.js';
import { kubeClientAttrs, kubeClientBlocks, validateKubeClientArgs, type KubeClientArgs } from '../../kube/client.js';
import { METRICS_RECEIVER, type MetricsReceiver } from '../../pipeline/metrics.js';
import { t, type BlockSchema } from '../../runtime/types.js';
import { SCRAPE_GLOBALS, type ScrapeSampleSpec } from '../../scrape/job.js';
import { type SelectorBlock, selectorBlockSchema } from '../selector.js';
import { compileScrapeClasses, type ScrapeClassBlock, scrapeClassSchema } from './scrape-class.js';

export interface OperatorArgs {
  forward_to: MetricsReceiver[];
  namespaces?: string[];
  kubernetes_role: string;
  allow_arbitrary_file_access: boolean;
  informer_sync_timeout: number;
  client?: KubeClientArgs;
  selector?: SelectorBlock;
  clustering?: { enabled?: boolean; excluded_labels?: string[] };
  scrape?: ScrapeBlock;
  rule?: RuleBlock[];
  scrape_class?: ScrapeClassBlock[];
}

/** The `scrape` block (Alloy's prom-operator-scrape options). */
export interface ScrapeBlock {
  default_scrape_interval?: number;
  default_scrape_timeout?: number;
  default_sample_limit?: number;
  start_timestamp_zero_ingestion?: boolean;
  convert_classic_histograms_to_nhcb?: boolean;
  enable_type_and_unit_labels?: boolean;
  honor_metadata?: boolean;
  native_histogram_bucket_limit?: number;
  native_histogram_min_bucket_factor?: number;
  scrape_classic_histograms?: boolean;
  scrape_native_histograms?: boolean;
}

/** The scrape block's sample options, as the one scrape job takes them (src/scrape/job.ts). */
export function scrapeSampleSpec(s: ScrapeBlock | undefined): ScrapeSampleSpec {
  return {
    nativeHistograms: s?.scrape_native_histograms,
    classicHistograms: s?.scrape_classic_histograms,
    nativeHistogramBucketLimit: s?.native_histogram_bucket_limit,
    nativeHistogramMinBucketFactor: s?.native_histogram_min_bucket_factor,
    convertClassicToNhcb: s?.convert_classic_histograms_to_nhcb,
    honorMetadata: s?.honor_metadata,
    typeAndUnitLabels: s?.enable_type_and_unit_labels,
    startTimestampZero: s?.start_timestamp_zero_ingestion,
  };
}

/** The arguments of the prometheus.operator.* components (`withRole`: servicemonitors' kubernetes_role); scrape_class applies to every kind. */
export function operatorArgsSchema(withRole: boolean): BlockSchema {
  return {
    attrs: {
      forward_to: { type: t.array(t.capsule(METRICS_RECEIVER)), required: true },
      namespaces: { type: t.array(t.string()) },
      ...(withRole ? { kubernetes_role: { type: t.string(), default: 'endpoints' } } : {}),
      allow_arbitrary_file_access: { type: t.bool(), default: false },
      informer_sync_timeout: { type: t.duration(), default: 60_000 },
    },
    blocks: {
      client: { schema: { attrs: kubeClientAttrs, blocks: kubeClientBlocks } },
      selector: { schema: selectorBlockSchema },
      clustering: { schema: { attrs: { enabled: { type: t.bool(), default: false }, excluded_labels: { type: t.array(t.string()), default: [] } } } },
      scrape: {
        schema: {
          attrs: {
            default_scrape_interval: { type: t.duration(), default: SCRAPE_GLOBALS.intervalMs },
            default_scrape_timeout: { type: t.duration(), default: SCRAPE_GLOBALS.timeoutMs },
            default_sample_limit: { type: t.number(), default: 0 },
            start_timestamp_zero_ingestion: { type: t.bool(), default: false },
            convert_classic_histograms_to_nhcb: { type: t.bool(), default: false },
            enable_type_and_unit_labels: { type: t.bool(), default: false },
            honor_metadata: { type: t.bool(), default: false },
            native_histogram_bucket_limit: { type: t.number(), default: 0 },
            native_histogram_min_bucket_factor: { type: t.number(), default: 0 },
            scrape_classic_histograms: { type: t.bool(), default: false },
            scrape_native_histograms: { type: t.bool(), default: false },
          },
        },
      },
      rule: { schema: ruleBlockSchema, multiple: true },
      scrape_class: { schema: scrapeClassSchema, multiple: true },
    },
    validate: (a: OperatorArgs) => validateOperatorArgs(a, withRole),
  };
}

export function validateOperatorArgs(a: OperatorArgs, withRole: boolean): void {
  if (withRole && a.kubernetes_role !== 'endpoints' && a.kubernetes_role !== 'endpointslice') {
    throw new Error(`kubernetes_role must be "endpoints" or "endpointslice", got ${JSON.stringify(a.kubernetes_role)}`);
  }
  if (a.client) validateKubeClientArgs(a.client);
  const s = a.scrape ?? {};
  const interval = s.default_scrape_interval ?? SCRAPE_GLOBALS.intervalMs;
  const timeout = s.default_scrape_timeout ?? SCRAPE_GLOBALS.timeoutMs;
  if (!(interval > 0)) throw new Error('scrape.default_scrape_interval must be greater than 0');
  if (!(timeout > 0)) throw new Error('scrape.default_scrape_timeout must be greater than 0');
  const limit = s.default_sample_limit ?? 0;
  if (!Number.isInteger(limit) || limit < 0) throw new Error('scrape.default_sample_limit must be a non-negative integer');
  const bucketLimit = s.native_histogram_bucket_limit ?? 0;
  if (!Number.isInteger(bucketLimit) || bucketLimit < 0) throw new Error('scrape.native_histogram_bucket_limit must be a non-negative integer');
  if (!((s.native_histogram_min_bucket_factor ?? 0) >= 0)) throw new Error('scrape.native_histogram_min_bucket_factor must not be negative');
  rulesFromConfig(a.rule);
  compileScrapeClasses(a.scrape_class);
}
