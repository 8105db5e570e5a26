// A bearer token fetched on demand and shared: concurrent callers wait for one
// request, and the token is reused until its refresh time (the credential's
// own rule, e.g. half its lifetime for Entra ID as Prometheus's azuread does).
export interface FetchedToken {
  token: string;
  /** ms since the epoch when the token should be replaced; undefined: until refused. */
  refreshAt: number | undefined;
}

export class CachedToken {
  #tok: FetchedToken | undefined;
  #inflight: Promise<FetchedToken> | undefined;
  /** Token requests sent so far (tests, debug info). */
  requests = 0;

  constructor(
    private readonly fetchToken: () => Promise<FetchedToken>,
    private readonly now: () => number = Date.now,
  ) {}

  async get(): Promise<string> {
    const t = this.#tok;
    if (t && (t.refreshAt === undefined || t.refreshAt > this.now())) return t.token;
    if (!this.#inflight) {
      this.requests++;
      const p = this.fetchToken()
        .then((tok) => {
          if (!tok.token) throw new Error('the token service answered an empty token');
          this.#tok = tok;
          return tok;
        })
        .finally(() => {
          if (this.#inflight === p) this.#inflight = undefined;
        });
      this.#inflight = p;
      p.catch(() => {});
    }
    return (await this.#inflight).token;
  }

  /** The server refused `used`: the next get() fetches a new token. */
  invalidate(used?: string): void {
    if (this.#tok && (used === undefined || this.#tok.token === used)) this.#tok = undefined;
  }
}
