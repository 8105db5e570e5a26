// Prometheus's HTTP client settings (common/config HTTPClientConfig, shared by
// scrape configs, kubernetes_sd_configs, remote_write and promtail clients)
// as the attributes and blocks of the Alloy component that gets them. What
// that component of this collector does not offer is reported, per field.
import { KUBE_TLS_ATTRS, TLS_ATTRS, TLS_ATTRS_NO_MIN_VERSION, type TlsAttr } from '../net/http-options.js';
import { array, Block, bool, object, str, strArray, strMap, type Value } from './builder.js';
import type { Fields } from './fields.js';

export interface ClientTarget {
  /** The component (or block) named in messages, e.g. "prometheus.scrape". */
  component: string;
  tlsAttrs: readonly TlsAttr[];
  /** proxy_url is honoured (the Kubernetes client connects through it). */
  proxyUrl: boolean;
  /** enable_http2, http_headers and the proxy settings are arguments of the block. */
  transport: boolean;
}

export const SCRAPE_CLIENT: ClientTarget = { component: 'prometheus.scrape', tlsAttrs: TLS_ATTRS_NO_MIN_VERSION, proxyUrl: false, transport: false };
export const REMOTE_WRITE_CLIENT: ClientTarget = { component: 'prometheus.remote_write endpoint', tlsAttrs: TLS_ATTRS, proxyUrl: false, transport: true };
export const LOKI_WRITE_CLIENT: ClientTarget = { component: 'loki.write endpoint', tlsAttrs: TLS_ATTRS, proxyUrl: false, transport: true };
export const KUBE_CLIENT: ClientTarget = { component: 'discovery.kubernetes', tlsAttrs: KUBE_TLS_ATTRS, proxyUrl: true, transport: true };

const PROXY_WHY = 'this collector connects directly; proxies are not supported';

/** Reads the HTTP client fields of `f` into `into` (attributes and blocks). */
export function convertHttpClient(f: Fields, into: Block, target: ClientTarget): void {
  const bearerToken = f.str('bearer_token');
  into.attr('bearer_token', bearerToken !== undefined ? str(bearerToken) : undefined);
  const bearerTokenFile = f.str('bearer_token_file');
  into.attr('bearer_token_file', bearerTokenFile !== undefined ? str(bearerTokenFile) : undefined);

  const followRedirects = f.bool('follow_redirects');
  // true is the default on both sides.
  if (followRedirects === false) into.attr('follow_redirects', bool(false));

  const http2 = f.bool('enable_http2');
  if (http2 === false) {
    if (target.transport) into.attr('enable_http2', bool(false));
    else f.diags.info(`${f.where('enable_http2')} is not converted: ${target.component} of this collector scrapes over HTTP/1.1 only.`);
  }

  const proxyUrl = f.str('proxy_url');
  if (proxyUrl !== undefined && proxyUrl !== '') {
    if (target.proxyUrl) into.attr('proxy_url', str(proxyUrl));
    else f.diags.unsupported(f.where('proxy_url'), `${target.component}: ${PROXY_WHY}`);
  }
  const noProxy = f.str('no_proxy');
  if (noProxy !== undefined && noProxy !== '') {
    if (target.proxyUrl) into.attr('no_proxy', str(noProxy));
    else f.diags.unsupported(f.where('no_proxy'), `${target.component}: ${PROXY_WHY}`);
  }
  f.unsupported('proxy_from_environment', PROXY_WHY, (v) => v === false);
  f.unsupported('proxy_connect_header', PROXY_WHY, (v) => typeof v === 'object' && v !== null && Object.keys(v).length === 0);

  const headers = f.obj('http_headers');
  if (headers) {
    const converted = convertHttpHeaders(headers);
    if (target.transport) into.attr('http_headers', converted);
    else f.diags.unsupported(f.where('http_headers'), `${target.component} of this collector has no http_headers argument`);
  }

  const basic = f.obj('basic_auth');
  if (basic) {
    const b = new Block('basic_auth');
    const username = basic.str('username');
    b.attr('username', username !== undefined ? str(username) : undefined);
    basic.unsupported('username_file', 'Alloy\'s basic_auth has username only');
    basic.unsupported('username_ref');
    const password = basic.str('password');
    b.attr('password', password !== undefined ? str(password) : undefined);
    const passwordFile = basic.str('password_file');
    b.attr('password_file', passwordFile !== undefined ? str(passwordFile) : undefined);
    basic.unsupported('password_ref');
    basic.finish();
    into.append(b);
  }

  const authz = f.obj('authorization');
  if (authz) {
    const b = new Block('authorization');
    const type = authz.str('type');
    b.attr('type', type !== undefined ? str(type) : undefined);
    const credentials = authz.str('credentials');
    b.attr('credentials', credentials !== undefined ? str(credentials) : undefined);
    const credentialsFile = authz.str('credentials_file');
    b.attr('credentials_file', credentialsFile !== undefined ? str(credentialsFile) : undefined);
    authz.unsupported('credentials_ref');
    authz.finish();
    into.append(b);
  }

  const oauth2 = f.obj('oauth2');
  if (oauth2) into.append(convertOAuth2(oauth2));

  const tls = f.obj('tls_config');
  if (tls) into.append(convertTls(tls, target.tlsAttrs, target.component));
}

function convertOAuth2(f: Fields): Block {
  const b = new Block('oauth2');
  for (const k of ['client_id', 'client_secret', 'client_secret_file', 'token_url'] as const) {
    const v = f.str(k);
    b.attr(k, v !== undefined ? str(v) : undefined);
  }
  const scopes = f.strList('scopes');
  b.attr('scopes', scopes && scopes.length > 0 ? strArray(scopes) : undefined);
  const params = f.strMap('endpoint_params');
  b.attr('endpoint_params', params && Object.keys(params).length > 0 ? strMap(params) : undefined);
  f.unsupported('client_secret_ref');
  f.unsupported('client_certificate_key_id');
  f.unsupported('client_certificate_key');
  f.unsupported('client_certificate_key_file');
  f.unsupported('client_certificate_key_ref');
  f.unsupported('proxy_url', PROXY_WHY, (v) => v === '');
  f.unsupported('no_proxy', PROXY_WHY, (v) => v === '');
  f.unsupported('proxy_from_environment', PROXY_WHY, (v) => v === false);
  f.unsupported('proxy_connect_header', PROXY_WHY);
  const tls = f.obj('tls_config');
  if (tls) b.append(convertTls(tls, TLS_ATTRS, 'oauth2'));
  f.finish();
  return b;
}

/** Prometheus tls_config -> Alloy tls_config (ca -> ca_pem, cert -> cert_pem, key -> key_pem). */
function convertTls(f: Fields, offered: readonly TlsAttr[], component: string): Block {
  const b = new Block('tls_config');
  const pairs: [string, TlsAttr][] = [
    ['ca', 'ca_pem'],
    ['ca_file', 'ca_file'],
    ['cert', 'cert_pem'],
    ['cert_file', 'cert_file'],
    ['key', 'key_pem'],
    ['key_file', 'key_file'],
    ['server_name', 'server_name'],
    ['min_version', 'min_version'],
  ];
  for (const [from, to] of pairs) {
    const v = f.str(from);
    if (v === undefined || v === '') continue;
    if (offered.includes(to)) b.attr(to, str(v));
    else f.diags.unsupported(f.where(from), `the tls_config of ${component} in this collector has no ${to}`);
  }
  const insecure = f.bool('insecure_skip_verify');
  if (insecure === true) b.attr('insecure_skip_verify', bool(true));
  // Alloy reports max_version the same way: its tls_config has no such argument.
  f.unsupported('max_version', undefined, (v) => v === '');
  f.unsupported('ca_ref');
  f.unsupported('cert_ref');
  f.unsupported('key_ref');
  f.finish();
  return b;
}

/** Prometheus http_headers (`name: {values, secrets, files}`) -> Alloy `{ name = [values...] }`. */
function convertHttpHeaders(f: Fields): Value {
  const fields: [string, Value][] = [];
  for (const name of [...f.keys()].sort()) {
    const h = f.obj(name)!;
    const values = [...(h.strList('values') ?? []), ...(h.strList('secrets') ?? [])];
    h.unsupported('files', 'header values read from files are not supported');
    h.finish();
    fields.push([name, array(values.map(str))]);
  }
  f.finish();
  return object(fields);
}
