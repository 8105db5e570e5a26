// The logs e2e tests run real `alloy run` processes (e2e/lib/alloy-process.ts)
// with a real config: discovery.kubernetes (role pod, via a kubeconfig file)
// -> loki.source.kubernetes (clustering on) -> loki.write, against the API
// emulator and the Loki receiver in the test process. Shared setup here.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAlloyProcess, type AlloyProcess } from '../lib/alloy-process.js';
import { startKubeEmulator, type KubeEmulator } from '../../src/sandbox/kube/index.js';
import { startLokiReceiver, type LokiReceiver } from '../../src/sandbox/receivers/loki-receiver.js';
import { numbered, runningPod } from './harness.js';

export const SOURCE_ID = 'loki.source.kubernetes.pods';
export const WRITE_ID = 'loki.write.default';

/**
 * The documented tuning variables (docs/components/loki.source.kubernetes.md),
 * shortened so that reopen backoffs and hand-offs fit in a test.
 */
export const TEST_TUNING: Record<string, string> = {
  ALLOY_LOGS_TAIL_MIN_BACKOFF: '50ms',
  ALLOY_LOGS_TAIL_MAX_BACKOFF: '500ms',
  ALLOY_LOGS_TAIL_DRAIN_TIMEOUT: '3s',
  ALLOY_LOGS_HANDOFF_TIMEOUT: '10s',
};

export interface Stream {
  pod: string;
  container: string;
}

export interface LogsEnv {
  api: KubeEmulator;
  loki: LokiReceiver;
  dir: string;
  kubeconfig: string;
  streams: Stream[];
  close(): Promise<void>;
}

/** Emulator with `pods` pods of two containers each (running), a kubeconfig for it, and the Loki receiver. */
export async function startLogsEnv(pods: number): Promise<LogsEnv> {
  const api = await startKubeEmulator();
  const loki = await startLokiReceiver();
  const dir = mkdtempSync(join(tmpdir(), 'logs-cli-'));
  const kubeconfig = join(dir, 'kubeconfig');
  api.writeKubeconfig(kubeconfig);
  const streams: Stream[] = [];
  for (let i = 0; i < pods; i++) {
    const p = api.apply(runningPod('default', `app-${i}`, ['main', 'side']));
    for (const c of p.spec.containers as { name: string }[]) streams.push({ pod: p.metadata.name, container: c.name });
  }
  return {
    api,
    loki,
    dir,
    kubeconfig,
    streams,
    async close() {
      await loki.close();
      await api.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The pipeline as a user writes it. `endpointExtra`: more loki.write endpoint attributes; `writeExtra`: more of loki.write's body (e.g. a wal block). */
export function pipelineConfig(env: LogsEnv, endpointExtra = '', batchWait = '20ms', writeExtra = ''): string {
  return `discovery.kubernetes "pods" {
  role            = "pod"
  kubeconfig_file = ${JSON.stringify(env.kubeconfig)}
}

loki.source.kubernetes "pods" {
  targets    = discovery.kubernetes.pods.targets
  forward_to = [loki.write.default.receiver]
  client {
    kubeconfig_file = ${JSON.stringify(env.kubeconfig)}
  }
  clustering {
    enabled = true
  }
}

loki.write "default" {
  endpoint {
    url                 = ${JSON.stringify(env.loki.url)}
    batch_wait          = ${JSON.stringify(batchWait)}
    min_backoff_period  = "20ms"
    max_backoff_period  = "500ms"
    max_backoff_retries = 100000
${endpointExtra}  }
${writeExtra}}
`;
}

export interface ClusterSpec {
  node: string;
  /** host:port of this node's gossip server. */
  listen: string;
  join: string[];
}

export function clusterArgs(c: ClusterSpec): string[] {
  return [
    '--cluster.enabled',
    `--cluster.node-name=${c.node}`,
    `--cluster.listen-addr=${c.listen}`,
    `--cluster.advertise-address=${c.listen}`,
    `--cluster.join-addresses=${c.join.join(',')}`,
    '--cluster.rejoin-interval=2s',
    '--cluster.name=logs-e2e',
  ];
}

export function startCollector(env: LogsEnv, opts: { storagePath?: string; cluster?: ClusterSpec; endpointExtra?: string; batchWait?: string; writeExtra?: string; tuning?: Record<string, string> } = {}): Promise<AlloyProcess> {
  return startAlloyProcess({
    config: pipelineConfig(env, opts.endpointExtra, opts.batchWait, opts.writeExtra),
    storagePath: opts.storagePath,
    args: opts.cluster ? clusterArgs(opts.cluster) : [],
    env: { ...TEST_TUNING, ...opts.tuning },
    timeoutMs: 60_000,
  });
}

export interface StreamInfo {
  stream: string;
  state: string;
  delivered: number;
  handoff: string;
}

/** The source's debug info over the process's HTTP API. */
export async function sourceInfo(p: AlloyProcess): Promise<{ targets: number; streams: StreamInfo[] }> {
  const res = await fetch(`${p.url}/api/v0/web/components/${SOURCE_ID}`);
  if (!res.ok) throw new Error(`${SOURCE_ID} debug info: HTTP ${res.status}`);
  return ((await res.json()) as { debugInfo: { targets: number; streams: StreamInfo[] } }).debugInfo;
}

/** Tailer and writer state for failure messages: what a stalled pipeline was doing. */
export async function pipelineState(p: AlloyProcess): Promise<string> {
  const get = async (path: string) => {
    try {
      const r = await fetch(`${p.url}${path}`, { signal: AbortSignal.timeout(5000) });
      return await r.text();
    } catch (err) {
      return `unavailable: ${(err as Error).message}`;
    }
  };
  const metrics = (await get('/metrics'))
    .split('\n')
    .filter((l) => /^(loki_source_kubernetes|loki_write)_/.test(l) && !/_bucket\{/.test(l))
    .join('\n');
  return `source: ${await get(`/api/v0/web/components/${SOURCE_ID}`)}\nwrite: ${await get(`/api/v0/web/components/${WRITE_ID}`)}\n${metrics}\nlog tail:\n${p.output().slice(-3000)}`;
}

/** Value of a metric (summed over its series) from the process's /metrics. */
export async function metric(p: AlloyProcess, name: string): Promise<number> {
  const text = await (await fetch(`${p.url}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name} `) || line.startsWith(`${name}{`)) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

/** Appends `perTick` numbered lines to every stream every `everyMs` until stopped. */
export function producer(api: KubeEmulator, streams: Stream[], everyMs: number, perTick = 5) {
  let n = 0;
  const timer = setInterval(() => {
    for (const s of streams) api.logs.append('default', s.pod, s.container, numbered(`${s.pod}/${s.container}`, n, n + perTick));
    n += perTick;
  }, everyMs);
  return {
    get count() {
      return n;
    },
    stop: () => clearInterval(timer),
  };
}

/**
 * Per stream: the lines the receiver got, checked against "<pod>/<container> 0..total-1".
 * A raw duplicate is a line received more than once: each produced line has
 * one timestamp, so it is an identical stream + timestamp + line, which Loki
 * itself ignores (loki.duplicates() counts the same thing by that identity).
 */
export interface Audit {
  expected: number;
  lost: number;
  rawDuplicates: number;
  outOfOrder: number;
  unexpected: number;
}

/** The line number of every extra copy the receiver got: tells which phase of a test re-sent it. */
export function duplicateLineNumbers(loki: LokiReceiver, streams: Stream[], total: number): number[] {
  const out: number[] = [];
  audit(loki, streams, total, undefined, out);
  return out;
}

export function audit(
  loki: LokiReceiver,
  streams: Stream[],
  total: number,
  prefix: (s: Stream) => string = (s) => `${s.pod}/${s.container}`,
  duplicateIndices?: number[],
): Audit {
  let lost = 0;
  let unexpected = 0;
  let outOfOrder = 0;
  let raw = 0;
  const byStream = new Map<string, { ts: bigint; line: string }[]>();
  for (const s of loki.streams.values()) {
    const k = `${s.labels.pod}:${s.labels.container}`;
    byStream.set(k, [...(byStream.get(k) ?? []), ...s.entries]);
  }
  for (const s of streams) {
    const got = byStream.get(`${s.pod}:${s.container}`) ?? [];
    const seen = new Set<string>();
    let last = -1;
    for (const e of got) {
      const m = /^(.*) (\d+)$/.exec(e.line);
      if (!m || m[1] !== prefix(s) || Number(m[2]) >= total) unexpected++;
      else if (!seen.has(e.line)) {
        // Order among first deliveries (re-sent lines are duplicates, not disorder).
        if (Number(m[2]) < last) outOfOrder++;
        last = Number(m[2]);
      } else duplicateIndices?.push(Number(m[2]));
      seen.add(e.line);
    }
    raw += got.length - seen.size;
    for (let i = 0; i < total; i++) if (!seen.has(`${prefix(s)} ${i}`)) lost++;
  }
  return { expected: total * streams.length, lost, rawDuplicates: raw, outOfOrder, unexpected };
}
