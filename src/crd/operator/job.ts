// One endpoint of one monitor -> one scrape job: job name, discovery role and
// namespaces, compiled target relabeling, and the endpoint's settings (auth
// and TLS resolved from Secrets/ConfigMaps) as a ScrapeJobSpec, completed and
// checked by the one scrape job builder (scrape/job.ts) prometheus.scrape
// uses too. Every problem is an Error whose message says which field and
// why; the caller prefixes the CR.
import { applyRules, compileRules, type CompiledRule, RelabelConfigError, type RawRule } from '../../relabel/index.js';
import type { Target } from '../../discovery/kubernetes/types.js';
import { parseDuration } from '../../syntax/duration.js';
import { buildScrapeJob, type ScrapeGlobals, type ScrapeJob, type ScrapeJobSpec, type ScrapeSampleSpec } from '../../scrape/job.js';
import { targetDefaults } from '../../scrape/wire.js';
import { setTargetDefaults } from '../../scrape/target.js';
import { clientArgs, type ReadEither, type ReadSecret } from './client-args.js';
import type { EndpointSpec, KeyRef, MonitorSpec, SecretOrConfigMapRef } from './monitor.js';
import { type DiscoveryRole, jobName, podMonitorRules, serviceMonitorRules } from './relabelgen.js';
import { PendingError, type RefStore } from './secrets.js';

/** The component's `scrape` block: what endpoints without their own settings get (Prometheus's globals). */
export type ScrapeDefaults = ScrapeGlobals;

export interface JobOptions {
  /** servicemonitors: the component's kubernetes_role. */
  role: 'endpoints' | 'endpointslice' | 'pod';
  scrape: Partial<ScrapeDefaults>;
  /** The component's scrape-block sample options (native histograms, metadata, ...). */
  samples?: ScrapeSampleSpec;
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
  /** Target relabeling: the component's rules, then the generated ones. */
  rules: readonly CompiledRule[];
  /** The scrape job without targets (relabelTargets gives them). */
  scrape: ScrapeJob;
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

  const intervalMs = duration(ep.interval, `${at}.interval`);
  const timeoutMs = duration(ep.scrapeTimeout, `${at}.scrapeTimeout`);

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

  const name = jobName(m, ep.index);
  let portHint: JobConfig['portHint'];
  if (m.kind === 'ServiceMonitor' && ep.port) portHint = { kind: 'service', name: ep.port };
  else if (m.kind === 'PodMonitor' && (ep.port || ep.portNumber)) portHint = { kind: 'pod', name: ep.port, number: ep.portNumber };

  const spec: ScrapeJobSpec = {
    name,
    intervalMs,
    timeoutMs,
    scheme: ep.scheme,
    metricsPath: ep.path,
    params: ep.params,
    honorLabels: ep.honorLabels,
    honorTimestamps: ep.honorTimestamps,
    trackTimestampsStaleness: ep.trackTimestampsStaleness,
    limits: {
      sample: m.sampleLimit,
      target: m.targetLimit,
      label: m.labelLimit,
      labelNameLength: m.labelNameLengthLimit,
      labelValueLength: m.labelValueLengthLimit,
      bodySize: m.bodySizeLimit,
    },
    protocols: m.scrapeProtocols && m.scrapeProtocols.length > 0 ? m.scrapeProtocols : undefined,
    followRedirects: ep.followRedirects,
    enableHttp2: ep.enableHttp2,
    metricRelabel: metricRules,
    samples: o.samples,
    client: clientArgs(ep, at, o.allowFileAccess, secret, either),
  };
  const scrape = buildScrapeJob(spec, {
    globals: o.scrape,
    fieldNames: {
      interval: `${at}.interval`,
      timeout: `${at}.scrapeTimeout`,
      scheme: `${at}.scheme`,
      protocols: 'spec.scrapeProtocols',
      bodySize: 'spec.bodySizeLimit',
      sample: 'spec.sampleLimit',
      target: 'spec.targetLimit',
      label: 'spec.labelLimit',
      labelNameLength: 'spec.labelNameLengthLimit',
      labelValueLength: 'spec.labelValueLengthLimit',
      client: at,
    },
  });

  return { name, role, namespaces: m.namespaces, attachNode: m.attachNode, rules, scrape, portHint };
}

/** Target relabeling of one job (on Prometheus's pre-relabel labels); dropped targets are left out. */
export function relabelTargets(discovered: Target[], job: JobConfig): Record<string, string>[] {
  const defaults = targetDefaults(job.scrape);
  const out: Record<string, string>[] = [];
  for (const t of discovered) {
    const r = applyRules(setTargetDefaults({ ...t }, defaults), job.rules);
    if (r) out.push(r);
  }
  return out;
}
