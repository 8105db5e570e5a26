// Lifeguard in a real (in-process) cluster: when this process's event loop
// is starved, its nodes miss their own deadlines. They must blame themselves
// (local health up, probes inconclusive, suspicions held), not declare each
// other dead, and ownership must not move.
import type { Cluster } from './cluster.js';
import { allSeeParticipants, startTestNode } from '../../e2e/lib/cluster-nodes.js';
import { waitFor } from '../../e2e/lib/wait.js';

const nodes: Cluster[] = [];
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.stop()));
});

async function cluster(size: number): Promise<{ names: string[]; moves: string[] }> {
  const first = await startTestNode({ nodeName: 'n0', listenAddr: '127.0.0.1:0' });
  nodes.push(first);
  for (let i = 1; i < size; i++) {
    nodes.push(await startTestNode({ nodeName: `n${i}`, listenAddr: `127.0.0.${i + 1}:0`, joinAddresses: [first.advertiseAddress] }));
  }
  const names = nodes.map((n) => n.self);
  for (const n of nodes) n.setState('participant');
  await waitFor('all participants', () => allSeeParticipants(nodes, names), { timeoutMs: 5000, intervalMs: 10 });
  const moves: string[] = [];
  for (const n of nodes) n.onParticipantsChange((p) => moves.push(`${n.self} saw [${p.join(',')}]`));
  return { names, moves };
}

/** Applied updates of one kind on every node (local verdicts included). */
async function events(kind: string): Promise<number> {
  let total = 0;
  for (const n of nodes) total += await n.metrics.eventCount(kind);
  return total;
}

function busy(ms: number): void {
  const t0 = Date.now();
  while (Date.now() - t0 < ms); // nothing else runs meanwhile: that is the point
}

/** Starve the event loop for `totalMs`: busy slices with a single loop turn between them. */
async function starve(totalMs: number, sliceMs: number): Promise<void> {
  const t0 = Date.now();
  for (let i = 0; i < 1000 && Date.now() - t0 < totalMs; i++) {
    busy(sliceMs);
    await new Promise((r) => setImmediate(r));
  }
}

test.each([
  ['in 150 ms slices (a starved process: replies are read after our deadlines)', 150],
  ['in one piece', 1500],
])('an event loop blocked for 1.5 s %s: nobody declares anybody dead, ownership stays', async (_what, slice) => {
  const { names, moves } = await cluster(5);
  const deadBefore = await events('dead');
  await starve(1500, slice);
  await new Promise((r) => setTimeout(r, 20)); // one timer turn: the lag monitor sees the stall
  const healthAfter = nodes.map((n) => n.localHealth);
  // Let the aftermath play out: late replies, refutations, suspicion deadlines.
  await new Promise((r) => setTimeout(r, 2500));

  // The nodes noticed their own starvation...
  expect(Math.max(...healthAfter)).toBeGreaterThan(0);
  // ...and nobody was declared dead, nor did any participant set change.
  expect(await events('dead')).toBe(deadBefore);
  expect(moves).toEqual([]);
  expect(allSeeParticipants(nodes, names)).toBe(true);
  for (const n of nodes) expect(n.members().filter((m) => m.status !== 'alive')).toEqual([]);
});

test('local health recovers once probes succeed on time again; a really dead member is still detected, with confirmations', async () => {
  const { names } = await cluster(5);
  await starve(600, 150);
  await waitFor('local health back to 0', () => nodes.every((n) => n.localHealth === 0), { timeoutMs: 8000, intervalMs: 10 });
  const victim = nodes.pop() as Cluster;
  await victim.stop();
  const live = names.filter((n) => n !== victim.self);
  await waitFor('victim dead everywhere', () => nodes.every((n) => n.members().find((m) => m.name === victim.self)?.status === 'dead'), { timeoutMs: 8000, intervalMs: 10 });
  await waitFor('participants without the victim', () => allSeeParticipants(nodes, live), { timeoutMs: 3000, intervalMs: 10 });
  // Independent suspicions of the victim were counted (and re-gossiped).
  expect(await events('confirm')).toBeGreaterThan(0);
});
