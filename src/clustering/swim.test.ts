// Swim on its own, with a scripted network (no gRPC).
import pino from 'pino';
import { MemberTable } from './members.js';
import { DEFAULT_SWIM, Swim, type Caller } from './swim.js';
import { waitFor } from '../../e2e/lib/wait.js';
import type { NodeRecord } from './wire.js';

const rec = (name: string, role: NodeRecord['role'] = 'participant'): NodeRecord => ({ name, addr: `${name}:1`, incarnation: 0, role, status: 'alive' });

test('a join is followed by one more full sync with a random member shortly after (in-flight updates the seed had not seen)', async () => {
  const syncs: { addr: string; join: boolean; at: number }[] = [];
  const call: Caller = async (addr, method, req) => {
    if (method === 'Sync') {
      syncs.push({ addr, join: req.join, at: Date.now() });
      return { from: addr, ok: true, updates: [rec('seed'), rec('b'), rec('c')] };
    }
    return { from: addr, ok: true, updates: [] };
  };
  const cfg = { ...DEFAULT_SWIM, gossipIntervalMs: 20, probeIntervalMs: 50 };
  const swim = new Swim(new MemberTable(rec('me', 'viewer')), call, 'test', cfg, pino({ level: 'silent' }), { onChange: () => {} });
  try {
    const t0 = Date.now();
    expect(await swim.join(['seed:1'])).toMatchObject({ joined: 1 });
    expect(syncs).toEqual([{ addr: 'seed:1', join: true, at: expect.any(Number) }]);
    await waitFor('the follow-up sync', () => syncs.length === 2, { timeoutMs: 2000, intervalMs: 5 });
    const follow = syncs[1];
    expect(follow.join).toBe(false);
    expect(['seed:1', 'b:1', 'c:1']).toContain(follow.addr);
    // Not at once (the updates in flight need a moment), and only once.
    expect(follow.at - t0).toBeGreaterThanOrEqual(cfg.probeIntervalMs);
    await new Promise((r) => setTimeout(r, 200));
    expect(syncs).toHaveLength(2);
  } finally {
    swim.stop();
  }
});

test('no follow-up sync when nobody answered the join', async () => {
  let syncs = 0;
  const call: Caller = async (_addr, method) => {
    if (method === 'Sync') syncs++;
    throw Object.assign(new Error('unreachable'), { code: 14 });
  };
  const swim = new Swim(new MemberTable(rec('me', 'viewer')), call, 'test', { ...DEFAULT_SWIM, gossipIntervalMs: 10, probeIntervalMs: 20 }, pino({ level: 'silent' }), { onChange: () => {} });
  try {
    expect(await swim.join(['seed:1'])).toMatchObject({ joined: 0, unreachable: [expect.stringContaining('seed:1')] });
    await new Promise((r) => setTimeout(r, 150));
    expect(syncs).toBe(1);
  } finally {
    swim.stop();
  }
});

test('a refutation goes straight to the accuser, even when replies to stale requests use up its queued retransmits', async () => {
  const gossip: { addr: string; updates: NodeRecord[] }[] = [];
  const call: Caller = async (addr, method, req) => {
    if (method === 'Gossip') gossip.push({ addr, updates: req.updates });
    return { from: addr, ok: true, updates: [] };
  };
  const table = new MemberTable(rec('me'));
  for (const n of ['a', 'b', 'c', 'd', 'e', 'f']) table.apply(rec(n));
  const swim = new Swim(table, call, 'test', { ...DEFAULT_SWIM, gossipFanout: 2 }, pino({ level: 'silent' }), { onChange: () => {} });
  try {
    const h = swim.handlers();
    const ping = (from: string, updates: NodeRecord[] = []) =>
      h.Ping({ cluster: 'test', from, target: 'me', targetAddr: '', timeoutMs: 0, join: false, updates });
    // Thawed after a freeze: the first request read carries b's suspicion of us, then come a pile of stale pings.
    await ping('a', [{ ...rec('me'), status: 'suspect', suspector: 'b' }]);
    for (let i = 0; i < 20; i++) await ping('c');
    expect(swim.queue.size).toBe(0); // all spent on replies nobody reads
    await waitFor('the refutation sent to b', () => gossip.some((g) => g.addr === 'b:1'), { timeoutMs: 1000, intervalMs: 5 });
    const toB = gossip.find((g) => g.addr === 'b:1')!;
    expect(toB.updates).toEqual([expect.objectContaining({ name: 'me', incarnation: 1, status: 'alive' })]);
    // Plus gossipFanout random members.
    expect(new Set(gossip.map((g) => g.addr)).size).toBeGreaterThanOrEqual(2);
  } finally {
    swim.stop();
  }
});

test('a member table that stays different from every pinged member is repaired by a sync with one of them, rate-limited', async () => {
  const syncs: { addr: string; at: number }[] = [];
  let theirDigest = 0;
  const call: Caller = async (addr, method) => {
    if (method === 'Sync') syncs.push({ addr, at: Date.now() });
    return { from: addr, ok: true, updates: [], digest: theirDigest };
  };
  const table = new MemberTable(rec('me'));
  for (const n of ['a', 'b', 'c']) table.apply(rec(n));
  const interval = 20;
  const swim = new Swim(table, call, 'test', { ...DEFAULT_SWIM, probeIntervalMs: interval }, pino({ level: 'silent' }), { onChange: () => {} });
  const probeFor = async (ms: number) => {
    const t0 = Date.now();
    for (let i = 0; i < 500 && Date.now() - t0 < ms; i++) {
      await swim.probeOnce();
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  try {
    // Agreeing members: never a sync.
    theirDigest = table.digest();
    await probeFor(150);
    expect(syncs).toEqual([]);
    // Everyone we ping disagrees (we missed an update): a sync once that lasted 3 intervals, then at most one per 5.
    theirDigest = (table.digest() ^ 1) >>> 0;
    const disagreeing = Date.now();
    await probeFor(400);
    expect(syncs.length).toBeGreaterThanOrEqual(2);
    expect(syncs.length).toBeLessThanOrEqual(Math.ceil(400 / (5 * interval)) + 1);
    expect(syncs[0].at - disagreeing).toBeGreaterThanOrEqual(3 * interval - 10);
    // The limiter stamps its decision; the call is recorded a tick later, so allow a few ms either way.
    for (let i = 1; i < syncs.length; i++) expect(syncs[i].at - syncs[i - 1].at).toBeGreaterThanOrEqual(5 * interval - 5);
    for (const x of syncs) expect(['a:1', 'b:1', 'c:1']).toContain(x.addr);
    // Older nodes send no digest: nothing to compare.
    theirDigest = 0;
    const n = syncs.length;
    await probeFor(200);
    expect(syncs).toHaveLength(n);
  } finally {
    swim.stop();
  }
});
