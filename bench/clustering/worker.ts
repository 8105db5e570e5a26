// One process of the convergence benchmark: hosts a share of the nodes and
// reports, over IPC, each time one of its nodes' participant view changes
// (wall-clock stamped, so the driver can compute cluster-wide convergence).
import pino from 'pino';
import { Registry } from 'prom-client';
import { Cluster } from '../../src/clustering/cluster.js';
import type { SwimConfig } from '../../src/clustering/swim.js';
import { listenSwitchable, type SwitchableServer } from '../../src/server/listener.js';

export type Command =
  | { cmd: 'start'; ids: number[]; seeds: string[]; swim: Partial<SwimConfig>; maxChannels: number; transport: BenchTransport }
  | { cmd: 'participant' }
  | { cmd: 'leave'; name: string }
  | { cmd: 'bytes' }
  | { cmd: 'events' }
  | { cmd: 'stop' };

/** 'port': gossip on a port of its own (--cluster.listen-addr); 'http': on an HTTP listener's port (the default in `alloy run`). */
export type BenchTransport = 'port' | 'http';

export type Report =
  | { kind: 'started'; addrs: string[] }
  | { kind: 'view'; node: string; sig: string; count: number; t: number }
  | { kind: 'left' }
  | { kind: 'bytes'; tx: number; nodes: number }
  | { kind: 'events'; counts: Record<string, number>; maxHealth: number }
  | { kind: 'error'; message: string };

const logger = pino({ level: 'silent' });
const nodes = new Map<string, Cluster>();
/** The HTTP listener carrying each node's gossip in 'http' mode. */
const httpServers = new Map<string, SwitchableServer>();
/** Bytes sent by nodes already stopped, so totals never go backwards. */
let retiredTx = 0;
/** Failure-detector events: with no crash in the benchmark, every suspect or dead is a false positive. */
const EVENTS = ['suspect', 'dead', 'refute', 'confirm'];
const retiredEvents: Record<string, number> = Object.fromEntries(EVENTS.map((k) => [k, 0]));

async function eventCounts(c: Cluster): Promise<Record<string, number>> {
  return Object.fromEntries(await Promise.all(EVENTS.map(async (k) => [k, await c.metrics.eventCount(k)] as const)));
}

function send(r: Report): void {
  process.send?.(r);
}

function host(i: number): string {
  return `127.0.${1 + Math.floor(i / 250)}.${1 + (i % 250)}`;
}

// Report each node's participant view as it changes (event-driven, no polling).
function watch(c: Cluster): void {
  const report = (parts: string[]) => send({ kind: 'view', node: c.self, sig: parts.join(','), count: parts.length, t: Date.now() });
  c.onParticipantsChange(report);
  report(c.participants());
}

process.on('message', async (m: Command) => {
  try {
    if (m.cmd === 'start') {
      const started = await Promise.all(
        m.ids.map(async (i) => {
          const http = m.transport === 'http' ? await listenSwitchable((_req, res) => void res.end('ok\n'), `${host(i)}:0`) : undefined;
          const c = await Cluster.start(
            {
              enabled: true,
              nodeName: `node-${i}`,
              listenAddr: http ? undefined : `${host(i)}:0`,
              joinAddresses: m.seeds,
              // Like production (60 s), but shorter: a join that times out on this
              // shared machine is retried instead of leaving the node alone.
              rejoinIntervalMs: 5000,
              clusterName: 'bench',
              waitForSize: 0,
              waitTimeoutMs: 0,
            },
            { logger, metrics: new Registry(), swim: m.swim, maxChannels: m.maxChannels, http },
          );
          if (http) httpServers.set(c.self, http);
          return c;
        }),
      );
      for (const c of started) {
        nodes.set(c.self, c);
        watch(c);
      }
      send({ kind: 'started', addrs: started.map((c) => c.advertiseAddress) });
    } else if (m.cmd === 'participant') {
      for (const c of nodes.values()) c.setState('participant');
    } else if (m.cmd === 'leave') {
      const c = nodes.get(m.name);
      if (c) {
        await c.leave();
        await c.stop();
        await httpServers.get(m.name)?.close();
        retiredTx += c.metrics.txBytes;
        for (const [k, v] of Object.entries(await eventCounts(c))) retiredEvents[k] += v;
        nodes.delete(m.name);
      }
      send({ kind: 'left' });
    } else if (m.cmd === 'bytes') {
      let tx = retiredTx;
      for (const c of nodes.values()) tx += c.metrics.txBytes;
      send({ kind: 'bytes', tx, nodes: nodes.size });
    } else if (m.cmd === 'events') {
      const counts = { ...retiredEvents };
      let maxHealth = 0;
      for (const c of nodes.values()) {
        for (const [k, v] of Object.entries(await eventCounts(c))) counts[k] += v;
        maxHealth = Math.max(maxHealth, c.localHealth);
      }
      send({ kind: 'events', counts, maxHealth });
    } else if (m.cmd === 'stop') {
      await Promise.all([...nodes.values()].map((c) => c.stop()));
      await Promise.all([...httpServers.values()].map((h) => h.close()));
      process.exit(0);
    }
  } catch (err) {
    send({ kind: 'error', message: (err as Error).message });
  }
});
