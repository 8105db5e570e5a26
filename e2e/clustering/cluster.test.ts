// Several `alloy run` processes (src/main.ts) as one cluster on 127.0.0.x addresses,
// all scraping the same 60 synthetic targets with clustering enabled. The
// exporter counts every scrape per target; each node's debug info lists the
// targets it owns. Checked: exactly one owner per target (union = all,
// pairwise disjoint) after every change, and scrape gaps per target (missed
// or doubled scrapes) through scale-up, SIGTERM, SIGKILL and a frozen node
// (SIGSTOP/SIGCONT, a one-node partition) healed by rejoin.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TSX = pathToFileURL(path.join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
const TARGETS = 60;
const INTERVAL_MS = 1000;

/** One HTTP server standing for 60 targets (one metrics path each), counting scrapes. */
class Exporter {
  readonly scrapes: number[][] = Array.from({ length: TARGETS }, () => []);
  private server = http.createServer((req, res) => {
    const m = /^\/t\/(\d+)$/.exec(req.url ?? '');
    if (!m || Number(m[1]) >= TARGETS) {
      res.writeHead(404).end();
      return;
    }
    this.scrapes[Number(m[1])].push(Date.now());
    res.writeHead(200, { 'content-type': 'text/plain' }).end(`synthetic_up{target="${m[1]}"} 1\n`);
  });
  port = 0;
  async start(): Promise<void> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as net.AddressInfo).port;
  }
  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }
  /**
   * Per target, the gaps between consecutive scrapes from the last one before
   * `from` to `to`: a gap of ~k intervals is k-1 missed scrapes, a gap under
   * half an interval a doubled one (two nodes scraping the same target).
   */
  gaps(from: number, to: number): { missed: number; doubled: number; movedTargets: number } {
    let missed = 0;
    let doubled = 0;
    let moved = 0;
    for (const ts of this.scrapes) {
      const before = ts.filter((t) => t < from);
      const w = [...before.slice(-1), ...ts.filter((t) => t >= from && t < to)];
      let m = 0;
      let d = 0;
      for (let i = 1; i < w.length; i++) {
        const g = w[i] - w[i - 1];
        if (g < 0.5 * INTERVAL_MS) d++;
        else m += Math.max(0, Math.round(g / INTERVAL_MS) - 1);
      }
      missed += m;
      doubled += d;
      if (m || d) moved++;
    }
    return { missed, doubled, movedTargets: moved };
  }

  /** Scrapes per target in [from, to). */
  counts(from: number, to: number): number[] {
    return this.scrapes.map((ts) => ts.filter((t) => t >= from && t < to).length);
  }
}

interface Node {
  name: string;
  host: string;
  gossip: string;
  url: string;
  proc: ChildProcess;
  out: () => string;
  exited: Promise<number | null>;
}

async function freePort(host: string): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, host, r));
  const p = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return p;
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cluster-e2e-'));
const nodes: Node[] = [];
const exporter = new Exporter();

function config(): string {
  const targets = Array.from({ length: TARGETS }, (_, i) => `{"__address__" = "127.0.0.1:${exporter.port}", "__metrics_path__" = "/t/${i}"}`).join(',\n    ');
  return `prometheus.scrape "synthetic" {
  targets = [
    ${targets},
  ]
  forward_to      = []
  scrape_interval = "1s"
  scrape_timeout  = "500ms"
  clustering { enabled = true }
}
`;
}

async function startNode(name: string, host: string, join: string[]): Promise<Node> {
  const cfg = path.join(tmp, `${name}.alloy`);
  fs.writeFileSync(cfg, config());
  const gossip = `${host}:${await freePort(host)}`;
  const args = [
    '--import', TSX, path.join(ROOT, 'src/main.ts'), 'run', cfg,
    '--log.format=json',
    `--server.http.listen-addr=${host}:0`,
    `--storage.path=${path.join(tmp, name)}`,
    '--cluster.enabled',
    `--cluster.node-name=${name}`,
    `--cluster.listen-addr=${gossip}`,
    `--cluster.join-addresses=${join.join(',')}`,
    '--cluster.rejoin-interval=2s',
    '--cluster.name=e2e',
  ];
  const proc = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const exited = new Promise<number | null>((r) => proc.once('exit', r));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start:\n${out}`)), 30_000);
    const onData = (b: Buffer) => {
      out += b.toString();
      const m = /"addr":"(http:\/\/[^"]+)"[^\n]*now listening/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    exited.then(() => reject(new Error(`${name} exited:\n${out}`)));
  });
  const n: Node = { name, host, gossip, url, proc, out: () => out, exited };
  nodes.push(n);
  return n;
}

/** Targets (metrics paths) each live node says it owns. */
async function owned(live: Node[]): Promise<Map<string, string[]>> {
  const res = new Map<string, string[]>();
  await Promise.all(
    live.map(async (n) => {
      const r = await fetch(`${n.url}/api/v0/web/components/prometheus.scrape.synthetic`);
      const body = (await r.json()) as { debugInfo?: { targets?: { labels?: Record<string, string>; url?: string }[] } };
      const ts = body.debugInfo?.targets ?? [];
      res.set(n.name, ts.map((t) => new URL(t.url ?? '').pathname));
    }),
  );
  return res;
}

function exactlyOneOwner(o: Map<string, string[]>): boolean {
  const all = [...o.values()].flat();
  return all.length === TARGETS && new Set(all).size === TARGETS;
}

/** Poll ownership until exactly one owner per target; returns ms waited. */
async function converge(live: Node[], what: string, timeoutMs = 20_000): Promise<number> {
  const t0 = Date.now();
  let last = new Map<string, string[]>();
  for (let i = 0; Date.now() - t0 < timeoutMs && i < 2000; i++) {
    last = await owned(live);
    if (exactlyOneOwner(last) && live.every((n) => (last.get(n.name) ?? []).length > 0)) return Date.now() - t0;
    await new Promise((r) => setTimeout(r, 100));
  }
  const counts = [...last].map(([k, v]) => `${k}:${v.length}`).join(' ');
  throw new Error(`${what}: no exactly-one-owner after ${timeoutMs} ms (${counts})`);
}

/** Wait until ownership has not changed for `quietMs` (and is exactly-one-owner). */
async function stable(live: Node[], quietMs = 2000, timeoutMs = 20_000): Promise<void> {
  const sig = (o: Map<string, string[]>) => [...o].map(([k, v]) => `${k}:${[...v].sort().join(',')}`).sort().join(' ');
  const t0 = Date.now();
  let last = '';
  let since = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    const o = await owned(live);
    const s = sig(o);
    if (s !== last || !exactlyOneOwner(o)) {
      last = s;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`ownership did not settle within ${timeoutMs} ms`);
}

beforeAll(async () => {
  await exporter.start();
});

afterAll(async () => {
  for (const n of nodes) {
    n.proc.kill('SIGCONT');
    n.proc.kill('SIGKILL');
  }
  await Promise.all(nodes.map((n) => n.exited));
  await exporter.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('processes share 60 targets with exactly one owner through scale-up, SIGTERM, SIGKILL and a healed partition', async () => {
  const report: Record<string, unknown> = {};
  const a = await startNode('a', '127.0.0.2', []);
  const [b, c] = await Promise.all([startNode('b', '127.0.0.3', [a.gossip]), startNode('c', '127.0.0.4', [a.gossip])]);
  report.initialConvergeMs = await converge([a, b, c], '3 nodes');

  // Steady state (ownership unchanged for 2 s first): every target scraped once per interval.
  await stable([a, b, c]);
  const s0 = Date.now();
  await new Promise((r) => setTimeout(r, 3000));
  // Once per interval: 3 scrapes per target in 3 s (one more or less at the
  // window edges when a scrape runs a little late on this shared machine).
  const counts = exporter.counts(s0, Date.now());
  for (const c of counts) expect(c === 2 || c === 3 || c === 4).toBe(true);
  expect(counts.reduce((x, y) => x + y, 0)).toBeGreaterThanOrEqual(TARGETS * 3 - TARGETS / 6);
  report.steadyGaps = exporter.gaps(s0, Date.now());

  // Scale up.
  let t = Date.now();
  const d = await startNode('d', '127.0.0.5', [a.gossip, b.gossip]);
  report.scaleUpMs = await converge([a, b, c, d], 'scale up to 4');
  await new Promise((r) => setTimeout(r, 2000));
  report.scaleUpGaps = exporter.gaps(t, Date.now());

  // Graceful: SIGTERM b; its targets move at once.
  t = Date.now();
  b.proc.kill('SIGTERM');
  expect(await b.exited).toBe(0);
  report.sigtermMs = await converge([a, c, d], 'after SIGTERM');
  await new Promise((r) => setTimeout(r, 2000));
  report.sigtermGaps = exporter.gaps(t, Date.now());

  // Crash: SIGKILL c; only the failure detector can tell.
  t = Date.now();
  c.proc.kill('SIGKILL');
  await c.exited;
  report.sigkillMs = await converge([a, d], 'after SIGKILL', 30_000);
  await new Promise((r) => setTimeout(r, 2000));
  report.sigkillGaps = exporter.gaps(t, Date.now());

  // Partition of one node: freeze d until a declares it dead, then thaw it.
  d.proc.kill('SIGSTOP');
  t = Date.now();
  report.frozenTakeoverMs = await converge([a], 'a alone while d is frozen', 30_000);
  d.proc.kill('SIGCONT');
  const thawed = Date.now();
  report.healMs = await converge([a, d], 'after the partition healed', 30_000);
  await new Promise((r) => setTimeout(r, 2000));
  report.partitionGaps = exporter.gaps(t, Date.now());
  report.healGaps = exporter.gaps(thawed, Date.now());

  // eslint-disable-next-line no-console
  console.log(`clustering e2e figures: ${JSON.stringify(report)}`);
  // Bounds. With a 1 s scrape interval and ring recomputes batched to 1 s,
  // nodes switch a moved target at slightly different moments: at most about
  // one missed or doubled scrape per moved target (~1/N of the targets) on a
  // graceful change; a crash costs the failure-detection time instead.
  const g = (k: string) => report[k] as { missed: number; doubled: number };
  expect(g('scaleUpGaps').missed + g('scaleUpGaps').doubled).toBeLessThanOrEqual(TARGETS / 2);
  expect(g('sigtermGaps').missed + g('sigtermGaps').doubled).toBeLessThanOrEqual(TARGETS);
  expect(report.sigtermMs as number).toBeLessThan(5000);
  expect(g('sigkillGaps').missed).toBeGreaterThan(0); // c's targets went unscraped until it was declared dead
  expect(report.sigkillMs as number).toBeLessThan(30_000);
});
