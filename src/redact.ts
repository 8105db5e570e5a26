// What must never be shown, and how text from outside is cut before it is.
// Used wherever a string leaves the process for a human: log lines, the
// components API and UI, metric labels, and error messages built from a
// server's answer. The ground floor: it imports nothing.

/** `scheme://user:password@` inside any text; the password ends at the first "@" of the authority. */
const URL_USERINFO = /\b([a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^\s/?#@:"'<>]*):[^\s/?#@"'<>]*@/g;

/**
 * Replaces the password of every URL in `text` with "xxxxx", as Go's
 * url.Redacted() prints it (`http://user:xxxxx@host/`); a user name alone stays.
 */
export function redactUrlPasswords(text: string): string {
  if (!text.includes('://')) return text;
  return text.replace(URL_USERINFO, '$1:xxxxx@');
}

/** Control characters (other than tab) as \xNN, so a garbage body cannot forge log lines or terminal escapes. */
function escapeControls(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000a-\u001f\u007f\u0080-\u009f\ufffd]/g, (c) =>
    c === '\n' || c === '\r' ? ' ' : c === '\ufffd' ? '?' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
}

export interface DescribeOptions {
  /** Characters kept (default 256); the rest is counted, not shown. */
  max?: number;
  /** Values that must not be echoed (the request's token, password, …): each becomes "(secret)". */
  secrets?: readonly (string | undefined)[];
}

/**
 * Text received from outside (a server's error body, a garbage scrape), made
 * fit for a log line or `last_error`: credentials of the request taken out,
 * URL passwords redacted, control characters escaped, cut to `max`.
 */
export function describeExternalText(text: string, opts: DescribeOptions = {}): string {
  const max = opts.max ?? 256;
  let s = text;
  for (const secret of opts.secrets ?? []) {
    // Short values would blank out ordinary words; real credentials are longer.
    if (secret && secret.length >= 4) s = s.split(secret).join('(secret)');
  }
  s = escapeControls(redactUrlPasswords(s)).trim();
  if (s.length <= max) return s;
  return `${s.slice(0, max)}… (${s.length - max} more characters)`;
}

/** Request headers that carry no credential (everything else may: Authorization, custom http_headers). */
const PLAIN_HEADERS = new Set([
  'accept', 'accept-encoding', 'content-encoding', 'content-length', 'content-type', 'host', 'user-agent', 'connection',
  'x-prometheus-remote-write-version', 'x-prometheus-scrape-timeout-seconds', 'x-scope-orgid', 'retry-attempt',
]);

/**
 * The values of a request's headers that a server must not be able to echo
 * back into our logs: whole values and, for `Authorization`, the credential
 * after the scheme (a server may echo only the token).
 */
export function headerSecrets(headers: Record<string, string | string[] | number | undefined>): string[] {
  const out: string[] = [];
  for (const [name, raw] of Object.entries(headers)) {
    if (PLAIN_HEADERS.has(name.toLowerCase()) || raw === undefined) continue;
    for (const v of Array.isArray(raw) ? raw : [String(raw)]) {
      out.push(v);
      const sp = v.indexOf(' ');
      if (name.toLowerCase() === 'authorization' && sp > 0) out.push(v.slice(sp + 1));
    }
  }
  return out;
}
