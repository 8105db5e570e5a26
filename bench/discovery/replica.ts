// One discovery.kubernetes replica of the sharding bench (run.ts spawns it):
// role = "pod" against the sandbox API, sharded on a fixed ring when asked.
// Prints one JSON line once the targets are published and settled: target
// count, heap growth after GC (over the heap before discovery), shard stats.
// A self absent from the members owns nothing: the cost of the watch alone.
//   node --expose-gc --import tsx bench/discovery/replica.ts <api> <token> <self> <members,csv> <shard:0|1>
import { Secret } from '../../src/syntax/secret.js';
import { loadKubeClient, makeKubeConfig } from '../../src/kube/client.js';
import { KubeDiscoverer } from '../../src/discovery/kubernetes/discoverer.js';
import { StaticRing } from '../../e2e/discovery/static-ring.js';

const [api, token, self, members, shard] = process.argv.slice(2);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

// The ring is the cluster's (one per process, shared by every clustered component), not
// discovery's: built and warmed before the baseline so it is not counted as discovery heap.
const ownership = shard === '1' ? new StaticRing(self, members.split(',')) : undefined;
ownership?.ownerOf('warm-up');

// Heap of the process before discovery starts (modules loaded): the figure reported is the growth.
for (let i = 0; i < 4; i++) {
  gc();
  await new Promise((r) => setTimeout(r, 50));
}
const heapBefore = process.memoryUsage().heapUsed;

let count = -1;
let lastChange = Date.now();
await loadKubeClient();
const d = new KubeDiscoverer({
  args: { role: 'pod', sharding: { enabled: shard === '1' } },
  kubeConfig: makeKubeConfig({ api_server: api, bearer_token: new Secret(token) }),
  namespaces: [undefined],
  debounceMs: 150,
  ownership,
  onTargets: (ts) => {
    count = ts.length;
    lastChange = Date.now();
  },
  onHealth: () => {},
});

// Bounded wait: the first publish, then 2 s without change; 120 s at most.
const deadline = Date.now() + 120_000;
while (Date.now() < deadline && (count < 0 || Date.now() - lastChange < 2000)) await new Promise((r) => setTimeout(r, 200));
for (let i = 0; i < 4; i++) {
  gc();
  await new Promise((r) => setTimeout(r, 50));
}
const heapUsed = process.memoryUsage().heapUsed - heapBefore;
process.stdout.write(`${JSON.stringify({ self, targets: count, heapUsed, shard: d.shardStats ?? null })}\n`);
await d.stop();
process.exit(0);
