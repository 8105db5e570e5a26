// The columnar hand-off: a batch receiver and a Sample receiver on the same
// forward_to see the same samples (labels, values, stale markers), and the
// batch receiver is told which refs the worker released.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { isStaleNaN } from '../pipeline/staleness.js';
import type { BatchMetricsReceiver, MetricsReceiver, Sample, SampleBatch } from '../pipeline/metrics.js';
import { makeTestContext } from '../../e2e/lib/component-context.js';
import type { ScrapeArgs } from './args.js';
import { configureScrapeWorkers } from './pool.js';
import { prometheusScrape } from '../components/prometheus/scrape.js';

configureScrapeWorkers(1);

const servers: http.Server[] = [];
async function serve(h: http.RequestListener): Promise<string> {
  const s = http.createServer(h);
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return `127.0.0.1:${(s.address() as AddressInfo).port}`;
}
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});

/** Resolves labels synchronously, as the contract requires, and keeps Samples (values via the Float64Array). */
class BatchRecorder implements BatchMetricsReceiver {
  samples: Sample[] = [];
  released: number[] = [];
  lookups = 0;
  private known = new Map<object, Map<number, string[]>>();
  append(): void {
    throw new Error('a batch receiver should get batches');
  }
  appendBatch(b: SampleBatch): void {
    let m = this.known.get(b.scope);
    if (!m) this.known.set(b.scope, (m = new Map()));
    for (let i = 0; i < b.length; i++) {
      const r = b.refs[i]!;
      let labels = m.get(r);
      if (!labels) {
        this.lookups++;
        labels = b.labels(r);
        if (!labels) continue;
        m.set(r, labels);
      }
      this.samples.push({ labels, t: b.ts[i]!, v: b.values[i]! });
    }
    for (let i = 0; i < b.released.length; i++) {
      this.released.push(b.released[i]!);
      m.delete(b.released[i]!);
    }
  }
}

class Recorder implements MetricsReceiver {
  samples: Sample[] = [];
  append(s: Sample[]): void {
    this.samples.push(...s);
  }
}

function args(over: Partial<ScrapeArgs>): ScrapeArgs {
  return {
    targets: [], forward_to: [], scrape_interval: 200, scrape_timeout: 150, metrics_path: '/metrics', scheme: 'http',
    honor_labels: false, honor_timestamps: true, track_timestamps_staleness: false, sample_limit: 0, target_limit: 0,
    label_limit: 0, label_name_length_limit: 0, label_value_length_limit: 0, enable_compression: true,
    follow_redirects: true, extra_metrics: false, ...over,
  };
}

const key = (s: Sample) => `${s.labels.join(',')}@${s.t}=${isStaleNaN(s.v) ? 'STALE' : String(s.v)}`;

test('batch and Sample receivers see the same samples, stale markers included', async () => {
  let n = 0;
  // Series "gone" disappears after the second scrape: stale marker, ref released.
  const a = await serve((_req, res) => {
    n++;
    res.end(n <= 2 ? `m ${n}\ngone 1\n` : `m ${n}\n`);
  });
  const batches = new BatchRecorder();
  const plain = new Recorder();
  const c = prometheusScrape.build(makeTestContext({ id: 'prometheus.scrape.batch' }), undefined as never);
  await c.update(args({ targets: [{ __address__: a }], forward_to: [batches, plain] }));
  try {
    const deadline = Date.now() + 8000;
    while (!batches.samples.some((s) => s.labels.includes('gone') && isStaleNaN(s.v)) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    // The target goes away: stale markers for m and the report series.
    await c.update(args({ targets: [], forward_to: [batches, plain] }));
    const until = Date.now() + 8000;
    while (!batches.samples.some((s) => s.labels.includes('up') && isStaleNaN(s.v)) && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    await c.stop!();
  }
  expect(batches.samples.length).toBeGreaterThan(0);
  expect(batches.samples.map(key)).toEqual(plain.samples.map(key));
  const stale = batches.samples.filter((s) => isStaleNaN(s.v)).map((s) => s.labels[1]).sort();
  expect(stale).toEqual(['gone', 'm', 'scrape_duration_seconds', 'scrape_samples_post_metric_relabeling', 'scrape_samples_scraped', 'scrape_series_added', 'up']);
  expect(batches.released.length).toBeGreaterThanOrEqual(2); // "gone", then "m" at removal
  // Labels are looked up once per series, not per sample.
  const distinct = new Set(batches.samples.map((s) => s.labels.join(','))).size;
  expect(batches.lookups).toBe(distinct);
});
