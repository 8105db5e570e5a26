// The Alloy configuration surface of an HTTP client, written once for every
// component that makes HTTP requests: the `tls_config`, `basic_auth` and
// `authorization` blocks and the `bearer_token(_file)` attributes (Alloy's
// names and defaults), their validation, and their translation into Node TLS
// options and an Authorization header value.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import type { SecureVersion } from 'node:tls';
import { revealString, type Secret } from '../syntax/secret.js';
import { t, type AttrSchema, type BlockSchema, type BlockSpec } from '../runtime/types.js';

/** A decoded `tls_config` block (durations none; secrets as Secret or, across threads, plain strings). */
export interface TlsConfig {
  ca_pem?: string;
  ca_file?: string;
  cert_pem?: string;
  cert_file?: string;
  key_pem?: string | Secret;
  key_file?: string;
  server_name?: string;
  insecure_skip_verify?: boolean;
  /** TLS10, TLS11, TLS12 or TLS13. */
  min_version?: string;
  /**
   * TLS10..TLS13: the highest version offered. Alloy's tls_config has no such
   * attribute, so no block offers it; the operator CRs' tlsConfig.maxVersion
   * sets it.
   */
  max_version?: string;
}

/** A decoded `oauth2` block (secrets as Secret, or plain strings across threads). */
export interface OAuth2Config {
  client_id?: string;
  client_secret?: string | Secret;
  client_secret_file?: string;
  scopes?: string[];
  token_url?: string;
  endpoint_params?: Record<string, string>;
  /** Only "client_credentials" is supported. */
  grant_type?: string;
  tls_config?: TlsConfig;
  proxy_url?: string;
  no_proxy?: string;
  proxy_from_environment?: boolean;
  proxy_connect_header?: Record<string, unknown>;
}

export interface BasicAuthConfig {
  username?: string;
  password?: string | Secret;
  password_file?: string;
}

export interface AuthorizationConfig {
  /** Scheme of the header; Alloy's default is "Bearer". */
  type?: string;
  credentials?: string | Secret;
  credentials_file?: string;
}

/** The credential settings of an HTTP client; at most one of them may be set. */
export interface HttpAuthConfig {
  bearer_token?: string | Secret;
  bearer_token_file?: string;
  basic_auth?: BasicAuthConfig;
  authorization?: AuthorizationConfig;
  /** OAuth2 client credentials; needs a token source (RequestAuth, oauth2.ts). */
  oauth2?: OAuth2Config;
}

/** Everything an HTTP client endpoint block may carry: credentials and tls_config. */
export interface HttpClientArgs extends HttpAuthConfig {
  tls_config?: TlsConfig;
}

export type TlsAttr = keyof TlsConfig;

/** Every attribute of Alloy's tls_config, in its documented order. */
export const TLS_ATTRS: readonly TlsAttr[] = ['ca_pem', 'ca_file', 'cert_pem', 'cert_file', 'key_pem', 'key_file', 'server_name', 'insecure_skip_verify', 'min_version'];

/**
 * The tls_config of the Kubernetes clients (API server, kubelet) as documented
 * here: files for the client certificate, no min_version.
 */
export const KUBE_TLS_ATTRS = ['ca_file', 'ca_pem', 'cert_file', 'key_file', 'insecure_skip_verify', 'server_name'] as const satisfies readonly TlsAttr[];

/** tls_config as prometheus.scrape and the rules components document it (no min_version). */
export const TLS_ATTRS_NO_MIN_VERSION: readonly TlsAttr[] = TLS_ATTRS.filter((a) => a !== 'min_version');

export type KubeTlsConfig = Pick<TlsConfig, (typeof KUBE_TLS_ATTRS)[number]>;

const TLS_ATTR_SCHEMAS: Record<TlsAttr, AttrSchema> = {
  ca_pem: { type: t.string() },
  ca_file: { type: t.string() },
  cert_pem: { type: t.string() },
  cert_file: { type: t.string() },
  key_pem: { type: t.secret() },
  key_file: { type: t.string() },
  server_name: { type: t.string() },
  insecure_skip_verify: { type: t.bool(), default: false },
  min_version: { type: t.string() },
  max_version: { type: t.string() },
};

/**
 * A tls_config block schema limited to `attrs`, for components whose documented
 * surface is narrower than Alloy's (e.g. the Kubernetes client: no *_pem client
 * certificate, no min_version). Validation only speaks of the attributes offered.
 */
export function tlsConfigSchemaOf(attrs: readonly TlsAttr[]): BlockSchema {
  const offered = [...attrs];
  return {
    attrs: Object.fromEntries(offered.map((a) => [a, TLS_ATTR_SCHEMAS[a]])),
    validate: (d: TlsConfig) => validateTlsConfig(d, offered),
  };
}

/** Alloy's full tls_config block. */
export const tlsConfigSchema: BlockSchema = tlsConfigSchemaOf(TLS_ATTRS);

export const basicAuthSchema: BlockSchema = {
  attrs: { username: { type: t.string() }, password: { type: t.secret() }, password_file: { type: t.string() } },
  validate: (d: BasicAuthConfig) => validateBasicAuth(d),
};

export const authorizationSchema: BlockSchema = {
  attrs: { type: { type: t.string(), default: 'Bearer' }, credentials: { type: t.secret() }, credentials_file: { type: t.string() } },
  validate: (d: AuthorizationConfig) => validateAuthorization(d),
};

/** `bearer_token` and `bearer_token_file`, to spread into a component's attrs. */
export const bearerTokenAttrs: Record<'bearer_token' | 'bearer_token_file', AttrSchema> = {
  bearer_token: { type: t.secret() },
  bearer_token_file: { type: t.string() },
};

/** `basic_auth`, `authorization` and `tls_config`, to spread into a component's blocks. */
export function httpClientBlocks(tls: BlockSchema = tlsConfigSchema): Record<'basic_auth' | 'authorization' | 'tls_config', BlockSpec> {
  return { basic_auth: { schema: basicAuthSchema }, authorization: { schema: authorizationSchema }, tls_config: { schema: tls } };
}

const TLS_VERSIONS: Record<string, SecureVersion> = { TLS10: 'TLSv1', TLS11: 'TLSv1.1', TLS12: 'TLSv1.2', TLS13: 'TLSv1.3' };

const has = (v: string | Secret | undefined): boolean => (revealString(v) ?? '') !== '';
const quoted = (names: string[]) => names.map((n) => `'${n}'`);

/**
 * Alloy's rules: at most one source per PEM (inline or file), a client
 * certificate only with its key, a known min_version. `offered` names the
 * attributes the component documents, so messages never suggest others.
 */
export function validateTlsConfig(c: TlsConfig | undefined, offered: readonly TlsAttr[] = TLS_ATTRS, where = 'tls_config'): void {
  if (!c) return;
  for (const kind of ['ca', 'cert', 'key'] as const) {
    if (has(c[`${kind}_file`]) && has(c[`${kind}_pem`])) throw new Error(`${where}: at most one of '${kind}_file' and '${kind}_pem' may be set`);
  }
  const certSet = (['cert_pem', 'cert_file'] as const).find((a) => has(c[a]));
  const keySet = (['key_pem', 'key_file'] as const).find((a) => has(c[a]));
  if (certSet && !keySet) throw new Error(`${where}: '${certSet}' and ${alternatives('key', offered)} must be set together`);
  if (keySet && !certSet) throw new Error(`${where}: '${keySet}' and ${alternatives('cert', offered)} must be set together`);
  for (const a of ['min_version', 'max_version'] as const) {
    if (c[a] !== undefined && !(c[a]! in TLS_VERSIONS)) throw new Error(`${where}: unknown ${a} ${JSON.stringify(c[a])} (want one of ${Object.keys(TLS_VERSIONS).join(', ')})`);
  }
  // The names sort in version order (TLS10 < TLS13).
  if (c.min_version && c.max_version && c.max_version < c.min_version) throw new Error(`${where}: max_version ${c.max_version} is below min_version ${c.min_version}`);
}

function alternatives(kind: 'cert' | 'key', offered: readonly TlsAttr[]): string {
  const names = quoted([`${kind}_pem`, `${kind}_file`].filter((n) => offered.includes(n as TlsAttr)));
  return names.length > 1 ? `one of ${names.join(', ')}` : (names[0] ?? `'${kind}_file'`);
}

export function validateBasicAuth(b: BasicAuthConfig | undefined, where = 'basic_auth'): void {
  if (b && b.password !== undefined && b.password_file !== undefined) throw new Error(`${where}: at most one of 'password' and 'password_file' may be set`);
}

export function validateAuthorization(a: AuthorizationConfig | undefined, where = 'authorization'): void {
  if (!a) return;
  if (a.credentials !== undefined && a.credentials_file !== undefined) throw new Error(`${where}: at most one of 'credentials' and 'credentials_file' may be set`);
  // As in Prometheus: a Basic header is built by basic_auth (it base64-encodes user:password).
  if ((a.type ?? '').trim().toLowerCase() === 'basic') throw new Error(`${where}: type cannot be "Basic", use the basic_auth block instead`);
}

/** At most one credential source, and each block valid; the message names the settings in conflict. */
export function validateHttpAuth(a: HttpAuthConfig): void {
  const set = (['bearer_token', 'bearer_token_file', 'basic_auth', 'authorization', 'oauth2'] as const).filter((k) => a[k] !== undefined && a[k] !== null);
  if (set.length > 1) throw new Error(`at most one of ${joinAnd(quoted([...set]))} may be set`);
  validateBasicAuth(a.basic_auth);
  validateAuthorization(a.authorization);
}

/** validateHttpAuth and validateTlsConfig of one endpoint (`tlsAttrs`: the tls_config surface offered). */
export function validateHttpClientArgs(a: HttpClientArgs, tlsAttrs: readonly TlsAttr[] = TLS_ATTRS): void {
  validateHttpAuth(a);
  validateTlsConfig(a.tls_config, tlsAttrs);
}

function joinAnd(xs: string[]): string {
  return xs.length <= 2 ? xs.join(' and ') : `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`;
}

/** The Node options of a TLS client connection (`https.Agent`, `https.request`, `tls.connect`). */
export interface TlsClientOptions {
  ca?: string;
  cert?: string;
  key?: string;
  servername?: string;
  rejectUnauthorized: boolean;
  minVersion?: SecureVersion;
  maxVersion?: SecureVersion;
}

function readFileSyncNamed(what: string, path: string): string {
  try {
    return fs.readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`${what} ${path}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/**
 * TLS options for a decoded tls_config. Files are read on every call, so a
 * caller that calls again (per request, per poll, or via TlsAgent) gets rotated
 * certificates. An unreadable file is an Error naming the attribute and path.
 */
export function tlsClientOptions(c: TlsConfig | undefined, where = 'tls_config'): TlsClientOptions {
  const o: TlsClientOptions = { rejectUnauthorized: c?.insecure_skip_verify !== true };
  if (!c) return o;
  const pemOrFile = (pem: string | undefined, file: string | undefined, attr: string): string | undefined =>
    pem ? pem : file ? readFileSyncNamed(`${where}.${attr}`, file) : undefined;
  const ca = pemOrFile(c.ca_pem, c.ca_file, 'ca_file');
  if (ca) o.ca = ca;
  const cert = pemOrFile(c.cert_pem, c.cert_file, 'cert_file');
  if (cert) o.cert = cert;
  const key = pemOrFile(revealString(c.key_pem), c.key_file, 'key_file');
  if (key) o.key = key;
  if (c.server_name) o.servername = c.server_name;
  for (const [a, k] of [['min_version', 'minVersion'], ['max_version', 'maxVersion']] as const) {
    const name = c[a];
    if (!name) continue;
    const v = TLS_VERSIONS[name];
    if (!v) throw new Error(`${where}: unknown ${a} ${JSON.stringify(name)} (want one of ${Object.keys(TLS_VERSIONS).join(', ')})`);
    o[k] = v;
  }
  return o;
}

/** A credential file's content, trimmed (a trailing newline is never part of a token). */
export async function readCredentialFile(what: string, path: string): Promise<string> {
  try {
    return (await fsp.readFile(path, 'utf8')).trim();
  } catch (e) {
    throw new Error(`${what} ${path}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/**
 * The Authorization header value for the configured credentials, or undefined
 * when none is set. Files are read at every call so rotated credentials apply.
 */
export async function authorizationHeader(a: HttpAuthConfig): Promise<string | undefined> {
  // A programming error, not a config one: oauth2 needs state (the cached token).
  if (a.oauth2) throw new Error('oauth2 credentials need a token source: use RequestAuth (net/request-auth.ts)');
  if (a.basic_auth) {
    const b = a.basic_auth;
    const pw = b.password_file ? await readCredentialFile('basic_auth.password_file', b.password_file) : (revealString(b.password) ?? '');
    return `Basic ${Buffer.from(`${b.username ?? ''}:${pw}`).toString('base64')}`;
  }
  if (a.authorization) {
    const z = a.authorization;
    const cred = z.credentials_file ? await readCredentialFile('authorization.credentials_file', z.credentials_file) : (revealString(z.credentials) ?? '');
    return `${z.type || 'Bearer'} ${cred}`;
  }
  if (a.bearer_token_file) return `Bearer ${await readCredentialFile('bearer_token_file', a.bearer_token_file)}`;
  const token = revealString(a.bearer_token);
  if (token) return `Bearer ${token}`;
  return undefined;
}

/**
 * The client settings of `a` (credentials, tls_config, oauth2) with every
 * Secret replaced by its text, for a worker thread: a structured clone would
 * turn a Secret into an empty object. Only the thread that makes the request
 * should receive this.
 */
export function revealHttpClientArgs(a: HttpClientArgs): HttpClientArgs {
  const out: HttpClientArgs = {};
  if (a.bearer_token !== undefined && a.bearer_token !== null) out.bearer_token = revealString(a.bearer_token);
  if (a.bearer_token_file) out.bearer_token_file = a.bearer_token_file;
  if (a.basic_auth) out.basic_auth = { ...a.basic_auth, password: revealString(a.basic_auth.password) };
  if (a.authorization) out.authorization = { ...a.authorization, credentials: revealString(a.authorization.credentials) };
  if (a.oauth2) {
    const o = a.oauth2;
    const connect = o.proxy_connect_header as Record<string, (string | Secret)[]> | undefined;
    const proxy_connect_header = connect ? Object.fromEntries(Object.entries(connect).map(([k, vs]) => [k, vs.map((v) => revealString(v) ?? '')])) : undefined;
    out.oauth2 = { ...o, client_secret: revealString(o.client_secret), tls_config: revealTls(o.tls_config), proxy_connect_header };
  }
  if (a.tls_config) out.tls_config = revealTls(a.tls_config);
  return dropUndefined(out);
}

function revealTls(c: TlsConfig | undefined): TlsConfig | undefined {
  return c ? dropUndefined({ ...c, key_pem: revealString(c.key_pem) }) : undefined;
}

function dropUndefined<T extends object>(o: T): T {
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined) delete (o as Record<string, unknown>)[k];
    else if (v && typeof v === 'object' && !Array.isArray(v)) dropUndefined(v);
  }
  return o;
}
