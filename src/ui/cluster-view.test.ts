// GET /api/v0/web/cluster's body: from the cluster's own ring shares and
// member records when it has them, sampled through ownerOf otherwise.
import { StandaloneOwnership, type ClusterOwnership, type Peer } from '../clustering/ownership.js';
import { clusterView, sampleRingShares } from './cluster-view.js';

const peers: Peer[] = [
  { name: 'a', address: '10.0.0.1:1', state: 'participant', isSelf: true },
  { name: 'b', address: '10.0.0.2:1', state: 'participant', isSelf: false },
  { name: 'c', address: '10.0.0.3:1', state: 'viewer', isSelf: false },
];

/** Owner by the first hex digit of the key: a and b split the key space. */
function halvesCluster(): ClusterOwnership {
  return {
    enabled: true,
    self: 'a',
    ownerOf: (k: string) => (parseInt(k[0], 16) < 8 ? 'a' : 'b'),
    owns: () => true,
    onChange: () => () => {},
    peers: () => peers,
  };
}

test('standalone: this node owns the whole ring', () => {
  const v = clusterView(new StandaloneOwnership('solo'));
  expect(v.enabled).toBe(false);
  expect(v.self).toEqual({ name: 'solo', address: '', state: 'participant' });
  expect(v.ringShares).toEqual({ solo: 1 });
  expect(v.peers).toEqual([{ name: 'solo', address: '', state: 'participant', isSelf: true, ringShare: 1 }]);
  expect(v.members).toBeUndefined();
});

test('a cluster without ringShares() gets shares sampled through ownerOf', () => {
  const shares = sampleRingShares(halvesCluster(), 2048);
  expect(Object.keys(shares).sort()).toEqual(['a', 'b']);
  expect(shares.a + shares.b).toBeCloseTo(1, 10);
  expect(Math.abs(shares.a - 0.5)).toBeLessThan(0.1);
  const v = clusterView(halvesCluster());
  expect(v.ringSharesSource).toBe('sampled');
  expect(v.peers.find((p) => p.name === 'c')!.ringShare).toBe(0);
});

test('ring shares, members and wait state come from the cluster when it has them', () => {
  const cluster = Object.assign(halvesCluster(), {
    ringShares: () => ({ a: 0.25, b: 0.75 }),
    members: () => [{ name: 'd', addr: '10.0.0.4:1', incarnation: 3, role: 'participant', status: 'dead' }],
    waitingForSize: true,
  });
  const v = clusterView(cluster);
  expect(v.ringSharesSource).toBe('ring');
  expect(v.peers.map((p) => [p.name, p.ringShare])).toEqual([
    ['a', 0.25],
    ['b', 0.75],
    ['c', 0],
  ]);
  expect(v.self).toEqual({ name: 'a', address: '10.0.0.1:1', state: 'participant' });
  expect(v.waitingForSize).toBe(true);
  expect(v.members).toEqual([{ name: 'd', address: '10.0.0.4:1', incarnation: 3, state: 'participant', status: 'dead' }]);
});
