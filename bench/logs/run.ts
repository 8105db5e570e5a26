// Logs pipeline benchmark: a real `alloy run` process (discovery.kubernetes
// -> loki.source.kubernetes -> loki.process (logfmt + labels) -> loki.write,
// the config of e2e/logs/cli-harness.ts with a loki.process in between)
// against the API emulator and our Loki receiver in this process.
// Reports lines per CPU-second and the collector's RSS per stream.
//   node --import tsx bench/logs/run.ts [--streams 50] [--backlog 4000] [--rate 5000] [--seconds 5] [--batch-wait 100] [--stall-seconds 20]
// Phase 1 (throughput): a backlog of lines per stream exists before the collector starts;
//   measures lines/s and the collector's CPU (utime+stime from /proc) -> lines/s per core.
// Phase 2 (latency): a steady rate; end-to-end latency = arrival at Loki - line timestamp.
// Watchdog: when nothing arrives at Loki for --stall-seconds while lines are
// outstanding, the run fails loudly with the tailers' and the writer's state
// (debug info of both components and the relevant metrics) and exits 2.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { AlloyProcess } from '../../e2e/lib/alloy-process.js';
import { numbered } from '../../e2e/logs/harness.js';
import { pipelineConfig, SOURCE_ID, startLogsEnv, TEST_TUNING, WRITE_ID } from '../../e2e/logs/cli-harness.js';
import { startAlloyProcess } from '../../e2e/lib/alloy-process.js';

const { values: a } = parseArgs({
  options: {
    streams: { type: 'string', default: '50' },
    backlog: { type: 'string', default: '4000' },
    rate: { type: 'string', default: '5000' },
    seconds: { type: 'string', default: '5' },
    'batch-wait': { type: 'string', default: '100' },
    'stall-seconds': { type: 'string', default: '20' },
  },
});
const STREAMS = Number(a.streams);
const BACKLOG = Number(a.backlog);
const RATE = Number(a.rate);
const SECONDS = Number(a.seconds);
const STALL_MS = Number(a['stall-seconds']) * 1000;
for (const [k, v] of Object.entries({ streams: STREAMS, backlog: BACKLOG, rate: RATE, seconds: SECONDS, 'stall-seconds': STALL_MS })) {
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${k} must be a positive number`);
}

function cpuSeconds(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, USER_HZ = 100
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

// One stream per pod: startLogsEnv makes pods with two containers, so half as many pods.
const env = await startLogsEnv(Math.ceil(STREAMS / 2));
const { api, loki } = env;
const streams = env.streams.slice(0, STREAMS);
const line = (i: number) => `level=info msg="request served" path=/api/v1/items/${i} status=200 duration_ms=${i % 97} user=u${i % 13}`;
const t0 = BigInt(Date.now() - 60_000) * 1_000_000n;
for (const [si, s] of streams.entries()) {
  const lines = Array.from({ length: BACKLOG }, (_, i) => line(i));
  const at = lines.map((_, i) => t0 + BigInt(i) * 1000n + BigInt(si));
  api.logs.append('default', s.pod, s.container, lines, at);
}
// Streams beyond --streams (odd counts) get no lines and are not waited for.

let child: AlloyProcess | undefined;
// Never leave the collector behind, whatever happens to this process.
process.on('exit', () => child?.proc.kill('SIGKILL'));
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => process.exit(1));

// The harness's pipeline with a loki.process stage chain between source and writer.
const config =
  pipelineConfig(env, '', `${Number(a['batch-wait'])}ms`).replace(
    'forward_to = [loki.write.default.receiver]',
    'forward_to = [loki.process.bench.receiver]',
  ) +
  `
loki.process "bench" {
  forward_to = [loki.write.default.receiver]
  stage.logfmt {
    mapping = { "level" = "", "status" = "" }
  }
  stage.labels {
    values = { "level" = "" }
  }
}
`;
if (!config.includes('loki.process.bench.receiver')) throw new Error('the harness config changed: no forward_to to reroute through loki.process');
child = await startAlloyProcess({ config, env: { ...TEST_TUNING, ALLOY_LOGS_TAIL_DRAIN_TIMEOUT: '10s' }, timeoutMs: 60_000 });
const pid = child.proc.pid!;
const rssKiB = () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
const rssReady = rssKiB();
let rssPeak = rssReady;
const rssTimer = setInterval(() => (rssPeak = Math.max(rssPeak, rssKiB())), 500);

/** Fails the run loudly when Loki receives nothing for STALL_MS while `expected` entries are outstanding. */
function watchdog(phase: string, expected: () => number) {
  let last = loki.totalEntries();
  let lastChange = Date.now();
  let firing = false;
  const timer = setInterval(async () => {
    const now = loki.totalEntries();
    if (now !== last || now >= expected()) {
      last = now;
      lastChange = Date.now();
      return;
    }
    if (firing || Date.now() - lastChange < STALL_MS) return;
    firing = true;
    const get = async (path: string) => {
      try {
        const r = await fetch(`${child!.url}${path}`, { signal: AbortSignal.timeout(5000) });
        return r.headers.get('content-type')?.includes('json') ? await r.json() : await r.text();
      } catch (err) {
        return `unavailable: ${(err as Error).message}`;
      }
    };
    const source = (await get(`/api/v0/web/components/${SOURCE_ID}`)) as { debugInfo?: unknown; health?: unknown };
    const write = (await get(`/api/v0/web/components/${WRITE_ID}`)) as { debugInfo?: unknown; health?: unknown };
    const metrics = String(await get('/metrics'))
      .split('\n')
      .filter((l) => /^(loki_source_kubernetes|loki_write)_/.test(l) && !/_bucket\{/.test(l))
      .join('\n');
    process.stderr.write(
      `\n*** STALL in ${phase}: Loki received nothing for ${Math.round((Date.now() - lastChange) / 1000)} s ` +
        `(${now}/${expected()} entries, ${loki.requests} push requests). Collector state:\n` +
        `source health: ${JSON.stringify(source.health)}\nsource debug info: ${JSON.stringify(source.debugInfo, null, 1)}\n` +
        `write health: ${JSON.stringify(write.health)}\nwrite debug info: ${JSON.stringify(write.debugInfo, null, 1)}\n` +
        `metrics:\n${metrics}\ncollector output (tail):\n${child!.output().slice(-4000)}\n`,
    );
    process.exit(2);
  }, 1000);
  return { stop: () => clearInterval(timer) };
}

const cpu0 = cpuSeconds(pid);
const start = performance.now();
const backlogTotal = STREAMS * BACKLOG;
const progress = setInterval(() => process.stderr.write(`backlog: ${loki.totalEntries()}/${backlogTotal}\n`), 2000);
let dog = watchdog('backlog', () => backlogTotal);
await loki.waitFor(() => loki.totalEntries() >= backlogTotal, 600_000, 'backlog');
clearInterval(progress);
dog.stop();
const wall = (performance.now() - start) / 1000;
const cpu1 = cpuSeconds(pid);

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
const cpu2 = cpuSeconds(pid);
dog = watchdog('steady', () => backlogTotal + produced * STREAMS);
while (Date.now() < end) {
  for (const s of streams) api.logs.append('default', s.pod, s.container, numbered('steady', produced, produced + perTick));
  produced += perTick;
  await new Promise((r) => setTimeout(r, 10));
}
await loki.waitFor(() => loki.totalEntries() >= backlogTotal + produced * STREAMS, 120_000, 'steady lines');
dog.stop();
sample();
clearInterval(stopWatch);
const cpu3 = cpuSeconds(pid);
clearInterval(rssTimer);
rssPeak = Math.max(rssPeak, rssKiB());
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
  memory: {
    rss_ready_mib: +(rssReady / 1024).toFixed(1),
    rss_peak_mib: +(rssPeak / 1024).toFixed(1),
    // Growth from the ready process (config loaded, no lines yet) to the peak, over the streams.
    growth_kib_per_stream: +((rssPeak - rssReady) / STREAMS).toFixed(1),
  },
  duplicates: loki.duplicates(),
};
console.log(JSON.stringify(result, null, 2));
await child.stop();
child = undefined;
await env.close();
