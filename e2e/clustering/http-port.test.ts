// `alloy run` members started as Alloy's docs show: no --cluster.listen-addr,
// --cluster.advertise-address is the HTTP address, --cluster.join-addresses
// lists the peers' HTTP addresses. Gossip (HTTP/2) and the HTTP API and UI
// (HTTP/1.1) share each member's one port. Checked: two, then three members
// form one cluster and share the targets with exactly one owner; the API, the
// UI's cluster-wide targets and /metrics answer on that port meanwhile; a
// SIGKILLed member is detected and its targets move.
import net from 'node:net';
import { Exporter, ProcessCluster, getJson } from './harness.js';

const TARGETS = 30;
const exporter = new Exporter(TARGETS, 1000);
const cluster = new ProcessCluster(exporter, 'e2e-http-port');
const start = (name: string, host: string, join: string[]) => cluster.start(name, host, join, [], { httpPort: true });

beforeAll(async () => {
  await exporter.start();
});
afterAll(async () => {
  await cluster.close();
  await exporter.close();
});

/** Whether anything accepts TCP connections at host:port. */
function listening(hostPort: string): Promise<boolean> {
  const i = hostPort.lastIndexOf(':');
  return new Promise((resolve) => {
    const c = net.connect(Number(hostPort.slice(i + 1)), hostPort.slice(0, i));
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
}

test('members cluster over their HTTP ports only; API, UI and metrics answer there while gossip flows', async () => {
  const a = await start('a', '127.0.0.2', []);
  const b = await start('b', '127.0.0.3', [a.gossip]);
  expect(a.url).toBe(`http://${a.gossip}`); // gossip address = HTTP address
  await cluster.converge([a, b], '2 members on their HTTP ports', 30_000);

  const c = await start('c', '127.0.0.4', [a.gossip, b.gossip]);
  await cluster.converge([a, b, c], '3 members on their HTTP ports', 30_000);

  // No second port: the old default (HTTP port + 1) is not listening.
  const port = Number(new URL(a.url).port);
  expect(await listening(`127.0.0.2:${port + 1}`)).toBe(false);

  // Every member's peer list, from its HTTP API, names all three with the HTTP addresses.
  for (const n of [a, b, c]) {
    const peers = await getJson<{ name: string; address: string }[]>(`${n.url}/api/v0/web/peers`);
    expect(peers.map((p) => `${p.name}=${p.address}`).sort()).toEqual([`a=${a.gossip}`, `b=${b.gossip}`, `c=${c.gossip}`]);
  }
  // The UI's cluster-wide targets fan out to the peers' HTTP servers over the same ports.
  const view = await getJson<{ nodes: { name: string; ok: boolean; url: string | null }[]; targets: { owners: string[] }[] }>(`${b.url}/api/v0/web/targets`);
  expect(view.nodes.map((n) => `${n.name}:${n.ok}:${n.url}`).sort()).toEqual([`a:true:${a.url}`, `b:true:null`, `c:true:${c.url}`]); // itself: answered locally
  expect(view.targets.length).toBe(TARGETS);
  const metrics = await (await fetch(`${c.url}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
  expect(metrics).toMatch(/^cluster_node_peers\{state="participant"\} 3$/m);

  // A crash is detected over this transport too.
  await c.kill();
  await cluster.converge([a, b], 'after SIGKILL of c', 30_000);
});
