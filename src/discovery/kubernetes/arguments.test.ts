import { namespacesToWatch, selectorFor, validateDiscoveryArgs, watchedSelectorRoles, type DiscoveryArgs } from './arguments.js';

const v = (a: Partial<DiscoveryArgs>) => () => validateDiscoveryArgs({ role: 'pod', ...a } as DiscoveryArgs);
const warnings = (a: Partial<DiscoveryArgs>) => validateDiscoveryArgs({ role: 'pod', ...a } as DiscoveryArgs);

describe('discovery.kubernetes arguments', () => {
  test('genuinely invalid values stay errors: role names, HTTP client settings', () => {
    expect(v({ role: 'pods' as never })).toThrow(/role "pods" is not one of pod, service/);
    expect(v({ selectors: [{ role: 'pods' as never }] })).toThrow(/selectors\[0\]: role "pods" is not one of/);
    expect(v({ api_server: 'http://x', kubeconfig_file: '/k' })).toThrow(/kubeconfig_file/);
  });

  test('malformed selector syntax is an error naming the selector and the reason', () => {
    expect(v({ selectors: [{ role: 'pod', label: 'app in (a,b' }] })).toThrow(/selectors\[0\] \(role pod\): label selector "app in \(a,b" is malformed: .*\)/);
    expect(v({ selectors: [{ role: 'pod', label: 'a=b,' }] })).toThrow(/label selector "a=b," is malformed: expected a label key/);
    expect(v({ selectors: [{ role: 'pod', label: 'app in a' }] })).toThrow(/expected '\(' after in/);
    expect(v({ selectors: [{ role: 'pod', label: 'x > abc' }] })).toThrow(/must be an integer/);
    expect(v({ selectors: [{ role: 'pod', label: '-bad=1' }] })).toThrow(/key "-bad"/);
    expect(v({ selectors: [{ role: 'pod', label: 'a=b c' }] })).toThrow(/expected ','/);
    expect(v({ selectors: [{ role: 'pod', label: `a=${'v'.repeat(64)}` }] })).toThrow(/value "v+": must be empty or 1-63/);
    expect(v({ selectors: [{ role: 'pod', field: 'spec.nodeName' }] })).toThrow(/field selector "spec.nodeName" is malformed: .*is not <field>=<value>/);
    expect(v({ selectors: [{ role: 'pod', field: 'a=b=c' }] })).toThrow(/unescaped =/);
    expect(v({ selectors: [{ role: 'pod', field: 'a=b\\x' }] })).toThrow(/invalid escape sequence/);
  });

  test('well-formed selectors of every grammar form are accepted', () => {
    const label = 'app=web, tier in (front, back), !legacy, env!=dev, k8s.io/x==y, v notin (a,), w in (), gen>3, rev<10, present, empty=';
    expect(warnings({ selectors: [{ role: 'pod', label, field: 'spec.nodeName=n1,status.phase!=Failed,metadata.name==a\\,b' }] })).toEqual([]);
    expect(warnings({ selectors: [{ role: 'pod', label: '', field: '' }] })).toEqual([]);
  });

  test('a selector for a role the discovery role does not watch is accepted with a warning', () => {
    expect(warnings({ selectors: [{ role: 'service', label: 'a=b' }] })).toEqual(['selectors: the service selector is ignored: the pod role does not watch services']);
    expect(warnings({ role: 'ingress', selectors: [{ role: 'endpointslice' }] })).toEqual(['selectors: the endpointslice selector is ignored: the ingress role does not watch endpointslices']);
    // A node selector (which Prometheus allows on the pod role) only acts on the attach_metadata node watch.
    expect(warnings({ selectors: [{ role: 'node', label: 'a=b' }] })).toEqual([
      'selectors: the node selector is ignored: it applies only to the node watch of attach_metadata { node = true }',
    ]);
    expect(warnings({ selectors: [{ role: 'node', label: 'a=b' }], attach_metadata: { node: true } })).toEqual([]);
    // As at run time in Alloy: the endpoints role's node watch takes the node selector too.
    expect(warnings({ role: 'endpoints', selectors: [{ role: 'node' }], attach_metadata: { node: true } })).toEqual([]);
    expect(warnings({ role: 'endpoints', selectors: [{ role: 'pod' }, { role: 'service' }, { role: 'endpoints' }] })).toEqual([]);
  });

  test('duplicate selector roles are accepted with a warning; the last one wins whole (Prometheus mapSelector)', () => {
    const a: DiscoveryArgs = { role: 'pod', selectors: [{ role: 'pod', label: 'app=a', field: 'spec.nodeName=n1' }, { role: 'pod', label: 'app=b' }] };
    expect(validateDiscoveryArgs(a)).toEqual(['selectors: role "pod" is given 2 times; only the last one (label "app=b", field "") is used, as in Alloy']);
    expect(selectorFor(a, 'pod')).toEqual({ labelSelector: 'app=b', fieldSelector: undefined });
  });

  test('own_namespace with api_server or kubeconfig_file is accepted with a warning and ignored, as in Alloy', () => {
    expect(warnings({ api_server: 'http://x', namespaces: { own_namespace: true } })).toEqual([
      "namespaces.own_namespace is ignored together with 'api_server': the own namespace is read only with the in-cluster config, as in Alloy; with no namespaces.names nothing is watched, so there are no targets",
    ]);
    expect(warnings({ kubeconfig_file: '/k', namespaces: { names: ['a'], own_namespace: true } })).toEqual([
      "namespaces.own_namespace is ignored together with 'kubeconfig_file': the own namespace is read only with the in-cluster config, as in Alloy",
    ]);
    const readOwn = () => {
      throw new Error('must not be read');
    };
    expect(namespacesToWatch({ role: 'pod', api_server: 'http://x', namespaces: { own_namespace: true } }, readOwn)).toEqual([]);
    expect(namespacesToWatch({ role: 'pod', kubeconfig_file: '/k', namespaces: { names: ['a', 'a'], own_namespace: true } }, readOwn)).toEqual(['a']);
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

  test('watchedSelectorRoles: the roles whose resources a configuration watches', () => {
    expect([...watchedSelectorRoles({ role: 'endpointslice' })].sort()).toEqual(['endpointslice', 'pod', 'service']);
    expect([...watchedSelectorRoles({ role: 'service', attach_metadata: { node: true } })]).toEqual(['service']);
    expect([...watchedSelectorRoles({ role: 'pod', attach_metadata: { node: true } })].sort()).toEqual(['node', 'pod']);
  });
});
