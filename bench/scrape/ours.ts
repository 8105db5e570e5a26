// Benchmark helper process: prometheus.scrape -> prometheus.remote_write, the
// same targets as the Prometheus agent. Prints samples delivered on SIGUSR2.
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { makeTestContext } from '../../src/runtime/testing.js';
import { remoteWrite } from '../../src/remotewrite/remote-write.js';
import type { MetricsReceiver, Sample } from '../../src/metrics/types.js';
import { prometheusScrape } from '../../src/scrape/prometheus_scrape.js';

const cfg = JSON.parse(process.argv[2]) as { ports: number[]; sink: number; intervalMs: number };
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-ours-'));
const rwCtx = makeTestContext({ id: 'prometheus.remote_write.bench', dataDir: dir });
const rwArgs = { endpoint: [{ url: `http://127.0.0.1:${cfg.sink}/api/v1/write` }], external_labels: { scraper: 'alloy' } };
// SCRAPE_ONLY=1: count and discard (isolates the scrape cost from remote_write's WAL and sending).
const scrapeOnly = process.env.SCRAPE_ONLY === '1';
const rw = remoteWrite.build(rwCtx, rwArgs as never);
if (!scrapeOnly) await rw.update(rwArgs as never);
const inner: MetricsReceiver = scrapeOnly
  ? { append: () => undefined }
  : ((await rwCtx.waitForExports((e) => e.receiver !== undefined)).receiver as MetricsReceiver);
let samples = 0;
const counting: MetricsReceiver = {
  append(s: Sample[]) {
    samples += s.length;
    return inner.append(s);
  },
};
const sc = prometheusScrape.build(makeTestContext({ id: 'prometheus.scrape.bench' }), undefined as never);
await sc.update({
  targets: cfg.ports.map((p) => ({ __address__: `127.0.0.1:${p}` })),
  forward_to: [counting],
  job_name: 'bench',
  scrape_interval: cfg.intervalMs,
  scrape_timeout: Math.min(cfg.intervalMs, 10000),
  metrics_path: '/metrics',
  scheme: 'http',
  honor_labels: false,
  honor_timestamps: true,
  track_timestamps_staleness: false,
  sample_limit: 0,
  target_limit: 0,
  label_limit: 0,
  label_name_length_limit: 0,
  label_value_length_limit: 0,
  enable_compression: true,
  follow_redirects: true,
  extra_metrics: false,
});
process.on('SIGUSR2', () => process.stdout.write(JSON.stringify({ samples }) + '\n'));
process.on('SIGTERM', async () => {
  await sc.stop?.();
  await rw.stop?.();
  fs.rmSync(dir, { recursive: true, force: true });
  process.exit(0);
});
process.stdout.write('ready\n');
