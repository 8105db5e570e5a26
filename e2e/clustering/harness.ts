// Shared by the clustering e2e tests: a counting exporter standing for many
// targets, and `alloy run` processes (src/main.ts) on 127.0.0.x addresses that
// scrape them with clustering enabled, plus the ownership checks.
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TSX_LOADER } from '../lib/alloy-process.js';
import { freePort } from '../lib/ports.js';
import { spawnProcess } from '../lib/spawn.js';
import { timedWaitFor, waitFor } from '../lib/wait.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The JSON "now listening" log line with the HTTP address. */
const LISTENING = /"addr":"(http:\/\/[^"]+)".*now listening/;

/** One HTTP server standing for `targets` targets (one metrics path each), counting scrapes and who made them. */
export class Exporter {
  readonly scrapes: number[][];
  /** Per target, the node of each scrape (its X-Scraper header), parallel to `scrapes`. */
  readonly scrapers: string[][];
  private server = http.createServer((req, res) => {
    const m = /^\/t\/(\d+)$/.exec(req.url ?? '');
    if (!m || Number(m[1]) >= this.targets) {
      res.writeHead(404).end();
      return;
    }
    this.scrapes[Number(m[1])].push(Date.now());
    this.scrapers[Number(m[1])].push(String(req.headers['x-scraper'] ?? ''));
    res.writeHead(200, { 'content-type': 'text/plain' }).end(`synthetic_up{target="${m[1]}"} 1\n`);
  });
  port = 0;

  constructor(
    readonly targets: number,
    readonly intervalMs: number,
  ) {
    this.scrapes = Array.from({ length: targets }, () => []);
    this.scrapers = Array.from({ length: targets }, () => []);
  }

  async start(): Promise<void> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as net.AddressInfo).port;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }

  /** All scrapes so far, of every target. */
  total(): number {
    return this.scrapes.reduce((s, ts) => s + ts.length, 0);
  }

  /** Time of the first scrape of any target, if any. */
  first(): number | undefined {
    const all = this.scrapes.flat();
    return all.length ? Math.min(...all) : undefined;
  }

  /**
   * Per target, the gaps between consecutive scrapes from the last one before
   * `from` to `to`: a gap of ~k intervals is k-1 missed scrapes; a gap under
   * half an interval between scrapes by two different nodes is a doubled one
   * (two owners). A short gap from one node is not a second owner but a late
   * scrape followed by the next one on time (a loaded machine): `late`.
   */
  gaps(from: number, to: number): { missed: number; doubled: number; late: number; movedTargets: number } {
    let missed = 0;
    let doubled = 0;
    let late = 0;
    let moved = 0;
    this.scrapes.forEach((ts, target) => {
      const by = this.scrapers[target];
      const idx: number[] = [];
      let lastBefore = -1;
      ts.forEach((t, i) => {
        if (t < from) lastBefore = i;
        else if (t < to) idx.push(i);
      });
      const w = lastBefore >= 0 ? [lastBefore, ...idx] : idx;
      let m = 0;
      let d = 0;
      for (let k = 1; k < w.length; k++) {
        const g = ts[w[k]] - ts[w[k - 1]];
        if (g < 0.5 * this.intervalMs) {
          if (by[w[k]] !== by[w[k - 1]]) d++;
          else late++;
        } else m += Math.max(0, Math.round(g / this.intervalMs) - 1);
      }
      missed += m;
      doubled += d;
      if (m || d) moved++;
    });
    return { missed, doubled, late, movedTargets: moved };
  }

  /** Scrapes per target in [from, to). */
  counts(from: number, to: number): number[] {
    return this.scrapes.map((ts) => ts.filter((t) => t >= from && t < to).length);
  }
}

export interface Node {
  name: string;
  host: string;
  gossip: string;
  url: string;
  proc: ChildProcess;
  out: () => string;
  exited: Promise<number | null>;
  /** SIGKILL its process group and wait for the exit. */
  kill(): Promise<number | null>;
}

/** A set of `alloy run` processes scraping one exporter's targets; close() kills them all. */
export class ProcessCluster {
  readonly nodes: Node[] = [];
  private readonly tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cluster-e2e-'));

  constructor(
    readonly exporter: Exporter,
    private readonly clusterName = 'e2e',
  ) {}

  private config(node: string): string {
    const e = this.exporter;
    const targets = Array.from({ length: e.targets }, (_, i) => `{"__address__" = "127.0.0.1:${e.port}", "__metrics_path__" = "/t/${i}"}`).join(',\n    ');
    return `prometheus.scrape "synthetic" {
  targets = [
    ${targets},
  ]
  forward_to      = []
  scrape_interval = "${e.intervalMs}ms"
  scrape_timeout  = "${Math.floor(e.intervalMs / 2)}ms"
  // Tells the exporter which node scraped: two owners are two nodes, not one late scrape.
  http_headers    = { "X-Scraper" = ["${node}"] }
  clustering { enabled = true }
}
`;
  }

  /**
   * Start one process; resolves once its HTTP server listens. The gossip port
   * is picked explicitly (a port of its own, --cluster.listen-addr), so
   * anything that finds a peer's HTTP server must use the address the peer
   * advertises. With `httpPort`, started as Alloy's docs show instead: no
   * --cluster.listen-addr, the advertise address is the HTTP address, and
   * `gossip` (what peers join) is that HTTP address too.
   */
  async start(name: string, host: string, join: string[], extraFlags: string[] = [], opts: { httpPort?: boolean } = {}): Promise<Node> {
    const cfg = path.join(this.tmp, `${name}.alloy`);
    fs.writeFileSync(cfg, this.config(name));
    const port = await freePort(host);
    const gossip = `${host}:${port}`;
    const args = [
      '--import', TSX_LOADER, path.join(ROOT, 'src/main.ts'), 'run', cfg,
      '--log.format=json',
      `--server.http.listen-addr=${opts.httpPort ? gossip : `${host}:0`}`,
      `--storage.path=${path.join(this.tmp, name)}`,
      '--cluster.enabled',
      `--cluster.node-name=${name}`,
      opts.httpPort ? `--cluster.advertise-address=${gossip}` : `--cluster.listen-addr=${gossip}`,
      `--cluster.join-addresses=${join.join(',')}`,
      '--cluster.rejoin-interval=2s',
      `--cluster.name=${this.clusterName}`,
      ...extraFlags,
    ];
    // ALLOY_UI_PEER_HTTP_ADDRESSES must not leak in from the environment: the UI would not need gossip metadata.
    const env = { ...process.env };
    delete env.ALLOY_UI_PEER_HTTP_ADDRESSES;
    const p = await spawnProcess(process.execPath, args, { name, cwd: ROOT, env, ready: { line: LISTENING }, readyTimeoutMs: 30_000 });
    const node: Node = { name, host, gossip, url: LISTENING.exec(p.readyLine!)![1], proc: p.proc, out: p.output, exited: p.exited, kill: p.kill };
    this.nodes.push(node);
    return node;
  }

  /** Targets (metrics paths) each live node says it owns. */
  async owned(live: Node[]): Promise<Map<string, string[]>> {
    const res = new Map<string, string[]>();
    await Promise.all(
      live.map(async (n) => {
        const r = await fetch(`${n.url}/api/v0/web/components/prometheus.scrape.synthetic`, { signal: AbortSignal.timeout(5000) });
        const body = (await r.json()) as { debugInfo?: { targets?: { labels?: Record<string, string>; url?: string }[] } };
        const ts = body.debugInfo?.targets ?? [];
        res.set(n.name, ts.map((t) => new URL(t.url ?? '').pathname));
      }),
    );
    return res;
  }

  exactlyOneOwner(o: Map<string, string[]>): boolean {
    const all = [...o.values()].flat();
    return all.length === this.exporter.targets && new Set(all).size === this.exporter.targets;
  }

  /** Poll ownership until exactly one owner per target and every node owns some; returns ms waited. */
  converge(live: Node[], what: string, timeoutMs = 20_000): Promise<number> {
    return timedWaitFor(
      `${what}: exactly one owner per target`,
      async () => {
        const o = await this.owned(live);
        if (this.exactlyOneOwner(o) && live.every((n) => (o.get(n.name) ?? []).length > 0)) return true;
        throw new Error(`targets per node ${[...o].map(([k, v]) => `${k}:${v.length}`).join(' ')}`);
      },
      { timeoutMs, intervalMs: 100 },
    );
  }

  /** Wait until ownership has not changed for `quietMs` (and is exactly-one-owner). */
  async stable(live: Node[], quietMs = 2000, timeoutMs = 20_000): Promise<void> {
    const sig = (o: Map<string, string[]>) =>
      [...o]
        .map(([k, v]) => `${k}:${[...v].sort().join(',')}`)
        .sort()
        .join(' ');
    let last = '';
    let since = Date.now();
    await waitFor(
      `ownership to settle for ${quietMs} ms`,
      async () => {
        const o = await this.owned(live);
        const s = sig(o);
        if (s !== last || !this.exactlyOneOwner(o)) {
          last = s;
          since = Date.now();
          return false;
        }
        return Date.now() - since >= quietMs;
      },
      { timeoutMs, intervalMs: 200 },
    );
  }

  async close(): Promise<void> {
    // kill() also resumes a node a test froze with SIGSTOP.
    await Promise.all(this.nodes.map((n) => n.kill()));
    fs.rmSync(this.tmp, { recursive: true, force: true });
  }
}

/** GET a JSON document from a node, with a deadline. */
export async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return (await res.json()) as T;
}
