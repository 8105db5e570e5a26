// One endpoint of one monitor -> one scrape job: job name, discovery role and
// namespaces, compiled target relabeling, scrape defaults and the worker
// settings (auth and TLS resolved from Secrets/ConfigMaps). Every problem is
// an Error whose message says which field and why; the caller prefixes the CR.
import { compileRules, type CompiledRule, describeRule, RelabelConfigError, type RawRule } from '../../relabel/index.js';
import { parseDuration } from '../../syntax/duration.js';
import type { HttpClientConfig } from '../../scrape/http.js';
import { parseByteSize, USER_AGENT } from '../../scrape/args.js';
import { acceptHeader, DEFAULT_SCRAPE_PROTOCOLS, SCRAPE_PROTOCOL_HEADERS, SUPPORTED_PROTOCOLS } from '../../scrape/parse/index.js';
import type { PoolWireConfig } from '../../scrape/protocol.js';
import type { TargetDefaults } from '../../scrape/target.js';
import { clientArgs, type ReadEither, type ReadSecret } from './client-args.js';
import type { EndpointSpec, KeyRef, MonitorSpec, SecretOrConfigMapRef } from './monitor.js';
import { type DiscoveryRole, jobName, podMonitorRules, serviceMonitorRules } from './relabelgen.js';
import { PendingError, type RefStore } from './secrets.js';

export interface ScrapeDefaults {
  intervalMs: number;
  timeoutMs: number;
  sampleLimit: number;
}

export interface JobOptions {
  /** servicemonitors: the component's kubernetes_role. */
  role: 'endpoints' | 'endpointslice' | 'pod';
  scrape: ScrapeDefaults;
  /** The component's `rule` blocks, applied before the generated rules (as Alloy does). */
  extraRules: readonly CompiledRule[];
  allowFileAccess: boolean;
}

export interface JobConfig {
  name: string;
  role: DiscoveryRole;
  /** undefined: every namespace. */
  namespaces: string[] | undefined;
  attachNode: boolean;
  rules: readonly CompiledRule[];
  defaults: TargetDefaults;
  wire: PoolWireConfig;
  targetLimit: number;
  /** Port the endpoint names (for the "matches no port" hint). */
  portHint?: { kind: 'service' | 'pod'; name?: string; number?: number };
}

function duration(v: string | undefined, field: string): number | undefined {
  if (v === undefined) return undefined;
  try {
    return parseDuration(v);
  } catch (e) {
    throw new Error(`${field}: ${(e as Error).message}`);
  }
}

function compile(rules: RawRule[], what: string): CompiledRule[] {
  try {
    return compileRules(rules);
  } catch (e) {
    if (e instanceof RelabelConfigError) throw new Error(`${what}: ${e.message}`);
    throw e;
  }
}

export function buildJob(m: MonitorSpec, ep: EndpointSpec, o: JobOptions, refs: RefStore): JobConfig {
  const at = `${m.kind === 'ServiceMonitor' ? 'spec.endpoints' : 'spec.podMetricsEndpoints'}[${ep.index}]`;
  const role: DiscoveryRole = m.kind === 'PodMonitor' ? 'pod' : (m.serviceDiscoveryRole ?? (o.role === 'endpointslice' ? 'endpointslice' : 'endpoints'));
  const generated = m.kind === 'ServiceMonitor' ? serviceMonitorRules(m, ep, role as 'endpoints' | 'endpointslice') : podMonitorRules(m, ep);
  // CR relabelings are compiled separately first so an error names the right list.
  compile(ep.relabelings, `${at}.relabelings`);
  const metricRules = compile(ep.metricRelabelings, `${at}.metricRelabelings`);
  const rules = [...o.extraRules, ...compile(generated, `${at}.relabelings`)];

  const intervalMs = duration(ep.interval, `${at}.interval`) ?? o.scrape.intervalMs;
  let timeoutMs = duration(ep.scrapeTimeout, `${at}.scrapeTimeout`);
  // Prometheus: an unset timeout is the default one, capped at the interval.
  if (timeoutMs === undefined) timeoutMs = Math.min(o.scrape.timeoutMs, intervalMs);
  if (!(intervalMs > 0)) throw new Error(`${at}.interval must be greater than 0`);
  if (!(timeoutMs > 0)) throw new Error(`${at}.scrapeTimeout must be greater than 0`);
  if (timeoutMs > intervalMs) throw new Error(`${at}.scrapeTimeout (${ep.scrapeTimeout}) is greater than the interval (${ep.interval ?? 'default'})`);

  for (const p of m.scrapeProtocols ?? []) {
    if (!(p in SCRAPE_PROTOCOL_HEADERS)) throw new Error(`spec.scrapeProtocols: unknown protocol ${JSON.stringify(p)}`);
    if (!SUPPORTED_PROTOCOLS.has(p)) throw new Error(`spec.scrapeProtocols: ${p} is not supported by this collector`);
  }
  let bodySizeLimit = 0;
  try {
    bodySizeLimit = parseByteSize(m.bodySizeLimit);
  } catch (e) {
    throw new Error(`spec.bodySizeLimit: ${(e as Error).message}`);
  }
  if (ep.proxyUrl) throw new Error(`${at}.proxyUrl: scraping through a proxy is not supported by this collector`);

  const secret: ReadSecret = (ref: KeyRef, field: string): string => {
    try {
      return refs.value('Secret', m.namespace, ref) ?? '';
    } catch (e) {
      if (e instanceof PendingError) throw e;
      throw new Error(`${field}: ${(e as Error).message}`);
    }
  };
  const either: ReadEither = (ref: SecretOrConfigMapRef | undefined, field: string): string | undefined => {
    if (!ref) return undefined;
    if (ref.secret) return secret(ref.secret, `${field}.secret`);
    try {
      return refs.value('ConfigMap', m.namespace, ref.configMap!) ?? '';
    } catch (e) {
      if (e instanceof PendingError) throw e;
      throw new Error(`${field}.configMap: ${(e as Error).message}`);
    }
  };

  const http: HttpClientConfig = {
    accept: acceptHeader(m.scrapeProtocols && m.scrapeProtocols.length > 0 ? m.scrapeProtocols : DEFAULT_SCRAPE_PROTOCOLS),
    enableCompression: true,
    bodySizeLimit,
    followRedirects: ep.followRedirects ?? true,
    userAgent: USER_AGENT,
    client: clientArgs(ep, at, o.allowFileAccess, secret, either),
  };

  const name = jobName(m, ep.index);
  let portHint: JobConfig['portHint'];
  if (m.kind === 'ServiceMonitor' && ep.port) portHint = { kind: 'service', name: ep.port };
  else if (m.kind === 'PodMonitor' && (ep.port || ep.portNumber)) portHint = { kind: 'pod', name: ep.port, number: ep.portNumber };

  return {
    name,
    role,
    namespaces: m.namespaces,
    attachNode: m.attachNode,
    rules,
    defaults: {
      jobName: name,
      scheme: ep.scheme ?? 'http',
      metricsPath: ep.path ?? '/metrics',
      intervalMs,
      timeoutMs,
      params: ep.params ?? {},
    },
    wire: {
      http,
      honorLabels: ep.honorLabels,
      honorTimestamps: ep.honorTimestamps ?? true,
      trackTimestampsStaleness: ep.trackTimestampsStaleness ?? false,
      sampleLimit: m.sampleLimit ?? o.scrape.sampleLimit,
      labelLimit: m.labelLimit ?? 0,
      labelNameLengthLimit: m.labelNameLengthLimit ?? 0,
      labelValueLengthLimit: m.labelValueLengthLimit ?? 0,
      metricRelabel: metricRules.map(describeRule),
    },
    targetLimit: m.targetLimit ?? 0,
    portHint,
  };
}
