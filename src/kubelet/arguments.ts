// Arguments of discovery.kubelet: Alloy's names and defaults, decoded by the
// runtime (durations in ms), and their validation.
import type { Secret } from '../runtime/secret.js';
import { t, type BlockSchema } from '../runtime/types.js';

export const DEFAULT_URL = 'https://localhost:10250';
export const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';
export const DEFAULT_REFRESH_MS = 5_000;

export interface KubeletTLSArgs {
  ca_file?: string;
  ca_pem?: string;
  cert_file?: string;
  key_file?: string;
  insecure_skip_verify?: boolean;
  server_name?: string;
}

export interface KubeletArgs {
  url?: string;
  bearer_token?: string | Secret;
  bearer_token_file?: string;
  tls_config?: KubeletTLSArgs;
  refresh_interval?: number;
  namespaces?: string[];
}

export const kubeletArgsSchema: BlockSchema = {
  attrs: {
    url: { type: t.string(), default: DEFAULT_URL },
    bearer_token: { type: t.secret() },
    bearer_token_file: { type: t.string() },
    refresh_interval: { type: t.duration(), default: DEFAULT_REFRESH_MS },
    namespaces: { type: t.array(t.string()), default: [] },
  },
  blocks: {
    tls_config: {
      schema: {
        attrs: {
          ca_file: { type: t.string() },
          ca_pem: { type: t.string() },
          cert_file: { type: t.string() },
          key_file: { type: t.string() },
          insecure_skip_verify: { type: t.bool(), default: false },
          server_name: { type: t.string() },
        },
      },
    },
  },
  validate: (a: KubeletArgs) => validateKubeletArgs(a),
};

/** Reject contradictory or unusable settings with a reason naming the attribute. */
export function validateKubeletArgs(a: KubeletArgs): void {
  const raw = a.url ?? DEFAULT_URL;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`url ${JSON.stringify(raw)} is not a valid URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new Error(`url ${JSON.stringify(raw)}: scheme must be http or https, not ${url.protocol.replace(/:$/, '')}`);
  }
  if (url.search || url.hash) throw new Error(`url ${JSON.stringify(raw)}: must not carry a query or fragment ("/pods" is appended to its path)`);
  if (a.bearer_token !== undefined && a.bearer_token_file) throw new Error("at most one of 'bearer_token' and 'bearer_token_file' may be set");
  const r = a.refresh_interval ?? DEFAULT_REFRESH_MS;
  if (!Number.isFinite(r) || r <= 0) throw new Error(`refresh_interval must be positive, got ${r} ms`);
  const tls = a.tls_config;
  if (tls?.ca_file && tls.ca_pem) throw new Error("tls_config: at most one of 'ca_file' and 'ca_pem' may be set");
  if (Boolean(tls?.cert_file) !== Boolean(tls?.key_file)) throw new Error("tls_config: 'cert_file' and 'key_file' must be set together");
  for (const ns of a.namespaces ?? []) {
    if (typeof ns !== 'string' || ns === '') throw new Error(`namespaces: ${JSON.stringify(ns)} is not a namespace name`);
  }
}

/** `<url>/pods`: the base may carry a path (the API server's node proxy). */
export function podsURL(base: string): URL {
  const u = new URL(base);
  u.pathname = `${u.pathname.replace(/\/+$/, '')}/pods`;
  return u;
}
