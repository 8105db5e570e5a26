// Several Cluster nodes in this process, on 127.0.0.x loopback addresses,
// talking real gRPC: membership, failure detection, refutation, leave,
// conflicts and partitions. Timings are the fast test ones (testing.ts).
import { targetKey } from './ownership.js';
import { ClusterJoinError, type Cluster } from './cluster.js';
import { allSeeMembers, allSeeParticipants, SimulatedNetwork, startTestNode } from '../../e2e/lib/cluster-nodes.js';
import { timedWaitFor, waitFor } from '../../e2e/lib/wait.js';

const nodes: Cluster[] = [];
async function node(name: string, host: string, extra: Parameters<typeof startTestNode>[0] extends infer O ? Partial<O> : never = {}, deps = {}): Promise<Cluster> {
  const n = await startTestNode({ nodeName: name, listenAddr: `${host}:0`, ...extra }, deps);
  nodes.push(n);
  return n;
}

afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.stop()));
});

const KEYS = Array.from({ length: 300 }, (_, i) => targetKey({ __address__: `10.1.0.${i}:8080` }));

/** Every key is owned by exactly one of `live` (each node asked about its own ownership). */
function expectExactlyOneOwner(live: Cluster[]): void {
  for (const k of KEYS) {
    const claimants = live.filter((n) => n.owns(k)).map((n) => n.self);
    expect(claimants).toHaveLength(1);
  }
}

test('nodes join through one seed, agree on members, participants and one owner per key', async () => {
  const a = await node('a', '127.0.0.1');
  const b = await node('b', '127.0.0.2', { joinAddresses: [a.advertiseAddress] });
  const c = await node('c', '127.0.0.3', { joinAddresses: [b.advertiseAddress] });
  const d = await node('d', '127.0.0.4', { joinAddresses: [a.advertiseAddress, c.advertiseAddress] });
  await waitFor('4 members everywhere', () => allSeeMembers(nodes, ['a', 'b', 'c', 'd']), { timeoutMs: 3000, intervalMs: 10 });
  // Viewers own nothing.
  expect(a.participants()).toEqual([]);
  expect(KEYS.some((k) => a.owns(k) || d.owns(k))).toBe(false);
  const seenByA: string[][] = [];
  a.onParticipantsChange((p) => seenByA.push(p));
  for (const n of nodes) n.setState('participant');
  await waitFor('4 participants everywhere', () => allSeeParticipants(nodes, ['a', 'b', 'c', 'd']), { timeoutMs: 3000, intervalMs: 10 });
  expect(seenByA.at(-1)).toEqual(['a', 'b', 'c', 'd']);
  await waitFor('rings recomputed', () => nodes.every((n) => Object.keys(n.ringShares()).length === 4), { timeoutMs: 2000, intervalMs: 10 });
  expectExactlyOneOwner(nodes);
  const shares = a.ringShares();
  expect(Object.values(shares).reduce((x, y) => x + y, 0)).toBeCloseTo(1, 6);
  expect(d.peers().find((p) => p.isSelf)).toMatchObject({ name: 'd', state: 'participant' });
  const metrics = await b.metrics.peers.get();
  expect(metrics.values.find((v) => v.labels.state === 'participant')?.value).toBe(4);
});

test('a killed node is suspected, then declared dead; its keys move to the survivors', async () => {
  const a = await node('a', '127.0.0.1');
  const b = await node('b', '127.0.0.2', { joinAddresses: [a.advertiseAddress] });
  const c = await node('c', '127.0.0.3', { joinAddresses: [a.advertiseAddress] });
  for (const n of nodes) n.setState('participant');
  await waitFor('3 participants', () => allSeeParticipants(nodes, ['a', 'b', 'c']), { timeoutMs: 3000, intervalMs: 10 });
  let changes = 0;
  a.onChange(() => changes++);
  await c.stop(); // no goodbye: only the failure detector can tell
  const t = await timedWaitFor('c dead on a and b', () => [a, b].every((n) => n.members().find((m) => m.name === 'c')?.status === 'dead'), { timeoutMs: 4000, intervalMs: 10 });
  expect(t).toBeGreaterThanOrEqual(300); // suspicion lasted at least its minimum
  await waitFor('rings without c', () => [a, b].every((n) => Object.keys(n.ringShares()).join() === 'a,b'), { timeoutMs: 2000, intervalMs: 10 });
  expectExactlyOneOwner([a, b]);
  expect(changes).toBeGreaterThan(0);
  const failures = await a.metrics.probeFailures.get();
  const failuresB = await b.metrics.probeFailures.get();
  expect(failures.values[0].value + failuresB.values[0].value).toBeGreaterThan(0);
});

test('a falsely suspected node refutes with a higher incarnation and stays a member', async () => {
  const net = new SimulatedNetwork();
  // Long suspicion so a short cut only produces suspicion, never death.
  const deps = { network: net, swim: { suspicionMinMs: 20_000 } };
  const a = await node('a', '127.0.0.1', {}, deps);
  const b = await node('b', '127.0.0.2', { joinAddresses: [a.advertiseAddress] }, deps);
  const c = await node('c', '127.0.0.3', { joinAddresses: [a.advertiseAddress] }, deps);
  await waitFor('3 members', () => allSeeMembers(nodes, ['a', 'b', 'c']), { timeoutMs: 3000, intervalMs: 10 });
  const before = c.members().find((m) => m.name === 'c')!.incarnation;
  net.partition([a.advertiseAddress, b.advertiseAddress], [c.advertiseAddress]);
  await waitFor('c suspected', () => [a, b].some((n) => n.members().find((m) => m.name === 'c')?.status === 'suspect'), { timeoutMs: 4000, intervalMs: 10 });
  net.heal();
  await waitFor('c alive again everywhere', () => nodes.every((n) => n.members().find((m) => m.name === 'c')?.status === 'alive'), { timeoutMs: 4000, intervalMs: 10 });
  const after = a.members().find((m) => m.name === 'c')!.incarnation;
  expect(after).toBeGreaterThan(before);
  expect(allSeeMembers(nodes, ['a', 'b', 'c'])).toBe(true);
});

test('a leaving node is gone everywhere at once, without waiting for the failure detector', async () => {
  const slow = { swim: { suspicionMinMs: 20_000 } };
  const a = await node('a', '127.0.0.1', {}, slow);
  const b = await node('b', '127.0.0.2', { joinAddresses: [a.advertiseAddress] }, slow);
  const c = await node('c', '127.0.0.3', { joinAddresses: [a.advertiseAddress] }, slow);
  for (const n of nodes) n.setState('participant');
  await waitFor('3 participants', () => allSeeParticipants(nodes, ['a', 'b', 'c']), { timeoutMs: 3000, intervalMs: 10 });
  await waitFor('rings of 3', () => nodes.every((n) => Object.keys(n.ringShares()).length === 3), { timeoutMs: 2000, intervalMs: 10 });
  expect(KEYS.some((k) => c.owns(k))).toBe(true);
  c.setState('terminating');
  // Terminating owns nothing, at once, on the node itself.
  expect(KEYS.some((k) => c.owns(k))).toBe(false);
  await c.leave();
  const t = await timedWaitFor('c left on a and b', () => [a, b].every((n) => n.members().find((m) => m.name === 'c')?.status === 'left'), { timeoutMs: 1000, intervalMs: 10 });
  expect(t).toBeLessThan(1000);
  await waitFor('rings of 2', () => [a, b].every((n) => Object.keys(n.ringShares()).join() === 'a,b'), { timeoutMs: 2000, intervalMs: 10 });
  expectExactlyOneOwner([a, b]);
});

test('a second live node with a taken name is refused with a clear error', async () => {
  const a = await node('a', '127.0.0.1');
  await node('b', '127.0.0.2', { joinAddresses: [a.advertiseAddress] });
  await expect(node('b', '127.0.0.3', { joinAddresses: [a.advertiseAddress] })).rejects.toThrow(ClusterJoinError);
  await expect(node('b', '127.0.0.3', { joinAddresses: [a.advertiseAddress] })).rejects.toMatchObject({ reason: 'name-conflict' });
  await expect(node('a', '127.0.0.4', { joinAddresses: [a.advertiseAddress] })).rejects.toThrow(/node name "a" is already used by the live member at 127\.0\.0\.1:\d+/);
  expect(allSeeMembers(nodes, ['a', 'b'])).toBe(true);
});

test('a restarted node may reuse its name at a new address once the old one is gone', async () => {
  const a = await node('a', '127.0.0.1');
  const b = await node('b', '127.0.0.2', { joinAddresses: [a.advertiseAddress] });
  await waitFor('2 members', () => allSeeMembers(nodes, ['a', 'b']), { timeoutMs: 3000, intervalMs: 10 });
  await b.stop();
  nodes.splice(nodes.indexOf(b), 1);
  // a still believes the old b is alive; the join checks it and lets the new one in.
  const b2 = await node('b', '127.0.0.5', { joinAddresses: [a.advertiseAddress] });
  await waitFor('a sees b at its new address', () => a.peers().find((p) => p.name === 'b')?.address === b2.advertiseAddress, { timeoutMs: 3000, intervalMs: 10 });
  expect(allSeeMembers(nodes, ['a', 'b'])).toBe(true);
});

test('a node of another cluster name is refused', async () => {
  const a = await node('a', '127.0.0.1', { clusterName: 'blue' });
  await expect(node('x', '127.0.0.2', { clusterName: 'green', joinAddresses: [a.advertiseAddress] })).rejects.toThrow(
    /cluster name mismatch: node "a" is in cluster "blue", node "x" asked for "green"/,
  );
  expect(a.peers().map((p) => p.name)).toEqual(['a']);
});

test('a partition heals through periodic rejoin', async () => {
  const net = new SimulatedNetwork();
  const deps = { network: net };
  const rejoin = { rejoinIntervalMs: 300 };
  const a = await node('a', '127.0.0.1', rejoin, deps);
  const b = await node('b', '127.0.0.2', { ...rejoin, joinAddresses: [a.advertiseAddress] }, deps);
  const c = await node('c', '127.0.0.3', { ...rejoin, joinAddresses: [a.advertiseAddress] }, deps);
  const d = await node('d', '127.0.0.4', { ...rejoin, joinAddresses: [a.advertiseAddress] }, deps);
  for (const n of nodes) n.setState('participant');
  await waitFor('4 participants', () => allSeeParticipants(nodes, ['a', 'b', 'c', 'd']), { timeoutMs: 3000, intervalMs: 10 });
  net.partition([a.advertiseAddress, b.advertiseAddress], [c.advertiseAddress, d.advertiseAddress]);
  await waitFor('two clusters', () => allSeeMembers([a, b], ['a', 'b']) && allSeeMembers([c, d], ['c', 'd']), { timeoutMs: 6000, intervalMs: 10 });
  // Each side distributes all work over itself: two owners per key during the split.
  await waitFor('each side rebalanced', () => Object.keys(a.ringShares()).length === 2 && Object.keys(c.ringShares()).length === 2, { timeoutMs: 2000, intervalMs: 10 });
  net.heal();
  const healed = await timedWaitFor('one cluster again', () => allSeeParticipants(nodes, ['a', 'b', 'c', 'd']), { timeoutMs: 8000, intervalMs: 10 });
  await waitFor('rings of 4', () => nodes.every((n) => Object.keys(n.ringShares()).length === 4), { timeoutMs: 2000, intervalMs: 10 });
  expectExactlyOneOwner(nodes);
  expect(healed).toBeLessThan(8000);
});

test('join addresses may be DNS names resolving to several nodes', async () => {
  const a = await node('a', '127.0.0.1');
  const b = await node('b', '127.0.0.2', { joinAddresses: [a.advertiseAddress] });
  const port = (n: Cluster) => Number(n.advertiseAddress.split(':')[1]);
  expect(port(a)).toBeGreaterThan(0);
  const lookups: string[] = [];
  const lookup = async (h: string) => {
    lookups.push(h);
    return [{ address: '127.0.0.2', family: 4 }];
  };
  const c = await node('c', '127.0.0.3', { joinAddresses: [`peers.cluster.test:${port(b)}`] }, { lookup });
  expect(lookups).toEqual(['peers.cluster.test']);
  await waitFor('3 members', () => allSeeMembers(nodes, ['a', 'b', 'c']), { timeoutMs: 3000, intervalMs: 10 });
  await c.rejoin();
  expect(lookups).toEqual(['peers.cluster.test', 'peers.cluster.test']);
});

test('each node advertises its HTTP address in its record; peers() shows it everywhere', async () => {
  const a = await node('a', '127.0.0.1');
  const b = await node('b', '127.0.0.2', { joinAddresses: [a.advertiseAddress] });
  const c = await node('c', '127.0.0.3', { joinAddresses: [a.advertiseAddress] });
  await waitFor('3 members', () => allSeeMembers(nodes, ['a', 'b', 'c']), { timeoutMs: 3000, intervalMs: 10 });
  expect(a.peers().every((p) => p.httpAddress === undefined)).toBe(true);
  a.setHttpAddress('http://127.0.0.1:4001');
  // Bound to all interfaces: peers get our advertised host instead.
  b.setHttpAddress('http://0.0.0.0:4002');
  c.setHttpAddress('http://[::]:4003');
  const want: Record<string, string> = { a: 'http://127.0.0.1:4001', b: 'http://127.0.0.2:4002', c: 'http://127.0.0.3:4003' };
  await waitFor('HTTP addresses everywhere', () => nodes.every((n) => n.peers().every((p) => p.httpAddress === want[p.name])), { timeoutMs: 3000, intervalMs: 10 });
  // Later state changes keep the address.
  b.setState('participant');
  await waitFor('b participant on a', () => a.peers().find((p) => p.name === 'b')?.state === 'participant', { timeoutMs: 3000, intervalMs: 10 });
  expect(a.peers().find((p) => p.name === 'b')?.httpAddress).toBe(want.b);
  // Bad input is logged, not thrown.
  expect(() => a.setHttpAddress('not a url')).not.toThrow();
  expect(a.peers().find((p) => p.isSelf)?.httpAddress).toBe(want.a);
});

test('rejoin syncs only with join addresses that are not live members already (a seed held dead is synced)', async () => {
  const net = new SimulatedNetwork();
  const a = await node('a', '127.0.0.1', {}, { network: net });
  const b = await node('b', '127.0.0.2', { joinAddresses: [a.advertiseAddress] }, { network: net });
  await waitFor('2 members', () => allSeeMembers(nodes, ['a', 'b']), { timeoutMs: 3000, intervalMs: 10 });
  // The seed is a live member: nothing to do, no full state sent.
  const tx = b.metrics.txBytes;
  expect(await b.rejoin()).toBe(0);
  expect(b.metrics.txBytes - tx).toBeLessThan(200); // at most a probe or two meanwhile
  net.partition([a.advertiseAddress], [b.advertiseAddress]);
  await waitFor('b holds a dead', () => b.members().find((m) => m.name === 'a')?.status === 'dead', { timeoutMs: 5000, intervalMs: 10 });
  net.heal();
  expect(await b.rejoin()).toBe(1);
  await waitFor('one cluster again', () => allSeeMembers(nodes, ['a', 'b']), { timeoutMs: 3000, intervalMs: 10 });
});
