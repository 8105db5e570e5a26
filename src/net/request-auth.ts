// The Authorization header of one HTTP client, whatever the credential kind:
// static ones (bearer token, basic_auth, authorization; files re-read per
// request) through authorizationHeader, OAuth2 through a cached token source.
import { authorizationHeader, type HttpAuthConfig } from './http-options.js';
import { OAuth2TokenSource, type TokenSourceOptions } from './oauth2.js';

export class RequestAuth {
  readonly #static: HttpAuthConfig;
  readonly #oauth2: OAuth2TokenSource | undefined;

  constructor(auth: HttpAuthConfig, opts: TokenSourceOptions = {}) {
    this.#oauth2 = auth.oauth2 ? new OAuth2TokenSource(auth.oauth2, opts) : undefined;
    this.#static = auth.oauth2 ? {} : auth;
  }

  /** The header value to send, or undefined when no credentials are configured. */
  header(signal?: AbortSignal): Promise<string | undefined> {
    return this.#oauth2 ? this.#oauth2.header(signal) : authorizationHeader(this.#static);
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

  /** Token requests sent so far (0 without oauth2). */
  get tokenRequests(): number {
    return this.#oauth2?.requests ?? 0;
  }

  close(): void {
    this.#oauth2?.close();
  }
}
