// Gossip over mutual TLS with real `alloy run` processes on 127.0.0.x, as the
// chart runs them with clustering.tls (one Secret for every replica: ca.crt,
// tls.crt, tls.key, and --cluster.tls-server-name naming the certificate,
// since peers are dialled by IP). Two members share 30 targets; two rogues
// try to join: one trusts the CA but holds a certificate of another CA, one
// speaks no TLS at all. Both are refused at the handshake: they never appear
// in the members' peer lists, the members' ownership does not move, and the
// rogues (waiting for a cluster of 2 like the members) take no targets.
// A third member with a certificate of the CA joins and gets its share.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Peer } from '../../src/clustering/ownership.js';
import { clusterTlsFlags, makeCa } from '../lib/ca-certs.js';
import { waitFor } from '../lib/wait.js';
import { Exporter, getJson, ProcessCluster, type Node } from './harness.js';

const TARGETS = 30;
const INTERVAL_MS = 500;
const SERVER_NAME = 'alloy-cluster.e2e.svc.cluster.local';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cluster-mtls-'));
const exporter = new Exporter(TARGETS, INTERVAL_MS);
const cluster = new ProcessCluster(exporter, 'mtls');

beforeAll(async () => {
  await exporter.start();
});
afterAll(async () => {
  await cluster.close();
  await exporter.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const peerNames = async (n: Node) => (await getJson<Peer[]>(`${n.url}/api/v0/web/peers`)).map((p) => p.name).sort();
const metric = async (n: Node, name: string) => {
  const text = await (await fetch(`${n.url}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
  return text.split('\n').filter((l) => l.startsWith(name));
};
/** The rogue's log lines about joining (what it was told when refused). */
const joinLog = (n: Node) =>
  n
    .out()
    .split('\n')
    .filter((l) => /no peer answered|rejoin found no peer|refused the join/.test(l));

test('members with certificates of the CA share the targets; rogues without one are refused and take none', async () => {
  const figures: Record<string, unknown> = {};
  const ca = makeCa(dir, 'cluster');
  const member = ca.issue('alloy', [SERVER_NAME]);
  const otherCa = makeCa(dir, 'rogue');
  const rogueCert = otherCa.issue('alloy', [SERVER_NAME]);

  const wait = ['--cluster.wait-for-size=2'];
  const memberFlags = [...clusterTlsFlags(member, SERVER_NAME), ...wait];
  const a = await cluster.start('a', '127.0.0.2', [], memberFlags);
  const b = await cluster.start('b', '127.0.0.3', [a.gossip], memberFlags);
  await cluster.converge([a, b], 'a and b over mTLS', 30_000);
  await cluster.stable([a, b], 1500);
  const before = await cluster.owned([a, b]);

  // Rogue 1 trusts the cluster's CA (it can verify the members) but its own certificate is another CA's.
  const rogueFlags = [...clusterTlsFlags({ ...rogueCert, caPath: ca.certPath }, SERVER_NAME), ...wait];
  const [r1, r2] = await Promise.all([
    cluster.start('rogue-cert', '127.0.0.4', [a.gossip, b.gossip], rogueFlags),
    // Rogue 2 speaks plain gRPC to the TLS port.
    cluster.start('rogue-plain', '127.0.0.5', [a.gossip, b.gossip], wait),
  ]);
  const from = Date.now();
  // The harness rejoins every 2 s: let each rogue be refused a few times.
  await waitFor('each rogue refused at least 3 times', () => joinLog(r1).length >= 3 && joinLog(r2).length >= 3, { timeoutMs: 60_000, intervalMs: 200 });
  const to = Date.now();

  for (const n of [a, b]) expect(await peerNames(n)).toEqual(['a', 'b']);
  expect(await peerNames(r1)).toEqual(['rogue-cert']);
  expect(await peerNames(r2)).toEqual(['rogue-plain']);
  // The members' ownership did not move; the rogues own nothing.
  const after = await cluster.owned([a, b, r1, r2]);
  expect(Object.fromEntries([...after].filter(([k]) => k === 'a' || k === 'b'))).toEqual(Object.fromEntries(before));
  expect(after.get('rogue-cert')).toEqual([]);
  expect(after.get('rogue-plain')).toEqual([]);
  // Every target kept being scraped once per interval, never twice, while the rogues knocked.
  const gaps = exporter.gaps(from, to);
  expect(gaps.doubled).toBe(0);
  for (const n of exporter.counts(from, to)) expect(n).toBeGreaterThan(0);

  figures.rogueCertLog = JSON.parse(joinLog(r1)[0]);
  figures.roguePlainLog = JSON.parse(joinLog(r2)[0]);
  figures.memberPeers = await metric(a, 'cluster_node_peers');
  figures.roguePeers = await metric(r1, 'cluster_node_peers');
  figures.refusedWindowMs = to - from;
  figures.gapsWhileRefused = gaps;
  // The members' ports were there (not ECONNREFUSED): the connection failed in the handshake.
  // grpc-js reports that only as "Failed to connect", without the TLS alert.
  for (const l of [figures.rogueCertLog, figures.roguePlainLog]) expect(JSON.stringify(l)).not.toMatch(/ECONNREFUSED/);

  // Control: a member with a certificate of the CA joins through the same addresses and gets its share.
  const c = await cluster.start('c', '127.0.0.6', [a.gossip, b.gossip], memberFlags);
  figures.thirdMemberJoinMs = await cluster.converge([a, b, c], 'a third member with the CA\'s certificate', 30_000);
  for (const n of [a, b, c]) expect(await peerNames(n)).toEqual(['a', 'b', 'c']);
  expect((await cluster.owned([r1, r2])).get('rogue-cert')).toEqual([]);

  // Refused joins are reported in one log line each, never with a stack trace.
  for (const n of [a, b, c, r1, r2]) expect({ node: n.name, stack: /\n\s+at |\\n\s+at /.test(n.out()) }).toEqual({ node: n.name, stack: false });

  // eslint-disable-next-line no-console
  console.log(`cluster mTLS figures: ${JSON.stringify(figures)}`);
}, 240_000);
