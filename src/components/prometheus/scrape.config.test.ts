// prometheus.scrape from Alloy syntax through the real controller: the
// clustering { excluded_labels } argument reaching the cluster key, and
// targets Prometheus refuses (per-target timeout above the interval) shown
// with their reason in dropped_targets.
import { Registry } from 'prom-client';
import '../index.js';
import { type ClusterOwnership, targetKey } from '../../clustering/ownership.js';
import type { Controller } from '../../runtime/controller.js';
import { configureScrapeWorkers } from '../../scrape/pool.js';
import { gatherMetrics } from '../../runtime/component-metrics.js';
import { scrapeController } from '../../../e2e/lib/scrape-support.js';

configureScrapeWorkers(1);

interface Debug {
  targets: { url: string; owner?: string }[];
  dropped_targets: { discovered_labels: Record<string, string>; reason: string }[];
}

// Ports that nothing listens on are fine: these tests look at target selection, not at scrapes.
const A = '127.0.0.1:9';
const B = '127.0.0.2:9';

/** A two-member ring in miniature: this node owns exactly the keys in `mine`. */
function cluster(mine: Set<string>): ClusterOwnership {
  return {
    enabled: true,
    self: 'node-a',
    ownerOf: (k) => (mine.has(k) ? 'node-a' : 'node-b'),
    owns: (k) => mine.has(k),
    onChange: () => () => {},
    peers: () => [],
  };
}

let controller: Controller | undefined;
let registry: Registry;
afterEach(async () => {
  await controller?.stop();
  controller = undefined;
});

async function load(c: ClusterOwnership, body: string): Promise<Debug> {
  registry = new Registry();
  controller = await scrapeController(
    `
prometheus.scrape "s" {
  forward_to      = [prometheus.relabel.sink.receiver]
  scrape_interval = "1m"
  scrape_timeout  = "10s"
${body}
}
`,
    { cluster: c, metrics: registry },
  );
  const view = controller.view('prometheus.scrape.s')!;
  expect(view.health.state).not.toBe('unhealthy');
  return view.debugInfo as Debug;
}

test('clustering { excluded_labels } leaves those labels out of the cluster key', async () => {
  // The ring placed each target by its labels without the per-pod label.
  const owned = new Set([targetKey({ __address__: A, job: 'x' })]);
  const targets = `targets = [{"__address__" = "${A}", "job" = "x", "pod" = "x-7f9c"}, {"__address__" = "${B}", "job" = "x", "pod" = "x-1a2b"}]`;
  const withExcluded = await load(cluster(owned), `${targets}\n  clustering {\n    enabled = true\n    excluded_labels = ["pod"]\n  }`);
  expect(withExcluded.targets.map((t) => [t.url, t.owner])).toEqual([[`http://${A}/metrics`, 'node-a']]);
  await controller!.stop();
  // Without the exclusion the pod label changes the key, and the target is not this node's.
  const without = await load(cluster(owned), `${targets}\n  clustering { enabled = true }`);
  expect(without.targets).toEqual([]);
});

test('a per-target interval below the timeout drops the target with Prometheus\'s reason', async () => {
  const debug = await load(
    cluster(new Set()),
    `targets = [
    {"__address__" = "${A}", "__scrape_interval__" = "5s"},
    {"__address__" = "${B}", "__scrape_interval__" = "5s", "__scrape_timeout__" = "2s"},
  ]`,
  );
  expect(debug.targets.map((t) => t.url)).toEqual([`http://${B}/metrics`]);
  expect(debug.dropped_targets).toEqual([
    { discovered_labels: { __address__: A, __scrape_interval__: '5s' }, reason: 'scrape timeout cannot be greater than scrape interval ("10s" > "5s")' },
  ]);
  // The component's own registry labels the series with its id.
  const own = controller!.componentRegistries().map((r) => r.getSingleMetric('prometheus_target_sync_failed_total')).filter((m) => m !== undefined);
  expect(own).toHaveLength(1);
  const failed = await own[0]!.get();
  expect(failed.values).toEqual([{ labels: { scrape_job: 'prometheus.scrape.s' }, value: 1 }]);
  expect(await gatherMetrics(controller!.componentRegistries())).toContain(
    'prometheus_target_sync_failed_total{scrape_job="prometheus.scrape.s",component_id="prometheus.scrape.s",component_path="/"} 1',
  );
});
