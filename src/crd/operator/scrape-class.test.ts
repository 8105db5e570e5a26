// Scrape classes merged into monitor jobs as the operator's promcfg.go does
// (default vs named class, relabeling order, TLS/authorization gaps filled,
// attachMetadata), and the reasons given for dropped targets.
import { endpointsTargets } from '../../discovery/kubernetes/endpoints.js';
import { flattenGroups } from '../../discovery/kubernetes/labels.js';
import { contextOf } from '../../../e2e/lib/fixtures/kube-objects.js';
import type { Endpoints, Pod, Service } from '../../discovery/kubernetes/types.js';
import { populateTarget } from '../../scrape/target.js';
import { targetDefaults, wireConfig } from '../../scrape/wire.js';
import { buildJob, type JobOptions, relabelTargets } from './job.js';
import { parseMonitor } from './monitor.js';
import { compileScrapeClasses, type ScrapeClassBlock } from './scrape-class.js';
import type { RefStore } from './secrets.js';

const refs = {
  value(kind: string, ns: string, ref: { name: string; key: string }) {
    const o: Record<string, string> = { 'Secret/shop/basic/user': 'u', 'Secret/shop/basic/pass': 'p' };
    const v = o[`${kind}/${ns}/${ref.name}/${ref.key}`];
    if (v === undefined) throw new Error(`${kind} ${ns}/${ref.name} not found`);
    return v;
  },
} as unknown as RefStore;

const pod = (name: string, ip: string, phase: string): Pod => ({
  metadata: { name, namespace: 'shop', uid: `uid-${name}`, labels: { app: 'cart', tier: 'backend' } },
  spec: { nodeName: 'node-a', containers: [{ name: 'app', image: 'shop:1', ports: [{ name: 'metrics', containerPort: 9090, protocol: 'TCP' }] }] },
  status: { podIP: ip, hostIP: '192.168.0.1', phase, conditions: [{ type: 'Ready', status: 'True' }] },
});
const pods = [pod('cart-1', '10.1.0.1', 'Running'), pod('cart-2', '10.1.0.2', 'Succeeded')];
const svc: Service = { metadata: { name: 'cart', namespace: 'shop', labels: { app: 'cart' } }, spec: { ports: [{ name: 'metrics', port: 9090 }], clusterIP: '10.96.0.10' } };
const eps: Endpoints = {
  metadata: { name: 'cart', namespace: 'shop' },
  subsets: [
    {
      addresses: pods.map((p) => ({ ip: p.status!.podIP!, nodeName: 'node-a', targetRef: { kind: 'Pod', name: p.metadata!.name, namespace: 'shop' } })),
      ports: [{ name: 'metrics', port: 9090, protocol: 'TCP' }, { name: 'web', port: 8080, protocol: 'TCP' }],
    },
  ],
};
const discovered = flattenGroups([endpointsTargets(eps, contextOf({ pods, services: [svc] }))]);

const rule = (r: Record<string, unknown>) => ({ separator: ';', regex: '(.*)', target_label: '', replacement: '$1', action: 'replace', ...r });
const CLASSES: ScrapeClassBlock[] = [
  {
    name: 'base',
    default: true,
    // After the generated rules (it overrides their namespace label) and before the CR's (which read `tier`).
    relabel_rule: [rule({ target_label: 'namespace', replacement: 'from-class' }), rule({ target_label: 'tier', replacement: 'class-tier' })],
    metric_relabel_rule: [rule({ source_labels: ['__name__'], regex: 'class_drop_.*', action: 'drop' })],
    tls_config: { ca_file: '/etc/class/ca.crt', cert_file: '/etc/class/tls.crt', key_file: '/etc/class/tls.key' },
    authorization: { type: 'Bearer', credentials: 'class-token' },
  },
  { name: 'nodes', attach_metadata: { node: true } },
];
const OPTS: JobOptions = { role: 'endpoints', scrape: {}, extraRules: [], allowFileAccess: false, classes: compileScrapeClasses(CLASSES) };

const sm = (spec: object) => parseMonitor('ServiceMonitor', { metadata: { name: 'cart', namespace: 'shop' }, spec: { selector: { matchLabels: { app: 'cart' } }, ...spec } });
const job = (spec: object, o: Partial<JobOptions> = {}) => {
  const m = sm(spec);
  return buildJob(m, m.endpoints[0], { ...OPTS, ...o }, refs);
};
const labelsOf = (j: ReturnType<typeof job>) =>
  relabelTargets(discovered, j).active.map((t) => {
    const r = populateTarget(t, targetDefaults(j.scrape));
    if ('error' in r) throw new Error(r.error);
    const o: Record<string, string> = {};
    for (let i = 0; i < r.target.labels.length; i += 2) o[r.target.labels[i]!] = r.target.labels[i + 1]!;
    return o;
  });

test('the default class applies to a CR naming none: its relabelings run after the generated ones and before the CR relabelings', () => {
  const j = job({ endpoints: [{ port: 'metrics', relabelings: [{ sourceLabels: ['tier'], targetLabel: 'seen_tier' }] }] });
  expect(j.scrapeClass).toBe('base');
  expect(labelsOf(j)).toEqual([
    { container: 'app', endpoint: 'metrics', instance: '10.1.0.1:9090', job: 'cart', namespace: 'from-class', pod: 'cart-1', seen_tier: 'class-tier', service: 'cart', tier: 'class-tier' },
  ]);
  // No default class: the same CR keeps the generated namespace label.
  const plain = job({ endpoints: [{ port: 'metrics' }] }, { classes: compileScrapeClasses([]) });
  expect(labelsOf(plain)[0]).toMatchObject({ namespace: 'shop' });
  expect(labelsOf(plain)[0]).not.toHaveProperty('tier');
});

test('class metric relabelings come before the CR metricRelabelings', () => {
  const j = job({ endpoints: [{ port: 'metrics', metricRelabelings: [{ sourceLabels: ['__name__'], regex: 'cr_drop_.*', action: 'drop' }] }] });
  expect(wireConfig(j.scrape).metricRelabel.map((r) => r.regex)).toEqual([expect.stringContaining('class_drop_'), expect.stringContaining('cr_drop_')]);
});

test('TLS: no CR tlsConfig takes the class one; a CR tlsConfig keeps its own fields and gets the CA/cert/key it lacks', () => {
  expect(wireConfig(job({ endpoints: [{ port: 'metrics' }] }).scrape).http.client.tls_config).toEqual({
    ca_file: '/etc/class/ca.crt',
    cert_file: '/etc/class/tls.crt',
    key_file: '/etc/class/tls.key',
  });
  const own = job({ endpoints: [{ port: 'metrics', tlsConfig: { serverName: 'cart.shop', insecureSkipVerify: true } }] }, { allowFileAccess: true });
  expect(wireConfig(own.scrape).http.client.tls_config).toEqual({
    server_name: 'cart.shop',
    insecure_skip_verify: true,
    ca_file: '/etc/class/ca.crt',
    cert_file: '/etc/class/tls.crt',
    key_file: '/etc/class/tls.key',
  });
  const ownCa = job({ endpoints: [{ port: 'metrics', tlsConfig: { caFile: '/own/ca.crt' } }] }, { allowFileAccess: true });
  expect(wireConfig(ownCa.scrape).http.client.tls_config).toMatchObject({ ca_file: '/own/ca.crt', cert_file: '/etc/class/tls.crt' });
});

test('authorization: the class fills in an endpoint without credentials; another endpoint credential rejects the CR with the reason', () => {
  expect(wireConfig(job({ endpoints: [{ port: 'metrics' }] }).scrape).http.client.authorization).toEqual({ type: 'Bearer', credentials: 'class-token' });
  expect(wireConfig(job({ endpoints: [{ port: 'metrics', authorization: { type: 'Token' } }] }).scrape).http.client.authorization).toEqual({ type: 'Token', credentials: 'class-token' });
  expect(() => job({ endpoints: [{ port: 'metrics', basicAuth: { username: { name: 'basic', key: 'user' }, password: { name: 'basic', key: 'pass' } } }] })).toThrow(
    'spec.endpoints[0]: the authorization of scrape class "base" cannot be combined with the endpoint\'s basic_auth',
  );
});

test('a named class replaces the default; attachMetadata comes from the class unless the CR sets it; unknown names reject the CR', () => {
  const j = job({ scrapeClass: 'nodes', endpoints: [{ port: 'metrics' }] });
  expect(j.scrapeClass).toBe('nodes');
  expect(j.attachNode).toBe(true);
  expect(labelsOf(j)[0]).toMatchObject({ namespace: 'shop' });
  expect(wireConfig(j.scrape).http.client.authorization).toBeUndefined();
  expect(job({ scrapeClass: 'nodes', attachMetadata: { node: false }, endpoints: [{ port: 'metrics' }] }).attachNode).toBe(false);
  expect(() => job({ scrapeClass: 'nope', endpoints: [{ port: 'metrics' }] })).toThrow('spec.scrapeClass: scrape class "nope" is not defined (defined: base, nodes)');
});

test('scrape_class blocks: one default at most, unique names, bad rules named', () => {
  expect(() => compileScrapeClasses([{ name: 'a', default: true }, { name: 'b', default: true }])).toThrow('more than one default class ("a" and "b")');
  expect(() => compileScrapeClasses([{ name: 'a' }, { name: 'a' }])).toThrow('scrape_class "a": defined more than once');
  expect(() => compileScrapeClasses([{ name: 'a', relabel_rule: [rule({ regex: '(x' , target_label: 'y'})] }])).toThrow('scrape_class "a": relabel_rule: ');
});

test('dropped targets name the rule that dropped them; keepDroppedTargets bounds the list, not the count', () => {
  const classes = compileScrapeClasses([]);
  const r = relabelTargets(discovered, job({ endpoints: [{ port: 'metrics' }] }, { classes }));
  expect(r.active.map((t) => t.__address__)).toEqual(['10.1.0.1:9090']);
  expect(r.dropped.map((d) => [d.discovered_labels.__address__, d.reason])).toEqual([
    ['10.1.0.2:9090', "dropped by relabeling: the Pod's phase is Failed or Succeeded (spec.endpoints[0].filterRunning is true)"],
    ['10.1.0.1:8080', 'dropped by relabeling: the endpoint port is not named "metrics" (spec.endpoints[0].port)'],
    ['10.1.0.2:8080', 'dropped by relabeling: the endpoint port is not named "metrics" (spec.endpoints[0].port)'],
  ]);
  const sel = relabelTargets(discovered, job({ selector: { matchLabels: { app: 'other' } }, endpoints: [{ port: 'metrics' }] }, { classes }));
  expect(sel.dropped[0]!.reason).toMatch(/^dropped by relabeling: not selected by spec\.selector: the Service label app fails the keep rule "\(other\);true"/);
  const own = relabelTargets(discovered, job({ endpoints: [{ port: 'metrics', relabelings: [{ action: 'drop', sourceLabels: ['pod'], regex: 'cart-1' }] }] }, { classes }));
  expect(own.active).toEqual([]);
  expect(own.dropped.find((d) => d.discovered_labels.__address__ === '10.1.0.1:9090')!.reason).toBe('dropped by relabeling: spec.endpoints[0].relabelings[0]');
  const capped = relabelTargets(discovered, job({ keepDroppedTargets: 1, endpoints: [{ port: 'metrics' }] }, { classes }));
  expect([capped.dropped.length, capped.droppedTotal]).toEqual([1, 3]);
});

test('selectorMechanism RoleSelector: no selector relabelings, the selector goes to discovery for the endpoints and service roles', () => {
  const j = job({ selectorMechanism: 'RoleSelector', selector: { matchLabels: { app: 'other' } }, endpoints: [{ port: 'metrics' }] }, { classes: compileScrapeClasses([]) });
  expect(j.selectors).toEqual([
    { role: 'endpoints', label: 'app=other' },
    { role: 'service', label: 'app=other' },
  ]);
  // The keep rule on the Service labels is not generated: discovery filters instead.
  expect(relabelTargets(discovered, j).active.map((t) => t.__address__)).toEqual(['10.1.0.1:9090']);
  expect(() => sm({ selectorMechanism: 'Magic', endpoints: [] })).toThrow('spec.selectorMechanism: must be RelabelConfig or RoleSelector, got "Magic"');
});

test('CR native histogram fields and fallbackScrapeProtocol override the component scrape block', () => {
  const j = job(
    { scrapeClassicHistograms: true, nativeHistogramBucketLimit: 20, nativeHistogramMinBucketFactor: '1100m', fallbackScrapeProtocol: 'PrometheusText1.0.0', endpoints: [{ port: 'metrics' }] },
    { samples: { nativeHistogramBucketLimit: 5 }, classes: compileScrapeClasses([]) },
  );
  // Minimum growth factor 1.1: schema 3 grows by 1.09 (too little), so schema 2 (1.19).
  expect(j.scrape.samples).toMatchObject({ classicHistograms: true, bucketLimit: 20, maxSchema: 2 });
  expect(j.scrape.fallbackProtocol).toBe('PrometheusText1.0.0');
  expect(() => job({ fallbackScrapeProtocol: 'Nope', endpoints: [{ port: 'metrics' }] })).toThrow(/spec\.fallbackScrapeProtocol: invalid scrape protocol "Nope"/);
});

test('PodMonitor: an empty tlsConfig counts as none and takes the whole class TLS (SafeTLSConfig zero value)', () => {
  const classes = compileScrapeClasses([{ name: 'c', default: true, tls_config: { ca_file: '/c/ca', server_name: 'class-name', insecure_skip_verify: true } }]);
  const m = parseMonitor('PodMonitor', { metadata: { name: 'w', namespace: 'shop' }, spec: { selector: {}, podMetricsEndpoints: [{ port: 'm', tlsConfig: {} }] } });
  expect(wireConfig(buildJob(m, m.endpoints[0], { ...OPTS, role: 'pod', classes }, refs).scrape).http.client.tls_config).toEqual({ ca_file: '/c/ca', server_name: 'class-name', insecure_skip_verify: true });
  // A ServiceMonitor's empty tlsConfig is kept: only the CA/cert/key it lacks come from the class.
  const s = sm({ endpoints: [{ port: 'metrics', tlsConfig: {} }] });
  expect(wireConfig(buildJob(s, s.endpoints[0], { ...OPTS, classes }, refs).scrape).http.client.tls_config).toEqual({ ca_file: '/c/ca', insecure_skip_verify: false });
});
