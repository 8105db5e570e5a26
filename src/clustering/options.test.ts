import { hostname } from 'node:os';
import { clusterFlags, parseClusterFlags } from './options.js';

describe('cluster flags', () => {
  test('every flag is named as Alloy names it, with help', () => {
    const names = clusterFlags.map((f) => f.name);
    for (const n of ['cluster.enabled', 'cluster.node-name', 'cluster.join-addresses', 'cluster.rejoin-interval', 'cluster.name', 'cluster.wait-for-size', 'cluster.wait-timeout', 'cluster.advertise-address', 'cluster.max-join-peers', 'cluster.enable-tls', 'cluster.tls-ca-path']) {
      expect(names).toContain(n);
    }
    for (const f of clusterFlags) expect(f.help.length).toBeGreaterThan(10);
  });

  test('defaults', () => {
    const o = parseClusterFlags({});
    expect(o).toMatchObject({
      enabled: false,
      nodeName: hostname(),
      joinAddresses: [],
      rejoinIntervalMs: 60_000,
      clusterName: '',
      waitForSize: 0,
      waitTimeoutMs: 0,
      maxJoinPeers: 5,
    });
    expect(o.tls).toBeUndefined();
    expect(o.advertiseAddress).toBeUndefined();
    // No port of its own: gossip shares the HTTP port, as in Alloy.
    expect(o.listenAddr).toBeUndefined();
  });

  test('values, with or without leading dashes; a separate gossip port only when asked', () => {
    const o = parseClusterFlags({
      '--cluster.enabled': true,
      'cluster.node-name': 'alloy-0',
      '--cluster.join-addresses': 'alloy-0.alloy:12346, 10.0.0.2 ,',
      'cluster.rejoin-interval': '1m30s',
      'cluster.name': 'prod',
      'cluster.wait-for-size': '3',
      'cluster.wait-timeout': '5m',
      '--server.http.listen-addr': '0.0.0.0:8080',
      'cluster.advertise-address': '10.1.2.3',
    });
    expect(o).toMatchObject({
      enabled: true,
      nodeName: 'alloy-0',
      joinAddresses: ['alloy-0.alloy:12346', '10.0.0.2'],
      rejoinIntervalMs: 90_000,
      clusterName: 'prod',
      waitForSize: 3,
      waitTimeoutMs: 300_000,
      advertiseAddress: '10.1.2.3',
    });
    expect(o.listenAddr).toBeUndefined();
    expect(parseClusterFlags({ 'cluster.listen-addr': '127.0.0.5:0' }).listenAddr).toBe('127.0.0.5:0');
    expect(parseClusterFlags({ 'cluster.enabled': 'false' }).enabled).toBe(false);
  });

  test('TLS needs all three files', () => {
    expect(() => parseClusterFlags({ 'cluster.enable-tls': true, 'cluster.tls-ca-path': '/ca' })).toThrow(/--cluster.tls-cert-path, --cluster.tls-key-path/);
    const o = parseClusterFlags({ 'cluster.enable-tls': 'true', 'cluster.tls-ca-path': '/ca', 'cluster.tls-cert-path': '/c', 'cluster.tls-key-path': '/k', 'cluster.tls-server-name': 'alloy' });
    expect(o.tls).toEqual({ caPath: '/ca', certPath: '/c', keyPath: '/k', serverName: 'alloy' });
  });

  test('bad values name the flag', () => {
    expect(() => parseClusterFlags({ 'cluster.rejoin-interval': 'soon' })).toThrow(/--cluster.rejoin-interval: invalid duration "soon"/);
    expect(() => parseClusterFlags({ 'cluster.wait-for-size': '-1' })).toThrow(/--cluster.wait-for-size/);
    expect(() => parseClusterFlags({ 'cluster.enabled': 'yes' })).toThrow(/--cluster.enabled: expected true or false/);
    expect(() => parseClusterFlags({ 'cluster.listen-addr': 'nope' })).toThrow(/--cluster.listen-addr: expected host:port/);
    expect(() => parseClusterFlags({ 'server.http.listen-addr': 'nohost' })).toThrow(/--server.http.listen-addr: expected host:port, got "nohost"/);
    expect(() => parseClusterFlags({ 'cluster.node-name': true })).toThrow(/--cluster.node-name: a value is required/);
    expect(() => parseClusterFlags({ 'cluster.discover-peers': 'provider=k8s' })).toThrow(/not supported/);
  });
});

describe('CLI adapter', () => {
  test('no factory unless --cluster.enabled; bad flags fail before anything starts', async () => {
    const { clusterFactory, clusterFlagDefs } = await import('./cli.js');
    expect(clusterFactory({})).toBeUndefined();
    expect(typeof clusterFactory({ 'cluster.enabled': true, 'cluster.node-name': 'n' })).toBe('function');
    expect(() => clusterFactory({ 'cluster.enabled': true, 'cluster.wait-timeout': 'x' })).toThrow(/--cluster.wait-timeout/);
    expect(clusterFlagDefs().find((f) => f.name === 'cluster.enabled')?.boolean).toBe(true);
  });
});
