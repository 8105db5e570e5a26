// Self-metrics of clustering, named like Alloy's (ckit) where one exists.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { ByteCounter } from './wire.js';
import type { Role } from './wire.js';

export class ClusterMetrics implements ByteCounter {
  /** Plain totals too, for benchmarks that read them without the registry. */
  txBytes = 0;
  rxBytes = 0;
  private readonly info: Gauge;
  readonly peers: Gauge;
  private readonly events: Counter;
  private readonly txBytesC: Counter;
  private readonly rxBytesC: Counter;
  private readonly txPackets: Counter;
  private readonly rxPackets: Counter;
  readonly probeFailures: Counter;
  readonly ownershipChanges: Counter;
  readonly incarnation: Gauge;
  readonly localHealth: Gauge;

  constructor(registry: Registry) {
    const registers = [registry];
    this.info = new Gauge({ name: 'cluster_node_info', help: 'Info about the local node; the state label is its current state.', labelNames: ['state'], registers });
    this.peers = new Gauge({ name: 'cluster_node_peers', help: 'Live cluster members (this node included) by state.', labelNames: ['state'], registers });
    this.events = new Counter({ name: 'cluster_node_gossip_received_events_total', help: 'Membership updates received and applied, by kind.', labelNames: ['event'], registers });
    this.txBytesC = new Counter({ name: 'cluster_transport_tx_bytes_total', help: 'Bytes of gossip messages sent.', registers });
    this.rxBytesC = new Counter({ name: 'cluster_transport_rx_bytes_total', help: 'Bytes of gossip messages received.', registers });
    this.txPackets = new Counter({ name: 'cluster_transport_tx_packets_total', help: 'Gossip messages sent.', registers });
    this.rxPackets = new Counter({ name: 'cluster_transport_rx_packets_total', help: 'Gossip messages received.', registers });
    this.probeFailures = new Counter({ name: 'cluster_node_probe_failures_total', help: 'Direct probes a member did not answer in time.', registers });
    this.ownershipChanges = new Counter({ name: 'cluster_node_ownership_changes_total', help: 'Recomputations of the ring that changed ownership.', registers });
    this.localHealth = new Gauge({ name: 'cluster_node_local_health_score', help: 'Local health score (0 = healthy); timeouts are scaled by score + 1 while this node misses its own deadlines.', registers });
    this.incarnation = new Gauge({ name: 'cluster_node_incarnation', help: "This node's incarnation number (bumped on every state change or refutation).", registers });
  }

  tx(bytes: number): void {
    this.txBytes += bytes;
    this.txBytesC.inc(bytes);
    this.txPackets.inc();
  }

  rx(bytes: number): void {
    this.rxBytes += bytes;
    this.rxBytesC.inc(bytes);
    this.rxPackets.inc();
  }

  event(kind: string): void {
    this.events.inc({ event: kind });
  }

  /** Updates of one kind applied so far (tests, benchmarks). */
  async eventCount(kind: string): Promise<number> {
    return (await this.events.get()).values.find((v) => v.labels.event === kind)?.value ?? 0;
  }

  setState(state: Role | 'left'): void {
    for (const s of ['viewer', 'participant', 'terminating', 'left']) this.info.set({ state: s }, s === state ? 1 : 0);
  }

  setPeers(counts: Record<Role, number>): void {
    for (const [state, n] of Object.entries(counts)) this.peers.set({ state }, n);
  }
}
