// The Authorization header of one HTTP client, whatever the credential kind:
// static ones (bearer token, basic_auth, authorization; files re-read per
// request) through authorizationHeader, OAuth2 through a cached token source.
// The cloud credentials of remote_write endpoints (CloudAuthConfig) are here
// too: azuread and google_iam are bearer token sources, sigv4 signs the whole
// request (sign(), which every client with a body should call).
import { AzureAdTokenSource, type AzureAdConfig } from './azuread.js';
import { GoogleIamTokenSource, type GoogleIamConfig } from './google-iam.js';
import { authorizationHeader, type HttpAuthConfig } from './http-options.js';
import { OAuth2TokenSource, type TokenSourceOptions } from './oauth2.js';
import { SigV4Signer, type SigV4Config } from './sigv4.js';
import type { SignableRequest } from './sigv4-sign.js';

/** The credential blocks only remote_write endpoints offer (Alloy: at most one credential source in all). */
export interface CloudAuthConfig {
  sigv4?: SigV4Config;
  azuread?: AzureAdConfig;
  google_iam?: GoogleIamConfig;
}

export interface RequestAuthOptions extends TokenSourceOptions {
  /** Environment for the cloud credential chains (default process.env). */
  env?: NodeJS.ProcessEnv;
}

type BearerSource = { header(signal?: AbortSignal): Promise<string>; invalidate(used: string | undefined): void; close?(): void; readonly requests: number };

export class RequestAuth {
  readonly #static: HttpAuthConfig;
  readonly #oauth2: BearerSource | undefined;
  readonly #sigv4: SigV4Signer | undefined;

  constructor(auth: HttpAuthConfig & CloudAuthConfig, opts: RequestAuthOptions = {}) {
    const cloud = { env: opts.env, now: opts.now };
    if (auth.oauth2) this.#oauth2 = new OAuth2TokenSource(auth.oauth2, opts);
    else if (auth.azuread) this.#oauth2 = new AzureAdTokenSource(auth.azuread, cloud);
    else if (auth.google_iam) this.#oauth2 = new GoogleIamTokenSource(auth.google_iam, cloud);
    if (auth.sigv4) this.#sigv4 = new SigV4Signer(auth.sigv4, cloud);
    this.#static = this.#oauth2 || this.#sigv4 ? {} : auth;
  }

  /** The header value to send, or undefined when no credentials are configured (sigv4: see sign). */
  header(signal?: AbortSignal): Promise<string | undefined> {
    return this.#oauth2 ? this.#oauth2.header(signal) : authorizationHeader(this.#static);
  }

  /**
   * Adds the credentials to a request about to be sent: the Authorization
   * header, or with sigv4 the signature headers over the final headers and body.
   */
  async sign(req: SignableRequest, signal?: AbortSignal): Promise<void> {
    if (this.#sigv4) {
      Object.assign(req.headers, await this.#sigv4.sign(req));
      return;
    }
    const h = await this.header(signal);
    if (h) req.headers['Authorization'] = h;
  }

  /**
   * The server answered 401 to a request sent with `used`. True when one retry
   * may succeed: an OAuth2 token can have been revoked before its expiry, so it
   * is dropped and the retry fetches a fresh one. Static credentials would only
   * be refused again.
   */
  unauthorized(used: string | undefined): boolean {
    if (!this.#oauth2) return false;
    this.#oauth2.invalidate(used);
    return true;
  }

  /** Token requests sent so far (oauth2, azuread, google_iam; 0 otherwise). */
  get tokenRequests(): number {
    return this.#oauth2?.requests ?? 0;
  }

  close(): void {
    this.#oauth2?.close?.();
  }
}
