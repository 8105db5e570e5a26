// The HTTP client part of a ServiceMonitor/PodMonitor endpoint (bearer token,
// authorization, basicAuth, oauth2, tlsConfig) as the Alloy-named client
// settings the scrape workers take, with Secret and ConfigMap references
// resolved to their current values. Reading a reference registers its watch,
// so an edited Secret recomputes the job and the workers get the new value.
import type { HttpClientArgs, TlsConfig } from '../../net/http-options.js';
import { type OAuth2Config, validateOAuth2 } from '../../net/oauth2.js';
import { type ProxySettings, validateProxySettings } from '../../net/proxy.js';
import type { EndpointSpec, KeyRef, OAuth2Spec, ProxySpec, SecretOrConfigMapRef, TlsSpec } from './monitor.js';

/** The value of a Secret key; throws with `field` in the message. */
export type ReadSecret = (ref: KeyRef, field: string) => string;
/** The value of a Secret or ConfigMap key, undefined without a reference. */
export type ReadEither = (ref: SecretOrConfigMapRef | undefined, field: string) => string | undefined;

export function refuseFile(allowed: boolean, field: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!allowed) throw new Error(`${field} references a file on the collector (${JSON.stringify(value)}), refused: set allow_arbitrary_file_access = true to permit it`);
  return value;
}

/** `at` names the endpoint ("spec.endpoints[0]") in every error. */
export function clientArgs(ep: EndpointSpec, at: string, allowFileAccess: boolean, secret: ReadSecret, either: ReadEither): HttpClientArgs {
  const c: HttpClientArgs = {};
  if (ep.bearerTokenSecret) c.bearer_token = secret(ep.bearerTokenSecret, `${at}.bearerTokenSecret`);
  else if (ep.bearerTokenFile) c.bearer_token_file = refuseFile(allowFileAccess, `${at}.bearerTokenFile`, ep.bearerTokenFile);
  else if (ep.authorization) {
    const a = ep.authorization;
    c.authorization = { type: a.type, credentials: a.credentials ? secret(a.credentials, `${at}.authorization.credentials`) : '' };
  } else if (ep.basicAuth) {
    c.basic_auth = {
      username: ep.basicAuth.username ? secret(ep.basicAuth.username, `${at}.basicAuth.username`) : '',
      password: ep.basicAuth.password ? secret(ep.basicAuth.password, `${at}.basicAuth.password`) : '',
    };
  } else if (ep.oauth2) c.oauth2 = oauth2Args(ep.oauth2, `${at}.oauth2`, secret, either);
  if (ep.tlsConfig) c.tls_config = tlsArgs(ep.tlsConfig, `${at}.tlsConfig`, allowFileAccess, secret, either);
  if (ep.proxy) Object.assign(c, proxyArgs(ep.proxy, at, secret));
  return c;
}

/** The operator's ProxyConfig in Alloy's names (proxy_url, no_proxy, proxy_from_environment, proxy_connect_header). */
function proxyArgs(p: ProxySpec, at: string, secret: ReadSecret): ProxySettings & { proxy_connect_header?: Record<string, string[]> } {
  const out: ProxySettings & { proxy_connect_header?: Record<string, string[]> } = {};
  if (p.proxyUrl) out.proxy_url = p.proxyUrl;
  if (p.noProxy) out.no_proxy = p.noProxy;
  if (p.proxyFromEnvironment) out.proxy_from_environment = true;
  if (p.proxyConnectHeader) {
    out.proxy_connect_header = Object.fromEntries(
      Object.entries(p.proxyConnectHeader).map(([name, refs]) => [name, refs.map((ref, i) => secret(ref, `${at}.proxyConnectHeader.${name}[${i}]`))]),
    );
  }
  try {
    validateProxySettings(out);
  } catch (e) {
    throw new Error(`${at}: ${(e as Error).message}`);
  }
  return out;
}

function oauth2Args(o: OAuth2Spec, at: string, secret: ReadSecret, either: ReadEither): OAuth2Config {
  try {
    new URL(o.tokenUrl);
  } catch {
    throw new Error(`${at}.tokenUrl: ${JSON.stringify(o.tokenUrl)} is not a valid URL`);
  }
  const cfg: OAuth2Config = {
    client_id: either(o.clientId, `${at}.clientId`) ?? '',
    client_secret: secret(o.clientSecret, `${at}.clientSecret`),
    token_url: o.tokenUrl,
  };
  if (o.scopes.length > 0) cfg.scopes = o.scopes;
  if (Object.keys(o.endpointParams).length > 0) cfg.endpoint_params = o.endpointParams;
  // The token endpoint's TLS is "safe" in the operator: references only, never files.
  if (o.tlsConfig) cfg.tls_config = tlsArgs(o.tlsConfig, `${at}.tlsConfig`, false, secret, either);
  if (o.proxy) Object.assign(cfg, proxyArgs(o.proxy, at, secret));
  try {
    validateOAuth2(cfg, at);
  } catch (e) {
    // e.g. an optional clientId reference that resolved to nothing.
    throw new Error((e as Error).message.replace(/client_id must be set/, 'clientId resolved to an empty value'));
  }
  return cfg;
}

function tlsArgs(t: TlsSpec, at: string, allowFileAccess: boolean, secret: ReadSecret, either: ReadEither): TlsConfig {
  const c: TlsConfig = {
    ca_pem: either(t.ca, `${at}.ca`),
    ca_file: refuseFile(allowFileAccess, `${at}.caFile`, t.caFile),
    cert_pem: either(t.cert, `${at}.cert`),
    cert_file: refuseFile(allowFileAccess, `${at}.certFile`, t.certFile),
    key_pem: t.keySecret ? secret(t.keySecret, `${at}.keySecret`) : undefined,
    key_file: refuseFile(allowFileAccess, `${at}.keyFile`, t.keyFile),
    server_name: t.serverName,
    insecure_skip_verify: t.insecureSkipVerify,
    min_version: t.minVersion,
    max_version: t.maxVersion,
  };
  for (const k of Object.keys(c) as (keyof TlsConfig)[]) if (c[k] === undefined) delete c[k];
  return c;
}
