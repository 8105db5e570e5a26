// prometheus.operator.podmonitors with clustering { enabled = true } on two
// in-process instances sharing one ring view: every target is scraped by
// exactly one of them; when ownership changes, the targets move.
import { createHash } from 'node:crypto';
import type { ClusterOwnership, Peer } from '../../src/clustering/ownership.js';
import { MonitorComponent } from '../../src/crd/operator/component.js';
import type { OperatorArgs } from '../../src/crd/operator/args.js';
import type { MetricsReceiver, Sample } from '../../src/pipeline/metrics.js';
import { makeTestContext } from '../lib/component-context.js';
import { startKubeEmulator, type KubeEmulator } from '../../src/sandbox/kube/index.js';
import { Exporter } from './exporter.js';
import { waitFor } from '../lib/wait.js';
import { CRDS } from '../../manifests/crds/generate.js';
import { loadKubeClient } from '../../src/kube/client.js';

/** Two members; the key's hash parity picks the owner, or one member owns all after `solo`. */
class SharedRing {
  solo: string | undefined;
  readonly listeners = new Set<() => void>();
  ownerOf(key: string): string {
    if (this.solo) return this.solo;
    return createHash('sha256').update(key).digest()[0] % 2 === 0 ? 'a' : 'b';
  }
  member(self: string): ClusterOwnership {
    const ring = this;
    return {
      enabled: true,
      self,
      ownerOf: (k) => ring.ownerOf(k),
      owns: (k) => ring.ownerOf(k) === self,
      onChange(l) {
        ring.listeners.add(l);
        return () => ring.listeners.delete(l);
      },
      peers: (): Peer[] => ['a', 'b'].map((n) => ({ name: n, address: '', state: 'participant', isSelf: n === self })),
    };
  }
  change(solo: string | undefined): void {
    this.solo = solo;
    for (const l of this.listeners) l();
  }
}

/**
 * Targets in the fleet. Their keys carry random exporter ports, so which member
 * owns each varies from run to run: with 8, one member owned none in about 1 run
 * in 128; with 24, about 1 in 8 million.
 */
const PODS = 24;

class Collect implements MetricsReceiver {
  readonly ups = new Map<string, Sample[]>();
  append(samples: Sample[]): void {
    for (const s of samples) {
      if (s.labels[1] !== 'up') continue;
      const pod = s.labels[s.labels.indexOf('pod') + 1];
      let l = this.ups.get(pod);
      if (!l) this.ups.set(pod, (l = []));
      l.push(s);
    }
  }
  /** Pods with a sample in the last `ms`. */
  live(ms = 2500): string[] {
    const now = Date.now();
    return [...this.ups].filter(([, l]) => l.some((s) => now - s.t < ms && !Number.isNaN(s.v))).map(([p]) => p).sort();
  }
}

describe('operator components with clustering', () => {
  beforeAll(() => loadKubeClient()); // the components' makeKubeConfig needs the client module, loaded lazily
  let api: KubeEmulator;
  const exporters: Exporter[] = [];
  const comps: MonitorComponent[] = [];

  beforeAll(async () => {
    api = await startKubeEmulator();
    api.apply(CRDS['monitoring.coreos.com_podmonitors.yaml']);
    for (let i = 0; i < PODS; i++) {
      const e = await new Exporter('x 1\n').start();
      exporters.push(e);
      api.apply({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: `p-${i}`, namespace: 'default', labels: { app: 'fleet' } },
        spec: { containers: [{ name: 'c', ports: [{ name: 'metrics', containerPort: e.port }] }] },
        status: { phase: 'Running', podIP: '127.0.0.1' },
      });
    }
    api.apply({
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PodMonitor',
      metadata: { name: 'fleet', namespace: 'default' },
      spec: { selector: { matchLabels: { app: 'fleet' } }, podMetricsEndpoints: [{ port: 'metrics', interval: '500ms' }] },
    });
  });
  afterAll(async () => {
    for (const c of comps) await c.stop();
    for (const e of exporters) await e.stop();
    await api?.close();
  });

  test('each target is scraped by exactly one member; a membership change moves targets', async () => {
    const ring = new SharedRing();
    const rx = { a: new Collect(), b: new Collect() };
    for (const self of ['a', 'b'] as const) {
      const c = new MonitorComponent(makeTestContext({ id: 'prometheus.operator.podmonitors.fleet', cluster: ring.member(self) }), 'PodMonitor', { debounceMs: 20 });
      comps.push(c);
      const args: OperatorArgs = {
        forward_to: [rx[self]],
        kubernetes_role: 'endpoints',
        allow_arbitrary_file_access: false,
        informer_sync_timeout: 60_000,
        client: { api_server: api.url },
        clustering: { enabled: true },
      };
      await c.update(args);
    }
    const all = Array.from({ length: PODS }, (_, i) => `p-${i}`).sort();
    await waitFor('all pods scraped across the two members', () => [...rx.a.live(), ...rx.b.live()].sort().join() === all.join(), { timeoutMs: 15_000, intervalMs: 50 });
    const a = rx.a.live();
    const b = rx.b.live();
    expect(a.filter((p) => b.includes(p))).toEqual([]);
    expect(a.length).toBeGreaterThan(0);
    expect(b.length).toBeGreaterThan(0);
    expect(comps.map((c) => c.jobTargets('podMonitor/default/fleet/0').length).sort()).toEqual([a.length, b.length].sort());

    // b leaves the ring: a takes over every target.
    ring.change('a');
    await waitFor('a scrapes everything', () => comps[0].jobTargets('podMonitor/default/fleet/0').length === PODS && comps[1].jobTargets('podMonitor/default/fleet/0').length === 0, { timeoutMs: 5000, intervalMs: 50 });
    await waitFor('samples for all pods at a', () => rx.a.live(1000).join() === all.join(), { timeoutMs: 5000, intervalMs: 50 });
  });
});
