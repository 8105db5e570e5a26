// A ScrapeConfig custom resource (monitoring.coreos.com/v1alpha1) as one
// scrape job, as the prometheus-operator generates it (promcfg.go
// generateScrapeConfig): job "scrapeConfig/<ns>/<name>", the job-label
// override of spec.jobName, then the CR's relabelings; targets from
// staticConfigs, fileSDConfigs, httpSDConfigs and kubernetesSDConfigs.
// Other discovery kinds are refused with the field named, so the resource
// reads Accepted=False instead of silently scraping nothing. A scrape class
// (spec.scrapeClass, else the component's default) applies as the operator
// applies it to ScrapeConfigs: its relabel rules right after the first
// generated rule and before the jobName rule and the CR's relabelings, its
// metric relabel rules before the CR's, its TLS and authorization filling the
// CR's gaps (a tlsConfig of only zero values counts as none). Its
// attach_metadata does not apply (kubernetesSDConfigs carry their own).
import { compileRules, RelabelConfigError, type RawRule } from '../../relabel/index.js';
import { parseDuration } from '../../syntax/duration.js';
import { buildScrapeJob } from '../../scrape/job.js';
import { DEFAULT_KEEP_DROPPED, http2Notes, type JobOptions } from '../operator/job.js';
import { generatedRuleNote } from '../operator/drop-reason.js';
import { refuseFile } from '../operator/client-args.js';
import { FieldError, Reader } from '../operator/reader.js';
import type { RefStore } from '../operator/secrets.js';
import { clientOf, clientPart } from '../crjobs/client.js';
import type { CrJob, CrKind, TargetSource } from '../crjobs/types.js';
import { classClient, classFor, isZeroTls } from '../operator/scrape-class.js';

const INIT: RawRule = { sourceLabels: ['job'], targetLabel: '__tmp_prometheus_job_name' };
/** Prometheus's refresh defaults: file_sd 5m, http_sd 1m. */
const FILE_REFRESH_MS = 300_000;
const HTTP_REFRESH_MS = 60_000;
const ROLES = { Pod: 'pod', Service: 'service', Endpoints: 'endpoints', EndpointSlice: 'endpointslice', Ingress: 'ingress', Node: 'node' } as const;
/** Discovery kinds of the CRD this collector does not implement. */
const UNSUPPORTED_SD = [
  'consulSDConfigs',
  'dnsSDConfigs',
  'ec2SDConfigs',
  'azureSDConfigs',
  'gceSDConfigs',
  'openstackSDConfigs',
  'digitalOceanSDConfigs',
  'kumaSDConfigs',
  'eurekaSDConfigs',
  'dockerSDConfigs',
  'linodeSDConfigs',
  'hetznerSDConfigs',
  'nomadSDConfigs',
  'dockerSwarmSDConfigs',
  'puppetDBSDConfigs',
  'lightSailSDConfigs',
  'ovhcloudSDConfigs',
  'scalewaySDConfigs',
  'ionosSDConfigs',
];
/** Connection fields of a kubernetesSDConfig: they configure another API server, which we do not reach (the component's client is used). */
const OTHER_API_SERVER = ['apiServer', 'basicAuth', 'authorization', 'oauth2', 'tlsConfig', 'proxyUrl'];

function compile(rules: RawRule[], what: string) {
  try {
    return compileRules(rules);
  } catch (e) {
    if (e instanceof RelabelConfigError) throw new Error(`${what}: ${e.message}`);
    throw e;
  }
}

function duration(v: string | undefined, field: string): number | undefined {
  if (!v) return undefined;
  try {
    return parseDuration(v);
  } catch (e) {
    throw new FieldError(field, (e as Error).message);
  }
}

function positive(ms: number | undefined, field: string, dflt: number): number {
  if (ms === undefined) return dflt;
  if (!(ms > 0)) throw new FieldError(field, 'must be greater than 0');
  return ms;
}

export function scrapeConfigJobs(obj: unknown, o: JobOptions, refs: RefStore): CrJob[] {
  const root = Reader.of(obj, '');
  const meta = root.obj('metadata') ?? Reader.of({}, 'metadata');
  const namespace = meta.str('namespace') ?? '';
  const name = meta.str('name') ?? '';
  const spec = Reader.of(root.value.spec, 'spec');
  for (const f of UNSUPPORTED_SD) if (spec.list(f).length > 0) throw new FieldError(`spec.${f}`, 'this discovery mechanism is not supported by this collector (supported: staticConfigs, fileSDConfigs, httpSDConfigs, kubernetesSDConfigs)');
  const scheme = spec.str('scheme')?.toLowerCase();
  if (scheme !== undefined && scheme !== 'http' && scheme !== 'https') throw new FieldError('spec.scheme', `must be http or https, got ${JSON.stringify(scheme)}`);

  const sources: TargetSource[] = [];
  for (const s of spec.objArray('staticConfigs')) {
    const labels = s.strMap('labels');
    sources.push({ kind: 'static', targets: s.strArray('targets').map((t) => ({ ...labels, __address__: t })) });
  }
  for (const f of spec.objArray('fileSDConfigs')) {
    const files = f.strArray('files');
    if (files.length === 0) throw new FieldError(`${f.path}.files`, 'at least one file is required');
    files.forEach((file, i) => refuseFile(o.allowFileAccess, `${f.path}.files[${i}]`, file));
    sources.push({ kind: 'file', files, refreshMs: positive(duration(f.str('refreshInterval'), `${f.path}.refreshInterval`), `${f.path}.refreshInterval`, FILE_REFRESH_MS), where: f.path });
  }
  for (const h of spec.objArray('httpSDConfigs')) {
    const url = h.str('url') ?? '';
    if (!/^https?:\/\/.+/.test(url)) throw new FieldError(`${h.path}.url`, `must be an http(s) URL, got ${JSON.stringify(url)}`);
    const ep = clientPart(h.value, h.path, { enableHTTP2: 'enableHttp2' });
    sources.push({
      kind: 'http',
      url,
      refreshMs: positive(duration(h.str('refreshInterval'), `${h.path}.refreshInterval`), `${h.path}.refreshInterval`, HTTP_REFRESH_MS),
      client: clientOf(ep, h.path, false, refs, namespace),
      where: h.path,
    });
  }
  for (const k of spec.objArray('kubernetesSDConfigs')) {
    const roleName = k.str('role') ?? '';
    const role = ROLES[roleName as keyof typeof ROLES];
    if (!role) throw new FieldError(`${k.path}.role`, `must be one of ${Object.keys(ROLES).join(', ')}, got ${JSON.stringify(roleName)}`);
    for (const f of OTHER_API_SERVER) if (k.has(f)) throw new FieldError(`${k.path}.${f}`, 'not supported: targets are discovered through the component\'s own client block');
    const nsR = k.obj('namespaces');
    let namespaces: string[] | undefined;
    if (nsR) {
      const names = nsR.strArray('names');
      if (nsR.bool('ownNamespace')) names.push(namespace);
      if (names.length > 0) namespaces = [...new Set(names)];
    }
    const selectors = k.objArray('selectors').map((s) => {
      const r = ROLES[(s.str('role') ?? '') as keyof typeof ROLES];
      if (!r) throw new FieldError(`${s.path}.role`, `must be one of ${Object.keys(ROLES).join(', ')}, got ${JSON.stringify(s.str('role'))}`);
      return { role: r, label: s.str('label'), field: s.str('field') };
    });
    const attachNode = (role === 'pod' || role === 'endpoints' || role === 'endpointslice') && (k.obj('attachMetadata')?.bool('node') ?? false);
    sources.push({ kind: 'kubernetes', role, namespaces, attachNode, selectors: selectors.length > 0 ? selectors : undefined });
  }

  const cls = classFor(o.classes ?? { byName: new Map() }, spec.str('scrapeClass'));
  const client = clientPart(spec.value, 'spec', { enableHTTP2: 'enableHttp2' });
  const jobName = `scrapeConfig/${namespace}/${name}`;
  const rules: RawRule[] = [];
  const jobLabel = spec.str('jobName');
  if (jobLabel) rules.push({ targetLabel: 'job', action: 'replace', replacement: jobLabel });
  compile(client.relabelings, 'spec.relabelings');
  const compiled = [...o.extraRules, ...compile([INIT], 'spec.relabelings'), ...(cls?.relabel ?? []), ...compile([...rules, ...client.relabelings], 'spec.relabelings')];
  const ruleNotes = [
    ...o.extraRules.map((_r, i) => `the component's rule block ${i}`),
    generatedRuleNote(INIT, 'spec'),
    ...(cls?.relabel ?? []).map((_r, i) => `scrape class ${JSON.stringify(cls!.name)} relabel_rule ${i}`),
    ...rules.map((r) => generatedRuleNote(r, 'spec')),
    ...client.relabelings.map((_r, i) => `spec.relabelings[${i}]`),
  ];

  const params = spec.obj('params');
  const paramMap: Record<string, string[]> | undefined = params ? Object.fromEntries(Object.keys(params.value).map((k) => [k, params.strArray(k)])) : undefined;
  const scrape = buildScrapeJob(
    {
      name: jobName,
      intervalMs: duration(spec.str('scrapeInterval'), 'spec.scrapeInterval'),
      timeoutMs: duration(spec.str('scrapeTimeout'), 'spec.scrapeTimeout'),
      scheme,
      metricsPath: spec.str('metricsPath') || undefined,
      params: paramMap,
      honorLabels: spec.bool('honorLabels'),
      honorTimestamps: spec.bool('honorTimestamps'),
      trackTimestampsStaleness: spec.bool('trackTimestampsStaleness'),
      enableCompression: spec.bool('enableCompression'),
      followRedirects: client.followRedirects,
      enableHttp2: client.enableHttp2,
      limits: {
        sample: spec.int('sampleLimit'),
        target: spec.int('targetLimit'),
        label: spec.int('labelLimit'),
        labelNameLength: spec.int('labelNameLengthLimit'),
        labelValueLength: spec.int('labelValueLengthLimit'),
        bodySize: spec.str('bodySizeLimit') || undefined,
      },
      protocols: spec.has('scrapeProtocols') && spec.strArray('scrapeProtocols').length > 0 ? spec.strArray('scrapeProtocols') : undefined,
      metricRelabel: [...(cls?.metricRelabel ?? []), ...compile(client.metricRelabelings, 'spec.metricRelabelings')],
      samples: o.samples,
      client: classClient(clientOf(client, 'spec', false, refs, namespace), cls, 'spec', isZeroTls(client.tlsConfig)),
    },
    {
      globals: o.scrape,
      fieldNames: {
        interval: 'spec.scrapeInterval',
        timeout: 'spec.scrapeTimeout',
        scheme: 'spec.scheme',
        protocols: 'spec.scrapeProtocols',
        bodySize: 'spec.bodySizeLimit',
        sample: 'spec.sampleLimit',
        target: 'spec.targetLimit',
        label: 'spec.labelLimit',
        labelNameLength: 'spec.labelNameLengthLimit',
        labelValueLength: 'spec.labelValueLengthLimit',
        client: 'spec',
      },
    },
  );
  const keep = spec.int('keepDroppedTargets');
  return [
    { name: jobName, rules: compiled, ruleNotes, keepDropped: keep ? keep : DEFAULT_KEEP_DROPPED, scrape, sources, scrapeClass: cls?.name, notes: http2Notes(client.enableHttp2, 'spec.enableHTTP2') },
  ];
}

export const SCRAPECONFIG_KIND: CrKind = {
  kind: 'ScrapeConfig',
  group: 'monitoring.coreos.com',
  version: 'v1alpha1',
  resource: 'scrapeconfigs',
  jobPrefix: 'scrapeConfig',
  // The status goes to ServiceMonitors, PodMonitors, Probes and PrometheusRules (the chart grants no scrapeconfigs/status).
  writesStatus: false,
  jobs: scrapeConfigJobs,
};
