// CORS for the OTLP/HTTP receiver, as confighttp's cors block does it (rs/cors):
// an origin passes when it matches an allowed_origins entry (one "*" wildcard
// allowed per entry); preflights get the allowed method and headers back.
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface CorsArgs {
  allowed_origins: string[];
  allowed_headers: string[];
  exposed_headers: string[];
  max_age?: number;
}

/** Headers a browser may always send (CORS-safelisted), as the docs list them. */
const ALWAYS_ALLOWED = ['accept', 'accept-language', 'content-type', 'content-language'];

function originMatcher(pattern: string): (origin: string) => boolean {
  if (pattern === '*') return () => true;
  const star = pattern.indexOf('*');
  if (star < 0) return (o) => o.toLowerCase() === pattern.toLowerCase();
  const pre = pattern.slice(0, star).toLowerCase();
  const post = pattern.slice(star + 1).toLowerCase();
  return (o) => o.length >= pre.length + post.length && o.toLowerCase().startsWith(pre) && o.toLowerCase().endsWith(post);
}

export class Cors {
  readonly #origins: ((o: string) => boolean)[];
  readonly #anyHeader: boolean;
  readonly #headers: Set<string>;
  readonly #a: CorsArgs;

  constructor(a: CorsArgs) {
    this.#a = a;
    this.#origins = a.allowed_origins.map(originMatcher);
    this.#anyHeader = a.allowed_headers.includes('*');
    this.#headers = new Set([...ALWAYS_ALLOWED, ...a.allowed_headers.map((h) => h.toLowerCase())]);
  }

  #allowed(origin: string | undefined): origin is string {
    return !!origin && this.#origins.some((m) => m(origin));
  }

  /** True when the request was a preflight and has been answered. */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    const origin = req.headers.origin;
    res.setHeader('Vary', 'Origin');
    const preflight = req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined;
    if (!preflight) {
      if (this.#allowed(origin)) {
        res.setHeader('Access-Control-Allow-Origin', origin);
        if (this.#a.exposed_headers.length > 0) res.setHeader('Access-Control-Expose-Headers', this.#a.exposed_headers.join(', '));
      }
      return false;
    }
    const method = String(req.headers['access-control-request-method']).toUpperCase();
    const requested = String(req.headers['access-control-request-headers'] ?? '')
      .split(',')
      .map((h) => h.trim().toLowerCase())
      .filter(Boolean);
    const headersOk = this.#anyHeader || requested.every((h) => this.#headers.has(h));
    if (this.#allowed(origin) && method === 'POST' && headersOk) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Methods', 'POST');
      if (requested.length > 0) res.setHeader('Access-Control-Allow-Headers', requested.join(', '));
      if (this.#a.max_age) res.setHeader('Access-Control-Max-Age', String(this.#a.max_age));
    }
    res.statusCode = 204;
    res.end();
    return true;
  }
}
