// Logs pipeline benchmark: pods/log tail -> loki.write push, in a collector
// process of its own (e2e/logs/collector.ts), against the API emulator and
// our Loki receiver in this process.
//   node --import tsx bench/logs/run.ts [--streams 50] [--backlog 4000] [--rate 5000] [--seconds 5] [--batch-wait 100]
// Phase 1 (throughput): a backlog of lines per stream exists before the collector starts;
//   measures lines/s and the collector's CPU (utime+stime from /proc) -> lines/s per core.
// Phase 2 (latency): a steady rate; end-to-end latency = arrival at Loki - line timestamp.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startKubeEmulator } from '../../e2e/emulator/index.js';
import { startLokiReceiver } from '../../e2e/receivers/loki-receiver.js';
import { numbered, runningPod, targetsFor } from '../../e2e/logs/harness.js';

const { values: a } = parseArgs({
  options: {
    streams: { type: 'string', default: '50' },
    backlog: { type: 'string', default: '4000' },
    rate: { type: 'string', default: '5000' },
    seconds: { type: 'string', default: '5' },
    'batch-wait': { type: 'string', default: '100' },
  },
});
const STREAMS = Number(a.streams);
const BACKLOG = Number(a.backlog);
const RATE = Number(a.rate);
const SECONDS = Number(a.seconds);
const ROOT = join(import.meta.dirname, '..', '..');

function cpuSeconds(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, USER_HZ = 100
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const api = await startKubeEmulator();
const loki = await startLokiReceiver();
const dir = mkdtempSync(join(tmpdir(), 'logs-bench-'));
const pods = Array.from({ length: STREAMS }, (_, i) => api.apply(runningPod('default', `bench-${i}`, ['main'])));
const line = (i: number) => `level=info msg="request served" path=/api/v1/items/${i} status=200 duration_ms=${i % 97} user=u${i % 13}`;
const t0 = BigInt(Date.now() - 60_000) * 1_000_000n;
for (const [pi, p] of pods.entries()) {
  const lines = Array.from({ length: BACKLOG }, (_, i) => line(i));
  const at = lines.map((_, i) => t0 + BigInt(i) * 1000n + BigInt(pi));
  api.logs.append('default', p.metadata.name, 'main', lines, at);
}
const cfgFile = join(dir, 'cfg.json');
writeFileSync(cfgFile, JSON.stringify({ apiServer: api.url, lokiUrl: loki.url, dataDir: join(dir, 'data'), node: 'bench', targets: pods.flatMap(targetsFor), batchWaitMs: Number(a['batch-wait']) }));

const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'e2e/logs/collector.ts'), cfgFile], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
// Never leave the collector behind, whatever happens to this process.
process.on('exit', () => child.kill('SIGKILL'));
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => process.exit(1));
await new Promise<void>((resolve) => child.stdout!.on('data', (c: Buffer) => c.toString().includes('READY') && resolve()));
const cpu0 = cpuSeconds(child.pid!);
const start = performance.now();
const backlogTotal = STREAMS * BACKLOG;
const progress = setInterval(() => process.stderr.write(`backlog: ${loki.totalEntries()}/${backlogTotal}\n`), 2000);
await loki.waitFor(() => loki.totalEntries() >= backlogTotal, 300_000, 'backlog');
clearInterval(progress);
const wall = (performance.now() - start) / 1000;
const cpu1 = cpuSeconds(child.pid!);

// Phase 2: steady rate; record arrival - timestamp for every new entry.
const latencies: number[] = [];
const steadyFromNs = BigInt(Date.now()) * 1_000_000n;
const seen = new Map<string, number>();
const sample = () => {
  const now = Date.now();
  for (const [k, s] of loki.streams) {
    const from = seen.get(k) ?? 0;
    for (let i = from; i < s.entries.length; i++) {
      const ts = s.entries[i].ts;
      if (ts >= steadyFromNs) latencies.push(now - Number(ts / 1_000_000n));
    }
    seen.set(k, s.entries.length);
  }
};
sample();
const stopWatch = setInterval(sample, 5);
const perTick = Math.max(1, Math.round(RATE / STREAMS / 100)); // lines per stream every 10 ms
let produced = 0;
const end = Date.now() + SECONDS * 1000;
const cpu2 = cpuSeconds(child.pid!);
while (Date.now() < end) {
  for (const p of pods) api.logs.append('default', p.metadata.name, 'main', numbered('steady', produced, produced + perTick));
  produced += perTick;
  await new Promise((r) => setTimeout(r, 10));
}
await loki.waitFor(() => loki.totalEntries() >= backlogTotal + produced * STREAMS, 60_000, 'steady lines');
sample();
clearInterval(stopWatch);
const cpu3 = cpuSeconds(child.pid!);
latencies.sort((x, y) => x - y);

const result = {
  streams: STREAMS,
  throughput: {
    lines: backlogTotal,
    seconds: +wall.toFixed(2),
    lines_per_s: Math.round(backlogTotal / wall),
    collector_cpu_s: +(cpu1 - cpu0).toFixed(2),
    lines_per_cpu_s: Math.round(backlogTotal / Math.max(0.01, cpu1 - cpu0)),
  },
  steady: {
    offered_lines_per_s: Math.round((produced * STREAMS) / SECONDS),
    batch_wait_ms: Number(a['batch-wait']),
    latency_ms: { p50: pct(latencies, 50), p99: pct(latencies, 99), max: latencies.at(-1), samples: latencies.length },
    collector_cores: +((cpu3 - cpu2) / SECONDS).toFixed(3),
  },
  duplicates: loki.duplicates(),
};
console.log(JSON.stringify(result, null, 2));
child.kill('SIGTERM');
await new Promise((r) => child.once('exit', r));
await loki.close();
await api.close();
