// One discovery.kubernetes replica of the sharding bench (run.ts spawns it):
// role = "pod" against the sandbox API, sharded on a fixed ring when asked.
// Prints one JSON line once the targets are published and settled: target
// count, heap growth after GC (over the heap before discovery), shard stats.
// A self absent from the members owns nothing: the cost of the watch alone.
// Sharded with more than one member, then the last member leaves: it stops; the
// others take its share over (fetching those pods whole) and print a second line
// once settled: targets, heap, and what the takeover fetched.
// shard 2: sharded, plus a second holder of the same pods informer that needs
// every object whole (as otelcol.processor.k8sattributes would be): the cache
// then stays whole, the behaviour before per-holder retention.
//   node --expose-gc --import tsx bench/discovery/replica.ts <api> <token> <self> <members,csv> <shard:0|1|2>
import { Secret } from '../../src/syntax/secret.js';
import { loadKubeClient, makeKubeConfig } from '../../src/kube/client.js';
import { KubeDiscoverer } from '../../src/discovery/kubernetes/discoverer.js';
import { StaticRing } from '../../e2e/discovery/static-ring.js';
import { acquireInformer } from '../../src/kube/informers.js';

const [api, token, self, members, shard] = process.argv.slice(2);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

// The ring is the cluster's (one per process, shared by every clustered component), not
// discovery's: built and warmed before the baseline so it is not counted as discovery heap.
const ownership = shard !== '0' ? new StaticRing(self, members.split(',')) : undefined;
ownership?.ownerOf('warm-up');
// The client module and its config are the process's, not discovery's: loaded before the baseline too.
await loadKubeClient();
const kubeConfig = makeKubeConfig({ api_server: api, bearer_token: new Secret(token) });

// Heap of the process before discovery starts (modules loaded): the figure reported is the growth.
for (let i = 0; i < 4; i++) {
  gc();
  await new Promise((r) => setTimeout(r, 50));
}
const heapBefore = process.memoryUsage().heapUsed;

let count = -1;
let lastChange = Date.now();
const whole = shard === '2' ? acquireInformer({ kubeConfig, group: '', version: 'v1', resource: 'pods' }) : undefined;
const d = new KubeDiscoverer({
  args: { role: 'pod', sharding: { enabled: shard !== '0' } },
  kubeConfig,
  namespaces: [undefined],
  debounceMs: 150,
  ownership,
  onTargets: (ts) => {
    count = ts.length;
    lastChange = Date.now();
  },
  onHealth: () => {},
});

/** Bounded wait: the first publish, then 2 s without change and no fetch pending; 120 s at most. */
async function settle(): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline && (count < 0 || Date.now() - lastChange < 2000 || (d.shardStats?.pendingObjects ?? 0) > 0)) await new Promise((r) => setTimeout(r, 200));
}
async function report(phase: string): Promise<void> {
  for (let i = 0; i < 4; i++) {
    gc!();
    await new Promise((r) => setTimeout(r, 50));
  }
  const heapUsed = process.memoryUsage().heapUsed - heapBefore;
  process.stdout.write(`${JSON.stringify({ phase, self, targets: count, heapUsed, takeoverMs, shard: d.shardStats ?? null })}\n`);
}
let takeoverMs: number | undefined;
await settle();
await report('start');
const all = members.split(',');
if (ownership && all.length > 1 && all.includes(self)) {
  if (self === all[all.length - 1]) process.stdout.write(`${JSON.stringify({ phase: 'left', self })}\n`);
  else {
    const t0 = Date.now();
    lastChange = Date.now();
    ownership.setMembers(all.slice(0, -1));
    await settle();
    // From the ring change to the last publish of targets (the taken-over ones fetched and built).
    takeoverMs = lastChange - t0;
    await report('takeover');
  }
}
await d.stop();
await whole?.release();
process.exit(0);
