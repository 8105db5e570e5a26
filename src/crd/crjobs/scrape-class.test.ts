// Scrape classes on Probes and ScrapeConfigs, as the operator's promcfg.go
// applies them to those kinds (generateProbeConfig, generateScrapeConfig):
// default vs named class, where the class relabelings run (after the prober
// rules for a Probe; right after the first generated rule, before the
// jobName rule, for a ScrapeConfig), metric relabelings first, TLS and
// authorization filling the CR's gaps, attach_metadata not applied; and the
// reason each dropped target gets (the rule that dropped it).
import { applyRules, compileRules } from '../../relabel/index.js';
import { relabelWithReasons } from '../operator/drop-reason.js';
import { setTargetDefaults } from '../../scrape/target.js';
import { targetDefaults, wireConfig } from '../../scrape/wire.js';
import type { JobOptions } from '../operator/job.js';
import { compileScrapeClasses, type ScrapeClassBlock } from '../operator/scrape-class.js';
import type { RefStore } from '../operator/secrets.js';
import { probeJobs } from '../probe/probe.js';
import { scrapeConfigJobs } from '../scrapeconfig/scrapeconfig.js';
import type { CrJob } from './types.js';

const rule = (r: Record<string, unknown>) => ({ separator: ';', regex: '(.*)', target_label: '', replacement: '$1', action: 'replace', ...r });
const CLASSES: ScrapeClassBlock[] = [
  {
    name: 'base',
    default: true,
    relabel_rule: [
      // Sees what the rules before it produced, and is seen by the CR's rules.
      rule({ source_labels: ['job'], target_label: 'class_saw_job' }),
      rule({ source_labels: ['instance'], target_label: 'class_saw_instance' }),
      rule({ target_label: 'team', replacement: 'class-team' }),
    ],
    metric_relabel_rule: [rule({ source_labels: ['__name__'], regex: 'class_drop_.*', action: 'drop' })],
    tls_config: { ca_file: '/etc/class/ca.crt', cert_file: '/etc/class/tls.crt', key_file: '/etc/class/tls.key' },
    authorization: { type: 'Bearer', credentials: 'class-token' },
  },
  { name: 'nodes', attach_metadata: { node: true }, relabel_rule: [rule({ target_label: 'class', replacement: 'nodes' })] },
];
const OPTS: JobOptions = { role: 'endpoints', scrape: {}, extraRules: [], allowFileAccess: false, classes: compileScrapeClasses(CLASSES) };
const NONE: JobOptions = { ...OPTS, classes: compileScrapeClasses([]) };
const refs = {
  value(kind: string, ns: string, ref: { name: string; key: string }) {
    const v = ({ 'Secret/web/s/user': 'u', 'Secret/web/s/pass': 'p', 'Secret/web/s/token': 'own-token' } as Record<string, string>)[`${kind}/${ns}/${ref.name}/${ref.key}`];
    if (v === undefined) throw new Error(`${kind} ${ns}/${ref.name} not found`);
    return v;
  },
} as unknown as RefStore;

const labelsOf = (job: CrJob, t: Record<string, string>) => {
  const out = applyRules(setTargetDefaults({ ...t }, targetDefaults(job.scrape)), job.rules);
  return out && Object.fromEntries(Object.entries(out).filter(([k]) => !k.startsWith('__') || k === '__address__' || k === '__param_target'));
};

const probe = (spec: object) => ({ metadata: { name: 'p', namespace: 'web' }, spec: { prober: { url: 'blackbox:9115' }, targets: { staticConfig: { static: ['https://a.example'] } }, ...spec } });
const sc = (spec: object) => ({ metadata: { name: 'c', namespace: 'web' }, spec: { staticConfigs: [{ targets: ['h:1'] }], ...spec } });

describe('Probe', () => {
  test('the default class: its relabelings run after the prober rules and before the CR relabelingConfigs', () => {
    const [job] = probeJobs(
      probe({ jobName: 'bb', targets: { staticConfig: { static: ['https://a.example'], relabelingConfigs: [{ sourceLabels: ['team'], targetLabel: 'cr_saw_team' }] } } }),
      OPTS,
      refs,
    );
    expect(job.scrapeClass).toBe('base');
    expect(labelsOf(job, { __address__: 'https://a.example', namespace: 'web' })).toEqual({
      __address__: 'blackbox:9115',
      __param_target: 'https://a.example',
      instance: 'https://a.example',
      job: 'bb',
      namespace: 'web',
      class_saw_job: 'bb',
      class_saw_instance: 'https://a.example',
      team: 'class-team',
      cr_saw_team: 'class-team',
    });
    // Without classes the same Probe gets none of them.
    const [plain] = probeJobs(probe({ jobName: 'bb' }), NONE, refs);
    expect(plain.scrapeClass).toBeUndefined();
    expect(labelsOf(plain, { __address__: 'https://a.example', namespace: 'web' })).not.toHaveProperty('team');
  });

  test('ingress targets: the class rules come after the ingress and prober rules', () => {
    const [job] = probeJobs(probe({ targets: { ingress: { selector: {} } } }), OPTS, refs);
    const ing = { __address__: 'shop.example', __meta_kubernetes_namespace: 'web', __meta_kubernetes_ingress_name: 'shop', __meta_kubernetes_ingress_scheme: 'https', __meta_kubernetes_ingress_path: '/' };
    expect(labelsOf(job, ing)).toMatchObject({ class_saw_instance: 'https://shop.example/', ingress: 'shop', team: 'class-team' });
  });

  test('a named class; attach_metadata means nothing for a Probe; an unknown class rejects the Probe', () => {
    const [job] = probeJobs(probe({ scrapeClass: 'nodes', targets: { ingress: { selector: {} } } }), OPTS, refs);
    expect(job.scrapeClass).toBe('nodes');
    expect(job.sources).toEqual([expect.objectContaining({ kind: 'kubernetes', role: 'ingress', attachNode: false })]);
    expect(labelsOf(job, { __address__: 'h', __meta_kubernetes_ingress_scheme: 'http', __meta_kubernetes_ingress_path: '/' })).toMatchObject({ class: 'nodes' });
    expect(labelsOf(job, { __address__: 'h', __meta_kubernetes_ingress_scheme: 'http', __meta_kubernetes_ingress_path: '/' })).not.toHaveProperty('team');
    expect(() => probeJobs(probe({ scrapeClass: 'nope' }), OPTS, refs)).toThrow('spec.scrapeClass: scrape class "nope" is not defined (defined: base, nodes)');
  });

  test('metric relabelings: the class first; TLS and authorization fill the gaps; tlsConfig {} counts as none', () => {
    const [job] = probeJobs(probe({ metricRelabelings: [{ sourceLabels: ['__name__'], regex: 'cr_drop_.*', action: 'drop' }] }), OPTS, refs);
    expect(wireConfig(job.scrape).metricRelabel.map((r) => r.regex)).toEqual([expect.stringContaining('class_drop_'), expect.stringContaining('cr_drop_')]);
    expect(wireConfig(job.scrape).http.client).toEqual({
      authorization: { type: 'Bearer', credentials: 'class-token' },
      tls_config: { ca_file: '/etc/class/ca.crt', cert_file: '/etc/class/tls.crt', key_file: '/etc/class/tls.key' },
    });
    const [own] = probeJobs(probe({ tlsConfig: { serverName: 'bb.mon' }, authorization: { type: 'Token', credentials: { name: 's', key: 'token' } } }), OPTS, refs);
    expect(wireConfig(own.scrape).http.client).toEqual({
      authorization: { type: 'Token', credentials: 'own-token' },
      tls_config: { server_name: 'bb.mon', insecure_skip_verify: false, ca_file: '/etc/class/ca.crt', cert_file: '/etc/class/tls.crt', key_file: '/etc/class/tls.key' },
    });
    const [zero] = probeJobs(probe({ tlsConfig: {} }), OPTS, refs);
    expect(wireConfig(zero.scrape).http.client.tls_config).toEqual({ ca_file: '/etc/class/ca.crt', cert_file: '/etc/class/tls.crt', key_file: '/etc/class/tls.key' });
    expect(() => probeJobs(probe({ basicAuth: { username: { name: 's', key: 'user' }, password: { name: 's', key: 'pass' } } }), OPTS, refs)).toThrow(
      'spec: the authorization of scrape class "base" cannot be combined with the endpoint\'s basic_auth',
    );
  });
});

describe('ScrapeConfig', () => {
  test('the default class: its relabelings run before the jobName rule and the CR relabelings', () => {
    const [job] = scrapeConfigJobs(sc({ jobName: 'mine', relabelings: [{ sourceLabels: ['team'], targetLabel: 'cr_saw_team' }] }), OPTS, refs);
    expect(job.scrapeClass).toBe('base');
    // The class sees the job before jobName replaces it (promcfg.go puts the class rules first).
    expect(labelsOf(job, { __address__: 'h:1' })).toEqual({ __address__: 'h:1', job: 'mine', class_saw_job: 'scrapeConfig/web/c', team: 'class-team', cr_saw_team: 'class-team' });
    const [plain] = scrapeConfigJobs(sc({ jobName: 'mine' }), NONE, refs);
    expect(labelsOf(plain, { __address__: 'h:1' })).toEqual({ __address__: 'h:1', job: 'mine' });
  });

  test('a named class; its attach_metadata does not reach kubernetesSDConfigs; an unknown class rejects the ScrapeConfig', () => {
    const [job] = scrapeConfigJobs(sc({ scrapeClass: 'nodes', kubernetesSDConfigs: [{ role: 'Pod' }] }), OPTS, refs);
    expect(job.scrapeClass).toBe('nodes');
    expect(job.sources[1]).toMatchObject({ kind: 'kubernetes', role: 'pod', attachNode: false });
    expect(labelsOf(job, { __address__: 'h:1' })).toMatchObject({ class: 'nodes' });
    expect(() => scrapeConfigJobs(sc({ scrapeClass: 'nope' }), OPTS, refs)).toThrow('spec.scrapeClass: scrape class "nope" is not defined (defined: base, nodes)');
  });

  test('metric relabelings: the class first; TLS and authorization fill the gaps', () => {
    const [job] = scrapeConfigJobs(sc({ metricRelabelings: [{ sourceLabels: ['__name__'], regex: 'cr_drop_.*', action: 'drop' }], tlsConfig: { insecureSkipVerify: true } }), OPTS, refs);
    expect(wireConfig(job.scrape).metricRelabel.map((r) => r.regex)).toEqual([expect.stringContaining('class_drop_'), expect.stringContaining('cr_drop_')]);
    expect(wireConfig(job.scrape).http.client).toEqual({
      authorization: { type: 'Bearer', credentials: 'class-token' },
      tls_config: { insecure_skip_verify: true, ca_file: '/etc/class/ca.crt', cert_file: '/etc/class/tls.crt', key_file: '/etc/class/tls.key' },
    });
    // The HTTP SD clients of the CR are not the scrape client: no class there.
    const [sd] = scrapeConfigJobs(sc({ httpSDConfigs: [{ url: 'http://127.0.0.1:9/sd' }] }), OPTS, refs);
    expect(sd.sources[1]).toMatchObject({ kind: 'http', client: {} });
  });
});

describe('dropped targets name the rule that dropped them', () => {
  const dropAll = rule({ source_labels: ['__address__'], regex: '.*', action: 'drop' });
  const reasons = (job: CrJob, targets: Record<string, string>[]) => {
    expect(job.ruleNotes).toHaveLength(job.rules.length);
    return relabelWithReasons(targets.map((t) => setTargetDefaults({ ...t }, targetDefaults(job.scrape))), job.rules, job.ruleNotes, job.keepDropped);
  };

  test('Probe: the ingress selector, a class rule and the CR relabelingConfigs; keepDroppedTargets bounds the list', () => {
    const [job] = probeJobs(probe({ targets: { ingress: { selector: { matchLabels: { probe: 'yes' } }, relabelingConfigs: [{ sourceLabels: ['__meta_kubernetes_ingress_name'], regex: 'admin', action: 'drop' }] } } }), NONE, refs);
    const ing = (name: string, probeLabel: string) => ({ __address__: `${name}.example`, __meta_kubernetes_namespace: 'web', __meta_kubernetes_ingress_name: name, __meta_kubernetes_ingress_scheme: 'https', __meta_kubernetes_ingress_path: '/', __meta_kubernetes_ingress_label_probe: probeLabel, __meta_kubernetes_ingress_labelpresent_probe: 'true' });
    const r = reasons(job, [ing('shop', 'yes'), ing('other', 'no'), ing('admin', 'yes')]);
    expect(r.active.map((t) => t.ingress)).toEqual(['shop']);
    expect(r.dropped.map((d) => [d.discovered_labels.__address__, d.reason])).toEqual([
      ['other.example', 'dropped by relabeling: not selected by spec.targets.ingress.selector: the Ingress label probe fails the keep rule "(yes);true" on [__meta_kubernetes_ingress_label_probe, __meta_kubernetes_ingress_labelpresent_probe]'],
      ['admin.example', 'dropped by relabeling: spec.targets.ingress.relabelingConfigs[0]'],
    ]);
    const classes = compileScrapeClasses([{ name: 'x', default: true, relabel_rule: [dropAll] }]);
    const [cj] = probeJobs(probe({ keepDroppedTargets: 1, targets: { staticConfig: { static: ['a', 'b'] } } }), { ...NONE, classes }, refs);
    const c = reasons(cj, [{ __address__: 'a', namespace: 'web' }, { __address__: 'b', namespace: 'web' }]);
    expect(c).toMatchObject({ active: [], droppedTotal: 2, dropped: [{ reason: 'dropped by relabeling: scrape class "x" relabel_rule 0' }] });
  });

  test('ScrapeConfig: the CR relabelings and the component rule blocks', () => {
    const [job] = scrapeConfigJobs(sc({ relabelings: [{ targetLabel: 'x', replacement: 'y' }, { sourceLabels: ['__address__'], regex: 'h:2', action: 'drop' }] }), NONE, refs);
    const r = reasons(job, [{ __address__: 'h:1' }, { __address__: 'h:2' }]);
    expect(r.active.map((t) => t.__address__)).toEqual(['h:1']);
    expect(r.dropped).toEqual([{ discovered_labels: expect.objectContaining({ __address__: 'h:2' }), reason: 'dropped by relabeling: spec.relabelings[1]' }]);
    const [withBlock] = scrapeConfigJobs(sc({ jobName: 'j' }), { ...NONE, extraRules: compileRules([{ sourceLabels: ['__address__'], regex: 'h:1', action: 'drop' }]) }, refs);
    expect(reasons(withBlock, [{ __address__: 'h:1' }]).dropped[0].reason).toBe("dropped by relabeling: the component's rule block 0");
  });
});
