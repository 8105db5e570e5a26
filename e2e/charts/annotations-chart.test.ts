// charts/alloy-annotations: the opinionated annotation-driven StatefulSet.
import fs from 'node:fs';
import path from 'node:path';
import { checkRender } from './checks.js';
import { CLUSTER_SCOPED, expectedAtoms, grantsOf, POSITIONS_RBAC, type Feature } from './rbac.js';
import { find, renderObjects, ROOT } from './render.js';

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
    expect(facts.flags['cluster.join-addresses']).toBe(`${CHART}-cluster.${NS}.svc.cluster.local:12346`);
    expect(find(objs, 'Service', `${CHART}-cluster`)[0].spec.publishNotReadyAddresses).toBe(true);
    expect(facts.configCheck.components).toEqual(['discovery.kubernetes', 'discovery.kubernetes', 'discovery.annotations', 'prometheus.scrape', 'prometheus.remote_write']);
    expect(facts.config).toMatch(/prometheus\.scrape "annotations" \{[^}]*clustering \{\s*enabled = true/s);
    expect(facts.config).toContain('conventions       = ["prometheus.io", "k8s.grafana.com"]');
    expect([...grants.cluster].sort()).toEqual(expectedAtoms(['discovery.pod', 'discovery.service']));
    expect(grants.namespaced.size).toBe(0);
  });

  test('one convention only', () => {
    const { facts } = render(['conventions={k8s.grafana.com}']);
    expect(facts.config).toContain('conventions       = ["k8s.grafana.com"]');
  });

  test('logs, tenant, namespaces, external labels, auth secrets', () => {
    const { objs, facts, grants } = render([], {
      loki: { enabled: true, authSecret: 'loki-creds' },
      remoteWrite: { urlSecret: 'rw', authSecret: 'rw-creds' },
      tenant: 'acme',
      namespaces: ['shop'],
      externalLabels: { cluster: 'eu1' },
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
    const { facts, grants } = render(['serviceMonitors=true', 'podMonitors=true', 'rules.mimir=http://mimir:8080']);
    expect(facts.configCheck.components).toEqual(expect.arrayContaining(['prometheus.operator.servicemonitors', 'prometheus.operator.podmonitors', 'mimir.rules.kubernetes']));
    const features: Feature[] = ['discovery.pod', 'discovery.service', 'serviceMonitors', 'podMonitors', 'rules'];
    expect([...grants.cluster].sort()).toEqual(expectedAtoms(features));
  });

  test('advanced overrides any alloy chart value, false included', () => {
    const { objs, facts } = render([], { advanced: { clustering: { name: 'c1' }, storage: { persistence: { enabled: false } }, alloy: { logLevel: 'debug' } } });
    expect(facts.flags['cluster.name']).toBe('c1');
    expect(facts.flags['log.level']).toBe('debug');
    expect(facts.workload.spec.volumeClaimTemplates).toBeUndefined();
    expect(find(objs, 'StatefulSet')[0].spec.template.spec.volumes.find((v: any) => v.name === 'storage').emptyDir).toBeDefined();
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
