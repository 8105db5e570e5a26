// Arguments of mimir.rules.kubernetes and loki.rules.kubernetes (Alloy's
// names and defaults) and their translation into the ruler client settings.
import { kubeClientAttrs, kubeClientBlocks, validateKubeClientArgs, type KubeClientArgs } from '../../kube/client.js';
import { type FullHttpClientArgs, httpClientSchema, validateHttpClient } from '../../net/client-schema.js';
import { TLS_ATTRS_NO_MIN_VERSION } from '../../net/http-options.js';
import type { Secret } from '../../syntax/secret.js';
import { t, type BlockSchema } from '../../runtime/types.js';
import { type SelectorBlock, selectorBlockSchema } from '../selector.js';
import type { RulerClientConfig } from './ruler-client.js';
import { configApiClientFields } from '../api-client.js';
import { type QueryMatcher, validateQueryMatcher } from './query-matchers.js';

export type RulerFlavor = 'mimir' | 'loki';

export interface RulesArgs extends FullHttpClientArgs {
  address: string;
  tenant_id?: string;
  bearer_token?: Secret;
  bearer_token_file?: string;
  sync_interval: number;
  namespace_prefix: string;
  namespace_separator: string;
  prometheus_http_prefix?: string;
  use_legacy_routes: boolean;
  external_labels?: Record<string, string>;
  follow_redirects: boolean;
  enable_http2: boolean;
  rule_selector?: SelectorBlock;
  rule_namespace_selector?: SelectorBlock;
  extra_query_matchers?: { matcher?: QueryMatcher[] };
  /** alloy-ts extension: Kubernetes API access (Alloy uses the in-cluster config only). */
  client?: KubeClientArgs;
}

/** Per-flavor names and defaults (Alloy's). */
export const FLAVORS = {
  mimir: { prefixAttr: 'mimir_namespace_prefix', separatorAttr: 'mimir_namespace_separator', separator: '/', syncMs: 5 * 60_000 },
  loki: { prefixAttr: 'loki_namespace_prefix', separatorAttr: 'loki_namespace_separator', separator: '-', syncMs: 30_000 },
} as const;

export function rulesArgsSchema(flavor: RulerFlavor): BlockSchema {
  const f = FLAVORS[flavor];
  return {
    attrs: {
      address: { type: t.string(), required: true },
      tenant_id: { type: t.string() },
      ...httpClientSchema({ tlsAttrs: TLS_ATTRS_NO_MIN_VERSION }).attrs,
      sync_interval: { type: t.duration(), default: f.syncMs },
      [f.prefixAttr]: { type: t.string(), default: 'alloy' },
      [f.separatorAttr]: { type: t.string(), default: f.separator },
      ...(flavor === 'mimir' ? { prometheus_http_prefix: { type: t.string(), default: '/prometheus' } } : {}),
      use_legacy_routes: { type: t.bool(), default: false },
      external_labels: { type: t.map(t.string()) },
    },
    blocks: {
      ...httpClientSchema({ tlsAttrs: TLS_ATTRS_NO_MIN_VERSION }).blocks,
      rule_selector: { schema: selectorBlockSchema },
      rule_namespace_selector: { schema: selectorBlockSchema },
      extra_query_matchers: { schema: { blocks: { matcher: { multiple: true, schema: matcherSchema(flavor) } } } },
      client: { schema: { attrs: kubeClientAttrs, blocks: kubeClientBlocks } },
    },
    validate: (a: Record<string, unknown>) => validateRulesArgs(normalizeRulesArgs(flavor, a)),
  };
}

/** One `matcher` block: Mimir's value is optional (or value_from_label), Loki's required. */
function matcherSchema(flavor: RulerFlavor): BlockSchema {
  return {
    attrs: {
      name: { type: t.string(), required: true },
      match_type: { type: t.string(), required: true },
      value: { type: t.string(), required: flavor === 'loki' },
      ...(flavor === 'mimir' ? { value_from_label: { type: t.string() } } : {}),
    },
    validate: (m: QueryMatcher) => validateQueryMatcher(m, { valueFromLabel: flavor === 'mimir' }),
  };
}

/** Map the flavor's attribute names onto the common shape. */
export function normalizeRulesArgs(flavor: RulerFlavor, a: Record<string, any>): RulesArgs {
  const f = FLAVORS[flavor];
  return { ...a, namespace_prefix: a[f.prefixAttr] ?? 'alloy', namespace_separator: a[f.separatorAttr] ?? f.separator } as RulesArgs;
}

export function validateRulesArgs(a: RulesArgs): void {
  let u: URL;
  try {
    u = new URL(a.address);
  } catch {
    throw new Error(`address ${JSON.stringify(a.address)} is not a valid URL`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`address must be http or https, got ${u.protocol}`);
  if (!a.namespace_prefix) throw new Error('the namespace prefix must not be empty');
  if (!a.namespace_separator) throw new Error('the namespace separator must not be empty');
  if (!(a.sync_interval > 0)) throw new Error('sync_interval must be greater than 0');
  validateHttpClient(a, TLS_ATTRS_NO_MIN_VERSION);
  if (a.client) validateKubeClientArgs(a.client);
}

export function rulesPath(flavor: RulerFlavor, a: RulesArgs): string {
  if (flavor === 'mimir') return a.use_legacy_routes ? '/api/v1/rules' : `${(a.prometheus_http_prefix ?? '/prometheus').replace(/\/+$/, '')}/config/v1/rules`;
  return a.use_legacy_routes ? '/api/prom/rules' : '/loki/api/v1/rules';
}

export function rulerClientConfig(flavor: RulerFlavor, a: RulesArgs): RulerClientConfig {
  return {
    address: a.address,
    rulesPath: rulesPath(flavor, a),
    tenantId: a.tenant_id || undefined,
    ...configApiClientFields(a),
  };
}
