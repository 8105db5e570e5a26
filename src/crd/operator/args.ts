// Arguments of prometheus.operator.servicemonitors / .podmonitors (Alloy's
// names and defaults; durations arrive in milliseconds).
import { type RuleBlock, ruleBlockSchema, rulesFromConfig } from '../../relabel/index.js';
import { kubeClientAttrs, kubeClientBlocks, validateKubeClientArgs, type KubeClientArgs } from '../../kube/client.js';
import { METRICS_RECEIVER, type MetricsReceiver } from '../../pipeline/metrics.js';
import { t, type BlockSchema } from '../../runtime/types.js';
import { SCRAPE_GLOBALS } from '../../scrape/job.js';
import { type SelectorBlock, selectorBlockSchema } from '../selector.js';

export interface OperatorArgs {
  forward_to: MetricsReceiver[];
  namespaces?: string[];
  kubernetes_role: string;
  allow_arbitrary_file_access: boolean;
  informer_sync_timeout: number;
  client?: KubeClientArgs;
  selector?: SelectorBlock;
  clustering?: { enabled?: boolean; excluded_labels?: string[] };
  scrape?: { default_scrape_interval?: number; default_scrape_timeout?: number; default_sample_limit?: number };
  rule?: RuleBlock[];
}

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
          },
        },
      },
      rule: { schema: ruleBlockSchema, multiple: true },
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
  rulesFromConfig(a.rule);
}
