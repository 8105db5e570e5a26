// --cluster.wait-for-size with real `alloy run` processes scraping a counting
// exporter: below the size nobody scrapes anything; once the size is reached
// (or --cluster.wait-timeout passes) every target is scraped by exactly one
// node. Along the way: each node advertises its HTTP address in gossip
// (/api/v0/web/peers), and the cluster-wide targets page finds every peer by
// it (gossip ports here are not HTTP port + 1, so a guess would fail).
import type { Peer } from '../../src/clustering/ownership.js';
import { Exporter, getJson, ProcessCluster, type Node } from './harness.js';
import { waitFor } from '../lib/wait.js';

const TARGETS = 30;
const INTERVAL_MS = 500;

const exporters: Exporter[] = [];
const clusters: ProcessCluster[] = [];

async function setup(name: string): Promise<ProcessCluster> {
  const e = new Exporter(TARGETS, INTERVAL_MS);
  await e.start();
  exporters.push(e);
  const c = new ProcessCluster(e, name);
  clusters.push(c);
  return c;
}

afterAll(async () => {
  await Promise.all(clusters.map((c) => c.close()));
  await Promise.all(exporters.map((e) => e.close()));
});

const peersOf = (n: Node) => getJson<Peer[]>(`${n.url}/api/v0/web/peers`);

/** Every node sees all of `nodes` as participants. */
async function allParticipants(nodes: Node[]): Promise<boolean> {
  const views = await Promise.all(nodes.map(peersOf));
  return views.every((ps) => ps.length === nodes.length && ps.every((p) => p.state === 'participant'));
}

/** Over a few intervals once ownership is stable: each target scraped once per interval, never twice. */
async function expectEachScrapedOnce(c: ProcessCluster, live: Node[]): Promise<void> {
  await c.stable(live, 1500);
  const from = Date.now();
  await new Promise((r) => setTimeout(r, 4 * INTERVAL_MS));
  const to = Date.now();
  const counts = c.exporter.counts(from, to);
  // 4 per target, give or take one at the window edges on this shared machine.
  for (const n of counts) expect(n).toBeGreaterThanOrEqual(3);
  for (const n of counts) expect(n).toBeLessThanOrEqual(5);
  expect(c.exporter.gaps(from, to).doubled).toBe(0);
}

test('wait-for-size=3: two nodes scrape nothing; the third joining starts scraping with exactly one owner per target', async () => {
  const c = await setup('wfs');
  const flags = ['--cluster.wait-for-size=3'];
  const a = await c.start('a', '127.0.0.2', [], flags);
  const b = await c.start('b', '127.0.0.3', [a.gossip], flags);
  await waitFor('a and b participants on both', () => allParticipants([a, b]), { timeoutMs: 20_000 });

  // Each node's record carries the HTTP address it listens on.
  for (const n of [a, b]) {
    const peers = await peersOf(n);
    expect(Object.fromEntries(peers.map((p) => [p.name, p.httpAddress]))).toEqual({ a: a.url, b: b.url });
  }

  // Held back: a few scrape intervals pass with both nodes in the cluster and nothing scraped or owned.
  const heldFrom = Date.now();
  await new Promise((r) => setTimeout(r, 6 * INTERVAL_MS));
  expect(c.exporter.total()).toBe(0);
  const held = await c.owned([a, b]);
  expect([...held.values()].flat()).toEqual([]);
  expect(Date.now() - heldFrom).toBeGreaterThanOrEqual(6 * INTERVAL_MS);

  const tJoin = Date.now();
  const d = await c.start('c', '127.0.0.4', [b.gossip], flags);
  await c.converge([a, b, d], 'three nodes');
  await waitFor('a first scrape', () => c.exporter.total() > 0, { timeoutMs: 5000, intervalMs: 50 });
  expect(c.exporter.first()!).toBeGreaterThanOrEqual(tJoin);
  await expectEachScrapedOnce(c, [a, b, d]);

  // The cluster-wide targets page of one node gathers every peer through the advertised addresses.
  const page = await getJson<{ nodes: { name: string; url: string | null; ok: boolean; targets: number }[]; targets: unknown[] }>(`${a.url}/api/v0/web/targets`);
  expect(page.nodes.map((n) => [n.name, n.ok, n.url ?? 'self'])).toEqual([
    ['a', true, 'self'],
    ['b', true, b.url],
    ['c', true, d.url],
  ]);
  expect(page.nodes.reduce((s, n) => s + n.targets, 0)).toBe(TARGETS);
});

test('wait-timeout=3s: two of three wanted nodes start scraping once the timeout passes', async () => {
  const c = await setup('wfs-timeout');
  const flags = ['--cluster.wait-for-size=3', '--cluster.wait-timeout=3s'];
  const t0 = Date.now();
  const a = await c.start('a', '127.0.0.5', [], flags);
  const b = await c.start('b', '127.0.0.6', [a.gossip], flags);
  await c.converge([a, b], 'two nodes after the wait timeout', 30_000);
  await waitFor('a first scrape', () => c.exporter.total() > 0, { timeoutMs: 5000, intervalMs: 50 });
  // Nobody scraped before the first node's timeout ran out (its clock starts after t0).
  expect(c.exporter.first()! - t0).toBeGreaterThanOrEqual(3000);
  await expectEachScrapedOnce(c, [a, b]);
});
