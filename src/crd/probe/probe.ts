// A Probe custom resource as one scrape job of its prober, as the
// prometheus-operator generates it (pkg/prometheus/promcfg.go
// generateProbeConfig): job "probe/<ns>/<name>", metrics path
// spec.prober.path (default /probe), the module and params as URL
// parameters, and relabelings that move each probed target into
// __param_target and instance and point __address__ at the prober URL.
// Static targets (spec.targets.staticConfig, which wins over ingress) carry
// their labels plus namespace; ingress targets come from ingress discovery,
// filtered by the selector, with the ingress URL as the target. A scrape
// class (spec.scrapeClass, else the component's default) applies as the
// operator applies it to Probes: its relabel rules after the prober rules and
// before the CR's relabelingConfigs, its metric relabel rules before the
// CR's, its TLS and authorization filling the CR's gaps (a tlsConfig of only
// zero values counts as none); attach_metadata has no meaning for a Probe.
import { compileRules, RelabelConfigError, type RawRule } from '../../relabel/index.js';
import { parseDuration } from '../../syntax/duration.js';
import { buildScrapeJob } from '../../scrape/job.js';
import { DEFAULT_KEEP_DROPPED, type JobOptions } from '../operator/job.js';
import { generatedRuleNote } from '../operator/drop-reason.js';
import { FieldError, Reader } from '../operator/reader.js';
import { selectorRules } from '../operator/relabelgen.js';
import type { RefStore } from '../operator/secrets.js';
import { type LabelSelector, validateSelector } from '../selector.js';
import { clientOf, clientPart } from '../crjobs/client.js';
import type { CrJob, CrKind, TargetSource } from '../crjobs/types.js';
import { classClient, classFor, isZeroTls } from '../operator/scrape-class.js';

const INIT: RawRule = { sourceLabels: ['job'], targetLabel: '__tmp_prometheus_job_name' };
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

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

/** The operator's validateProberURL: `host` or `host:port`, no scheme or path. */
export function checkProberUrl(url: string): void {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:/\s[\]]+)(?::(\d+))?$/.exec(url);
  const port = m?.[2] === undefined ? undefined : Number(m[2]);
  if (!m || (port !== undefined && (port < 1 || port > 65535))) {
    throw new FieldError('spec.prober.url', `${JSON.stringify(url)} is invalid, it should be of the format \`hostname\` or \`hostname:port\``);
  }
}

function selectorOf(r: Reader | undefined): LabelSelector {
  if (!r) return {};
  const s: LabelSelector = {
    matchLabels: r.strMap('matchLabels'),
    matchExpressions: r.objArray('matchExpressions').map((e) => ({ key: e.str('key') ?? '', operator: e.str('operator') ?? '', values: e.strArray('values') })),
  };
  try {
    validateSelector(s);
  } catch (e) {
    throw new FieldError(r.path, (e as Error).message);
  }
  return s;
}

export function probeJobs(obj: unknown, o: JobOptions, refs: RefStore): CrJob[] {
  const root = Reader.of(obj, '');
  const meta = root.obj('metadata') ?? Reader.of({}, 'metadata');
  const namespace = meta.str('namespace') ?? '';
  const name = meta.str('name') ?? '';
  const spec = Reader.of(root.value.spec, 'spec');
  const prober = spec.obj('prober');
  const url = prober?.str('url') ?? '';
  if (!url) throw new FieldError('spec.prober.url', 'is required');
  checkProberUrl(url);
  const scheme = prober!.str('scheme')?.toLowerCase();
  if (scheme !== undefined && scheme !== 'http' && scheme !== 'https') throw new FieldError('spec.prober.scheme', `must be http or https, got ${JSON.stringify(scheme)}`);
  const targetsR = spec.obj('targets');
  const staticR = targetsR?.obj('staticConfig');
  const ingressR = targetsR?.obj('ingress');
  if (!staticR && !ingressR) throw new FieldError('spec.targets', 'at least one of .spec.targets.staticConfig and .spec.targets.ingress is required');

  const cls = classFor(o.classes ?? { byName: new Map() }, spec.str('scrapeClass'));
  // Client fields sit at spec level, the prober's proxy under spec.prober.
  const client = clientPart({ ...spec.value, ...(prober!.value.proxyUrl !== undefined ? { proxyUrl: prober!.value.proxyUrl } : {}) }, 'spec');
  const jobName = `probe/${namespace}/${name}`;
  const rules: RawRule[] = [INIT];
  const jobLabel = spec.str('jobName');
  if (jobLabel) rules.push({ targetLabel: 'job', replacement: jobLabel });

  const params: Record<string, string[]> = {};
  const module = spec.str('module');
  if (module) params.module = [module];
  for (const p of spec.objArray('params')) {
    const pn = p.str('name') ?? '';
    if (!pn) throw new FieldError(`${p.path}.name`, 'is required');
    if (module && pn === 'module') continue;
    params[pn] = p.strArray('values');
  }

  let sources: TargetSource[];
  let crRules: RawRule[];
  if (staticR) {
    const labels = { ...staticR.strMap('labels') };
    for (const k of Object.keys(labels).sort()) if (!LABEL_NAME.test(k)) throw new FieldError('spec.targets.staticConfig.labels', `invalid label ${JSON.stringify(k)}`);
    if (labels.namespace === undefined) labels.namespace = namespace;
    sources = [{ kind: 'static', targets: staticR.strArray('static').map((t) => ({ ...labels, __address__: t })) }];
    rules.push(
      { sourceLabels: ['__address__'], targetLabel: '__param_target' },
      { sourceLabels: ['__param_target'], targetLabel: 'instance' },
      { targetLabel: '__address__', replacement: url },
    );
    crRules = clientPart(staticR.value, 'spec.targets.staticConfig', { relabelingConfigs: 'relabelings' }).relabelings;
  } else {
    const sel = selectorOf(ingressR!.obj('selector'));
    rules.push(...selectorRules(sel, 'ingress'));
    const nsSel = ingressR!.obj('namespaceSelector');
    let namespaces: string[] | undefined = [namespace];
    if (nsSel?.bool('any')) namespaces = undefined;
    else if (nsSel && nsSel.strArray('matchNames').length > 0) namespaces = [...new Set(nsSel.strArray('matchNames'))];
    sources = [{ kind: 'kubernetes', role: 'ingress', namespaces, attachNode: false }];
    rules.push(
      {
        sourceLabels: ['__meta_kubernetes_ingress_scheme', '__address__', '__meta_kubernetes_ingress_path'],
        separator: ';',
        regex: '(.+);(.+);(.+)',
        targetLabel: '__param_target',
        replacement: '${1}://${2}${3}',
        action: 'replace',
      },
      { sourceLabels: ['__meta_kubernetes_namespace'], targetLabel: 'namespace' },
      { sourceLabels: ['__meta_kubernetes_ingress_name'], targetLabel: 'ingress' },
      { sourceLabels: ['__address__'], separator: ';', regex: '(.*)', targetLabel: '__tmp_ingress_address', replacement: '$1', action: 'replace' },
      { sourceLabels: ['__param_target'], targetLabel: 'instance' },
      { targetLabel: '__address__', replacement: url },
    );
    crRules = clientPart(ingressR!.value, 'spec.targets.ingress', { relabelingConfigs: 'relabelings' }).relabelings;
  }
  const crAt = staticR ? 'spec.targets.staticConfig.relabelingConfigs' : 'spec.targets.ingress.relabelingConfigs';
  compile(crRules, crAt);
  const compiled = [...o.extraRules, ...compile(rules, crAt), ...(cls?.relabel ?? []), ...compile(crRules, crAt)];
  const ruleNotes = [
    ...o.extraRules.map((_r, i) => `the component's rule block ${i}`),
    ...rules.map((r) => generatedRuleNote(r, 'spec.targets.ingress', 'spec.targets.ingress.selector')),
    ...(cls?.relabel ?? []).map((_r, i) => `scrape class ${JSON.stringify(cls!.name)} relabel_rule ${i}`),
    ...crRules.map((_r, i) => `${crAt}[${i}]`),
  ];

  const limits = {
    sample: spec.int('sampleLimit'),
    target: spec.int('targetLimit'),
    label: spec.int('labelLimit'),
    labelNameLength: spec.int('labelNameLengthLimit'),
    labelValueLength: spec.int('labelValueLengthLimit'),
  };
  const scrape = buildScrapeJob(
    {
      name: jobName,
      intervalMs: duration(spec.str('interval'), 'spec.interval'),
      timeoutMs: duration(spec.str('scrapeTimeout'), 'spec.scrapeTimeout'),
      scheme,
      metricsPath: prober!.str('path') || '/probe',
      params: Object.keys(params).length > 0 ? params : undefined,
      honorTimestamps: true,
      limits,
      protocols: spec.has('scrapeProtocols') && spec.strArray('scrapeProtocols').length > 0 ? spec.strArray('scrapeProtocols') : undefined,
      metricRelabel: [...(cls?.metricRelabel ?? []), ...compile(client.metricRelabelings, 'spec.metricRelabelings')],
      samples: o.samples,
      client: classClient(clientOf(client, 'spec', false, refs, namespace), cls, 'spec', isZeroTls(client.tlsConfig)),
    },
    {
      globals: o.scrape,
      fieldNames: {
        interval: 'spec.interval',
        timeout: 'spec.scrapeTimeout',
        scheme: 'spec.prober.scheme',
        protocols: 'spec.scrapeProtocols',
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
  return [{ name: jobName, rules: compiled, ruleNotes, keepDropped: keep ? keep : DEFAULT_KEEP_DROPPED, scrape, sources, scrapeClass: cls?.name }];
}

export const PROBE_KIND: CrKind = { kind: 'Probe', group: 'monitoring.coreos.com', version: 'v1', resource: 'probes', jobPrefix: 'probe', writesStatus: true, jobs: probeJobs };
