// Arguments of mimir.alerts.kubernetes (Alloy's names and defaults) and their
// translation into the Alertmanager API client settings.
import { kubeClientAttrs, kubeClientBlocks, validateKubeClientArgs, type KubeClientArgs } from '../../kube/client.js';
import { type FullHttpClientArgs, httpClientSchema, validateHttpClient } from '../../net/client-schema.js';
import { TLS_ATTRS_NO_MIN_VERSION } from '../../net/http-options.js';
import type { Secret } from '../../syntax/secret.js';
import { t, type BlockSchema } from '../../runtime/types.js';
import { type SelectorBlock, selectorBlockSchema } from '../selector.js';
import { type ConfigApiClientConfig, configApiClientFields } from '../api-client.js';
import { type MatcherStrategy, STRATEGIES } from './merge.js';

export interface AlertsArgs extends FullHttpClientArgs {
  address: string;
  global_config: Secret | string;
  template_files: Record<string, string>;
  bearer_token?: Secret;
  bearer_token_file?: string;
  sync_interval: number;
  follow_redirects: boolean;
  enable_http2: boolean;
  alertmanagerconfig_selector?: SelectorBlock;
  alertmanagerconfig_namespace_selector?: SelectorBlock;
  alertmanagerconfig_matcher?: { strategy: MatcherStrategy; alertmanager_namespace?: string };
  /** alloy-ts extension: Kubernetes API access (Alloy uses the in-cluster config only). */
  client?: KubeClientArgs;
}

export const alertsArgsSchema: BlockSchema = {
  attrs: {
    address: { type: t.string(), required: true },
    global_config: { type: t.secret(), required: true },
    template_files: { type: t.map(t.string()), default: {} },
    ...httpClientSchema({ tlsAttrs: TLS_ATTRS_NO_MIN_VERSION }).attrs,
    sync_interval: { type: t.duration(), default: 5 * 60_000 },
  },
  blocks: {
    ...httpClientSchema({ tlsAttrs: TLS_ATTRS_NO_MIN_VERSION }).blocks,
    alertmanagerconfig_selector: { schema: selectorBlockSchema },
    alertmanagerconfig_namespace_selector: { schema: selectorBlockSchema },
    alertmanagerconfig_matcher: {
      schema: {
        attrs: {
          strategy: { type: t.string(), default: 'OnNamespace' },
          alertmanager_namespace: { type: t.string() },
        },
      },
    },
    client: { schema: { attrs: kubeClientAttrs, blocks: kubeClientBlocks } },
  },
  validate: (a: AlertsArgs) => validateAlertsArgs(a),
};

export function validateAlertsArgs(a: AlertsArgs): void {
  let u: URL;
  try {
    u = new URL(a.address);
  } catch {
    throw new Error(`address ${JSON.stringify(a.address)} is not a valid URL`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`address must be http or https, got ${u.protocol}`);
  if (!(a.sync_interval > 0)) throw new Error('sync_interval must be greater than 0');
  const m = a.alertmanagerconfig_matcher;
  const strategy = m?.strategy ?? 'OnNamespace';
  if (!STRATEGIES.includes(strategy)) throw new Error(`invalid strategy in alertmanagerconfig_matcher: ${strategy} (one of ${STRATEGIES.join(', ')})`);
  if (strategy === 'OnNamespaceExceptForAlertmanagerNamespace' && !m?.alertmanager_namespace) {
    throw new Error('alertmanagerconfig_matcher: when strategy is set to OnNamespaceExceptForAlertmanagerNamespace, alertmanager_namespace has to be set');
  }
  validateHttpClient(a, TLS_ATTRS_NO_MIN_VERSION);
  if (a.client) validateKubeClientArgs(a.client);
}

export function alertmanagerClientConfig(a: AlertsArgs): ConfigApiClientConfig {
  return {
    address: a.address,
    ...configApiClientFields(a),
  };
}
