// The chart's gossip isolation, rendered with tools/helm-render: mutual TLS
// from a Secret (clustering.tls.*), a NetworkPolicy that admits gossip only
// from the release's own pods (networkPolicy.*), and the bind addresses as
// values (alloy.listenAddr, alloy.gossipListenAddr). The rendered args go
// through our CLI's own flag parser, so the TLS flags must be ones it knows
// and turn into the cluster options the gossip server uses.
import { parseClusterFlags } from '../../src/clustering/options.js';
import { checkRender } from './checks.js';
import { find, renderChart, renderObjects, type KubeObject } from './render.js';

const NS = 'monitoring';

function render(chart: string, values: Record<string, unknown>, name = chart) {
  const objs = renderObjects(chart, { name, namespace: NS, values });
  const facts = checkRender(objs, NS);
  const pod = facts.workload.spec.template.spec;
  return { objs, facts, pod, container: pod.containers[0], cluster: parseClusterFlags(facts.flags) };
}

const TLS = { clustering: { tls: { enabled: true, secretName: 'alloy-gossip-tls' } } };

describe('clustering.tls', () => {
  test('off by default: no TLS flag, no certificate volume', () => {
    const { facts, pod, cluster } = render('alloy', {});
    expect(facts.args.filter((a) => a.startsWith('--cluster.tls') || a.startsWith('--cluster.enable-tls'))).toEqual([]);
    expect(cluster.tls).toBeUndefined();
    expect(pod.volumes.map((v: any) => v.name)).not.toContain('cluster-tls');
  });

  test('on: the Secret mounted read-only, its three keys passed as the flags, the cluster Service as server name', () => {
    const { facts, pod, container, cluster } = render('alloy', TLS, 'alloy');
    expect(pod.volumes.find((v: any) => v.name === 'cluster-tls')).toEqual({ name: 'cluster-tls', secret: { secretName: 'alloy-gossip-tls', defaultMode: 0o440 } });
    expect(container.volumeMounts.find((m: any) => m.name === 'cluster-tls')).toEqual({ name: 'cluster-tls', mountPath: '/etc/alloy-cluster-tls', readOnly: true });
    expect(facts.flags).toMatchObject({
      'cluster.enable-tls': true,
      'cluster.tls-ca-path': '/etc/alloy-cluster-tls/ca.crt',
      'cluster.tls-cert-path': '/etc/alloy-cluster-tls/tls.crt',
      'cluster.tls-key-path': '/etc/alloy-cluster-tls/tls.key',
    });
    // What the gossip server will load: the CLI's own reading of the rendered args.
    expect(cluster.tls).toEqual({
      caPath: '/etc/alloy-cluster-tls/ca.crt',
      certPath: '/etc/alloy-cluster-tls/tls.crt',
      keyPath: '/etc/alloy-cluster-tls/tls.key',
      serverName: `alloy-cluster.${NS}.svc.cluster.local`,
    });
    // Its mutual TLS is the gossip server's own: a port of its own (12346 unless alloy.gossipPort says), peers join there.
    expect(facts.flags).toMatchObject({ 'cluster.listen-addr': '0.0.0.0:12346', 'cluster.advertise-address': '$(POD_IP):12346', 'cluster.join-addresses': `alloy-cluster.${NS}.svc.cluster.local:12346` });
    expect(cluster.listenAddr).toBe('0.0.0.0:12346');
    expect(container.ports.map((p: any) => `${p.name}:${p.containerPort}`)).toEqual(['http:12345', 'gossip:12346']);
    // The default server name is the headless Service peers join through.
    expect(find(render('alloy', TLS, 'alloy').objs, 'Service', 'alloy-cluster')).toHaveLength(1);
  });

  test('serverName and mountPath override the defaults', () => {
    const { cluster, container } = render('alloy', { clustering: { tls: { enabled: true, secretName: 's', serverName: 'gossip.example', mountPath: '/certs/' } } });
    expect(cluster.tls).toEqual({ caPath: '/certs/ca.crt', certPath: '/certs/tls.crt', keyPath: '/certs/tls.key', serverName: 'gossip.example' });
    expect(container.volumeMounts.find((m: any) => m.name === 'cluster-tls').mountPath).toBe('/certs/');
  });

  test('without a Secret the render fails naming the value', () => {
    expect(() => renderChart('alloy', { set: ['clustering.tls.enabled=true'] })).toThrow(/clustering\.tls\.secretName is required when clustering\.tls\.enabled is true/);
  });

  test('a daemonset does not gossip: tls.enabled adds nothing', () => {
    const { facts, pod } = render('alloy', { ...TLS, controller: { type: 'daemonset' } });
    expect(facts.args.some((a) => a.startsWith('--cluster.'))).toBe(false);
    expect(pod.volumes.map((v: any) => v.name)).not.toContain('cluster-tls');
  });

  test('alloy-annotations passes alloy.clustering.tls.*, alloy.networkPolicy.* and the bind addresses to the subchart', () => {
    const { objs, facts, pod, cluster } = render('alloy-annotations', {
      alloy: { clustering: { tls: { enabled: true, secretName: 'gossip-certs' } }, networkPolicy: { enabled: true }, alloy: { listenAddr: '$(POD_IP)' } },
    });
    expect(pod.volumes.find((v: any) => v.name === 'cluster-tls').secret.secretName).toBe('gossip-certs');
    expect(cluster.tls?.serverName).toBe(`alloy-annotations-cluster.${NS}.svc.cluster.local`);
    const np = find(objs, 'NetworkPolicy')[0];
    expect(np.spec.ingress[0]).toEqual({ ports: [{ port: 12346, protocol: 'TCP' }], from: [{ podSelector: { matchLabels: facts.workload.spec.selector.matchLabels } }] });
    expect(facts.flags['server.http.listen-addr']).toBe('$(POD_IP):12345');
  });
});

describe('networkPolicy', () => {
  const policy = (objs: KubeObject[]) => {
    const nps = find(objs, 'NetworkPolicy');
    expect(nps).toHaveLength(1);
    return nps[0];
  };
  const SELF = { podSelector: { matchLabels: { 'app.kubernetes.io/name': 'alloy', 'app.kubernetes.io/instance': 'alloy' } } };

  test('off by default', () => {
    expect(find(render('alloy', {}).objs, 'NetworkPolicy')).toHaveLength(0);
  });

  test('one port: HTTP (and the gossip on it) from anyone, ingress only', () => {
    const { objs } = render('alloy', { networkPolicy: { enabled: true } }, 'alloy');
    expect(policy(objs).spec.ingress).toEqual([{ ports: [{ port: 12345, protocol: 'TCP' }] }]);
  });

  test('a gossip port of its own: gossip only from the StatefulSet\'s own pods, HTTP from anyone, ingress only', () => {
    const { objs, facts } = render('alloy', { networkPolicy: { enabled: true }, alloy: { gossipPort: 12346 } }, 'alloy');
    const np = policy(objs);
    expect(np.metadata).toMatchObject({ name: 'alloy', namespace: NS });
    expect(np.spec.podSelector).toEqual({ matchLabels: facts.workload.spec.selector.matchLabels });
    expect(np.spec.policyTypes).toEqual(['Ingress']);
    expect(np.spec.ingress).toEqual([
      { ports: [{ port: 12346, protocol: 'TCP' }], from: [SELF] },
      { ports: [{ port: 12345, protocol: 'TCP' }] },
    ]);
    // The selector is the pods' own labels, so it admits exactly the peers.
    expect(SELF.podSelector.matchLabels).toEqual(facts.workload.spec.selector.matchLabels);
  });

  test('http.from limits the HTTP port (the peers stay admitted); extraIngress adds rules; ports follow the values', () => {
    const from = [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'prometheus' } } }];
    const extra = [{ ports: [{ port: 4317, protocol: 'TCP' }] }];
    const { objs } = render(
      'alloy',
      {
        networkPolicy: { enabled: true, http: { from }, extraIngress: extra },
        alloy: { listenPort: 8080, gossipPort: 7946, extraPorts: [{ name: 'otlp', containerPort: 4317, protocol: 'TCP' }] },
      },
      'alloy',
    );
    expect(policy(objs).spec.ingress).toEqual([{ ports: [{ port: 7946, protocol: 'TCP' }], from: [SELF] }, { ports: [{ port: 8080, protocol: 'TCP' }], from: [SELF, ...from] }, ...extra]);
  });

  test('daemonset: no gossip rule, only HTTP', () => {
    const { objs } = render('alloy', { networkPolicy: { enabled: true }, controller: { type: 'daemonset' } }, 'alloy');
    expect(policy(objs).spec.ingress).toEqual([{ ports: [{ port: 12345, protocol: 'TCP' }] }]);
  });
});

describe('bind addresses', () => {
  test('default 0.0.0.0 for both; values change them, $(POD_IP) binds only the pod IP', () => {
    expect(render('alloy', {}).facts.flags).toMatchObject({ 'server.http.listen-addr': '0.0.0.0:12345' });
    expect(render('alloy', { alloy: { gossipPort: 12346 } }).facts.flags).toMatchObject({ 'server.http.listen-addr': '0.0.0.0:12345', 'cluster.listen-addr': '0.0.0.0:12346' });
    const { facts } = render('alloy', { alloy: { listenAddr: '$(POD_IP)', gossipListenAddr: '$(POD_IP)', gossipPort: 12346 } });
    expect(facts.flags).toMatchObject({ 'server.http.listen-addr': '$(POD_IP):12345', 'cluster.listen-addr': '$(POD_IP):12346', 'cluster.advertise-address': '$(POD_IP):12346' });
  });

  test('an IPv6 address gets brackets', () => {
    const { facts } = render('alloy', { alloy: { listenAddr: '::', gossipListenAddr: '::', gossipPort: 12346 } });
    expect(facts.flags).toMatchObject({ 'server.http.listen-addr': '[::]:12345', 'cluster.listen-addr': '[::]:12346' });
  });
});
