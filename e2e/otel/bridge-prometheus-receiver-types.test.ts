// otelcol.receiver.prometheus builds OTLP metrics by the family types the
// scrape saw (counter, gauge, histogram, summary), without honor_metadata, as
// Alloy's receiver reads the scrape's metadata store: directly behind
// prometheus.scrape and behind a prometheus.relabel. A counter without the
// _total suffix proves the type is not guessed from the name. Another receiver
// in the same forward_to gets no metadata (honor_metadata is off).
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { Registry } from 'prom-client';
import { StandaloneOwnership } from '../../src/clustering/ownership.js';
import { metricsReceiver, METRICS_RECEIVER, type MetricsExtras } from '../../src/pipeline/metrics.js';
import type { Metric } from '../../src/pipeline/otel.js';
import { Controller } from '../../src/runtime/controller.js';
import { getComponent, registerComponent } from '../../src/runtime/registry.js';
import { t } from '../../src/runtime/types.js';
import { waitFor } from '../lib/wait.js';
import { recorders } from '../lib/otel-support.js';

const EXPOSITION = `# HELP jobs_done Jobs finished.
# TYPE jobs_done counter
jobs_done 5
# TYPE queue_depth gauge
queue_depth 3
# TYPE rpc_seconds histogram
rpc_seconds_bucket{le="0.5"} 1
rpc_seconds_bucket{le="+Inf"} 4
rpc_seconds_sum 2.5
rpc_seconds_count 4
# TYPE gc_pause_seconds summary
gc_pause_seconds{quantile="0.5"} 0.01
gc_pause_seconds{quantile="0.99"} 0.2
gc_pause_seconds_sum 1.5
gc_pause_seconds_count 30
`;

/** Metrics receivers recording the samples and metadata they are handed, by label. */
const sinks = new Map<string, { samples: number; metadata: MetricsExtras['metadata'][] }>();
if (!getComponent('testing.metrics_sink')) {
  registerComponent({
    name: 'testing.metrics_sink',
    args: {},
    exports: { receiver: t.capsule(METRICS_RECEIVER) },
    build(ctx) {
      const st = { samples: 0, metadata: [] as MetricsExtras['metadata'][] };
      sinks.set(ctx.label ?? '', st);
      ctx.setExports({
        receiver: metricsReceiver({
          append: (s) => void (st.samples += s.length),
          appendExtras: (x: MetricsExtras) => void st.metadata.push(x.metadata),
        }),
      });
      return { update: () => {} };
    },
  });
}

let server: http.Server;
let controller: Controller;

beforeAll(async () => {
  server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end(EXPOSITION);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  controller = new Controller({
    logger: pino({ level: 'silent' }),
    metrics: new Registry(),
    storagePath: fs.mkdtempSync(path.join(os.tmpdir(), 'alloy-otel-prom-types-')),
    cluster: new StandaloneOwnership('n1'),
  });
  await controller.load(`
prometheus.scrape "direct" {
  targets         = [{"__address__" = "127.0.0.1:${port}"}]
  forward_to      = [otelcol.receiver.prometheus.direct.receiver, testing.metrics_sink.other.receiver]
  scrape_interval = "1s"
  scrape_timeout  = "900ms"
}

prometheus.scrape "relabeled" {
  targets         = [{"__address__" = "127.0.0.1:${port}"}]
  forward_to      = [prometheus.relabel.pass.receiver]
  scrape_interval = "1s"
  scrape_timeout  = "900ms"
}

prometheus.relabel "pass" {
  forward_to = [otelcol.receiver.prometheus.relabeled.receiver]
  rule {
    target_label = "via"
    replacement  = "relabel"
  }
}

testing.metrics_sink "other" { }

otelcol.receiver.prometheus "direct" {
  output { metrics = [testing.otel_recorder.types_direct.input] }
}

otelcol.receiver.prometheus "relabeled" {
  output { metrics = [testing.otel_recorder.types_relabeled.input] }
}

testing.otel_recorder "types_direct" { }
testing.otel_recorder "types_relabeled" { }
`, 'types.alloy');
}, 30_000);

afterAll(async () => {
  await controller?.stop();
  await new Promise((r) => server?.close(r));
});

function finder(label: string): (name: string) => Metric | undefined {
  const rec = recorders.get(label)!;
  return (name) => {
    for (const r of rec.metrics) for (const rm of r.data.resourceMetrics) for (const sm of rm.scopeMetrics) for (const m of sm.metrics) if (m.name === name) return m;
    return undefined;
  };
}

for (const label of ['types_direct', 'types_relabeled']) {
  test(`${label}: counter, gauge, histogram and summary by the scraped metadata, without honor_metadata`, async () => {
    const find = finder(label);
    await waitFor(`four families at ${label}`, () => ['jobs_done', 'queue_depth', 'rpc_seconds', 'gc_pause_seconds'].every((n) => find(n)), { timeoutMs: 30_000 });
    const jobs = find('jobs_done')!;
    expect(jobs.sum).toMatchObject({ aggregationTemporality: 2, isMonotonic: true });
    expect(jobs.description).toBe('Jobs finished.');
    expect(jobs.sum!.dataPoints[0]).toMatchObject({ asDouble: 5 });
    expect(find('queue_depth')!.gauge!.dataPoints[0]).toMatchObject({ asDouble: 3 });
    expect(find('rpc_seconds')!.histogram!.dataPoints[0]).toMatchObject({ count: '4', sum: 2.5, explicitBounds: [0.5], bucketCounts: ['1', '3'] });
    const gc = (find('gc_pause_seconds') as unknown as { summary: { dataPoints: { quantileValues: unknown }[] } }).summary.dataPoints[0];
    expect(gc).toMatchObject({ count: '30', sum: 1.5 });
    expect(gc.quantileValues).toEqual([
      { quantile: 0.5, value: 0.01 },
      { quantile: 0.99, value: 0.2 },
    ]);
  }, 60_000);
}

test('the other receiver in the same forward_to gets the samples but no metadata (honor_metadata is off)', async () => {
  await waitFor('samples at the other receiver', () => (sinks.get('other')?.samples ?? 0) > 0, { timeoutMs: 30_000 });
  expect(sinks.get('other')!.metadata.flat()).toEqual([]);
});

test('a receiver added to a running scrape\'s forward_to (already sending metadata to another) gets the families\' metadata with the next scrape', async () => {
  const port = (server.address() as AddressInfo).port;
  const c = new Controller({
    logger: pino({ level: 'silent' }),
    metrics: new Registry(),
    storagePath: fs.mkdtempSync(path.join(os.tmpdir(), 'alloy-otel-prom-late-')),
    cluster: new StandaloneOwnership('n1'),
  });
  const config = (forwardTo: string) => `
prometheus.scrape "late" {
  targets         = [{"__address__" = "127.0.0.1:${port}"}]
  forward_to      = [${forwardTo}]
  scrape_interval = "1s"
  scrape_timeout  = "900ms"
}
testing.metrics_sink "late_sink" { }
otelcol.receiver.prometheus "first" {
  output { metrics = [testing.otel_recorder.types_first.input] }
}
otelcol.receiver.prometheus "late" {
  output { metrics = [testing.otel_recorder.types_late.input] }
}
testing.otel_recorder "types_first" { }
testing.otel_recorder "types_late" { }
`;
  try {
    const first = 'testing.metrics_sink.late_sink.receiver, otelcol.receiver.prometheus.first.receiver';
    await c.load(config(first), 'late.alloy');
    await waitFor('two scrapes at the sink', () => (sinks.get('late_sink')?.samples ?? 0) >= 20, { timeoutMs: 30_000 });
    expect(finder('types_first')('jobs_done')!.sum).toMatchObject({ isMonotonic: true });
    await c.load(config(`${first}, otelcol.receiver.prometheus.late.receiver`), 'late.alloy');
    const find = finder('types_late');
    await waitFor('jobs_done at the late receiver', () => find('jobs_done') && find('rpc_seconds'), { timeoutMs: 30_000 });
    expect(find('jobs_done')!.sum).toMatchObject({ isMonotonic: true });
    expect(find('rpc_seconds')!.histogram!.dataPoints[0]).toMatchObject({ count: '4' });
    expect(sinks.get('late_sink')!.metadata.flat()).toEqual([]);
  } finally {
    await c.stop();
  }
}, 60_000);
