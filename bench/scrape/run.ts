// Side-by-side scrape benchmark: the same N synthetic targets scraped by
// Prometheus 2.42 in agent mode and by prometheus.scrape + prometheus.remote_write,
// in one run, both writing to a local sink. Prints CPU seconds per million
// samples, RSS, and the ratios us/Prometheus.
//
//   npx tsx bench/scrape/run.ts [--targets 200] [--series 1000] [--interval 5] [--warmup 15] [--duration 60] [--cpu-prof]
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TSX = pathToFileURL(path.join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
const args = process.argv.slice(2);
const opt = (name: string, def: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const N = opt('targets', 200);
const S = opt('series', 1000);
const INTERVAL = opt('interval', 5);
const WARMUP = opt('warmup', 15);
const DURATION = opt('duration', 60);
const CPU_PROF = args.includes('--cpu-prof');
const CLK_TCK = 100;

const children: ChildProcess[] = [];
function start(cmd: string, argv: string[], opts: { cwd?: string } = {}): ChildProcess {
  const p = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'], cwd: opts.cwd ?? ROOT });
  children.push(p);
  p.stderr!.on('data', (d) => {
    if (process.env.BENCH_VERBOSE) process.stderr.write(d);
  });
  return p;
}
function firstLine(p: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    const rl = readline.createInterface({ input: p.stdout! });
    rl.once('line', (l) => resolve(l));
    p.once('exit', (c) => reject(new Error(`process exited (${c}) before printing`)));
  });
}
function cpuSeconds(pid: number): number {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return (Number(rest[11]) + Number(rest[12])) / CLK_TCK; // utime + stime, all threads
}
function sysSeconds(pid: number): number {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(f.slice(f.lastIndexOf(')') + 2).split(' ')[12]) / CLK_TCK; // stime only (kernel: I/O, fsync, sockets)
}
function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}
async function promSamplesIn(port: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  let sum = 0;
  for (const l of text.split('\n')) if (l.startsWith('prometheus_remote_storage_samples_in_total')) sum += Number(l.split(' ').pop());
  return sum;
}
async function waitOk(url: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      /* starting */
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`${url} never became ready`);
}
const sleep = (s: number) => new Promise((r) => setTimeout(r, s * 1000));

async function main(): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-scrape-'));
  try {
    const tg = start(process.execPath, ['--import', TSX, 'bench/scrape/targets.ts', String(N), String(S)]);
    const { ports, sinks } = JSON.parse(await firstLine(tg)) as { ports: number[]; sinks: number[] };

    const promPort = 20000 + Math.floor(Math.random() * 20000);
    fs.writeFileSync(
      path.join(tmp, 'agent.yml'),
      `global: { scrape_interval: ${INTERVAL}s, scrape_timeout: ${Math.min(INTERVAL, 10)}s, external_labels: { scraper: prom } }
scrape_configs:
  - job_name: bench
    static_configs: [{ targets: [${ports.map((p) => `'127.0.0.1:${p}'`).join(', ')}] }]
remote_write:
  - url: http://127.0.0.1:${sinks[0]}/api/v1/write
`,
    );
    const prom = start('/usr/bin/prometheus', [
      '--enable-feature=agent',
      `--config.file=${path.join(tmp, 'agent.yml')}`,
      `--storage.agent.path=${path.join(tmp, 'agent')}`,
      `--web.listen-address=127.0.0.1:${promPort}`,
    ]);
    // OURS_NODE_FLAGS: extra V8/Node flags for our process (e.g. "--max-semi-space-size=64").
    const oursArgs = [...(process.env.OURS_NODE_FLAGS ?? '').split(' ').filter(Boolean), '--import', TSX];
    if (CPU_PROF) oursArgs.push('--cpu-prof', `--cpu-prof-dir=${path.join(ROOT, 'bench/scrape/profiles')}`);
    const ours = start(process.execPath, [...oursArgs, 'bench/scrape/ours.ts', JSON.stringify({ ports, sink: sinks[1], intervalMs: INTERVAL * 1000 })]);
    await Promise.all([waitOk(`http://127.0.0.1:${promPort}/-/ready`), firstLine(ours)]);
    const oursLines = readline.createInterface({ input: ours.stdout! });
    const oursSamples = () =>
      new Promise<number>((resolve) => {
        oursLines.once('line', (l) => resolve((JSON.parse(l) as { samples: number }).samples));
        ours.kill('SIGUSR2');
      });

    console.log(`targets=${N} series/target=${S} interval=${INTERVAL}s warmup=${WARMUP}s duration=${DURATION}s cores=${os.availableParallelism()}`);
    await sleep(WARMUP);
    const t0 = { promSys: sysSeconds(prom.pid!), oursSys: sysSeconds(ours.pid!), promCpu: cpuSeconds(prom.pid!), oursCpu: cpuSeconds(ours.pid!), promS: await promSamplesIn(promPort), oursS: await oursSamples() };
    const rss = { prom: 0, ours: 0 };
    for (let i = 0; i < DURATION; i += 5) {
      await sleep(Math.min(5, DURATION - i));
      rss.prom = Math.max(rss.prom, rssMiB(prom.pid!));
      rss.ours = Math.max(rss.ours, rssMiB(ours.pid!));
    }
    const t1 = { promSys: sysSeconds(prom.pid!), oursSys: sysSeconds(ours.pid!), promCpu: cpuSeconds(prom.pid!), oursCpu: cpuSeconds(ours.pid!), promS: await promSamplesIn(promPort), oursS: await oursSamples() };

    const row = (name: string, cpu: number, sys: number, samples: number, r: number) => ({
      scraper: name,
      'samples/s': Math.round(samples / DURATION),
      'cpu s': +cpu.toFixed(2),
      'of which sys s': +sys.toFixed(2),
      'cpu %': +((cpu / DURATION) * 100).toFixed(1),
      'cpu s / 1M samples': +(cpu / (samples / 1e6)).toFixed(3),
      'max RSS MiB': +r.toFixed(1),
    });
    const p = row('prometheus 2.42 agent', t1.promCpu - t0.promCpu, t1.promSys - t0.promSys, t1.promS - t0.promS, rss.prom);
    const o = row('alloy-ts', t1.oursCpu - t0.oursCpu, t1.oursSys - t0.oursSys, t1.oursS - t0.oursS, rss.ours);
    console.table([p, o]);
    console.log(
      `ratio us/prometheus: cpu per sample ${(o['cpu s / 1M samples'] / p['cpu s / 1M samples']).toFixed(2)}x, RSS ${(o['max RSS MiB'] / p['max RSS MiB']).toFixed(2)}x`,
    );
  } finally {
    for (const c of children.reverse()) c.kill('SIGTERM');
    await sleep(1);
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  for (const c of children) c.kill('SIGKILL');
  process.exit(1);
});
