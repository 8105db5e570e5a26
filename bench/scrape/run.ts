// Side-by-side scrape + remote write benchmark, three collectors in one run on
// the same synthetic targets, each writing to its own counting sink:
//   - Prometheus 2.42 in agent mode,
//   - vmagent (Debian's victoria-metrics),
//   - the shipped `alloy run` (dist/, built by `npm run build`) with an Alloy config.
// Prints, per collector, samples/s delivered, CPU seconds per million samples,
// peak RSS and RSS per active series, and our ratios to both peers.
//
//   npx tsx bench/scrape/run.ts [--series-total 200000] [--series 1000] [--interval 5] [--warmup 20] [--duration 60] [--cpu-prof]
//   npx tsx bench/scrape/run.ts --series-total 1000000 --interval 30   # the 1M-series memory run (bytes per active series)
//   bash bench/setup.sh   # once: Debian's prometheus + victoria-metrics, and the build
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
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
const S = opt('series', 1000);
const N = args.includes('--targets') ? opt('targets', 200) : Math.max(1, Math.round(opt('series-total', 200_000) / S));
const INTERVAL = opt('interval', 5);
const WARMUP = opt('warmup', 20);
const DURATION = opt('duration', 60);
const CPU_PROF = args.includes('--cpu-prof');
const CLK_TCK = 100;
const ALLOY_MAIN = path.join(ROOT, 'dist/src/main.js');

const children: ChildProcess[] = [];
function start(name: string, cmd: string, argv: string[], env: NodeJS.ProcessEnv = process.env): ChildProcess {
  const p = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'], cwd: ROOT, env });
  children.push(p);
  let tail = '';
  const keep = (d: Buffer) => {
    tail = (tail + d.toString()).slice(-4000);
    if (process.env.BENCH_VERBOSE) process.stderr.write(d);
  };
  p.stderr!.on('data', keep);
  p.once('exit', (code, sig) => {
    if (!stopping) console.error(`${name} exited early (${code ?? sig}):\n${tail}`);
  });
  return p;
}
let stopping = false;

function firstLine(p: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    const rl = readline.createInterface({ input: p.stdout! });
    rl.once('line', (l) => resolve(l));
    p.once('exit', (c) => reject(new Error(`process exited (${c}) before printing`)));
  });
}
function stat(pid: number): string[] {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  return f.slice(f.lastIndexOf(')') + 2).split(' ');
}
const cpuSeconds = (pid: number) => (Number(stat(pid)[11]) + Number(stat(pid)[12])) / CLK_TCK; // utime + stime, all threads
function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}
async function waitOk(url: string, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      /* starting */
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`${what}: ${url} never became ready`);
}
const sleep = (s: number) => new Promise((r) => setTimeout(r, s * 1000));
const freePort = () => 20000 + Math.floor(Math.random() * 20000);

/** Builds dist/ when it is missing or older than the newest source file. */
function ensureBuilt(): void {
  const newest = (dir: string): number => {
    let t = 0;
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      t = Math.max(t, e.isDirectory() ? newest(p) : fs.statSync(p).mtimeMs);
    }
    return t;
  };
  if (fs.existsSync(ALLOY_MAIN) && fs.statSync(ALLOY_MAIN).mtimeMs >= newest(path.join(ROOT, 'src'))) return;
  console.error('building dist/ (npm run build)...');
  execFileSync('npm', ['run', '-s', 'build'], { cwd: ROOT, stdio: 'inherit' });
}

function requireBinary(p: string, pkg: string): void {
  if (!fs.existsSync(p)) throw new Error(`${p} not found: run \`bash bench/setup.sh\` (installs Debian's ${pkg})`);
}

async function sinkCount(port: number): Promise<number> {
  return ((await (await fetch(`http://127.0.0.1:${port}/count`)).json()) as { samples: number }).samples;
}

interface Collector {
  name: string;
  proc: ChildProcess;
  sink: number;
}

async function main(): Promise<void> {
  requireBinary('/usr/bin/prometheus', 'prometheus');
  requireBinary('/usr/bin/vmagent', 'victoria-metrics');
  ensureBuilt();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-scrape-'));
  try {
    const tg = start('targets', process.execPath, ['--import', TSX, 'bench/scrape/targets.ts', String(N), String(S), '3']);
    const { ports, sinks } = JSON.parse(await firstLine(tg)) as { ports: number[]; sinks: number[] };
    const targetList = ports.map((p) => `'127.0.0.1:${p}'`).join(', ');

    // Prometheus agent.
    const promPort = freePort();
    fs.writeFileSync(
      path.join(tmp, 'agent.yml'),
      `global: { scrape_interval: ${INTERVAL}s, scrape_timeout: ${Math.min(INTERVAL, 10)}s, external_labels: { scraper: prom } }
scrape_configs:
  - job_name: bench
    static_configs: [{ targets: [${targetList}] }]
remote_write:
  - url: http://127.0.0.1:${sinks[0]}/api/v1/write
`,
    );
    const prom = start('prometheus', '/usr/bin/prometheus', [
      '--enable-feature=agent',
      `--config.file=${path.join(tmp, 'agent.yml')}`,
      `--storage.agent.path=${path.join(tmp, 'agent')}`,
      `--web.listen-address=127.0.0.1:${promPort}`,
    ]);

    // vmagent: the same scrape config, its own remote write queue on disk.
    const vmPort = freePort();
    fs.writeFileSync(
      path.join(tmp, 'vmagent.yml'),
      `global: { scrape_interval: ${INTERVAL}s, scrape_timeout: ${Math.min(INTERVAL, 10)}s }
scrape_configs:
  - job_name: bench
    static_configs: [{ targets: [${targetList}] }]
`,
    );
    const vm = start('vmagent', '/usr/bin/vmagent', [
      `-promscrape.config=${path.join(tmp, 'vmagent.yml')}`,
      `-remoteWrite.url=http://127.0.0.1:${sinks[1]}/api/v1/write`,
      '-remoteWrite.label=scraper=vmagent',
      `-remoteWrite.tmpDataPath=${path.join(tmp, 'vmagent-data')}`,
      `-httpListenAddr=127.0.0.1:${vmPort}`,
      '-loggerLevel=ERROR',
    ]);

    // alloy-ts: the shipped CLI with an Alloy config.
    const alloyPort = freePort();
    fs.writeFileSync(
      path.join(tmp, 'bench.alloy'),
      `prometheus.scrape "bench" {
  targets         = [${ports.map((p) => `{"__address__" = "127.0.0.1:${p}"}`).join(', ')}]
  forward_to      = [prometheus.remote_write.bench.receiver]
  job_name        = "bench"
  scrape_interval = "${INTERVAL}s"
  scrape_timeout  = "${Math.min(INTERVAL, 10)}s"
}

prometheus.remote_write "bench" {
  endpoint {
    url = "http://127.0.0.1:${sinks[2]}/api/v1/write"
  }
  external_labels = { scraper = "alloy" }
}
`,
    );
    // OURS_NODE_FLAGS: extra V8/Node flags for our process (e.g. "--max-semi-space-size=64").
    const nodeFlags = [...(process.env.OURS_NODE_FLAGS ?? '').split(' ').filter(Boolean)];
    if (CPU_PROF) nodeFlags.push('--cpu-prof', `--cpu-prof-dir=${path.join(ROOT, 'bench/scrape/profiles')}`);
    const alloy = start('alloy run', process.execPath, [
      ...nodeFlags,
      ALLOY_MAIN,
      'run',
      `--server.http.listen-addr=127.0.0.1:${alloyPort}`,
      `--storage.path=${path.join(tmp, 'alloy-data')}`,
      '--log.level=warn',
      path.join(tmp, 'bench.alloy'),
    ]);

    await Promise.all([
      waitOk(`http://127.0.0.1:${promPort}/-/ready`, 'prometheus'),
      waitOk(`http://127.0.0.1:${vmPort}/health`, 'vmagent'),
      waitOk(`http://127.0.0.1:${alloyPort}/-/ready`, 'alloy run'),
    ]);
    const collectors: Collector[] = [
      { name: 'prometheus 2.42 agent', proc: prom, sink: sinks[0] },
      { name: 'vmagent 1.79', proc: vm, sink: sinks[1] },
      { name: 'alloy-ts (alloy run)', proc: alloy, sink: sinks[2] },
    ];

    const activeSeries = N * S;
    console.log(`targets=${N} series/target=${S} active series=${activeSeries} interval=${INTERVAL}s warmup=${WARMUP}s duration=${DURATION}s cores=${os.availableParallelism()}`);
    await sleep(WARMUP);
    const measure = async () => Promise.all(collectors.map(async (c) => ({ cpu: cpuSeconds(c.proc.pid!), samples: await sinkCount(c.sink) })));
    const t0 = await measure();
    const rss = collectors.map(() => 0);
    for (let i = 0; i < DURATION; i += 2) {
      await sleep(Math.min(2, DURATION - i));
      collectors.forEach((c, k) => (rss[k] = Math.max(rss[k], rssMiB(c.proc.pid!))));
    }
    const t1 = await measure();

    const rows = collectors.map((c, k) => {
      const cpu = t1[k].cpu - t0[k].cpu;
      const samples = t1[k].samples - t0[k].samples;
      return {
        collector: c.name,
        'samples/s': Math.round(samples / DURATION),
        'keeps up': samples >= (activeSeries * DURATION * 0.9) / INTERVAL ? 'yes' : 'NO',
        'cpu %': +((cpu / DURATION) * 100).toFixed(1),
        'cpu s / 1M samples': +(cpu / Math.max(1, samples / 1e6)).toFixed(3),
        'peak RSS MiB': +rss[k].toFixed(1),
        'bytes / active series': Math.round((rss[k] * 1024 * 1024) / activeSeries),
      };
    });
    console.table(rows);
    const [p, v, o] = rows;
    const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`;
    console.log(
      `us / prometheus: cpu per sample ${ratio(o['cpu s / 1M samples'], p['cpu s / 1M samples'])}, peak RSS ${ratio(o['peak RSS MiB'], p['peak RSS MiB'])}\n` +
        `us / vmagent:    cpu per sample ${ratio(o['cpu s / 1M samples'], v['cpu s / 1M samples'])}, peak RSS ${ratio(o['peak RSS MiB'], v['peak RSS MiB'])}`,
    );
  } finally {
    stopping = true;
    for (const c of children.reverse()) c.kill('SIGTERM');
    await sleep(1);
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  stopping = true;
  for (const c of children) c.kill('SIGKILL');
  process.exit(1);
});
