import { namespacesToWatch, selectorFor, validateDiscoveryArgs, type DiscoveryArgs } from './arguments.js';

const v = (a: Partial<DiscoveryArgs>) => () => validateDiscoveryArgs({ role: 'pod', ...a } as DiscoveryArgs);

describe('discovery.kubernetes arguments', () => {
  test('role and selector rules follow Prometheus', () => {
    expect(v({ role: 'pods' as never })).toThrow(/role "pods" is not one of pod, service/);
    expect(v({ selectors: [{ role: 'service', label: 'a=b' }] })).toThrow(/the pod role supports only pod, node selectors/);
    expect(v({ selectors: [{ role: 'pod' }, { role: 'pod' }] })).toThrow(/duplicated selector role "pod"/);
    expect(v({ role: 'endpoints', selectors: [{ role: 'pod' }, { role: 'service' }, { role: 'endpoints' }] })).not.toThrow();
    expect(v({ api_server: 'http://x', namespaces: { own_namespace: true } })).toThrow(/own_namespace needs the in-cluster config/);
    expect(v({ api_server: 'http://x', kubeconfig_file: '/k' })).toThrow(/kubeconfig_file/);
  });

  test('namespaces: none means all; own namespace appended; duplicates removed', () => {
    expect(namespacesToWatch({ role: 'pod' })).toEqual([undefined]);
    expect(namespacesToWatch({ role: 'pod', namespaces: { names: ['a', 'b'], own_namespace: true } }, () => 'a')).toEqual(['a', 'b']);
    expect(namespacesToWatch({ role: 'pod', namespaces: { names: [], own_namespace: true } }, () => 'me')).toEqual(['me']);
    expect(() => namespacesToWatch({ role: 'pod', namespaces: { own_namespace: true } }, () => '')).toThrow(/empty/);
  });

  test('selectorFor picks the selector of the asked role; empty strings are not sent', () => {
    const a: DiscoveryArgs = { role: 'endpoints', selectors: [{ role: 'pod', label: 'app=x', field: '' }] };
    expect(selectorFor(a, 'pod')).toEqual({ labelSelector: 'app=x', fieldSelector: undefined });
    expect(selectorFor(a, 'service')).toEqual({ labelSelector: undefined, fieldSelector: undefined });
  });
});
