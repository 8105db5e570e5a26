// In-process benchmark of the remote_write path alone (no scraping): T
// synthetic targets x S series appended round after round as fast as the
// WAL accepts them, sent to a 204 sink in a child process. Prints main-thread
// CPU seconds per million samples delivered. Quick to iterate on; the real
// comparison with Prometheus is bench/scrape/run.ts.
//
//   npx tsx bench/remotewrite/micro.ts [--targets 200] [--series 1000] [--rounds 10] [--mode samples|batch]
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { makeTestContext } from '../../e2e/lib/component-context.js';
import { remoteWrite } from '../../src/components/prometheus/remote_write.js';
import type { MetricsReceiver, Sample } from '../../src/pipeline/metrics.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TSX = pathToFileURL(path.join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
const argv = process.argv.slice(2);
const opt = (name: string, def: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1]! : def;
};
const T = Number(opt('targets', '200'));
const S = Number(opt('series', '1000'));
const ROUNDS = Number(opt('rounds', '10'));

const sinkProc = spawn(process.execPath, ['--import', TSX, 'bench/scrape/targets.ts', '0', '0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
const { sinks } = JSON.parse(await new Promise<string>((r) => readline.createInterface({ input: sinkProc.stdout! }).once('line', r))) as { sinks: number[] };

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-rw-'));
const ctx = makeTestContext({ id: 'prometheus.remote_write.micro', dataDir: dir });
const args = { endpoint: [{ url: `http://127.0.0.1:${sinks[0]}/api/v1/write` }], external_labels: { scraper: 'alloy' } };
const rw = remoteWrite.build(ctx, args as never);
await rw.update(args as never);
const recv = (await ctx.waitForExports((e) => e.receiver !== undefined)).receiver as MetricsReceiver;

// Label sets shaped like bench/scrape/targets.ts after target labels are merged.
const labels: string[][][] = [];
for (let t = 0; t < T; t++) {
  const per: string[][] = [];
  for (let i = 0; i < S; i++) {
    per.push(['__name__', `bench_metric_${Math.floor(i / 100)}_total`, 'instance', `127.0.0.1:${30000 + t}`, 'job', 'bench',
      'path', `/api/v1/item/${i}`, 'series', String(i), 'shard', String(i % 7), 'target', String(t)]);
  }
  labels.push(per);
}

async function sent(): Promise<number> {
  const m = await ctx.metrics.getSingleMetricAsString('prometheus_remote_storage_samples_total');
  let n = 0;
  for (const l of m.split('\n')) if (!l.startsWith('#') && l.trim()) n += Number(l.split(' ').pop());
  return n;
}

const base = Date.now();
const cpu0 = process.cpuUsage();
const wall0 = performance.now();
let appended = 0;
for (let r = 0; r < ROUNDS; r++) {
  const ts = base + r * 5000;
  const waits: Promise<void>[] = [];
  for (let t = 0; t < T; t++) {
    const per = labels[t]!;
    const batch: Sample[] = new Array(S);
    for (let i = 0; i < S; i++) batch[i] = { labels: per[i]!, t: ts, v: r * (i + 1) };
    waits.push(Promise.resolve(recv.append(batch)));
    appended += S;
  }
  await Promise.all(waits);
}
for (let i = 0; i < 6000 && (await sent()) < appended; i++) await new Promise((r) => setTimeout(r, 10));
const wall = (performance.now() - wall0) / 1000;
const cpu = process.cpuUsage(cpu0);
const cpuS = (cpu.user + cpu.system) / 1e6;
const delivered = await sent();
console.log(JSON.stringify({
  targets: T, series: S, rounds: ROUNDS, appended, delivered,
  wall_s: +wall.toFixed(2), cpu_s: +cpuS.toFixed(2),
  cpu_s_per_1M: +(cpuS / (delivered / 1e6)).toFixed(3),
  rss_mib: Math.round(process.memoryUsage().rss / 1048576),
}));
await rw.stop?.();
sinkProc.kill('SIGTERM');
fs.rmSync(dir, { recursive: true, force: true });
