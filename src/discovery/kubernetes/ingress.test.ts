// Expected groups of Prometheus's discovery/kubernetes/ingress_test.go.
import { ingressTargets, matchesHostnamePattern } from './ingress.js';
import { contextOf, makeNamespace } from '../../../e2e/lib/fixtures/kube-objects.js';
import type { Ingress, TargetGroup } from './types.js';

type TLSMode = 'no' | 'yes' | 'mixed' | 'wildcard';

function makeIngress(namespace: string, tls: TLSMode): Ingress {
  const ing: Ingress = {
    metadata: {
      name: 'testingress',
      namespace,
      labels: { 'test/label': 'testvalue' },
      annotations: { 'test/annotation': 'testannotationvalue' },
    },
    spec: {
      ingressClassName: 'testclass',
      rules: [
        { host: 'example.com', http: { paths: [{ path: '/' }, { path: '/foo' }] } },
        { host: 'nobackend.example.com', http: {} }, // no paths: ignored
        { host: 'test.example.com', http: { paths: [{}] } },
      ],
    },
  };
  if (tls === 'yes') ing.spec!.tls = [{ hosts: ['example.com', 'test.example.com'] }];
  if (tls === 'mixed') ing.spec!.tls = [{ hosts: ['example.com'] }];
  if (tls === 'wildcard') ing.spec!.tls = [{ hosts: ['*.example.com'] }];
  return ing;
}

function expected(ns: string, tls: TLSMode): TargetGroup {
  const s1 = tls === 'yes' || tls === 'mixed' ? 'https' : 'http';
  const s2 = tls === 'yes' || tls === 'wildcard' ? 'https' : 'http';
  return {
    source: `ingress/${ns}/testingress`,
    targets: [
      { __meta_kubernetes_ingress_scheme: s1, __meta_kubernetes_ingress_host: 'example.com', __meta_kubernetes_ingress_path: '/', __address__: 'example.com' },
      { __meta_kubernetes_ingress_scheme: s1, __meta_kubernetes_ingress_host: 'example.com', __meta_kubernetes_ingress_path: '/foo', __address__: 'example.com' },
      { __meta_kubernetes_ingress_scheme: s2, __meta_kubernetes_ingress_host: 'test.example.com', __address__: 'test.example.com', __meta_kubernetes_ingress_path: '/' },
    ],
    labels: {
      __meta_kubernetes_ingress_name: 'testingress',
      __meta_kubernetes_namespace: ns,
      __meta_kubernetes_ingress_label_test_label: 'testvalue',
      __meta_kubernetes_ingress_labelpresent_test_label: 'true',
      __meta_kubernetes_ingress_annotation_test_annotation: 'testannotationvalue',
      __meta_kubernetes_ingress_annotationpresent_test_annotation: 'true',
      __meta_kubernetes_ingress_class_name: 'testclass',
    },
  };
}

describe('ingress role (Prometheus ingress_test.go)', () => {
  test.each(['no', 'yes', 'mixed', 'wildcard'] as TLSMode[])('TLS mode %s', (mode) => {
    expect(ingressTargets(makeIngress('default', mode))).toEqual(expected('default', mode));
  });

  test('Namespaces / OwnNamespace', () => {
    for (const ns of ['ns1', 'ns2', 'own-ns']) expect(ingressTargets(makeIngress(ns, 'no'))).toEqual(expected(ns, 'no'));
  });

  test('WithNamespaceMetadata and its update', () => {
    const cases: { labels: Record<string, string>; annotations: Record<string, string> }[] = [
      { labels: { service: 'web', layer: 'frontend' }, annotations: { contact: 'platform', release: 'v5.6.7' } },
      { labels: { component: 'cache', layer: 'backend', region: 'us-central' }, annotations: { contact: 'sre', release: 'v6.7.8', monitoring: 'enabled' } },
    ];
    for (const c of cases) {
      const exp = expected('test-ns', 'no');
      for (const [k, v] of Object.entries(c.labels)) {
        exp.labels[`__meta_kubernetes_namespace_label_${k}`] = v;
        exp.labels[`__meta_kubernetes_namespace_labelpresent_${k}`] = 'true';
      }
      for (const [k, v] of Object.entries(c.annotations)) {
        exp.labels[`__meta_kubernetes_namespace_annotation_${k}`] = v;
        exp.labels[`__meta_kubernetes_namespace_annotationpresent_${k}`] = 'true';
      }
      const ctx = contextOf({ namespaces: [makeNamespace('test-ns', c.labels, c.annotations)] });
      expect(ingressTargets(makeIngress('test-ns', 'no'), ctx)).toEqual(exp);
    }
  });

  test('a rule without http gets path "/"; no class name label without a class', () => {
    const g = ingressTargets({ metadata: { name: 'i', namespace: 'n' }, spec: { rules: [{ host: 'h' }] } });
    expect(g.targets).toEqual([{ __address__: 'h', __meta_kubernetes_ingress_scheme: 'http', __meta_kubernetes_ingress_host: 'h', __meta_kubernetes_ingress_path: '/' }]);
    expect(g.labels.__meta_kubernetes_ingress_class_name).toBeUndefined();
  });

  test('hostname patterns: a wildcard matches exactly one leading label', () => {
    expect(matchesHostnamePattern('*.example.com', 'a.example.com')).toBe(true);
    expect(matchesHostnamePattern('*.example.com', 'a.b.example.com')).toBe(false);
    expect(matchesHostnamePattern('*.example.com', 'example.com')).toBe(false);
    expect(matchesHostnamePattern('a.example.com', 'a.example.com')).toBe(true);
  });
});
