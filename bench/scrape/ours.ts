// Benchmark helper process: prometheus.scrape -> prometheus.remote_write, the
// same targets as the Prometheus agent. Prints samples delivered on SIGUSR2.
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { makeTestContext } from '../../e2e/lib/component-context.js';
import { remoteWrite } from '../../src/components/prometheus/remote_write.js';
import { acceptsBatches, type BatchMetricsReceiver, type MetricsReceiver, type Sample, type SampleBatch } from '../../src/pipeline/metrics.js';
import { prometheusScrape } from '../../src/components/prometheus/scrape.js';

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
// Counts and passes on, keeping the columnar batch path when the receiver has it.
// SAMPLES_PATH=1: Sample objects only (measures the path other receivers get).
const counting: MetricsReceiver | BatchMetricsReceiver = acceptsBatches(inner) && process.env.SAMPLES_PATH !== '1'
  ? {
      append(s: Sample[]) {
        samples += s.length;
        return inner.append(s);
      },
      appendBatch(b: SampleBatch) {
        samples += b.length;
        return inner.appendBatch(b);
      },
    }
  : {
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
// WINDOW_PROFILE=1: profile the main thread between the two measurements
// (steady state only) into bench/scrape/profiles/window-main.cpuprofile.
let usr2 = 0;
const session = process.env.WINDOW_PROFILE === '1' ? new (await import('node:inspector/promises')).Session() : undefined;
process.on('SIGUSR2', async () => {
  usr2++;
  if (session && usr2 === 1) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
  } else if (session && usr2 === 2) {
    const { profile } = await session.post('Profiler.stop');
    const out = path.join(path.dirname(new URL(import.meta.url).pathname), 'profiles', 'window-main.cpuprofile');
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, JSON.stringify(profile));
  }
  if (usr2 === 2 && process.env.MEMORY_REPORT === '1') {
    // Where the RSS goes (main thread heap; workers have their own heaps, counted in rss only).
    const m = process.memoryUsage();
    const mib = (n: number) => Math.round(n / 1048576);
    process.stderr.write(`memory MiB: rss ${mib(m.rss)} heapTotal ${mib(m.heapTotal)} heapUsed ${mib(m.heapUsed)} external ${mib(m.external)} arrayBuffers ${mib(m.arrayBuffers)}\n`);
  }
  process.stdout.write(JSON.stringify({ samples }) + '\n');
});
process.on('SIGTERM', async () => {
  await sc.stop?.();
  await rw.stop?.();
  fs.rmSync(dir, { recursive: true, force: true });
  process.exit(0);
});
process.stdout.write('ready\n');
