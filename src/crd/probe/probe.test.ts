// Probe -> scrape job: the operator's job name, prober path and params, and
// the target labels its relabelings give static and ingress targets.
import { applyRules } from '../../relabel/index.js';
import { setTargetDefaults } from '../../scrape/target.js';
import { targetDefaults, wireConfig } from '../../scrape/wire.js';
import type { JobOptions } from '../operator/job.js';
import { PendingError, type RefStore } from '../operator/secrets.js';
import { checkProberUrl, probeJobs } from './probe.js';

const OPTS: JobOptions = { role: 'endpoints', scrape: { intervalMs: 30_000, timeoutMs: 10_000, sampleLimit: 0 }, extraRules: [], allowFileAccess: false };
const refs = (objs: Record<string, Record<string, string>> = {}): RefStore =>
  ({
    value(kind: string, ns: string, ref: { name: string; key: string }) {
      if (ns === 'loading') throw new PendingError('waiting');
      const o = objs[`${kind}/${ns}/${ref.name}`];
      if (!o) throw new Error(`${kind} ${ns}/${ref.name} not found`);
      return o[ref.key];
    },
  }) as unknown as RefStore;

const probe = (spec: object, ns = 'web') => ({ metadata: { name: 'p', namespace: ns }, spec: { prober: { url: 'blackbox:9115' }, ...spec } });
const labelsOf = (job: ReturnType<typeof probeJobs>[0], t: Record<string, string>) => {
  const out = applyRules(setTargetDefaults({ ...t }, targetDefaults(job.scrape)), job.rules);
  return out && Object.fromEntries(Object.entries(out).filter(([k]) => !k.startsWith('__meta_') && !k.startsWith('__tmp_')));
};

test('static targets: __param_target and instance carry the target, __address__ the prober; namespace label added', () => {
  const [job] = probeJobs(probe({ module: 'http_2xx', params: [{ name: 'module', values: ['ignored'] }, { name: 'debug', values: ['true'] }], targets: { staticConfig: { static: ['https://a.example'], labels: { env: 'prod' } } } }), OPTS, refs());
  expect(job.name).toBe('probe/web/p');
  expect(job.scrape.metricsPath).toBe('/probe');
  expect(job.scrape.params).toEqual({ module: ['http_2xx'], debug: ['true'] });
  expect(job.sources).toEqual([{ kind: 'static', targets: [{ env: 'prod', namespace: 'web', __address__: 'https://a.example' }] }]);
  const got = labelsOf(job, (job.sources[0] as { targets: Record<string, string>[] }).targets[0]);
  expect(got).toMatchObject({ __address__: 'blackbox:9115', __param_target: 'https://a.example', instance: 'https://a.example', job: 'probe/web/p', namespace: 'web', env: 'prod', __metrics_path__: '/probe' });
});

test('jobName sets the job label; prober scheme and path; spec.targets.staticConfig wins over ingress', () => {
  const [job] = probeJobs(probe({ jobName: 'bb', prober: { url: 'bb:1', scheme: 'HTTPS', path: '/p' }, targets: { staticConfig: { static: ['x'] }, ingress: {} } }), OPTS, refs());
  expect(job.sources[0].kind).toBe('static');
  expect(job.scrape.scheme).toBe('https');
  expect(labelsOf(job, { __address__: 'x', namespace: 'web' })).toMatchObject({ job: 'bb', __address__: 'bb:1', __metrics_path__: '/p', __scheme__: 'https' });
});

test('ingress targets: selector keep rules, URL from scheme/host/path, ingress and namespace labels', () => {
  const [job] = probeJobs(probe({ targets: { ingress: { selector: { matchLabels: { probe: 'yes' } }, namespaceSelector: { any: true } } } }), OPTS, refs());
  expect(job.sources).toEqual([{ kind: 'kubernetes', role: 'ingress', namespaces: undefined, attachNode: false }]);
  const ing = {
    __address__: 'shop.example',
    __meta_kubernetes_namespace: 'web',
    __meta_kubernetes_ingress_name: 'shop',
    __meta_kubernetes_ingress_scheme: 'https',
    __meta_kubernetes_ingress_path: '/cart',
    __meta_kubernetes_ingress_label_probe: 'yes',
    __meta_kubernetes_ingress_labelpresent_probe: 'true',
  };
  expect(labelsOf(job, ing)).toMatchObject({ __address__: 'blackbox:9115', __param_target: 'https://shop.example/cart', instance: 'https://shop.example/cart', ingress: 'shop', namespace: 'web' });
  expect(labelsOf(job, { ...ing, __meta_kubernetes_ingress_label_probe: 'no' })).toBeFalsy();
});

test('bearer token and basic auth from Secrets; files in tlsConfig refused', () => {
  const store = refs({ 'Secret/web/s': { t: 'tok', u: 'user', p: 'pw' } });
  const [a] = probeJobs(probe({ bearerTokenSecret: { name: 's', key: 't' }, targets: { staticConfig: { static: ['x'] } } }), OPTS, store);
  expect(wireConfig(a.scrape).http.client).toEqual({ bearer_token: 'tok' });
  const [b] = probeJobs(probe({ basicAuth: { username: { name: 's', key: 'u' }, password: { name: 's', key: 'p' } }, targets: { staticConfig: { static: ['x'] } } }), OPTS, store);
  expect(wireConfig(b.scrape).http.client).toEqual({ basic_auth: { username: 'user', password: 'pw' } });
  expect(() => probeJobs(probe({ tlsConfig: { caFile: '/etc/ca' }, targets: { staticConfig: { static: ['x'] } } }), OPTS, store)).toThrow(/spec\.tlsConfig\.caFile references a file/);
  expect(() => probeJobs(probe({ bearerTokenSecret: { name: 's', key: 't' }, targets: { staticConfig: { static: ['x'] } } }, 'loading'), OPTS, store)).toThrow(PendingError);
});

test('bad Probes are refused naming the field', () => {
  const j = (spec: object) => () => probeJobs(probe(spec), OPTS, refs());
  expect(j({ targets: {} })).toThrow('spec.targets: at least one of .spec.targets.staticConfig and .spec.targets.ingress is required');
  expect(j({ prober: {}, targets: { staticConfig: {} } })).toThrow('spec.prober.url: is required');
  expect(j({ prober: { url: 'http://bb:9115' }, targets: { staticConfig: {} } })).toThrow(/spec\.prober\.url: "http:\/\/bb:9115" is invalid/);
  expect(j({ interval: 'soon', targets: { staticConfig: {} } })).toThrow(/spec\.interval/);
  expect(j({ targets: { staticConfig: { labels: { 'bad-name': 'x' } } } })).toThrow('spec.targets.staticConfig.labels: invalid label "bad-name"');
  expect(j({ targets: { staticConfig: { relabelingConfigs: [{ action: 'replace', regex: '(' }] } } })).toThrow(/spec\.targets\.staticConfig\.relabelingConfigs/);
  expect(j({ metricRelabelings: [{ action: 'nope' }], targets: { staticConfig: {} } })).toThrow(/metricRelabelings/);
});

test('prober URL: host or host:port', () => {
  for (const ok of ['bb', 'bb:9115', '127.0.0.1:9115', '[::1]:9115', 'blackbox.monitoring.svc']) expect(() => checkProberUrl(ok)).not.toThrow();
  for (const bad of ['http://bb', 'bb:0', 'bb:70000', 'bb/probe', '']) expect(() => checkProberUrl(bad)).toThrow();
});
