// The CRD manifests: in sync with their generator, structural (every schema
// node typed, as the API server requires for apiextensions.k8s.io/v1), and
// accepted by `kubectl apply` against the emulator with realistic objects.
import { readFileSync } from 'node:fs';
import https from 'node:https';
import { dirname, join } from 'node:path';
import YAML from 'yaml';
import { CRDS, renderCrd } from '../../manifests/crds/generate.js';
import { CRDS_FILE, HAVE_KUBECTL, type KubeEnv, startKubeEnv, TOKEN } from './helpers.js';

/** Paths of schema nodes without a type (int-or-string and preserve-unknown nodes are allowed). */
function untyped(node: any, path = ''): string[] {
  if (!node || typeof node !== 'object') return [];
  const out: string[] = [];
  if (!node.type && !node['x-kubernetes-int-or-string'] && !node['x-kubernetes-preserve-unknown-fields']) out.push(path || '<root>');
  for (const [k, v] of Object.entries(node.properties ?? {})) out.push(...untyped(v, `${path}.${k}`));
  if (node.items) out.push(...untyped(node.items, `${path}[]`));
  if (node.additionalProperties && typeof node.additionalProperties === 'object') out.push(...untyped(node.additionalProperties, `${path}{}`));
  return out;
}

describe('CRD manifests', () => {
  test.each(Object.keys(CRDS))('%s is generated, structural and names its group/kind', (file) => {
    const text = readFileSync(join(dirname(CRDS_FILE), file), 'utf8');
    expect(text).toBe(renderCrd(CRDS[file]));
    const doc = YAML.parse(text);
    const group = file.split('_')[0];
    expect(doc.spec.group).toBe(group);
    expect(doc.metadata.name).toBe(`${doc.spec.names.plural}.${group}`);
    const v = doc.spec.versions;
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({ name: VERSIONS[file] ?? 'v1', served: true, storage: true });
    // Ours write .status through the status subresource; Alloy's PodLogs has neither.
    if (group === 'monitoring.coreos.com') expect(v[0].subresources).toEqual({ status: {} });
    else expect({ subresources: v[0].subresources, status: v[0].schema.openAPIV3Schema.properties.status }).toEqual({ subresources: undefined, status: undefined });
    expect(untyped(v[0].schema.openAPIV3Schema)).toEqual([]);
  });

  test('all.yaml holds every generated CRD, once each', () => {
    const names = YAML.parseAllDocuments(readFileSync(CRDS_FILE, 'utf8')).map((d) => d.toJS()?.metadata?.name).filter(Boolean);
    expect(names).toEqual(Object.values(CRDS).map((c: any) => c.metadata.name));
  });

  test('PodLogs: the group, version, names and spec fields of Alloy\'s CRD', () => {
    const doc = CRDS['monitoring.grafana.com_podlogs.yaml'] as any;
    expect(doc.metadata.name).toBe('podlogs.monitoring.grafana.com');
    expect(doc.spec.names).toEqual({ categories: ['grafana-alloy', 'alloy'], kind: 'PodLogs', listKind: 'PodLogsList', plural: 'podlogs', singular: 'podlogs' });
    expect(doc.spec.scope).toBe('Namespaced');
    const root = doc.spec.versions[0].schema.openAPIV3Schema;
    expect(root.required).toBeUndefined();
    const spec = root.properties.spec;
    expect(spec.required).toEqual(['selector']);
    expect(Object.keys(spec.properties).sort()).toEqual(['namespaceSelector', 'relabelings', 'selector']);
    for (const sel of [spec.properties.selector, spec.properties.namespaceSelector]) {
      expect(sel['x-kubernetes-map-type']).toBe('atomic');
      expect(Object.keys(sel.properties).sort()).toEqual(['matchExpressions', 'matchLabels']);
      expect(sel.properties.matchExpressions.items.required).toEqual(['key', 'operator']);
    }
    const rule = spec.properties.relabelings.items.properties;
    expect(Object.keys(rule).sort()).toEqual(['action', 'modulus', 'regex', 'replacement', 'separator', 'sourceLabels', 'targetLabel']);
    expect(rule.action.default).toBe('replace');
    expect(rule.action.enum).toContain('labelmap');
    expect(rule.action.enum).not.toContain('keepequal');
    expect(rule.sourceLabels.items.pattern).toBe('^[a-zA-Z_][a-zA-Z0-9_]*$');
  });
});

const VERSIONS: Record<string, string> = { 'monitoring.coreos.com_scrapeconfigs.yaml': 'v1alpha1', 'monitoring.coreos.com_alertmanagerconfigs.yaml': 'v1alpha1', 'monitoring.grafana.com_podlogs.yaml': 'v1alpha2' };

(HAVE_KUBECTL ? describe : describe.skip)('kubectl apply', () => {
  let k: KubeEnv;
  beforeAll(async () => {
    k = await startKubeEnv(); // applies all.yaml
  });
  afterAll(async () => {
    await k?.close();
  });

  test('the CRDs are established and their kinds are served; re-apply is unchanged', async () => {
    const crds = k.api.list('apiextensions.k8s.io/v1', 'CustomResourceDefinition').map((c) => c.metadata.name).sort();
    expect(crds).toEqual([
      'alertmanagerconfigs.monitoring.coreos.com',
      'podlogs.monitoring.grafana.com',
      'podmonitors.monitoring.coreos.com',
      'probes.monitoring.coreos.com',
      'prometheusrules.monitoring.coreos.com',
      'scrapeconfigs.monitoring.coreos.com',
      'servicemonitors.monitoring.coreos.com',
    ]);
    const again = await k.kubectl('apply', '-f', CRDS_FILE);
    expect(again).toMatchObject({ code: 0, stderr: '' });
    expect(again.stdout.match(/unchanged/g)).toHaveLength(7);
    const out = await k.apply(
      `apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata: {name: r, namespace: default}
spec:
  groups:
  - name: g
    rules:
    - {record: "a:b", expr: "sum(up)"}
`,
      'rule',
    );
    expect(out).toContain('prometheusrule.monitoring.coreos.com/r created');
    const got = await k.kubectl('get', 'servicemonitors,podmonitors,prometheusrules', '-A');
    expect(got.code).toBe(0);
    expect(got.stdout).toContain('prometheusrule.monitoring.coreos.com/r');
  });

  test('a PodLogs object is accepted and served as monitoring.grafana.com/v1alpha2', async () => {
    const out = await k.apply(
      `apiVersion: monitoring.grafana.com/v1alpha2
kind: PodLogs
metadata: {name: shop, namespace: default}
spec:
  selector: {matchLabels: {app: shop}}
  namespaceSelector: {matchExpressions: [{key: team, operator: In, values: [red]}]}
  relabelings:
  - {sourceLabels: [__meta_kubernetes_pod_node_name], targetLabel: node}
`,
      'podlogs',
    );
    expect(out).toContain('podlogs.monitoring.grafana.com/shop created');
    const got = await k.kubectl('get', 'podlogs', 'shop', '-n', 'default', '-o', 'json');
    expect(got.code).toBe(0);
    const obj = JSON.parse(got.stdout);
    expect(obj.apiVersion).toBe('monitoring.grafana.com/v1alpha2');
    expect(obj.spec.relabelings).toEqual([{ sourceLabels: ['__meta_kubernetes_pod_node_name'], targetLabel: 'node' }]);
  });

  /** The first watch event after `rv` on a path (raw HTTPS with the env's CA and token). */
  function firstEvent(path: string, rv: string): Promise<any> {
    const url = new URL(`${k.api.url}${path}?watch=true&resourceVersion=${rv}`);
    return new Promise((resolve, reject) => {
      const req = https.get(url, { ca: readFileSync(k.clientArgs.tls_config.ca_file), headers: { Authorization: `Bearer ${TOKEN}` } }, (res) => {
        let buf = '';
        res.on('data', (c: Buffer) => {
          buf += c.toString('utf8');
          const nl = buf.indexOf('\n');
          if (nl >= 0) {
            resolve(JSON.parse(buf.slice(0, nl)));
            req.destroy();
          }
        });
      });
      req.on('error', (e) => (e.message.includes('socket hang up') ? undefined : reject(e)));
    });
  }

  test('the status subresource of the CRDs: kubectl merge and JSON patches change only .status, bump resourceVersion, emit MODIFIED; main writes keep .status', async () => {
    await k.apply(
      `apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata: {name: st, namespace: default}
spec:
  selector: {matchLabels: {app: st}}
  endpoints: [{port: metrics}]
`,
      'sm-status',
    );
    const before = k.api.get('monitoring.coreos.com/v1', 'ServiceMonitor', 'default', 'st');
    const event = firstEvent('/apis/monitoring.coreos.com/v1/namespaces/default/servicemonitors', before.metadata.resourceVersion);
    const merge = await k.kubectl('patch', 'servicemonitor', 'st', '--subresource=status', '--type=merge', '-p', JSON.stringify({ status: { observedTargets: 3 }, spec: { jobLabel: 'ignored' } }));
    expect(merge).toMatchObject({ code: 0 });
    const ev = await event;
    expect(ev.type).toBe('MODIFIED');
    expect(ev.object.status).toEqual({ observedTargets: 3 });
    const after = k.api.get('monitoring.coreos.com/v1', 'ServiceMonitor', 'default', 'st');
    expect(Number(after.metadata.resourceVersion)).toBeGreaterThan(Number(before.metadata.resourceVersion));
    expect(after.spec.jobLabel).toBeUndefined();
    expect(after.metadata.generation).toBe(1);
    const json = await k.kubectl('patch', 'servicemonitor', 'st', '--subresource=status', '--type=json', '-p', JSON.stringify([{ op: 'add', path: '/status/conditions', value: [{ type: 'Accepted', status: 'True' }] }]));
    expect(json).toMatchObject({ code: 0 });
    expect(k.api.get('monitoring.coreos.com/v1', 'ServiceMonitor', 'default', 'st').status).toEqual({ observedTargets: 3, conditions: [{ type: 'Accepted', status: 'True' }] });
    // A write to the main resource cannot change the status (the API server drops it).
    const main = await k.kubectl('patch', 'servicemonitor', 'st', '--type=merge', '-p', JSON.stringify({ status: { observedTargets: 99 }, spec: { jobLabel: 'app' } }));
    expect(main).toMatchObject({ code: 0 });
    const got = await k.kubectl('get', 'servicemonitor', 'st', '-o', 'json');
    const obj = JSON.parse(got.stdout);
    expect(obj.status.observedTargets).toBe(3);
    expect(obj.spec.jobLabel).toBe('app');
    expect(obj.metadata.generation).toBe(2);
  });
});
