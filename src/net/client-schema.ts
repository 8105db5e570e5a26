// Alloy's HTTP client block, written once for every component that makes HTTP
// requests (remote_write and loki.write endpoints, the rules components, the
// Kubernetes clients, ...): credentials (bearer token, basic_auth,
// authorization, oauth2), tls_config, proxy settings, redirects, HTTP/2 and
// extra headers, with Alloy's names, defaults and validation rules. The
// connections themselves (direct or through the proxy) come from ClientAgents.
import { t, type AttrSchema, type BlockSchema, type BlockSpec } from '../runtime/types.js';
import type { Secret } from '../syntax/secret.js';
import {
  authorizationSchema,
  basicAuthSchema,
  bearerTokenAttrs,
  type HttpClientArgs,
  TLS_ATTRS,
  type TlsAttr,
  tlsConfigSchemaOf,
  validateHttpClientArgs,
} from './http-options.js';
import { oauth2Schema } from './oauth2.js';
import { validateProxySettings } from './proxy.js';
import { azureadSchema, validateAzureAd } from './azuread.js';
import { googleIamSchema } from './google-iam.js';
import type { CloudAuthConfig } from './request-auth.js';
import { sigv4Schema, validateSigV4 } from './sigv4.js';

/** The client settings besides credentials and TLS, as decoded. */
export interface HttpTransportArgs {
  proxy_url?: string;
  no_proxy?: string;
  proxy_from_environment?: boolean;
  proxy_connect_header?: Record<string, (string | Secret)[]>;
  follow_redirects?: boolean;
  enable_http2?: boolean;
  http_headers?: Record<string, (string | Secret)[]>;
}

export type FullHttpClientArgs = HttpClientArgs & HttpTransportArgs & CloudAuthConfig;

export interface HttpClientSchemaOptions {
  /** The tls_config attributes the component documents (default: all of Alloy's). */
  tlsAttrs?: readonly TlsAttr[];
  /** Also the sigv4, azuread and google_iam blocks (prometheus.remote_write endpoints). */
  cloudAuth?: boolean;
}

/** The attributes and blocks to spread into a component's (or a block's) schema. */
export function httpClientSchema(o: HttpClientSchemaOptions = {}): { attrs: Record<string, AttrSchema>; blocks: Record<string, BlockSpec> } {
  return {
    attrs: {
      ...bearerTokenAttrs,
      proxy_url: { type: t.string() },
      no_proxy: { type: t.string() },
      proxy_from_environment: { type: t.bool(), default: false },
      proxy_connect_header: { type: t.map(t.array(t.secret())) },
      follow_redirects: { type: t.bool(), default: true },
      enable_http2: { type: t.bool(), default: true },
      http_headers: { type: t.map(t.array(t.secret())) },
    },
    blocks: {
      basic_auth: { schema: basicAuthSchema },
      authorization: { schema: authorizationSchema },
      oauth2: { schema: oauth2Schema },
      tls_config: { schema: tlsConfigSchemaOf(o.tlsAttrs ?? TLS_ATTRS) },
      ...(o.cloudAuth ? { sigv4: { schema: sigv4Schema }, azuread: { schema: azureadSchema }, google_iam: { schema: googleIamSchema } } : {}),
    },
  };
}

/** A block schema that is just the HTTP client (e.g. an endpoint's nested client). */
export function httpClientBlockSchema(o: HttpClientSchemaOptions = {}): BlockSchema {
  return { ...httpClientSchema(o), validate: (a: FullHttpClientArgs) => validateHttpClient(a, o.tlsAttrs) };
}

/**
 * Alloy's (Prometheus's) rules for the whole block: one credential source,
 * valid blocks, and the proxy settings' combinations. `proxyUrlOnly`: the
 * client can use proxy_url but not the other proxy settings (the Kubernetes
 * clients, whose library takes a proxy URL only).
 */
export function validateHttpClient(a: FullHttpClientArgs, tlsAttrs: readonly TlsAttr[] = TLS_ATTRS, o: { proxyUrlOnly?: boolean } = {}): void {
  validateCloudAuth(a);
  validateHttpClientArgs({ ...a, bearer_token_file: a.bearer_token_file || undefined }, tlsAttrs);
  validateProxy(a, o.proxyUrlOnly === true);
}

/** Alloy's remote_write rule: the cloud blocks count as credential sources too. */
function validateCloudAuth(a: FullHttpClientArgs): void {
  const given = (v: unknown) => v !== undefined && v !== null && v !== '';
  const cloud = [a.sigv4, a.azuread, a.google_iam].filter(given).length;
  if (cloud === 0) return;
  const httpAuth = [a.basic_auth, a.oauth2, a.authorization, a.bearer_token, a.bearer_token_file].some(given) ? 1 : 0;
  if (cloud + httpAuth > 1) throw new Error('at most one of sigv4, azuread, google_iam, basic_auth, oauth2, bearer_token & bearer_token_file must be configured');
  validateSigV4(a.sigv4);
  validateAzureAd(a.azuread);
}

function validateProxy(a: HttpTransportArgs, proxyUrlOnly: boolean): void {
  validateProxySettings(a);
  const connectHeaders = Object.keys(a.proxy_connect_header ?? {}).length > 0;
  if (proxyUrlOnly && (a.proxy_from_environment || connectHeaders || (a.no_proxy ?? '') !== '')) {
    throw new Error('this client supports proxy_url only (not no_proxy, proxy_from_environment or proxy_connect_header)');
  }
}

/** http_headers as request headers (several values joined as Go's Header.Values would be sent). */
export function extraHeaders(h: HttpTransportArgs['http_headers'], reveal: (v: string | Secret) => string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, vs] of Object.entries(h ?? {})) out[k] = vs.map(reveal).join(', ');
  return out;
}
