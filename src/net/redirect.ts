// How a client follows an HTTP redirect, as Go's http.Client does (the
// follow_redirects option of the HTTP client block): at most 10 hops; 307 and
// 308 repeat the method and body, 301/302/303 turn a request other than GET
// or HEAD into a GET without body; the Authorization header is not carried
// to another host.

export const MAX_REDIRECTS = 10;

export interface RedirectStep {
  url: URL;
  method: string;
  /** The request body is sent again (307/308). */
  keepBody: boolean;
  /** Credentials may go to the new URL (same host as the previous request). */
  keepAuth: boolean;
}

/** The next request for a 3xx answer, or undefined when the answer is final. */
export function redirectStep(status: number, location: string | undefined, from: URL, method: string): RedirectStep | undefined {
  if (!location || ![301, 302, 303, 307, 308].includes(status)) return undefined;
  let url: URL;
  try {
    url = new URL(location, from);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  const keep = status === 307 || status === 308;
  const next = keep || method === 'GET' || method === 'HEAD' ? method : 'GET';
  return { url, method: next, keepBody: keep, keepAuth: url.host === from.host };
}
