// OTLP in the charts: charts/alloy's otlp values open the OTLP ports with a
// Service (off by default); features.otlp (also the alloy-annotations preset
// flag) adds receiver.otlp -> k8sattributes -> batch -> exporter.otlp to the
// generated config with exactly the RBAC k8sattributes needs.
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { checkRender } from './checks.js';
import { expectedAtoms, grantsOf, type Feature } from './rbac.js';
import { find, renderObjects, ROOT } from './render.js';

const NS = 'alloy';

function render(chart: string, set: string[] = [], values?: Record<string, unknown>) {
  const objs = renderObjects(chart, { name: chart, namespace: NS, set, values });
  const facts = checkRender(objs, NS);
  return { objs, facts, grants: grantsOf(objs, facts.workload.spec.template.spec.serviceAccountName, NS) };
}

const ports = (facts: ReturnType<typeof checkRender>) => (facts.workload.spec.template.spec.containers[0].ports as { name: string; containerPort: number }[]).map((p) => `${p.name}:${p.containerPort}`);

describe('OTLP in charts/alloy', () => {
  test('off by default: no OTLP ports, no OTLP Service, no otelcol components', () => {
    const { objs, facts } = render('alloy');
    expect(ports(facts).filter((p) => p.startsWith('otlp'))).toEqual([]);
    expect(find(objs, 'Service', 'alloy-otlp')).toHaveLength(0);
    expect(facts.configCheck.components.filter((c) => c.startsWith('otelcol.'))).toEqual([]);
  });

  test('otlp.enabled opens 4317 (gRPC) and 4318 (HTTP) on the pods and a Service in front of them; the config is untouched', () => {
    const { objs, facts } = render('alloy', ['otlp.enabled=true', 'otlp.service.type=LoadBalancer']);
    expect(ports(facts)).toEqual(expect.arrayContaining(['otlp-grpc:4317', 'otlp-http:4318']));
    const [svc] = find(objs, 'Service', 'alloy-otlp');
    expect(svc.spec.type).toBe('LoadBalancer');
    expect(svc.spec.ports.map((p: any) => `${p.name}:${p.port}->${p.targetPort}`)).toEqual(['otlp-grpc:4317->otlp-grpc', 'otlp-http:4318->otlp-http']);
    expect(facts.configCheck.components.filter((c) => c.startsWith('otelcol.'))).toEqual([]);
  });

  test('features.otlp: receiver -> k8sattributes -> batch -> exporter.otlp to the endpoint, with pods and ReplicaSets RBAC', () => {
    const { objs, facts, grants } = render('alloy', ['features.otlp.enabled=true', 'features.otlp.endpoint=tempo.tracing.svc:4317', 'features.otlp.insecure=true']);
    expect(facts.configCheck.components).toEqual(expect.arrayContaining(['otelcol.receiver.otlp', 'otelcol.processor.k8sattributes', 'otelcol.processor.batch', 'otelcol.exporter.otlp']));
    expect(facts.config).toMatch(/otelcol\.receiver\.otlp "default" \{\s*grpc \{\s*endpoint = "0\.0\.0\.0:4317"[\s\S]*http \{\s*endpoint = "0\.0\.0\.0:4318"[\s\S]*traces  = \[otelcol\.processor\.k8sattributes\.default\.input\]/);
    expect(facts.config).toMatch(/otelcol\.processor\.k8sattributes "default" \{[\s\S]*deployment_name_from_replicaset = false[\s\S]*traces  = \[otelcol\.processor\.batch\.default\.input\]/);
    expect(facts.config).toMatch(/otelcol\.exporter\.otlp "default" \{\s*client \{\s*endpoint = "tempo\.tracing\.svc:4317"\s*tls \{\s*insecure = true/);
    expect(ports(facts)).toEqual(expect.arrayContaining(['otlp-grpc:4317', 'otlp-http:4318']));
    expect(find(objs, 'Service', 'alloy-otlp')).toHaveLength(1);
    const features: Feature[] = ['discovery.pod', 'discovery.service', 'otlp'];
    expect([...grants.cluster].sort()).toEqual(expectedAtoms(features));
  });

  test('namespaceLabels add label rules and the namespaces watch; a daemonset filters to its node; one rbac namespace narrows the watch', () => {
    const a = render('alloy', ['features.otlp.enabled=true', 'features.otlp.endpoint=gw:4317', 'features.otlp.namespaceLabels={team,env}']);
    expect(a.facts.config).toMatch(/label \{\s*from = "namespace"\s*key  = "team"/);
    expect(a.facts.config).toMatch(/label \{\s*from = "namespace"\s*key  = "env"/);
    expect([...a.grants.cluster].sort()).toEqual(expectedAtoms(['discovery.pod', 'discovery.service', 'otlp', 'otlpNamespaceLabels']));

    const d = render('alloy', ['controller.type=daemonset', 'features.otlp.enabled=true', 'features.otlp.endpoint=gw:4317']);
    expect(d.facts.config).toMatch(/filter \{\s*node\s*= sys\.env\("HOSTNAME"\)/);

    const n = render('alloy', ['features.otlp.enabled=true', 'features.otlp.endpoint=gw:4317', 'rbac.namespaces={shop}']);
    expect(n.facts.config).toMatch(/filter \{\s*namespace = "shop"/);
    expect(n.grants.namespaced.get('shop')).toEqual(expect.objectContaining({}));
    expect([...(n.grants.namespaced.get('shop') ?? [])]).toEqual(expect.arrayContaining(['apps|replicasets|watch', '|pods|watch']));
  });

  test('features.otlp without an endpoint, or with two rbac namespaces, is refused with the reason', () => {
    expect(() => renderObjects('alloy', { set: ['features.otlp.enabled=true'] })).toThrow(/features\.otlp\.endpoint is required/);
    expect(() => renderObjects('alloy', { set: ['features.otlp.enabled=true', 'features.otlp.endpoint=gw:4317', 'rbac.namespaces={a,b}'] })).toThrow(/watches all namespaces or one/);
  });
});

describe('OTLP preset of charts/alloy-annotations', () => {
  test('the preset flag is in the chart values, off by default', () => {
    const preset = YAML.parse(fs.readFileSync(path.join(ROOT, 'charts/alloy-annotations/values.yaml'), 'utf8')).alloy;
    expect(preset.features.otlp).toMatchObject({ enabled: false });
    const { facts } = render('alloy-annotations');
    expect(facts.configCheck.components.filter((c) => c.startsWith('otelcol.'))).toEqual([]);
  });

  test('alloy.features.otlp.enabled adds the traces pipeline, the OTLP Service and the k8sattributes RBAC', () => {
    const { objs, facts, grants } = render('alloy-annotations', ['alloy.features.otlp.enabled=true', 'alloy.features.otlp.endpoint=tempo:4317']);
    expect(facts.configCheck.components).toEqual(['discovery.kubernetes', 'discovery.kubernetes', 'discovery.annotations', 'prometheus.scrape', 'prometheus.remote_write', 'otelcol.receiver.otlp', 'otelcol.processor.k8sattributes', 'otelcol.processor.batch', 'otelcol.exporter.otlp']);
    expect(find(objs, 'Service', 'alloy-annotations-otlp')[0].spec.ports.map((p: any) => p.port)).toEqual([4317, 4318]);
    expect([...grants.cluster].sort()).toEqual(expectedAtoms(['discovery.pod', 'discovery.service', 'otlp']));
  });
});
