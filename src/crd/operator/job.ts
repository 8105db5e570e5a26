// One endpoint of one monitor -> one scrape job: job name, discovery role and
// namespaces, compiled target relabeling, and the endpoint's settings (auth
// and TLS resolved from Secrets/ConfigMaps) as a ScrapeJobSpec, completed and
// checked by the one scrape job builder (scrape/job.ts) prometheus.scrape
// uses too. Every problem is an Error whose message says which field and
// why; the caller prefixes the CR.
import { compileRules, type CompiledRule, RelabelConfigError, type RawRule } from '../../relabel/index.js';
import type { Target } from '../../discovery/kubernetes/types.js';
import { parseDuration } from '../../syntax/duration.js';
import { buildScrapeJob, type ScrapeGlobals, type ScrapeJob, type ScrapeJobSpec, type ScrapeSampleSpec } from '../../scrape/job.js';
import { targetDefaults } from '../../scrape/wire.js';
import { setTargetDefaults } from '../../scrape/target.js';
import { clientArgs, type ReadEither, type ReadSecret } from './client-args.js';
import type { EndpointSpec, KeyRef, MonitorSpec, SecretOrConfigMapRef } from './monitor.js';
import { type DiscoveryRole, jobName, podMonitorRules, serviceMonitorRules } from './relabelgen.js';
import { PendingError, type RefStore } from './secrets.js';
import { classClient, classFor, isZeroTls, type ScrapeClasses } from './scrape-class.js';
import { type DroppedByRelabel, generatedRuleNote, relabelWithReasons } from './drop-reason.js';
import { selectorString } from '../selector.js';

/** Dropped targets kept per job for debug info when the CR sets no keepDroppedTargets. */
export const DEFAULT_KEEP_DROPPED = 100;

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
  /** The component's scrape_class blocks. */
  classes?: ScrapeClasses;
}

export interface JobConfig {
  name: string;
  role: DiscoveryRole;
  /** undefined: every namespace. */
  namespaces: string[] | undefined;
  attachNode: boolean;
  /** RoleSelector: the CR's selector as discovery selectors (role, label). */
  selectors?: { role: string; label: string }[];
  /** Target relabeling: the component's rules, the generated ones, the scrape class's, the CR's. */
  rules: readonly CompiledRule[];
  /** Where each rule comes from, for the reason a target was dropped. */
  ruleNotes: readonly string[];
  /** Dropped targets kept for debug info (keepDroppedTargets). */
  keepDropped: number;
  /** The scrape class applied, if any. */
  scrapeClass?: string;
  /** What the scrape does differently from Prometheus for a field set on the CR, each named (logged once at debug level, the endpoint's `note` in debug info). */
  notes: string[];
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
  const cls = classFor(o.classes ?? { byName: new Map() }, m.scrapeClass);
  // The generated rules without the CR's: the scrape class's go in between (promcfg.go).
  const noCr = { ...ep, relabelings: [] };
  const generated = m.kind === 'ServiceMonitor' ? serviceMonitorRules(m, noCr, role as 'endpoints' | 'endpointslice') : podMonitorRules(m, noCr);
  const own = compile(ep.relabelings, `${at}.relabelings`);
  const metricRules = [...(cls?.metricRelabel ?? []), ...compile(ep.metricRelabelings, `${at}.metricRelabelings`)];
  const classRules = cls?.relabel ?? [];
  const rules = [...o.extraRules, ...compile(generated, `${at}.relabelings`), ...classRules, ...own];
  const ruleNotes = [
    ...o.extraRules.map((_r, i) => `the component's rule block ${i}`),
    ...generated.map((r) => generatedRuleNote(r, at)),
    ...classRules.map((_r, i) => `scrape class ${JSON.stringify(cls!.name)} relabel_rule ${i}`),
    ...own.map((_r, i) => `${at}.relabelings[${i}]`),
  ];
  const selector = selectorString(m.selector);
  const selectors =
    m.selectorMechanism === 'RoleSelector' && selector
      ? (m.kind === 'PodMonitor' ? ['pod'] : [role, 'service']).map((r) => ({ role: r, label: selector }))
      : undefined;

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
    samples: crSamples(m, o.samples),
    client: classClient(clientArgs(ep, at, o.allowFileAccess, secret, either), cls, at, m.kind === 'PodMonitor' && isZeroTls(ep.tlsConfig)),
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
      nativeHistograms: 'spec.scrapeNativeHistograms',
      bucketLimit: 'spec.nativeHistogramBucketLimit',
      bucketFactor: 'spec.nativeHistogramMinBucketFactor',
      fallbackProtocol: 'spec.fallbackScrapeProtocol',
    },
  });

  return {
    name,
    role,
    namespaces: m.namespaces,
    attachNode: m.attachNode ?? cls?.attachNode ?? false,
    selectors,
    rules,
    ruleNotes,
    keepDropped: m.keepDroppedTargets ? m.keepDroppedTargets : DEFAULT_KEEP_DROPPED,
    scrapeClass: cls?.name,
    notes: http2Notes(ep.enableHttp2, `${at}.enableHttp2`),
    scrape,
    portHint,
  };
}

/**
 * enableHttp2 (Prometheus's default: true) allows HTTP/2, it does not require
 * it: our scrape client speaks HTTP/1.1 only, which is what `false` asks for.
 * `true` is said once per CR at debug level, never claimed.
 */
export function http2Notes(enableHttp2: boolean | undefined, field: string): string[] {
  return enableHttp2 === true ? [`${field} is true, but this collector's scrape client speaks HTTP/1.1 only: scrapes use HTTP/1.1`] : [];
}

/** The CR's NativeHistogramConfig and fallbackScrapeProtocol over the component's scrape block. */
function crSamples(m: MonitorSpec, base: ScrapeSampleSpec | undefined): ScrapeSampleSpec {
  const n = m.nativeHistograms;
  const out: ScrapeSampleSpec = { ...base };
  if (n.scrapeNativeHistograms !== undefined) out.nativeHistograms = n.scrapeNativeHistograms;
  if (n.scrapeClassicHistograms !== undefined) out.classicHistograms = n.scrapeClassicHistograms;
  if (n.nativeHistogramBucketLimit !== undefined) out.nativeHistogramBucketLimit = n.nativeHistogramBucketLimit;
  if (n.nativeHistogramMinBucketFactor !== undefined) out.nativeHistogramMinBucketFactor = n.nativeHistogramMinBucketFactor;
  if (n.convertClassicHistogramsToNHCB !== undefined) out.convertClassicToNhcb = n.convertClassicHistogramsToNHCB;
  if (m.fallbackScrapeProtocol !== undefined) out.fallbackProtocol = m.fallbackScrapeProtocol;
  return out;
}


export interface RelabeledTargets {
  active: Record<string, string>[];
  dropped: DroppedByRelabel[];
  droppedTotal: number;
}

/** Target relabeling of one job (on Prometheus's pre-relabel labels); dropped targets come with the reason. */
export function relabelTargets(discovered: Target[], job: JobConfig): RelabeledTargets {
  const defaults = targetDefaults(job.scrape);
  return relabelWithReasons(
    discovered.map((t) => setTargetDefaults({ ...t }, defaults)),
    job.rules,
    job.ruleNotes,
    job.keepDropped,
  );
}
