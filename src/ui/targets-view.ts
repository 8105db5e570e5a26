// GET /api/v0/web/targets: the scrape targets of the whole cluster and the
// replica that scrapes (owns) each one. A node reports the targets its scrape
// components are running (a clustered scrape runs only the targets it owns),
// then asks every peer for theirs with ?local=1 and merges by target.
import type { ClusterOwnership } from '../clustering/ownership.js';
import type { ComponentHost } from '../runtime/component-host.js';
import { toDisplay } from '../runtime/values.js';

/** One target as one node runs it. */
export interface LocalTarget {
  node: string;
  component: string;
  job: string;
  url: string;
  labels: Record<string, string>;
  clustered: boolean;
  health: string;
  last_scrape: string | null;
  last_scrape_duration: string | null;
  last_error: string | null;
  series: number | null;
}

export interface LocalTargets {
  node: string;
  targets: LocalTarget[];
}

export interface TargetReplica {
  node: string;
  health: string;
  last_scrape: string | null;
  last_scrape_duration: string | null;
  last_error: string | null;
  series: number | null;
}

/** One target across the cluster; `owners` lists every node running it (one when clustering works). */
export interface ClusterTarget {
  component: string;
  job: string;
  url: string;
  labels: Record<string, string>;
  clustered: boolean;
  owners: string[];
  replicas: TargetReplica[];
}

export interface NodeReport {
  name: string;
  url: string | null;
  isSelf: boolean;
  ok: boolean;
  error?: string;
  targets: number;
}

export interface ClusterTargets {
  self: string;
  nodes: NodeReport[];
  targets: ClusterTarget[];
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

function labelMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    for (const [k, x] of Object.entries(v)) if (typeof x === 'string') out[k] = x;
  }
  return out;
}

/**
 * The targets this node's scrape components run. Any component whose debug
 * info has `targets: [{ url, ... }]` counts (prometheus.scrape today, the
 * operator's monitors later), so new scrape-like components show up unchanged.
 */
export function localTargets(controller: ComponentHost, self: string): LocalTargets {
  const targets: LocalTarget[] = [];
  for (const summary of controller.list()) {
    if (!summary.name.startsWith('prometheus.')) continue;
    const v = controller.view(summary.id);
    const info = toDisplay(v?.debugInfo) as { job_name?: unknown; targets?: unknown } | null;
    if (!info || typeof info !== 'object' || !Array.isArray(info.targets)) continue;
    const args = v?.arguments as { clustering?: { enabled?: unknown } } | undefined;
    const clustered = args?.clustering?.enabled === true;
    for (const t of info.targets as Record<string, unknown>[]) {
      if (!t || typeof t !== 'object' || typeof t.url !== 'string') continue;
      targets.push({
        node: self,
        component: summary.id,
        job: str(t.job) ?? str(info.job_name) ?? summary.id,
        url: t.url,
        labels: labelMap(t.labels),
        clustered,
        health: str(t.health) ?? 'unknown',
        last_scrape: str(t.last_scrape),
        last_scrape_duration: str(t.last_scrape_duration),
        last_error: str(t.last_error),
        series: typeof t.series === 'number' ? t.series : null,
      });
    }
  }
  return { node: self, targets };
}

/** Checks a peer's ?local=1 answer; throws naming what is wrong. */
export function parseLocalTargets(body: unknown): LocalTargets {
  const b = body as Partial<LocalTargets> | null;
  if (!b || typeof b !== 'object' || typeof b.node !== 'string' || !Array.isArray(b.targets)) {
    throw new Error('unexpected answer (want {node, targets[]})');
  }
  const targets = b.targets.filter((t): t is LocalTarget => !!t && typeof t === 'object' && typeof t.url === 'string' && typeof t.component === 'string');
  return { node: b.node, targets: targets.map((t) => ({ ...t, node: b.node!, labels: labelMap(t.labels) })) };
}

function identity(t: Pick<LocalTarget, 'component' | 'url' | 'labels'>): string {
  const labels = Object.keys(t.labels)
    .sort()
    .map((k) => `${k}=${t.labels[k]}`)
    .join('\xff');
  return `${t.component}\x00${t.url}\x00${labels}`;
}

/** Merges per-node reports into one entry per target, owners sorted by name. */
export function mergeTargets(reports: LocalTargets[]): ClusterTarget[] {
  const byId = new Map<string, ClusterTarget>();
  for (const r of reports) {
    for (const t of r.targets) {
      const id = identity(t);
      let e = byId.get(id);
      if (!e) {
        e = { component: t.component, job: t.job, url: t.url, labels: t.labels, clustered: t.clustered, owners: [], replicas: [] };
        byId.set(id, e);
      }
      e.clustered ||= t.clustered;
      e.owners.push(r.node);
      e.replicas.push({
        node: r.node,
        health: t.health,
        last_scrape: t.last_scrape,
        last_scrape_duration: t.last_scrape_duration,
        last_error: t.last_error,
        series: t.series,
      });
    }
  }
  const out = [...byId.values()];
  for (const e of out) {
    e.owners.sort();
    e.replicas.sort((a, b) => a.node.localeCompare(b.node));
  }
  return out.sort((a, b) => a.component.localeCompare(b.component) || a.url.localeCompare(b.url) || identity(a).localeCompare(identity(b)));
}

/** "http://host:port" from "host:port" or a URL; trailing slashes dropped. */
export function normalizeBase(addr: string): string {
  const a = addr.trim().replace(/\/+$/, '');
  return /^https?:\/\//i.test(a) ? a : `http://${a}`;
}

/**
 * The HTTP address of a peer from its gossip address. By default gossip runs
 * on the HTTP port (no --cluster.listen-addr), so the two are one address.
 * Only for peers that do not advertise their HTTP address in gossip metadata;
 * wrong when such a node gives gossip a port of its own (list the addresses
 * in ALLOY_UI_PEER_HTTP_ADDRESSES then).
 */
export function httpFromGossip(gossip: string): string | undefined {
  const i = gossip.lastIndexOf(':');
  const port = Number(gossip.slice(i + 1));
  if (i <= 0 || !Number.isInteger(port) || port < 1) return undefined;
  return gossip;
}

export interface PeerEndpoint {
  /** The peer's node name when known before asking. */
  name?: string;
  base: string;
  /** The address was guessed from the gossip port (errors then say how to set it). */
  derived?: boolean;
}

/**
 * Where to ask for peers' targets: an explicit list, else each peer's
 * advertised HTTP address (gossip metadata), else a guess from its gossip address.
 */
export function peerEndpoints(cluster: ClusterOwnership, explicit: string[] | undefined): PeerEndpoint[] {
  if (explicit && explicit.length > 0) return explicit.map((a) => ({ base: normalizeBase(a) }));
  if (!cluster.enabled) return [];
  const out: PeerEndpoint[] = [];
  for (const p of cluster.peers()) {
    if (p.isSelf) continue;
    // The address the peer advertises in its gossip record comes before any guess.
    if (p.httpAddress) {
      out.push({ name: p.name, base: normalizeBase(p.httpAddress) });
      continue;
    }
    const addr = httpFromGossip(p.address);
    if (addr) out.push({ name: p.name, base: normalizeBase(addr), derived: true });
  }
  return out;
}

export function parseAddressList(s: string | undefined): string[] {
  return (s ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
}

export interface GatherOptions {
  controller: ComponentHost;
  cluster: ClusterOwnership;
  peers: PeerEndpoint[];
  timeoutMs: number;
}

async function askPeer(p: PeerEndpoint, timeoutMs: number): Promise<LocalTargets> {
  const res = await fetch(`${p.base}/api/v0/web/targets?local=1`, { signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return parseLocalTargets(await res.json());
}

/** fetch() rejects with "fetch failed" and the useful part (ECONNREFUSED…) in its cause. */
function failureText(err: unknown, timeoutMs: number): string {
  const e = err as (Error & { cause?: { code?: string; message?: string } }) | undefined;
  if (e?.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  const cause = e?.cause?.code ?? e?.cause?.message;
  return cause ? `${e?.message}: ${cause}` : String(e?.message ?? err);
}

export async function clusterTargets(o: GatherOptions): Promise<ClusterTargets> {
  const self = o.cluster.self;
  const mine = localTargets(o.controller, self);
  const nodes: NodeReport[] = [{ name: self, url: null, isSelf: true, ok: true, targets: mine.targets.length }];
  const reports: LocalTargets[] = [mine];
  const answers = await Promise.allSettled(o.peers.map((p) => askPeer(p, o.timeoutMs)));
  answers.forEach((a, i) => {
    const p = o.peers[i];
    if (a.status === 'rejected') {
      let reason = failureText(a.reason, o.timeoutMs);
      if (p.derived) reason += ' (HTTP address guessed as the gossip address; list the peers in ALLOY_UI_PEER_HTTP_ADDRESSES)';
      nodes.push({ name: p.name ?? p.base, url: p.base, isSelf: false, ok: false, error: reason, targets: 0 });
      return;
    }
    const r = a.value;
    // An explicit list may name this node too, or one node twice.
    if (r.node === self || reports.some((x) => x.node === r.node)) return;
    reports.push(r);
    nodes.push({ name: r.node, url: p.base, isSelf: false, ok: true, targets: r.targets.length });
  });
  // Members nobody answered for (no address known, or answered under another name).
  if (o.cluster.enabled) {
    for (const p of o.cluster.peers()) {
      if (!nodes.some((n) => n.name === p.name)) {
        nodes.push({ name: p.name, url: null, isSelf: false, ok: false, error: 'no HTTP address of this peer answered', targets: 0 });
      }
    }
  }
  nodes.sort((a, b) => Number(b.isSelf) - Number(a.isSelf) || a.name.localeCompare(b.name));
  return { self, nodes, targets: mergeTargets(reports) };
}
