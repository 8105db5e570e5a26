// Convergence benchmark: N nodes talking real gRPC on 127.0.x.y loopback
// addresses, hosted by a few worker processes (one process cannot hold the
// ~N^2 sockets of a large full mesh under a 20k fd limit; a real cluster has
// one process per node anyway). Measures, for each N, the time until every
// member sees the same participant set after a node joins and after one
// leaves, gossip bytes/s per node at rest and around the changes, and the
// failure detector's events over the run (no node crashes here, so every
// suspect or dead is a false positive).
//
//   node --import tsx bench/clustering/convergence.ts [50,100,150] [--json] [--transport=port|http]
//
// --transport=http carries the gossip on each node's HTTP listener (HTTP/2
// sniffed from HTTP/1.1, as `alloy run` does without --cluster.listen-addr);
// port (the default here) gives each node a gossip port of its own.
// Protocol settings: production defaults (DEFAULT_SWIM) unless overridden by
// env CLUSTER_BENCH_SWIM='{"gossipFanout":3}'.
// Profiling: CLUSTER_BENCH_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof'
// adds node flags to the worker processes.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DEFAULT_SWIM, type SwimConfig } from '../../src/clustering/swim.js';
import type { BenchTransport, Command, Report } from './worker.js';
import { waitFor } from '../../e2e/lib/wait.js';

// 3 workers: 150 nodes at ~50 per process keep a full mesh (~15k sockets) under a 20k fd limit.
const WORKERS = Number(process.env.CLUSTER_BENCH_WORKERS ?? 3);
const swim: Partial<SwimConfig> = JSON.parse(process.env.CLUSTER_BENCH_SWIM ?? '{}');
const MAX_CHANNELS = 256;
const TRANSPORT: BenchTransport = process.argv.includes('--transport=http') ? 'http' : 'port';

class Worker {
  readonly proc: ChildProcess;
  private waiters: { kind: Report['kind']; resolve: (r: Report) => void }[] = [];

  constructor(onView: (r: Extract<Report, { kind: 'view' }>) => void) {
    const extra = (process.env.CLUSTER_BENCH_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
    this.proc = fork(fileURLToPath(new URL('./worker.ts', import.meta.url)), [], { execArgv: ['--import', 'tsx', ...extra], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.proc.on('message', (r: Report) => {
      if (r.kind === 'view') return onView(r);
      if (r.kind === 'error') throw new Error(`worker: ${r.message}`);
      const i = this.waiters.findIndex((w) => w.kind === r.kind);
      if (i >= 0) this.waiters.splice(i, 1)[0].resolve(r);
    });
  }

  send(c: Command): void {
    this.proc.send(c);
  }

  ask<K extends Report['kind']>(c: Command, kind: K): Promise<Extract<Report, { kind: K }>> {
    return new Promise((resolve) => {
      this.waiters.push({ kind, resolve: resolve as (r: Report) => void });
      this.send(c);
    });
  }
}

/** Latest participant view of every node, with the wall time it was reached. */
class Views {
  readonly latest = new Map<string, { sig: string; t: number }>();
  update(r: Extract<Report, { kind: 'view' }>): void {
    this.latest.set(r.node, { sig: r.sig, t: r.t });
  }
  /** Time all `nodes` reached `want`, or undefined if some have not. */
  convergedAt(nodes: string[], want: string[]): number | undefined {
    const sig = [...want].sort().join(',');
    let t = 0;
    for (const n of nodes) {
      const v = this.latest.get(n);
      if (!v || v.sig !== sig) return undefined;
      t = Math.max(t, v.t);
    }
    return t;
  }
}

async function totalBytes(ws: Worker[]): Promise<{ tx: number; nodes: number }> {
  const rs = await Promise.all(ws.map((w) => w.ask({ cmd: 'bytes' }, 'bytes')));
  return { tx: rs.reduce((s, r) => s + r.tx, 0), nodes: rs.reduce((s, r) => s + r.nodes, 0) };
}

async function totalEvents(ws: Worker[]): Promise<{ counts: Record<string, number>; maxHealth: number }> {
  const rs = await Promise.all(ws.map((w) => w.ask({ cmd: 'events' }, 'events')));
  const counts: Record<string, number> = {};
  for (const r of rs) for (const [k, v] of Object.entries(r.counts)) counts[k] = (counts[k] ?? 0) + v;
  return { counts, maxHealth: Math.max(...rs.map((r) => r.maxHealth)) };
}

interface Result {
  members: number;
  startupMs: number;
  joinMs: number;
  joinParticipantMs: number;
  leaveMs: number;
  idleBytesPerNodePerSec: number;
  changeBytesPerNodePerSec: number;
  /** Failure-detector events summed over all nodes for the whole run (no node crashes: all false positives). */
  suspectEvents: number;
  deadEvents: number;
  refuteEvents: number;
  /** Highest local health score of any node at the end. */
  maxLocalHealth: number;
}

async function run(n: number): Promise<Result> {
  const views = new Views();
  const ws = Array.from({ length: WORKERS }, () => new Worker((r) => views.update(r)));
  const nameOf = (i: number) => `node-${i}`;
  const owner = (i: number) => ws[i % ws.length];
  try {
    const t0 = Date.now();
    const first = await ws[0].ask({ cmd: 'start', ids: [0], seeds: [], swim, maxChannels: MAX_CHANNELS, transport: TRANSPORT }, 'started');
    const seeds = first.addrs;
    // The rest join through node-0 in batches (ids spread over the workers),
    // each batch turning participant and converging before the next starts,
    // like a rolling StatefulSet start (a 150-node thundering herd on 2 cores
    // measures the machine, not the protocol).
    ws[0].send({ cmd: 'participant' });
    const names = Array.from({ length: n }, (_, i) => nameOf(i));
    for (let b = 1; b < n; b += 25) {
      const ids = Array.from({ length: Math.min(25, n - b) }, (_, k) => b + k);
      await Promise.all(ws.map((w, wi) => w.ask({ cmd: 'start', ids: ids.filter((i) => i % ws.length === wi), seeds, swim, maxChannels: MAX_CHANNELS, transport: TRANSPORT }, 'started')));
      for (const w of ws) w.send({ cmd: 'participant' });
      const upTo = names.slice(0, b + ids.length);
      await waitFor(`${upTo.length} nodes agreeing during startup`, () => views.convergedAt(upTo, upTo), { timeoutMs: 120_000, intervalMs: 5 }).catch((err) => {
        const hist = new Map<number, number>();
        for (const v of views.latest.values()) {
          const c = v.sig ? v.sig.split(',').length : 0;
          hist.set(c, (hist.get(c) ?? 0) + 1);
        }
        console.error('participant-count histogram (count: nodes):', JSON.stringify([...hist].sort((a, b) => a[0] - b[0])));
        throw err;
      });
    }
    const startupMs = Date.now() - t0;
    await new Promise((r) => setTimeout(r, 2000));

    // Rest: probes only.
    let b0 = await totalBytes(ws);
    let w0 = Date.now();
    await new Promise((r) => setTimeout(r, 3000));
    let b1 = await totalBytes(ws);
    const idleBytesPerNodePerSec = (b1.tx - b0.tx) / b1.nodes / ((Date.now() - w0) / 1000);

    // Join: a new node starts (viewer) and, right after, turns participant (as the runtime does once its config is loaded).
    b0 = b1;
    w0 = Date.now();
    const j = n;
    const tj = Date.now();
    await owner(j).ask({ cmd: 'start', ids: [j], seeds, swim, maxChannels: MAX_CHANNELS, transport: TRANSPORT }, 'started');
    const tp = Date.now();
    owner(j).send({ cmd: 'participant' });
    const all = [...names, nameOf(j)];
    const joined = await waitFor('joiner participant everywhere', () => views.convergedAt(all, all), { timeoutMs: 10_000, intervalMs: 5 });
    const joinMs = joined - tj;
    const joinParticipantMs = joined - tp;

    // Leave: a node leaves gracefully; every other node must drop it.
    const leaver = Math.floor(n / 2);
    const rest = all.filter((x) => x !== nameOf(leaver));
    const tl = Date.now();
    const leaving = owner(leaver).ask({ cmd: 'leave', name: nameOf(leaver) }, 'left');
    const left = await waitFor('leaver dropped everywhere', () => views.convergedAt(rest, rest), { timeoutMs: 10_000, intervalMs: 5 });
    await leaving;
    const leaveMs = left - tl;
    await new Promise((r) => setTimeout(r, 500));
    b1 = await totalBytes(ws);
    const changeBytesPerNodePerSec = (b1.tx - b0.tx) / b1.nodes / ((Date.now() - w0) / 1000);
    const ev = await totalEvents(ws);
    return {
      members: n,
      startupMs,
      joinMs,
      joinParticipantMs,
      leaveMs,
      idleBytesPerNodePerSec: Math.round(idleBytesPerNodePerSec),
      changeBytesPerNodePerSec: Math.round(changeBytesPerNodePerSec),
      suspectEvents: ev.counts.suspect ?? 0,
      deadEvents: ev.counts.dead ?? 0,
      refuteEvents: ev.counts.refute ?? 0,
      maxLocalHealth: ev.maxHealth,
    };
  } finally {
    await Promise.all(ws.map((w) => new Promise((r) => (w.proc.once('exit', r), w.send({ cmd: 'stop' })))));
  }
}

async function main(): Promise<void> {
  const sizes = (process.argv.slice(2).find((a) => /^[\d,]+$/.test(a)) ?? '50,100,150').split(',').map(Number);
  const settings = { ...DEFAULT_SWIM, ...swim, maxChannels: MAX_CHANNELS, workers: WORKERS, transport: TRANSPORT };
  const results: Result[] = [];
  for (const n of sizes) {
    const r = await run(n);
    results.push(r);
    if (!process.argv.includes('--json')) console.log(JSON.stringify(r));
  }
  if (process.argv.includes('--json')) console.log(JSON.stringify({ settings, results }, null, 2));
  else console.log('settings', JSON.stringify(settings));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
