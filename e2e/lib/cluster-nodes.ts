// Helpers for tests and benchmarks that run several Cluster nodes in one
// process on loopback: fast protocol timings, a simulated network that can
// be partitioned, and bounded polling.
import pino from 'pino';
import { Registry } from 'prom-client';
import { Cluster, type ClusterDeps } from '../../src/clustering/cluster.js';
import type { ClusterOptions } from '../../src/clustering/options.js';
import type { SwimConfig } from '../../src/clustering/swim.js';
import type { NetworkFilter } from '../../src/clustering/transport.js';
import { listenSwitchable, type ActiveTls, type SwitchableServer } from '../../src/server/listener.js';
import type { RequestListener } from 'node:http';

/** Timings ~10x faster than production, so failure detection takes well under a second. */
export const FAST_SWIM: Partial<SwimConfig> = {
  probeIntervalMs: 100,
  probeTimeoutMs: 60,
  suspicionMinMs: 400,
  gossipIntervalMs: 50,
  pushPullIntervalMs: 2000,
  tombstoneMs: 5000,
  syncTimeoutMs: 1000,
};

/** A network where groups of addresses can be cut off from each other. */
export class SimulatedNetwork implements NetworkFilter {
  private groups: Map<string, number> | undefined;

  /** Cut the network: only addresses in the same group talk. */
  partition(...groups: string[][]): void {
    this.groups = new Map();
    groups.forEach((g, i) => g.forEach((a) => this.groups!.set(a, i)));
  }

  heal(): void {
    this.groups = undefined;
  }

  allow(from: string, to: string): boolean {
    if (!this.groups) return true;
    return this.groups.get(from) === this.groups.get(to);
  }
}

export interface TestNodeOptions extends Partial<ClusterOptions> {
  nodeName: string;
}

export async function startTestNode(o: TestNodeOptions, deps: Partial<ClusterDeps> = {}): Promise<Cluster> {
  const opts: ClusterOptions = {
    enabled: true,
    listenAddr: '127.0.0.1:0',
    joinAddresses: [],
    rejoinIntervalMs: 0,
    clusterName: 'test',
    waitForSize: 0,
    waitTimeoutMs: 0,
    ...o,
  };
  return Cluster.start(opts, {
    logger: pino({ level: process.env.CLUSTER_TEST_LOG ?? 'silent' }),
    metrics: new Registry(),
    minRecomputeIntervalMs: 50,
    ...deps,
    swim: { ...FAST_SWIM, ...deps.swim },
  });
}

export interface HttpPortNode {
  cluster: Cluster;
  http: SwitchableServer;
  stop(): Promise<void>;
}

/**
 * A node whose gossip rides on its HTTP port (no listenAddr), as `alloy run`
 * wires it: the HTTP listener (HTTP/1.1 for `handler`) is up before the
 * cluster joins.
 */
export async function startHttpPortNode(
  o: TestNodeOptions & { httpAddr?: string; httpTls?: ActiveTls; handler?: RequestListener },
  deps: Partial<ClusterDeps> = {},
): Promise<HttpPortNode> {
  const { httpAddr, httpTls, handler, ...clusterOpts } = o;
  const http = await listenSwitchable(handler ?? ((_req, res) => void res.end('ok\n')), httpAddr ?? '127.0.0.1:0', httpTls);
  try {
    const cluster = await startTestNode({ ...clusterOpts, listenAddr: undefined }, { ...deps, http });
    return {
      cluster,
      http,
      stop: async () => {
        await cluster.stop();
        await http.close();
      },
    };
  } catch (e) {
    await http.close();
    throw e;
  }
}

/** Whether every node sees exactly `names` as live members. */
export function allSeeMembers(nodes: Cluster[], names: string[]): boolean {
  const want = [...names].sort().join(',');
  return nodes.every((n) => n.peers().map((p) => p.name).join(',') === want);
}

/** Whether every node sees exactly `names` as participants. */
export function allSeeParticipants(nodes: Cluster[], names: string[]): boolean {
  const want = [...names].sort().join(',');
  return nodes.every((n) => n.participants().join(',') === want);
}
