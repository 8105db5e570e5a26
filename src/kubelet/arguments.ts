// Arguments of discovery.kubelet: Alloy's names and defaults, decoded by the
// runtime (durations in ms), and their validation.
import type { Secret } from '../syntax/secret.js';
import { t, type BlockSchema } from '../runtime/types.js';
import {
  bearerTokenAttrs,
  httpClientBlocks,
  KUBE_TLS_ATTRS,
  tlsConfigSchemaOf,
  validateHttpAuth,
  validateTlsConfig,
  type AuthorizationConfig,
  type BasicAuthConfig,
  type KubeTlsConfig,
} from '../net/http-options.js';

export const DEFAULT_URL = 'https://localhost:10250';
export const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';
export const DEFAULT_REFRESH_MS = 5_000;

export type KubeletTLSArgs = KubeTlsConfig;

export interface KubeletArgs {
  url?: string;
  bearer_token?: string | Secret;
  bearer_token_file?: string;
  authorization?: AuthorizationConfig;
  basic_auth?: BasicAuthConfig;
  tls_config?: KubeletTLSArgs;
  refresh_interval?: number;
  namespaces?: string[];
}

export const kubeletArgsSchema: BlockSchema = {
  attrs: {
    url: { type: t.string(), default: DEFAULT_URL },
    ...bearerTokenAttrs,
    refresh_interval: { type: t.duration(), default: DEFAULT_REFRESH_MS },
    namespaces: { type: t.array(t.string()), default: [] },
  },
  // Alloy documents authorization, basic_auth, oauth2 and tls_config; oauth2 is not implemented.
  blocks: httpClientBlocks(tlsConfigSchemaOf(KUBE_TLS_ATTRS)),
  validate: (a: KubeletArgs) => validateKubeletArgs(a),
};

/** Reject contradictory or unusable settings with a reason naming the attribute. */
export function validateKubeletArgs(a: KubeletArgs): void {
  const raw = a.url ?? DEFAULT_URL;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`url ${JSON.stringify(raw)} is not a valid URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new Error(`url ${JSON.stringify(raw)}: scheme must be http or https, not ${url.protocol.replace(/:$/, '')}`);
  }
  if (url.search || url.hash) throw new Error(`url ${JSON.stringify(raw)}: must not carry a query or fragment ("/pods" is appended to its path)`);
  validateHttpAuth({ bearer_token: a.bearer_token, bearer_token_file: a.bearer_token_file || undefined, authorization: a.authorization, basic_auth: a.basic_auth });
  const r = a.refresh_interval ?? DEFAULT_REFRESH_MS;
  if (!Number.isFinite(r) || r <= 0) throw new Error(`refresh_interval must be positive, got ${r} ms`);
  validateTlsConfig(a.tls_config, KUBE_TLS_ATTRS);
  for (const ns of a.namespaces ?? []) {
    if (typeof ns !== 'string' || ns === '') throw new Error(`namespaces: ${JSON.stringify(ns)} is not a namespace name`);
  }
}

/** `<url>/pods`: the base may carry a path (the API server's node proxy). */
export function podsURL(base: string): URL {
  const u = new URL(base);
  u.pathname = `${u.pathname.replace(/\/+$/, '')}/pods`;
  return u;
}
