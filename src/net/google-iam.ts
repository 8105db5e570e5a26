// The `google_iam` block of an HTTP client (Prometheus's googleiam): an OAuth
// 2.0 access token for the monitoring.write scope, sent as "Bearer <token>".
// credentials_file is a service account key (JSON): a JWT signed RS256 with
// its private key is exchanged at its token_uri (RFC 7523 jwt-bearer grant).
// Without it, Google's default credentials: GOOGLE_APPLICATION_CREDENTIALS,
// else the metadata server's default service account token
// (GCE_METADATA_HOST moves the host, as Google's libraries allow).
import { createSign } from 'node:crypto';
import fs from 'node:fs/promises';
import { t, type BlockSchema } from '../runtime/types.js';
import { CachedToken, type FetchedToken } from './cached-token.js';
import { jsonBody, tokenHttp } from './token-http.js';

export interface GoogleIamConfig {
  credentials_file?: string;
}

export const GOOGLE_MONITORING_WRITE_SCOPE = 'https://www.googleapis.com/auth/monitoring.write';
const DEFAULT_TOKEN_URI = 'https://oauth2.googleapis.com/token';
const METADATA_HOST = 'metadata.google.internal';
/** Tokens are replaced this long before they expire (Go's oauth2: 10 s; Google's libraries use more). */
const EARLY_MS = 60_000;

export const googleIamSchema: BlockSchema = {
  attrs: { credentials_file: { type: t.string() } },
};

interface ServiceAccountKey {
  type?: string;
  client_email?: string;
  private_key?: string;
  private_key_id?: string;
  token_uri?: string;
}

function b64url(s: string | Buffer): string {
  return Buffer.from(s).toString('base64url');
}

export interface GoogleIamOptions {
  env?: NodeJS.ProcessEnv;
  now?: () => number;
}

export class GoogleIamTokenSource {
  readonly #cache: CachedToken;
  readonly #env: NodeJS.ProcessEnv;
  readonly #now: () => number;

  constructor(private readonly cfg: GoogleIamConfig, o: GoogleIamOptions = {}) {
    this.#env = o.env ?? process.env;
    this.#now = o.now ?? Date.now;
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

  async #fetch(): Promise<FetchedToken> {
    const file = this.cfg.credentials_file || this.#env.GOOGLE_APPLICATION_CREDENTIALS;
    return file ? this.#serviceAccount(file) : this.#metadataServer();
  }

  async #serviceAccount(file: string): Promise<FetchedToken> {
    let key: ServiceAccountKey;
    try {
      key = JSON.parse(await fs.readFile(file, 'utf8')) as ServiceAccountKey;
    } catch (e) {
      throw new Error(`google_iam: cannot read credentials_file ${file}: ${(e as Error).message}`);
    }
    if (key.type !== 'service_account') throw new Error(`google_iam: ${file} is not a service account key (type ${JSON.stringify(key.type)})`);
    if (!key.client_email || !key.private_key) throw new Error(`google_iam: ${file} has no client_email or private_key`);
    const tokenUri = key.token_uri || DEFAULT_TOKEN_URI;
    const iat = Math.floor(this.#now() / 1000);
    const header = { alg: 'RS256', typ: 'JWT', ...(key.private_key_id ? { kid: key.private_key_id } : {}) };
    const claims = { iss: key.client_email, scope: GOOGLE_MONITORING_WRITE_SCOPE, aud: tokenUri, iat, exp: iat + 3600 };
    const unsigned = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    let signature: string;
    try {
      signature = createSign('RSA-SHA256').update(unsigned).sign(key.private_key).toString('base64url');
    } catch (e) {
      throw new Error(`google_iam: cannot sign with the private_key of ${file}: ${(e as Error).message}`);
    }
    const body = new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: `${unsigned}.${signature}` }).toString();
    const started = this.#now();
    const res = await tokenHttp({ method: 'POST', url: new URL(tokenUri), headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body, what: 'google_iam' });
    return this.#token(jsonBody(res, `google_iam: token request to ${tokenUri}`), started);
  }

  async #metadataServer(): Promise<FetchedToken> {
    const host = this.#env.GCE_METADATA_HOST || METADATA_HOST;
    const url = new URL(`http://${host}/computeMetadata/v1/instance/service-accounts/default/token`);
    url.searchParams.set('scopes', GOOGLE_MONITORING_WRITE_SCOPE);
    const started = this.#now();
    const res = await tokenHttp({ method: 'GET', url, headers: { 'Metadata-Flavor': 'Google' }, what: 'google_iam metadata server' });
    return this.#token(jsonBody(res, 'google_iam: metadata server token request'), started);
  }

  #token(doc: Record<string, unknown>, started: number): FetchedToken {
    const token = doc.access_token;
    if (typeof token !== 'string' || !token) throw new Error('google_iam: the token answer has no access_token');
    const secs = Number(doc.expires_in);
    return { token, refreshAt: Number.isFinite(secs) && secs > 0 ? started + Math.max(0, secs * 1000 - EARLY_MS) : undefined };
  }
}
