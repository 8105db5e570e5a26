// The auth handlers the otelcol.auth.* components export: the OTel Collector's
// basicauth, bearertokenauth and headers_setter extensions, in our shape
// (src/pipeline/otel.ts OtelAuthHandler).
import { readCredentialFile } from '../../net/http-options.js';
import type { OtelAuthHandler, OtelContext, RequestHeaders } from '../../pipeline/otel.js';
import type { Htpasswd } from './htpasswd.js';

function header(headers: RequestHeaders, name: string): string | undefined {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

export interface BasicClientCredentials {
  username: string;
  password: string;
  username_file?: string;
  password_file?: string;
}

/** basicauth: a client side when credentials are given, a server side when an htpasswd is. */
export function basicAuthHandler(componentId: string, client: BasicClientCredentials | undefined, server: Htpasswd | undefined): OtelAuthHandler {
  const h: { -readonly [K in keyof OtelAuthHandler]: OtelAuthHandler[K] } = { componentId };
  if (client) {
    h.setHeaders = async (headers) => {
      // Files are read per request, so rotated credentials apply (the files take precedence).
      const user = client.username_file ? await readCredentialFile('client_auth.username_file', client.username_file) : client.username;
      const pw = client.password_file ? await readCredentialFile('client_auth.password_file', client.password_file) : client.password;
      headers.Authorization = `Basic ${Buffer.from(`${user}:${pw}`).toString('base64')}`;
    };
  }
  if (server) {
    h.authenticate = async (headers) => {
      const v = header(headers, 'authorization');
      if (!v) throw new Error('missing or empty authorization header');
      const m = /^Basic\s+(\S+)$/i.exec(v);
      if (!m) throw new Error('no basic auth provided');
      const decoded = Buffer.from(m[1], 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon < 0) throw new Error('invalid basic auth credentials');
      const user = decoded.slice(0, colon);
      if (!server.verify(user, decoded.slice(colon + 1))) throw new Error('the provided credentials are invalid');
      return { username: user, raw: m[1] };
    };
  }
  return h;
}

/** bearertokenauth: adds "<scheme> <token>" as `header`, and checks it on incoming requests. */
export function bearerAuthHandler(componentId: string, token: () => string, headerName: string, scheme: string): OtelAuthHandler {
  const value = () => (scheme ? `${scheme} ${token()}` : token());
  return {
    componentId,
    setHeaders: async (headers) => {
      headers[headerName] = value();
    },
    authenticate: async (headers) => {
      const got = header(headers, headerName);
      if (!got) throw new Error(`missing or empty ${headerName} header`);
      if (got !== value()) throw new Error('scheme or token does not match');
      return {};
    },
  };
}

export interface HeaderRule {
  key: string;
  action: 'insert' | 'update' | 'upsert' | 'delete';
  value?: () => string;
  from_context?: string;
  from_attribute?: string;
}

/** headers_setter: client side only (it has nothing to check on a server). */
export function headersSetterHandler(componentId: string, rules: HeaderRule[]): OtelAuthHandler {
  return {
    componentId,
    setHeaders: async (headers, ctx?: OtelContext) => {
      for (const r of rules) {
        const existing = Object.keys(headers).find((k) => k.toLowerCase() === r.key.toLowerCase());
        if (r.action === 'delete') {
          if (existing !== undefined) delete headers[existing];
          continue;
        }
        let v: string | undefined;
        if (r.value) v = r.value();
        else if (r.from_context) v = ctx?.metadata?.[r.from_context.toLowerCase()]?.[0];
        else if (r.from_attribute) v = ctx?.auth?.[r.from_attribute];
        // The Collector skips a header whose source has no value.
        if (v === undefined || v === '') continue;
        if (r.action === 'insert' && existing !== undefined) continue;
        if (r.action === 'update' && existing === undefined) continue;
        if (existing !== undefined) delete headers[existing];
        headers[r.key] = v;
      }
    },
  };
}
