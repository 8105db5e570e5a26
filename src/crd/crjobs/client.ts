// The HTTP client fields Probes and ScrapeConfigs share with monitor
// endpoints (authorization, basicAuth, oauth2, tlsConfig, bearerTokenSecret,
// proxy, followRedirects, enableHttp2, relabelings), decoded by the one
// endpoint decoder (operator/monitor.ts) and turned into client settings by
// the one converter (operator/client-args.ts), with Secret and ConfigMap
// references read from the RefStore. Errors name the CR's own field path.
import type { HttpClientArgs } from '../../net/http-options.js';
import { clientArgs, type ReadEither, type ReadSecret } from '../operator/client-args.js';
import { type EndpointSpec, type KeyRef, parseMonitor, type SecretOrConfigMapRef } from '../operator/monitor.js';
import { PendingError, type RefStore } from '../operator/secrets.js';

/** Fields an endpoint decoder reads that also exist, with the same meaning, at another place of these CRs. */
const CLIENT_FIELDS = [
  'authorization',
  'basicAuth',
  'oauth2',
  'tlsConfig',
  'bearerTokenSecret',
  'proxyUrl',
  'noProxy',
  'proxyFromEnvironment',
  'proxyConnectHeader',
  'followRedirects',
  'enableHttp2',
  'metricRelabelings',
  'relabelings',
] as const;

/**
 * Decode the client fields of `obj` (found at `at`, e.g. "spec" or
 * "spec.httpSDConfigs[0]"). `rename` maps this CR's field names onto the
 * endpoint's (ScrapeConfig says enableHTTP2, Probe relabelingConfigs).
 */
export function clientPart(obj: unknown, at: string, rename: Record<string, string> = {}): EndpointSpec {
  const src = (obj && typeof obj === 'object' ? obj : {}) as Record<string, unknown>;
  const ep: Record<string, unknown> = {};
  for (const f of CLIENT_FIELDS) if (src[f] !== undefined) ep[f] = src[f];
  for (const [theirs, ours] of Object.entries(rename)) if (src[theirs] !== undefined) ep[ours] = src[theirs];
  let m: ReturnType<typeof parseMonitor>;
  try {
    m = parseMonitor('ServiceMonitor', { spec: { endpoints: [ep] } });
  } catch (e) {
    // A bad field rejects the monitor with its path under spec.endpoints[0]: say it at this CR's path.
    let msg = (e as Error).message.replaceAll('spec.endpoints[0]', at);
    for (const [theirs, ours] of Object.entries(rename)) msg = msg.replaceAll(`${at}.${ours}`, `${at}.${theirs}`);
    throw new Error(msg);
  }
  return m.endpoints[0];
}

/** Secret/ConfigMap readers for one namespace (PendingError while its first list loads). */
export function refReaders(refs: RefStore, namespace: string): { secret: ReadSecret; either: ReadEither } {
  const secret: ReadSecret = (ref: KeyRef, field: string): string => {
    try {
      return refs.value('Secret', namespace, ref) ?? '';
    } catch (e) {
      if (e instanceof PendingError) throw e;
      throw new Error(`${field}: ${(e as Error).message}`);
    }
  };
  const either: ReadEither = (ref: SecretOrConfigMapRef | undefined, field: string): string | undefined => {
    if (!ref) return undefined;
    if (ref.secret) return secret(ref.secret, `${field}.secret`);
    try {
      return refs.value('ConfigMap', namespace, ref.configMap!) ?? '';
    } catch (e) {
      if (e instanceof PendingError) throw e;
      throw new Error(`${field}.configMap: ${(e as Error).message}`);
    }
  };
  return { secret, either };
}

/** The client settings of a decoded client part; file references refused unless allowed. */
export function clientOf(ep: EndpointSpec, at: string, allowFileAccess: boolean, refs: RefStore, namespace: string): HttpClientArgs {
  const { secret, either } = refReaders(refs, namespace);
  return clientArgs(ep, at, allowFileAccess, secret, either);
}
