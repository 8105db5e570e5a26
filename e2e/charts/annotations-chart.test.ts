// charts/alloy-annotations: the opinionated annotation-driven StatefulSet, an
// umbrella over charts/alloy (a file:// dependency configured under `alloy:`).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { checkRender } from './checks.js';
import { CLUSTER_SCOPED, expectedAtoms, grantsOf, POSITIONS_RBAC, type Feature } from './rbac.js';
import { find, parseObjects, renderChart, renderObjects, rendererBinary, ROOT } from './render.js';

const NS = 'alloy';
const CHART = 'alloy-annotations';

function render(set: string[] = [], values?: Record<string, unknown>) {
  const objs = renderObjects(CHART, { name: CHART, namespace: NS, set, values });
  const facts = checkRender(objs, NS);
  if (facts.configCheck.deferred.length) console.warn(`config parsed; plan check deferred until registered: ${facts.configCheck.deferred.join(', ')}`);
  return { objs, facts, grants: grantsOf(objs, facts.workload.spec.template.spec.serviceAccountName, NS) };
}

describe('charts/alloy-annotations', () => {
  test('defaults: clustered StatefulSet, pods+services -> annotations -> clustered scrape -> remote write', () => {
    const { objs, facts, grants } = render();
    expect(facts.workload.kind).toBe('StatefulSet');
    expect(facts.workload.spec.replicas).toBe(3);
    expect(facts.flags['cluster.enabled']).toBe(true);
    expect(facts.flags['cluster.join-addresses']).toBe(`${CHART}-cluster.${NS}.svc.cluster.local:12345`); // gossip on the HTTP port
    expect(find(objs, 'Service', `${CHART}-cluster`)[0].spec.publishNotReadyAddresses).toBe(true);
    expect(facts.configCheck.components).toEqual(['discovery.kubernetes', 'discovery.kubernetes', 'discovery.annotations', 'prometheus.scrape', 'prometheus.remote_write']);
    expect(facts.config).toMatch(/prometheus\.scrape "annotations" \{[^}]*clustering \{\s*enabled = true/s);
    expect(facts.config).toContain('conventions       = ["prometheus.io", "k8s.grafana.com"]');
    expect([...grants.cluster].sort()).toEqual(expectedAtoms(['discovery.pod', 'discovery.service']));
    expect(grants.namespaced.size).toBe(0);
  });

  test('one convention only', () => {
    const { facts } = render(['alloy.features.annotations.conventions={k8s.grafana.com}']);
    expect(facts.config).toContain('conventions       = ["k8s.grafana.com"]');
  });

  test('logs, tenant, namespaces, external labels, auth secrets', () => {
    const { objs, facts, grants } = render([], {
      alloy: {
        features: { podLogs: { enabled: true } },
        loki: { auth: { type: 'basic', secretName: 'loki-creds' }, tenant: 'acme', externalLabels: { cluster: 'eu1' } },
        remoteWrite: { urlSecret: { name: 'rw' }, auth: { type: 'basic', secretName: 'rw-creds' }, tenant: 'acme', externalLabels: { cluster: 'eu1' } },
        rbac: { namespaces: ['shop'] },
      },
    });
    expect(facts.configCheck.components).toEqual(expect.arrayContaining(['loki.source.kubernetes', 'loki.write']));
    expect(facts.config).toContain('"X-Scope-OrgID" = "acme"');
    expect(facts.config).toContain('tenant_id = "acme"');
    expect((facts.config.match(/external_labels = \{"cluster" = "eu1"\}/g) ?? []).length).toBe(2);
    expect(facts.env.get('REMOTE_WRITE_URL').valueFrom.secretKeyRef).toEqual({ name: 'rw', key: 'url' });
    expect(facts.env.get('LOKI_PASSWORD').valueFrom.secretKeyRef).toEqual({ name: 'loki-creds', key: 'password' });
    const want = expectedAtoms(['discovery.pod', 'discovery.service', 'podLogs']);
    expect(find(objs, 'ClusterRole')).toHaveLength(0);
    expect([...(grants.namespaced.get('shop') ?? [])].sort()).toEqual(want.filter((a) => !CLUSTER_SCOPED.has(a.split('|')[1])));
    expect([...(grants.namespaced.get(NS) ?? [])].sort()).toEqual([...POSITIONS_RBAC].sort());
  });

  test('ServiceMonitor/PodMonitor support and rule sync', () => {
    const { facts, grants } = render(['alloy.features.serviceMonitors.enabled=true', 'alloy.features.podMonitors.enabled=true', 'alloy.features.mimirRules.enabled=true', 'alloy.features.mimirRules.address=http://mimir:8080']);
    expect(facts.configCheck.components).toEqual(expect.arrayContaining(['prometheus.operator.servicemonitors', 'prometheus.operator.podmonitors', 'mimir.rules.kubernetes']));
    const features: Feature[] = ['discovery.pod', 'discovery.service', 'serviceMonitors', 'podMonitors', 'rules'];
    expect([...grants.cluster].sort()).toEqual(expectedAtoms(features));
  });

  test('any alloy chart value under alloy: reaches the subchart, false included', () => {
    const { objs, facts } = render([], { alloy: { clustering: { name: 'c1' }, storage: { persistence: { enabled: false } }, alloy: { logLevel: 'debug' } } });
    expect(facts.flags['cluster.name']).toBe('c1');
    expect(facts.flags['log.level']).toBe('debug');
    expect(facts.workload.spec.volumeClaimTemplates).toBeUndefined();
    expect(find(objs, 'StatefulSet')[0].spec.template.spec.volumes.find((v: any) => v.name === 'storage').emptyDir).toBeDefined();
  });

  test('renders exactly what the alloy chart renders with the values under alloy:', () => {
    const preset = YAML.parse(fs.readFileSync(path.join(ROOT, 'charts', CHART, 'values.yaml'), 'utf8')).alloy;
    const values = { ...preset, controller: { ...preset.controller, replicas: 2 } };
    const umbrella = renderChart(CHART, { name: 'rel', namespace: NS, values: { alloy: values } });
    const direct = renderChart('alloy', { name: 'rel', namespace: NS, values });
    // Same documents; only the source path says they come from the subchart.
    expect(umbrella.replace(/^# Source: alloy-annotations\/charts\/alloy\//gm, '# Source: alloy/')).toBe(direct);
    expect(umbrella).toContain('# Source: alloy-annotations/charts/alloy/templates/statefulset.yaml');
    const sts = find(parseObjects(umbrella), 'StatefulSet')[0];
    expect(sts.metadata.name).toBe('rel-alloy-annotations');
    expect(sts.spec.replicas).toBe(2);
    expect(sts.metadata.labels?.['helm.sh/chart']).toBe('alloy-0.1.0');
  });

  test('alloy.enabled=false (the dependency condition) renders nothing; a missing dependency directory is a clear error', () => {
    expect(renderObjects(CHART, { set: ['alloy.enabled=false'] })).toEqual([]);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'annotations-nodep-'));
    try {
      fs.cpSync(path.join(ROOT, 'charts', CHART), path.join(tmp, CHART), { recursive: true });
      let stderr = '';
      try {
        execFileSync(rendererBinary(), [path.join(tmp, CHART)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      } catch (e) {
        stderr = String((e as { stderr: string }).stderr);
      }
      expect(stderr).toContain('dependency "alloy": repository file://../alloy: no chart at');
      expect(stderr).toContain(path.join(tmp, 'alloy'));
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  test('README carries the annotation table of docs/components/discovery.annotations.md', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'charts', CHART, 'README.md'), 'utf8');
    const doc = fs.readFileSync(path.join(ROOT, 'docs/components/discovery.annotations.md'), 'utf8');
    const tableRows = (s: string) => s.split('\n').filter((l) => /^\| \d+ \|/.test(l));
    const rows = tableRows(doc);
    expect(rows.length).toBeGreaterThan(10);
    expect(tableRows(readme)).toEqual(rows);
    expect(readme).toMatch(/kind: Deployment[\s\S]*prometheus\.io\/scrape: "true"/);
  });
});
