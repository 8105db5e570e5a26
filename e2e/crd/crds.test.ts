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
    expect(doc.metadata.name).toBe(`${doc.spec.names.plural}.monitoring.coreos.com`);
    const v = doc.spec.versions;
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({ name: /scrapeconfigs|alertmanagerconfigs/.test(file) ? 'v1alpha1' : 'v1', served: true, storage: true, subresources: { status: {} } });
    expect(untyped(v[0].schema.openAPIV3Schema)).toEqual([]);
  });
});

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
      'podmonitors.monitoring.coreos.com',
      'probes.monitoring.coreos.com',
      'prometheusrules.monitoring.coreos.com',
      'scrapeconfigs.monitoring.coreos.com',
      'servicemonitors.monitoring.coreos.com',
    ]);
    const again = await k.kubectl('apply', '-f', CRDS_FILE);
    expect(again).toMatchObject({ code: 0, stderr: '' });
    expect(again.stdout.match(/unchanged/g)).toHaveLength(6);
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
