// Arguments of discovery.kubelet: Alloy's names and defaults (url,
// refresh_interval, namespaces and the shared HTTP client block), decoded by
// the runtime (durations in ms), and their validation.
import { t, type BlockSchema } from '../runtime/types.js';
import { type FullHttpClientArgs, httpClientSchema, validateHttpClient } from '../net/client-schema.js';
import { TLS_ATTRS, type TlsConfig } from '../net/http-options.js';

export const DEFAULT_URL = 'https://localhost:10250';
export const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';
export const DEFAULT_REFRESH_MS = 5_000;

export type KubeletTLSArgs = TlsConfig;

/** Alloy squashes its whole HTTP client block into discovery.kubelet's arguments. */
export interface KubeletArgs extends Omit<FullHttpClientArgs, 'tls_config'> {
  url?: string;
  tls_config?: KubeletTLSArgs;
  refresh_interval?: number;
  namespaces?: string[];
}

// Alloy's whole tls_config: the connections come from net/ClientAgents, which reads all of it.
const clientSchema = httpClientSchema({ tlsAttrs: TLS_ATTRS });

export const kubeletArgsSchema: BlockSchema = {
  attrs: {
    url: { type: t.string(), default: DEFAULT_URL },
    refresh_interval: { type: t.duration(), default: DEFAULT_REFRESH_MS },
    namespaces: { type: t.array(t.string()), default: [] },
    ...clientSchema.attrs,
  },
  blocks: clientSchema.blocks,
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
  validateHttpClient(a, TLS_ATTRS);
  const r = a.refresh_interval ?? DEFAULT_REFRESH_MS;
  if (!Number.isFinite(r) || r <= 0) throw new Error(`refresh_interval must be positive, got ${r} ms`);
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
