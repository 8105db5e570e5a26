// The `azuread` block of an HTTP client (Alloy's names, from Prometheus's
// storage/remote/azuread): a Microsoft Entra ID access token for the cloud's
// Azure Monitor ingestion audience (or `scope`), sent as "Bearer <token>" and
// refreshed at half its lifetime, as Prometheus does. The credential kinds,
// spoken over their published HTTP protocols:
//   managed_identity  — Azure IMDS, GET /metadata/identity/oauth2/token
//                       (api-version 2018-02-01, `Metadata: true`); the host
//                       can be moved with AZURE_POD_IDENTITY_AUTHORITY_HOST.
//   oauth             — client credentials at <authority>/<tenant>/oauth2/v2.0/token.
//   workload_identity — the same endpoint with the projected service account
//                       token as client_assertion (re-read at every fetch).
//   sdk               — DefaultAzureCredential's order: environment client
//                       secret (AZURE_TENANT_ID, AZURE_CLIENT_ID,
//                       AZURE_CLIENT_SECRET), workload identity
//                       (AZURE_FEDERATED_TOKEN_FILE), managed identity
//                       (AZURE_CLIENT_ID as the identity), then the Azure CLI
//                       (`az account get-access-token`). The Azure Developer
//                       CLI step is not implemented.
// The authority host per cloud, overridable with AZURE_AUTHORITY_HOST as the
// Azure SDKs allow.
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import { t, type BlockSchema } from '../runtime/types.js';
import { revealString, type Secret } from '../syntax/secret.js';
import { CachedToken, type FetchedToken } from './cached-token.js';
import { jsonBody, tokenHttp } from './token-http.js';

export interface AzureAdConfig {
  cloud?: string;
  scope?: string;
  managed_identity?: { client_id?: string };
  oauth?: { client_id?: string; client_secret?: string | Secret; tenant_id?: string };
  sdk?: { tenant_id?: string };
  workload_identity?: { client_id?: string; tenant_id?: string; token_file_path?: string };
}

export const AZURE_CLOUDS = {
  AzurePublic: { authority: 'https://login.microsoftonline.com/', audience: 'https://monitor.azure.com//.default' },
  AzureChina: { authority: 'https://login.chinacloudapi.cn/', audience: 'https://monitor.azure.cn//.default' },
  AzureGovernment: { authority: 'https://login.microsoftonline.us/', audience: 'https://monitor.azure.us//.default' },
} as const;
export type AzureCloud = keyof typeof AZURE_CLOUDS;

export const DEFAULT_WORKLOAD_IDENTITY_TOKEN_PATH = '/var/run/secrets/azure/tokens/azure-identity-token';
const IMDS_HOST = 'http://169.254.169.254';

export const azureadSchema: BlockSchema = {
  attrs: {
    cloud: { type: t.string(), default: 'AzurePublic' },
    scope: { type: t.string() },
  },
  blocks: {
    managed_identity: { schema: { attrs: { client_id: { type: t.string(), required: true } } } },
    oauth: {
      schema: {
        attrs: { client_id: { type: t.string(), required: true }, client_secret: { type: t.secret(), required: true }, tenant_id: { type: t.string(), required: true } },
      },
    },
    sdk: { schema: { attrs: { tenant_id: { type: t.string(), required: true } } } },
    workload_identity: {
      schema: {
        attrs: {
          client_id: { type: t.string(), required: true },
          tenant_id: { type: t.string(), required: true },
          token_file_path: { type: t.string(), default: DEFAULT_WORKLOAD_IDENTITY_TOKEN_PATH },
        },
      },
    },
  },
  validate: (c: AzureAdConfig) => validateAzureAd(c),
};

/** UUID in the forms Go's uuid.Parse accepts (plain, urn:uuid:, {braced}, 32 hex digits). */
export function isUuid(s: string): boolean {
  const hex = '[0-9a-fA-F]';
  const dashed = `${hex}{8}-${hex}{4}-${hex}{4}-${hex}{4}-${hex}{12}`;
  return new RegExp(`^(?:${dashed}|urn:uuid:${dashed}|\\{${dashed}\\}|${hex}{32})$`).test(s);
}

/** Alloy's rules for the block, with its messages. */
export function validateAzureAd(c: AzureAdConfig | undefined, where = 'azuread'): void {
  if (!c) return;
  const cloud = c.cloud ?? 'AzurePublic';
  if (!(cloud in AZURE_CLOUDS)) throw new Error(`${where}: must provide a cloud in the Azure AD config (AzurePublic, AzureChina or AzureGovernment), got ${JSON.stringify(cloud)}`);
  const kinds = [c.managed_identity, c.workload_identity, c.oauth, c.sdk].filter((k) => k !== undefined && k !== null).length;
  if (kinds === 0) throw new Error(`${where}: must provide an Azure Managed Identity, Azure Workload Identity, Azure OAuth or Azure SDK in the Azure AD config`);
  if (kinds > 1) throw new Error(`${where}: cannot provide multiple authentication methods in the Azure AD config`);
  const mi = c.managed_identity;
  if (mi) {
    if (!mi.client_id) throw new Error(`${where}: must provide an Azure Managed Identity client_id in the Azure AD config`);
    if (!isUuid(mi.client_id)) throw new Error(`${where}: the provided Azure Managed Identity client_id is invalid`);
  }
  const wi = c.workload_identity;
  if (wi) {
    if (!wi.client_id) throw new Error(`${where}: must provide an Azure Workload Identity client_id in the Azure AD config`);
    if (!wi.tenant_id) throw new Error(`${where}: must provide an Azure Workload Identity tenant_id in the Azure AD config`);
    if (!isUuid(wi.client_id)) throw new Error(`${where}: the provided Azure Workload Identity client_id is invalid`);
    if (!isUuid(wi.tenant_id)) throw new Error(`${where}: the provided Azure Workload Identity tenant_id is invalid`);
  }
  const o = c.oauth;
  if (o) {
    if (!o.client_id) throw new Error(`${where}: must provide an Azure OAuth client_id in the Azure AD config`);
    if (!revealString(o.client_secret)) throw new Error(`${where}: must provide an Azure OAuth client_secret in the Azure AD config`);
    if (!o.tenant_id) throw new Error(`${where}: must provide an Azure OAuth tenant_id in the Azure AD config`);
    if (!isUuid(o.client_id)) throw new Error(`${where}: the provided Azure OAuth client_id is invalid`);
    if (!/^[0-9a-zA-Z\-.]+$/.test(o.tenant_id)) throw new Error(`${where}: the provided Azure OAuth tenant_id is invalid`);
  }
  if (c.sdk?.tenant_id && !/^[0-9a-zA-Z\-.]+$/.test(c.sdk.tenant_id)) throw new Error(`${where}: the provided Azure SDK tenant_id is invalid`);
  if (c.scope && !/^[\w\s:/.-]+$/.test(c.scope)) throw new Error(`${where}: the provided scope contains invalid characters`);
}

export interface AzureAdOptions {
  env?: NodeJS.ProcessEnv;
  now?: () => number;
}

/** The token source of one azuread block. */
export class AzureAdTokenSource {
  readonly #cache: CachedToken;
  readonly #env: NodeJS.ProcessEnv;
  readonly #now: () => number;
  readonly scope: string;
  readonly #authority: string;

  constructor(private readonly cfg: AzureAdConfig, o: AzureAdOptions = {}) {
    validateAzureAd(cfg);
    this.#env = o.env ?? process.env;
    this.#now = o.now ?? Date.now;
    const cloud = AZURE_CLOUDS[(cfg.cloud ?? 'AzurePublic') as AzureCloud];
    this.scope = cfg.scope || cloud.audience;
    const host = this.#env.AZURE_AUTHORITY_HOST || cloud.authority;
    this.#authority = host.endsWith('/') ? host : `${host}/`;
    this.#cache = new CachedToken(() => this.#fetch(), this.#now);
  }

  get requests(): number {
    return this.#cache.requests;
  }

  async header(): Promise<string> {
    return `Bearer ${await this.#cache.get()}`;
  }

  invalidate(used?: string): void {
    this.#cache.invalidate(used?.replace(/^Bearer /, ''));
  }

  #fetch(): Promise<FetchedToken> {
    const c = this.cfg;
    if (c.managed_identity) return this.#managedIdentity(c.managed_identity.client_id);
    if (c.oauth) return this.#clientCredentials(c.oauth.tenant_id!, c.oauth.client_id!, { client_secret: revealString(c.oauth.client_secret) ?? '' });
    if (c.workload_identity) {
      const w = c.workload_identity;
      return this.#workloadIdentity(w.tenant_id!, w.client_id!, w.token_file_path || this.#env.AZURE_FEDERATED_TOKEN_FILE || DEFAULT_WORKLOAD_IDENTITY_TOKEN_PATH);
    }
    return this.#sdk(c.sdk?.tenant_id);
  }

  /**
   * DefaultAzureCredential's chain: environment client secret, workload
   * identity, managed identity (a short probe, as the SDK does in the chain),
   * then the Azure CLI; the first that yields a token wins, else every
   * step's error is reported.
   */
  async #sdk(tenant: string | undefined): Promise<FetchedToken> {
    const e = this.#env;
    const tenantId = e.AZURE_TENANT_ID || tenant;
    const steps: [string, () => Promise<FetchedToken>][] = [];
    if (tenantId && e.AZURE_CLIENT_ID && e.AZURE_CLIENT_SECRET) steps.push(['environment', () => this.#clientCredentials(tenantId, e.AZURE_CLIENT_ID!, { client_secret: e.AZURE_CLIENT_SECRET! })]);
    if (tenantId && e.AZURE_CLIENT_ID && e.AZURE_FEDERATED_TOKEN_FILE) steps.push(['workload identity', () => this.#workloadIdentity(tenantId, e.AZURE_CLIENT_ID!, e.AZURE_FEDERATED_TOKEN_FILE!)]);
    steps.push(['managed identity', () => this.#managedIdentity(e.AZURE_CLIENT_ID, 1000)]);
    steps.push(['Azure CLI', () => this.#azureCli(tenant)]);
    const errors: string[] = [];
    for (const [name, step] of steps) {
      try {
        return await step();
      } catch (err) {
        errors.push(`${name}: ${(err as Error).message}`);
      }
    }
    throw new Error(`azuread sdk: no credential in the chain yielded a token (${errors.join('; ')})`);
  }

  /** `az account get-access-token` (the Azure CLI credential), with the resource of the scope. */
  #azureCli(tenant: string | undefined): Promise<FetchedToken> {
    const args = ['account', 'get-access-token', '--output', 'json', '--resource', this.scope.replace(/\/\.default$/, '')];
    if (tenant) args.push('--tenant', tenant);
    return new Promise((resolve, reject) => {
      execFile('az', args, { env: this.#env, timeout: 10_000, maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
        if (err) return reject(new Error(`az ${args.slice(0, 2).join(' ')} failed: ${(stderr || err.message).trim().slice(0, 300)}`));
        let doc: Record<string, unknown>;
        try {
          doc = JSON.parse(stdout) as Record<string, unknown>;
        } catch {
          return reject(new Error('az account get-access-token printed no JSON'));
        }
        const token = doc.accessToken;
        // expires_on: unix seconds (newer CLIs); expiresOn: local time text (older ones).
        const expiresAt = Number.isFinite(Number(doc.expires_on)) ? Number(doc.expires_on) * 1000 : Date.parse(String(doc.expiresOn ?? ''));
        if (typeof token !== 'string' || !token || !Number.isFinite(expiresAt)) return reject(new Error('az account get-access-token gave no accessToken/expiry'));
        const now = this.#now();
        if (expiresAt <= now) return reject(new Error('azuread: access token expiry is less than the current time'));
        resolve({ token, refreshAt: now + (expiresAt - now) / 2 });
      });
    });
  }

  async #workloadIdentity(tenant: string, clientId: string, file: string): Promise<FetchedToken> {
    let assertion: string;
    try {
      assertion = (await fs.readFile(file, 'utf8')).trim();
    } catch (e) {
      throw new Error(`azuread: cannot read the workload identity token file ${file}: ${(e as Error).message}`);
    }
    return this.#clientCredentials(tenant, clientId, {
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion,
    });
  }

  async #clientCredentials(tenant: string, clientId: string, secret: Record<string, string>): Promise<FetchedToken> {
    const url = new URL(`${this.#authority}${encodeURIComponent(tenant)}/oauth2/v2.0/token`);
    const body = new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, scope: this.scope, ...secret }).toString();
    const started = this.#now();
    const res = await tokenHttp({ method: 'POST', url, headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body, what: 'azuread' });
    return this.#token(jsonBody(res, `azuread: token request to ${url.origin}`), started);
  }

  async #managedIdentity(clientId: string | undefined, timeoutMs?: number): Promise<FetchedToken> {
    const host = this.#env.AZURE_POD_IDENTITY_AUTHORITY_HOST || IMDS_HOST;
    const url = new URL('/metadata/identity/oauth2/token', host);
    url.searchParams.set('api-version', '2018-02-01');
    // IMDS takes a resource, not a scope: the scope without its "/.default".
    url.searchParams.set('resource', this.scope.replace(/\/\.default$/, ''));
    if (clientId) url.searchParams.set('client_id', clientId);
    const started = this.#now();
    const res = await tokenHttp({ method: 'GET', url, headers: { Metadata: 'true' }, what: 'azuread managed identity', timeoutMs });
    return this.#token(jsonBody(res, 'azuread: managed identity token request'), started);
  }

  #token(doc: Record<string, unknown>, started: number): FetchedToken {
    const token = doc.access_token;
    if (typeof token !== 'string' || !token) throw new Error('azuread: the token answer has no access_token');
    // expires_in (seconds, a number or a numeric string); IMDS also gives expires_on (unix seconds).
    let expiresAt: number | undefined;
    const inSecs = Number(doc.expires_in);
    if (Number.isFinite(inSecs) && inSecs > 0) expiresAt = started + inSecs * 1000;
    else if (Number.isFinite(Number(doc.expires_on))) expiresAt = Number(doc.expires_on) * 1000;
    if (expiresAt === undefined || expiresAt <= started) throw new Error('azuread: access token expiry is less than the current time');
    return { token, refreshAt: started + (expiresAt - started) / 2 };
  }
}
